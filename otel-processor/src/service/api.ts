/**
 * The service's HTTP API for the Grafana app (on the status server, beside /metrics):
 * - `GET /api/rules` → `{ rules: [{ id, level, description, groups, file }] }`, the loaded ruleset;
 * - `POST /api/logtest` with `{ line, location? }` → OSSEC's three phases for that line.
 * Both need `Authorization: Bearer <service.api_token>`; with no token configured they answer 404.
 *
 * Logtest runs on an Engine of its own over the live compiled ruleset (no first-time-seen store,
 * fresh correlation memory), so testing a line never changes what the live engine remembers.
 */
import type * as http from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { ApiRule, LogtestAnswer } from '../processor/logtest';

/** Where the API gets its answers (the processor, in its thread or in ours). */
export interface ApiBackend {
  rules(): Promise<ApiRule[]>;
  logtest(line: string, location: string): Promise<LogtestAnswer>;
}

export interface ApiOptions {
  /** `service.api_token`; null or empty: the API is off (404). */
  token: string | null;
  /** `receiver.max_log_bytes`: longer lines get 413. */
  maxLogBytes: number;
}

/** Largest request body read (a line of max_log_bytes, JSON-escaped, plus the location). */
const bodyLimit = (maxLogBytes: number) => maxLogBytes * 6 + 64 * 1024;

const digest = (s: string) => createHash('sha256').update(s).digest();

export class ServiceApi {
  private readonly tokenDigest: Buffer | null;

  constructor(private readonly o: ApiOptions, private readonly backend: ApiBackend) {
    this.tokenDigest = o.token ? digest(o.token) : null;
  }

  /** Answers `/api/*` requests; false when the path is not the API's. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): boolean {
    if (pathname !== '/api/rules' && pathname !== '/api/logtest') return false;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(`${JSON.stringify(body)}\n`);
    };
    if (!this.tokenDigest) {
      req.resume();
      json(404, { error: 'the service API is disabled (set service.api_token)' });
      return true;
    }
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!m || !timingSafeEqual(digest(m[1].trim()), this.tokenDigest)) {
      req.resume();
      json(401, { error: 'missing or wrong bearer token' }, { 'www-authenticate': 'Bearer realm="warden"' });
      return true;
    }
    const fail = (e: Error) => json(500, { error: `internal error: ${e.message}` });
    if (pathname === '/api/rules') {
      req.resume();
      if (req.method !== 'GET') { json(405, { error: 'use GET' }, { allow: 'GET' }); return true; }
      this.backend.rules().then((rules) => json(200, { rules }), fail);
      return true;
    }
    if (req.method !== 'POST') { req.resume(); json(405, { error: 'use POST with {"line": "...", "location": "..."}' }, { allow: 'POST' }); return true; }
    const limit = bodyLimit(this.o.maxLogBytes);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      if (tooBig) return;
      size += c.length;
      if (size > limit) { tooBig = true; chunks.length = 0; return; }
      chunks.push(c);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (tooBig) { json(413, { error: `request body larger than ${limit} bytes` }); return; }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        json(400, { error: `body is not valid JSON: ${(e as Error).message}` });
        return;
      }
      const b = body as { line?: unknown; location?: unknown } | null;
      if (!b || typeof b !== 'object' || Array.isArray(b)) { json(400, { error: 'body must be a JSON object {"line": "...", "location": "..."}' }); return; }
      if (typeof b.line !== 'string' || b.line === '') { json(400, { error: '"line" is required and must be a non-empty string' }); return; }
      if (b.location !== undefined && b.location !== null && typeof b.location !== 'string') { json(400, { error: '"location" must be a string' }); return; }
      const bytes = Buffer.byteLength(b.line, 'utf8');
      if (bytes > this.o.maxLogBytes) { json(413, { error: `line is ${bytes} bytes, longer than receiver.max_log_bytes (${this.o.maxLogBytes})` }); return; }
      this.backend.logtest(b.line, (b.location as string | undefined) || 'stdin').then((a) => json(200, a), fail);
    });
    return true;
  }
}
