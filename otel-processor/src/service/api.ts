/**
 * The service's HTTP API for the Grafana app (on the status server, beside /metrics):
 * - `GET /api/rules` → `{ rules: [{ id, level, description, groups, file }] }`, the loaded ruleset;
 * - `POST /api/logtest` with `{ line, location? }` → OSSEC's three phases for that line.
 * Both need `Authorization: Bearer <service.api_token>`; with no token configured they answer 404.
 *
 * Logtest runs on an Engine of its own over the live compiled ruleset (no first-time-seen store,
 * fresh correlation memory), so testing a line never changes what the live engine remembers.
 */
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { timingSafeEqual, createHash } from 'node:crypto';
import { Engine, LogEvent } from '../engine/engine';
import { runLine } from '../cli/logtest';
import type { LoadedRuleset } from '../loader/ruleset-loader';

export interface ApiRule { id: string; level: number; description: string; groups: string[]; file?: string }

export interface LogtestAnswer {
  phase1: { full_event: string; hostname: string; program_name: string | null; log: string; timestamp: string | null };
  phase2: { decoder: string | null; parent: string | null; fields: Array<{ name: string; value: string }> };
  phase3: { rule: { id: string; level: number; description: string; groups: string[]; file?: string; line?: number; xml?: string } | null; alert: boolean };
}

/** A rule's XML as written in its file: from its `<rule` line to its `</rule>` (null when unreadable). */
export function ruleXml(root: string, file: string, line: number): string | null {
  let text: string;
  try { text = fs.readFileSync(path.resolve(root, file), 'utf8'); } catch { return null; }
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = line - 1; i >= 0 && i < lines.length && out.length < 300; i++) {
    out.push(lines[i]);
    if (lines[i].includes('</rule>') || (i === line - 1 && /<rule\b[^>]*\/>/.test(lines[i]))) return out.join('\n');
  }
  return null;
}

/** Records decoded fields in the order decoders set them (Phase 2). */
class TracedEvent extends LogEvent {
  readonly trace: Array<{ name: string; value: string }> = [];
  override setField(name: string, value: string): void {
    super.setField(name, value);
    this.trace.push({ name, value });
  }
}

/** ossec-logtest prints these fields under their OSSEC names. */
const PRINT_NAMES: Record<string, string> = { user: 'dstuser', data: 'extra_data', protocol: 'proto' };

/** The rules of a loaded ruleset, by id. */
export function listRules(loaded: LoadedRuleset): ApiRule[] {
  return [...loaded.ruleset.rulesById.values()]
    .sort((a, b) => a.id - b.id)
    .map((r) => ({ id: String(r.id), level: r.level, description: r.description, groups: r.groups, ...(r.file ? { file: r.file } : {}) }));
}

/** OSSEC's three phases for one line, on a fresh engine over `loaded` (processing clock). */
export function logtestLine(loaded: LoadedRuleset, line: string, location = 'stdin', logAlertLevel: number | null = null, hostname = 'warden', rulesRoot: string | null = null): LogtestAnswer {
  const engine = new Engine(loaded.ruleset, { logAlertLevel: logAlertLevel ?? loaded.logAlertLevel });
  const ev = new TracedEvent(line, location, hostname, Date.now());
  const v = runLine(engine, ev, 'processing');
  return {
    phase1: { full_event: ev.fullLog, hostname: ev.hostname, program_name: ev.programName, log: ev.log, timestamp: ev.headerTimestamp },
    phase2: { decoder: ev.decoderName, parent: ev.decoderParent, fields: ev.trace.map((t) => ({ name: PRINT_NAMES[t.name] ?? t.name, value: t.value })) },
    phase3: { rule: v.rule ? ruleAnswer(v.rule, rulesRoot) : null, alert: v.alert },
  };
}

function ruleAnswer(r: { id: number; level: number; description: string; groups: string[]; file?: string; line?: number }, root: string | null): NonNullable<LogtestAnswer['phase3']['rule']> {
  const out: NonNullable<LogtestAnswer['phase3']['rule']> = { id: String(r.id), level: r.level, description: r.description, groups: r.groups };
  if (r.file) {
    out.file = r.file;
    if (r.line) out.line = r.line;
    const xml = root && r.line ? ruleXml(root, r.file, r.line) : null;
    if (xml) out.xml = xml;
  }
  return out;
}

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
