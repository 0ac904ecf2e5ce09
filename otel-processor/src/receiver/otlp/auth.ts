/**
 * Bearer tokens per agent. A token bound to an agent fixes the agent identity of everything
 * sent with it; a token not in the list is refused (401) whatever the rest of the request says.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { TokenBinding } from '../../service/config';
import type { AuthResult } from './intake';

const digest = (s: string) => createHash('sha256').update(s).digest();

export class TokenAuth {
  private readonly tokens: Array<{ digest: Buffer; binding: TokenBinding }>;

  constructor(bindings: TokenBinding[], private readonly required: boolean) {
    this.tokens = bindings.map((b) => ({ digest: digest(b.token), binding: b }));
  }

  check(authorization: string | null): AuthResult {
    if (authorization === null || authorization === '') {
      return this.required ? { ok: false, reason: 'missing bearer token' } : { ok: true, agent: null };
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return { ok: false, reason: 'authorization must be "Bearer TOKEN"' };
    const d = digest(m[1]);
    let found: TokenBinding | null = null;
    for (const t of this.tokens) if (timingSafeEqual(t.digest, d)) found = t.binding;
    if (!found) return { ok: false, reason: 'unknown bearer token' };
    return { ok: true, agent: found.agentId ? { id: found.agentId, name: found.agentName ?? found.agentId } : null };
  }
}
