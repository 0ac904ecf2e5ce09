/** What the transports hand requests to, and what they get back. Implemented by the service. */
import type { InResource } from './decode';
import type { RequestContext } from './mapping';

export type IntakeResult =
  | { kind: 'ok'; accepted: number; rejected: number; message: string }
  /** Cannot take it now (spool full, disk failing, shutting down): 503 + Retry-After, nothing processed. */
  | { kind: 'busy'; retryAfterSec: number; reason: string };

export type AuthResult = { ok: true; agent: { id: string; name: string } | null } | { ok: false; reason: string };

export interface Intake {
  authenticate(authorization: string | null): AuthResult;
  accept(resources: InResource[], ctx: Omit<RequestContext, 'boundAgent'> & { boundAgent: { id: string; name: string } | null }): Promise<IntakeResult>;
  rejected(count: number, reason: string, transport: string): void;
  answered(transport: string, code: string): void;
}
