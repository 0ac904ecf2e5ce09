/** The OTLP receivers' settings, auth and TLS included (rows of the one schema in service/config.ts), and their typed options. */
import * as fs from 'node:fs';
import { checkReadable, ConfigError, type BuildContext, type Setting, type SettingValues } from '../../config/setting';
import type { CertBinding, TokenBinding } from './auth';

export interface ReceiverConfig {
  http: { enabled: boolean; host: string; port: number; maxRequestBytes: number };
  grpc: { enabled: boolean; host: string; port: number; maxRequestBytes: number };
  auth: { tokens: TokenBinding[]; required: boolean; clientCerts: CertBinding[] };
  /** TLS for both receivers; `clientCaFile` turns on client certificates (mutual TLS). */
  tls: { certFile: string | null; keyFile: string | null; clientCaFile: string | null };
  maxLogBytes: number;
  maxFields: number;
  retryAfterSec: number;
  maxPendingBytes: number;
}

export const RECEIVER_SETTINGS: Setting[] = [
  { key: 'receiver.http.enabled', kind: 'bool', dflt: true, help: 'OTLP/HTTP receiver (POST /v1/logs)' },
  { key: 'receiver.http.host', kind: 'string', dflt: '0.0.0.0', help: 'OTLP/HTTP listen address' },
  { key: 'receiver.http.port', kind: 'int', dflt: 4318, min: 0, max: 65535, help: 'OTLP/HTTP port (0: any free port)' },
  { key: 'receiver.http.max_request_bytes', kind: 'bytes', dflt: 16 << 20, min: 1024, help: 'Largest request body, after gunzip (413 above)' },
  { key: 'receiver.grpc.enabled', kind: 'bool', dflt: true, help: 'OTLP/gRPC receiver (LogsService/Export)' },
  { key: 'receiver.grpc.host', kind: 'string', dflt: '0.0.0.0', help: 'OTLP/gRPC listen address' },
  { key: 'receiver.grpc.port', kind: 'int', dflt: 4317, min: 0, max: 65535, help: 'OTLP/gRPC port (0: any free port)' },
  { key: 'receiver.grpc.max_request_bytes', kind: 'bytes', dflt: 16 << 20, min: 1024, help: 'Largest gRPC message (RESOURCE_EXHAUSTED above)' },
  { key: 'receiver.auth.tokens', kind: 'tokens', dflt: [], help: 'Bearer tokens: list of {token, agent_id, agent_name}; env form `TOKEN=AGENT_ID[:NAME],...`' },
  { key: 'receiver.auth.client_certs', kind: 'certs', dflt: [], help: 'Client certificates (mutual TLS): list of {subject, agent_id, agent_name}, subject = CN or a subjectAltName; env form `SUBJECT=AGENT_ID[:NAME],...`; empty: any certificate of the client CA' },
  { key: 'receiver.auth.required', kind: 'auto-bool', dflt: 'auto', help: 'Refuse requests without a known token or client certificate (auto: when tokens or a client CA are configured)' },
  { key: 'receiver.tls.cert_file', kind: 'optstring', dflt: null, help: 'Server certificate (PEM) of both receivers; set: OTLP over TLS' },
  { key: 'receiver.tls.key_file', kind: 'optstring', dflt: null, help: 'Private key (PEM) of receiver.tls.cert_file' },
  { key: 'receiver.tls.client_ca_file', kind: 'optstring', dflt: null, help: 'CA certificates (PEM) that sign client certificates; set: mutual TLS (agent identity from the certificate)' },
  { key: 'receiver.max_log_bytes', kind: 'bytes', dflt: 65536, min: 64, help: 'Longest log record accepted; longer ones are rejected (partial success)' },
  { key: 'receiver.max_fields', kind: 'int', dflt: 256, min: 0, max: 100000, help: 'Most dynamic fields taken from a map body and attributes' },
  { key: 'receiver.retry_after_seconds', kind: 'int', dflt: 5, min: 1, max: 3600, help: 'Retry-After sent with 503 when the spool is full' },
  { key: 'receiver.max_pending_bytes', kind: 'bytes', dflt: 64 << 20, min: 1024, help: 'Request bytes waiting for the engine; above this, requests get 503 + Retry-After' },
];

export function receiverFromSettings(v: SettingValues, ctx: BuildContext): ReceiverConfig {
  const tokens = v['receiver.auth.tokens'] as TokenBinding[];
  const seenTokens = new Set<string>();
  for (const t of tokens) {
    if (seenTokens.has(t.token)) throw new ConfigError('receiver.auth.tokens: a token is listed twice');
    seenTokens.add(t.token);
  }
  const authReq = v['receiver.auth.required'];
  const certFile = v['receiver.tls.cert_file'] as string | null;
  const keyFile = v['receiver.tls.key_file'] as string | null;
  const clientCa = v['receiver.tls.client_ca_file'] as string | null;
  const clientCerts = v['receiver.auth.client_certs'] as CertBinding[];
  if ((certFile === null) !== (keyFile === null)) throw new ConfigError('receiver.tls.cert_file and receiver.tls.key_file: set both or neither');
  if (clientCa !== null && certFile === null) throw new ConfigError('receiver.tls.client_ca_file: needs receiver.tls.cert_file and receiver.tls.key_file (mutual TLS is TLS)');
  if (clientCerts.length > 0 && clientCa === null) throw new ConfigError('receiver.auth.client_certs: needs receiver.tls.client_ca_file (the CA that signs the client certificates)');
  for (const [key, f] of [['receiver.tls.cert_file', certFile], ['receiver.tls.key_file', keyFile], ['receiver.tls.client_ca_file', clientCa]] as const) {
    if (f !== null) checkReadable(key, ctx.rel(f), (p) => fs.accessSync(p, fs.constants.R_OK));
  }
  return {
    http: { enabled: v['receiver.http.enabled'] as boolean, host: v['receiver.http.host'] as string, port: v['receiver.http.port'] as number, maxRequestBytes: v['receiver.http.max_request_bytes'] as number },
    grpc: { enabled: v['receiver.grpc.enabled'] as boolean, host: v['receiver.grpc.host'] as string, port: v['receiver.grpc.port'] as number, maxRequestBytes: v['receiver.grpc.max_request_bytes'] as number },
    auth: { tokens, required: authReq === 'auto' ? tokens.length > 0 || clientCa !== null : (authReq as boolean), clientCerts },
    tls: { certFile: certFile && ctx.rel(certFile), keyFile: keyFile && ctx.rel(keyFile), clientCaFile: clientCa && ctx.rel(clientCa) },
    maxLogBytes: v['receiver.max_log_bytes'] as number,
    maxFields: v['receiver.max_fields'] as number,
    retryAfterSec: v['receiver.retry_after_seconds'] as number,
    maxPendingBytes: v['receiver.max_pending_bytes'] as number,
  };
}
