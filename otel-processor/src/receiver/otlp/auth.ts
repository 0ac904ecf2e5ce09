/**
 * Who may send, and as which agent: bearer tokens and/or client certificates (mutual TLS).
 *
 * Tokens: a token bound to an agent fixes the agent identity of everything sent with it; a
 * token not in the list is refused (401) whatever the rest of the request says.
 *
 * Client certificates (when `receiver.tls.client_ca_file` is set): a certificate the CA did not
 * sign is refused (401). With `receiver.auth.client_certs` listed, the certificate's subject CN
 * or one of its subjectAltNames must be listed, and a listed name bound to an agent fixes the
 * agent identity as a bound token does; with no list, any certificate of the CA authenticates.
 * A request carrying both a bound token and a bound certificate naming different agents is
 * refused.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** What the transport learnt about the client's certificate. */
export interface PeerIdentity {
  /** Signed by the configured client CA (and valid now). */
  verified: boolean;
  /** Subject CN and subjectAltName values (DNS, URI, email, IP). */
  names: string[];
  /** Why it was not verified. */
  error: string | null;
}

export interface TokenBinding {
  token: string;
  /** Agent the token is bound to; null for a token that only authenticates. */
  agentId: string | null;
  agentName: string | null;
}

export type AuthResult = { ok: true; agent: { id: string; name: string } | null } | { ok: false; reason: string };

/** A binding of a certificate name (CN or SAN) to an agent. */
export interface CertBinding {
  subject: string;
  agentId: string | null;
  agentName: string | null;
}

/** CN and subjectAltName values of a certificate (as Node's TLS layer reports it). */
export function certificateNames(cert: PeerCertificate): string[] {
  const names: string[] = [];
  const cn = (cert.subject as unknown as Record<string, string | string[]> | undefined)?.CN;
  if (Array.isArray(cn)) names.push(...cn); else if (cn) names.push(cn);
  if (cert.subjectaltname) {
    for (const part of cert.subjectaltname.split(/,\s*/)) {
      const c = part.indexOf(':');
      if (c > 0) names.push(part.slice(c + 1).replace(/^"|"$/g, ''));
    }
  }
  return names;
}

export class TokenAuth {
  private readonly tokens: Array<{ digest: Buffer; binding: TokenBinding }>;
  private readonly certs: Map<string, CertBinding>;

  constructor(bindings: TokenBinding[], private readonly required: boolean, certBindings: CertBinding[] = [], private readonly certsEnabled = false) {
    this.tokens = bindings.map((b) => ({ digest: digest(b.token), binding: b }));
    this.certs = new Map(certBindings.map((b) => [b.subject, b]));
  }

  check(authorization: string | null, peer: PeerIdentity | null = null): AuthResult {
    let certAgent: { id: string; name: string } | null = null;
    let byCert = false;
    if (peer && this.certsEnabled) {
      if (!peer.verified) return { ok: false, reason: `client certificate not trusted: ${peer.error ?? 'not signed by the configured client CA'}` };
      if (this.certs.size > 0) {
        const b = peer.names.map((n) => this.certs.get(n)).find((x) => x !== undefined);
        if (!b) return { ok: false, reason: `client certificate ${JSON.stringify(peer.names[0] ?? '')} is not listed in receiver.auth.client_certs` };
        if (b.agentId) certAgent = { id: b.agentId, name: b.agentName ?? b.agentId };
      }
      byCert = true;
    }
    if (authorization === null || authorization === '') {
      if (byCert) return { ok: true, agent: certAgent };
      return this.required ? { ok: false, reason: this.certsEnabled ? 'missing bearer token or client certificate' : 'missing bearer token' } : { ok: true, agent: null };
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return { ok: false, reason: 'authorization must be "Bearer TOKEN"' };
    const d = digest(m[1]);
    let found: TokenBinding | null = null;
    for (const t of this.tokens) if (timingSafeEqual(t.digest, d)) found = t.binding;
    if (!found) return { ok: false, reason: 'unknown bearer token' };
    const tokenAgent = found.agentId ? { id: found.agentId, name: found.agentName ?? found.agentId } : null;
    if (certAgent && tokenAgent && certAgent.id !== tokenAgent.id) return { ok: false, reason: 'the bearer token and the client certificate are bound to different agents' };
    return { ok: true, agent: certAgent ?? tokenAgent };
  }
}
