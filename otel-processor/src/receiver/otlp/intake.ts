/** What the transports hand requests to, and what they get back. Implemented by the service. */
import type { RequestContext } from './mapping';
import type { AuthResult, PeerIdentity } from './auth';

/** A request body as received (after gunzip): decoded by the processor. */
export interface RawRequest {
  format: 'protobuf' | 'json';
  body: Uint8Array;
}

export type IntakeResult =
  | { kind: 'ok'; accepted: number; rejected: number; message: string }
  /** Cannot take it now (spool full, disk failing, shutting down): 503 + Retry-After, nothing processed. */
  | { kind: 'busy'; retryAfterSec: number; reason: string }
  /** Not an OTLP logs request (400 / INVALID_ARGUMENT), nothing processed. */
  | { kind: 'malformed'; reason: string };

export interface Intake {
  /** `peer`: the client certificate, when the connection is TLS with client certificates and one was sent. */
  authenticate(authorization: string | null, peer: PeerIdentity | null): AuthResult;
  /** Decodes, processes and spools one request; `ok` only once what it produced is durable. */
  accept(req: RawRequest, ctx: Omit<RequestContext, 'boundAgent'> & { boundAgent: { id: string; name: string } | null }): Promise<IntakeResult>;
  rejected(count: number, reason: string, transport: string): void;
  answered(transport: string, code: string): void;
}
