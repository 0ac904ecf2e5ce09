/**
 * OTLP/HTTP receiver: `POST /v1/logs`, protobuf (`application/x-protobuf`) or JSON
 * (`application/json`), gzip or not. Answers as the OTLP specification says: 200 (with
 * partial_success when records were rejected), 400 malformed, 401 bad token, 413 too large,
 * 415 unsupported type, 503 + Retry-After when Warden cannot take more now. Never 500 for load.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { certificateNames, type PeerIdentity } from './auth';
import { encodeResponse, encodeStatus } from './proto';
import type { Intake } from './intake';

/** TLS material (PEM); `ca` set: client certificates are asked for and checked against it. */
export interface ReceiverTls {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | null;
}

export interface HttpReceiverOptions {
  host: string;
  port: number;
  maxRequestBytes: number;
  tls?: ReceiverTls | null;
}

/** The client certificate of a TLS connection that asks for one (null: none sent, or no mutual TLS). */
function peerIdentity(req: http.IncomingMessage, mtls: boolean): PeerIdentity | null {
  if (!mtls) return null;
  const sock = req.socket as TLSSocket;
  const cert = sock.getPeerCertificate?.();
  if (!cert || Object.keys(cert).length === 0) return null;
  return { verified: sock.authorized, names: certificateNames(cert), error: sock.authorizationError ? String(sock.authorizationError) : null };
}

const GRPC = { INVALID_ARGUMENT: 3, UNAUTHENTICATED: 16, UNAVAILABLE: 14, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, INTERNAL: 13 };

class HttpFailure extends Error {
  constructor(readonly status: number, message: string, readonly grpcCode: number) { super(message); }
}

function peerIp(req: http.IncomingMessage): string | null {
  const a = req.socket.remoteAddress;
  if (!a) return null;
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export class HttpReceiver {
  private server: http.Server | null = null;
  private inflight = 0;

  constructor(private readonly opts: HttpReceiverOptions, private readonly intake: Intake) {}

  async start(): Promise<number> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    const tls = this.opts.tls;
    const server: http.Server = tls
      // client certificates are asked for but checked per request, so a refusal is an OTLP 401, not a failed handshake
      ? https.createServer({ cert: tls.cert, key: tls.key, ca: tls.ca ?? undefined, requestCert: tls.ca !== null, rejectUnauthorized: false, keepAliveTimeout: 65_000, requestTimeout: 120_000 }, handler)
      : http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 120_000 }, handler);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => { server.off('error', reject); resolve(); });
    });
    return (server.address() as AddressInfo).port;
  }

  get pending(): number {
    return this.inflight;
  }

  private reply(res: http.ServerResponse, json: boolean, status: number, body: Buffer | string, extra: Record<string, string> = {}): void {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': json ? 'application/json' : 'application/x-protobuf', ...extra });
    res.end(body);
  }

  private fail(res: http.ServerResponse, json: boolean, f: HttpFailure, extra: Record<string, string> = {}): void {
    this.intake.answered('http', String(f.status));
    const body = json ? JSON.stringify({ code: f.grpcCode, message: f.message }) : encodeStatus(f.grpcCode, f.message);
    this.reply(res, json, f.status, body, extra);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.inflight++;
    const ctype = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const json = ctype === 'application/json';
    try {
      const url = req.url ?? '';
      const pathname = url.split('?')[0];
      if (pathname !== '/v1/logs') throw new HttpFailure(404, `no such endpoint ${pathname}; OTLP logs go to POST /v1/logs`, GRPC.UNIMPLEMENTED);
      if (req.method !== 'POST') throw new HttpFailure(405, 'use POST', GRPC.UNIMPLEMENTED);
      if (!json && ctype !== 'application/x-protobuf' && ctype !== 'application/protobuf') {
        throw new HttpFailure(415, `unsupported content-type ${JSON.stringify(ctype)}; use application/x-protobuf or application/json`, GRPC.INVALID_ARGUMENT);
      }
      const auth = this.intake.authenticate((req.headers.authorization as string | undefined) ?? null, peerIdentity(req, !!this.opts.tls?.ca));
      if (!auth.ok) {
        this.intake.rejected(0, 'unauthenticated', 'http');
        throw new HttpFailure(401, auth.reason, GRPC.UNAUTHENTICATED);
      }
      const enc = (req.headers['content-encoding'] ?? 'identity').toString().trim().toLowerCase();
      if (enc !== 'identity' && enc !== 'gzip' && enc !== '') throw new HttpFailure(415, `unsupported content-encoding ${enc}; use gzip or none`, GRPC.INVALID_ARGUMENT);
      const max = this.opts.maxRequestBytes;
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > max) throw new HttpFailure(413, `request body of ${declared} bytes is over the limit of ${max}`, GRPC.RESOURCE_EXHAUSTED);
      let raw = await readBody(req, max);
      if (enc === 'gzip') raw = await gunzip(raw, max);
      const r = await this.intake.accept({ format: json ? 'json' : 'protobuf', body: raw }, { boundAgent: auth.agent, peerIp: peerIp(req), userAgent: (req.headers['user-agent'] as string | undefined) ?? null, transport: 'http' });
      if (r.kind === 'malformed') {
        this.intake.rejected(0, 'malformed', 'http');
        throw new HttpFailure(400, r.reason, GRPC.INVALID_ARGUMENT);
      }
      if (r.kind === 'busy') throw new HttpFailure(503, r.reason, GRPC.UNAVAILABLE);
      this.intake.answered('http', '200');
      if (json) {
        const body = r.rejected > 0 ? JSON.stringify({ partialSuccess: { rejectedLogRecords: String(r.rejected), errorMessage: r.message } }) : '{}';
        this.reply(res, true, 200, body);
      } else this.reply(res, false, 200, encodeResponse(r.rejected, r.message));
    } catch (e) {
      if (e instanceof HttpFailure) {
        const extra: Record<string, string> = {};
        if (e.status === 503) extra['retry-after'] = String(this.retryAfter);
        if (e.status === 413 || e.status === 401) extra.connection = 'close';
        this.fail(res, json, e, extra);
        if (e.status === 413) req.resume();
      } else {
        // a bug of ours: still answer something the collector retries, and keep serving
        process.emitWarning(`warden http receiver: ${(e as Error).stack ?? String(e)}`);
        this.fail(res, json, new HttpFailure(503, 'internal error (see the Warden log); retry later', GRPC.UNAVAILABLE), { 'retry-after': String(this.retryAfter) });
      }
    } finally {
      this.inflight--;
    }
  }

  retryAfter = 5;

  /** Closes the connections still open after {@link stop} had its time. */
  forceStop(): void {
    this.server?.closeAllConnections();
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeIdleConnections();
    });
    this.server = null;
  }
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      n += c.length;
      if (n > max) { over = true; reject(new HttpFailure(413, `request body is over the limit of ${max} bytes`, GRPC.RESOURCE_EXHAUSTED)); return; }
      parts.push(c);
    });
    req.on('end', () => { if (!over) resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts, n)); });
    req.on('error', (e) => reject(new HttpFailure(400, `reading the request failed: ${e.message}`, GRPC.INVALID_ARGUMENT)));
  });
}

function gunzip(buf: Buffer, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zlib.gunzip(buf, { maxOutputLength: max }, (err, out) => {
      if (!err) { resolve(out); return; }
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) reject(new HttpFailure(413, `request body is over the limit of ${max} bytes once decompressed`, GRPC.RESOURCE_EXHAUSTED));
      else reject(new HttpFailure(400, `malformed gzip body: ${err.message}`, GRPC.INVALID_ARGUMENT));
    });
  });
}
