/**
 * Elasticsearch over the official client's transport (`@elastic/elasticsearch`): several nodes
 * with failover (a node that refuses connections is marked dead and the request goes to the
 * next), the cluster's CA, basic or API-key auth. Request bodies that are already bytes (the
 * bulk bodies the spool holds) go out as they are: the transport serialises only objects.
 */
import * as fs from 'node:fs';
import { Client, errors, type TransportRequestParams } from '@elastic/elasticsearch';

export interface EsClientOptions {
  /** One or more node URLs of the same cluster. */
  urls: string[];
  username?: string | null;
  password?: string | null;
  apiKey?: string | null;
  /** PEM file of the CA that signed the cluster's certificates (Elasticsearch 8+ makes its own). */
  caFile?: string | null;
  /** Accept any server certificate (labs only). */
  insecureSkipVerify?: boolean;
  timeoutMs?: number;
}

export class EsHttpError extends Error {
  constructor(readonly status: number, readonly body: string, what: string) {
    super(`${what}: HTTP ${status}: ${body.slice(0, 500)}`);
  }
}

/** The reason a request got no answer, in words a user can act on. */
export class EsUnreachableError extends Error {}

export class EsClient {
  private readonly client: Client;

  constructor(private readonly opts: EsClientOptions) {
    if (opts.urls.length === 0) throw new Error('no Elasticsearch URL');
    let ca: string | undefined;
    if (opts.caFile) {
      try {
        ca = fs.readFileSync(opts.caFile, 'utf8');
      } catch (e) {
        throw new Error(`exporters.elasticsearch.tls.ca_file: cannot read ${opts.caFile}: ${(e as Error).message}`);
      }
    }
    const auth = opts.apiKey ? { apiKey: opts.apiKey } : opts.username ? { username: opts.username, password: opts.password ?? '' } : undefined;
    this.client = new Client({
      nodes: opts.urls,
      auth,
      tls: ca || opts.insecureSkipVerify ? { ca, rejectUnauthorized: !opts.insecureSkipVerify } : undefined,
      requestTimeout: opts.timeoutMs ?? 60_000,
      // failover: a connection error is retried on another node; answers (429, 5xx) are the exporter's to retry
      maxRetries: Math.max(1, opts.urls.length),
      compression: false,
    });
  }

  /** Sends a request (a string or bytes are sent as they are, anything else as JSON); resolves with status and parsed JSON body (or text when not JSON). */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: unknown; text: string }> {
    const q = path.indexOf('?');
    const params: TransportRequestParams = { method, path: q < 0 ? path : path.slice(0, q) };
    if (q >= 0) params.querystring = Object.fromEntries(new URLSearchParams(path.slice(q + 1)));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) {
      const raw = typeof body === 'string' ? body : body instanceof Uint8Array ? (Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)) : JSON.stringify(body);
      headers['content-type'] = contentType;
      if (contentType === 'application/x-ndjson') params.bulkBody = raw; else params.body = raw;
    }
    try {
      const r = await this.client.transport.request(params, { meta: true, headers, ignore: IGNORE_ALL });
      return answer(r.statusCode ?? 0, r.body);
    } catch (e) {
      if (e instanceof errors.ResponseError) return answer(e.meta.statusCode ?? 0, e.meta.body);
      throw this.unreachable(e);
    }
  }

  /** Like request, but throws unless 2xx (or one of `ok`). */
  async call(method: string, path: string, body?: unknown, ok: number[] = []): Promise<unknown> {
    const r = await this.request(method, path, body);
    if ((r.status < 200 || r.status >= 300) && !ok.includes(r.status)) throw new EsHttpError(r.status, r.text, `${method} ${path}`);
    return r.body;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private unreachable(e: unknown): Error {
    const nodes = this.opts.urls.join(', ');
    if (e instanceof errors.NoLivingConnectionsError) return new EsUnreachableError(`Elasticsearch unreachable: no node answers (${nodes})`);
    if (e instanceof errors.ConnectionError) {
      const why = e.message;
      const tls = /certificate|self[- ]signed|CERT_|unable to verify/i.test(why)
        ? ' (set exporters.elasticsearch.tls.ca_file to the CA of the cluster, e.g. config/certs/http_ca.crt of Elasticsearch)'
        : '';
      return new EsUnreachableError(`Elasticsearch unreachable (${nodes}): ${why}${tls}`);
    }
    if (e instanceof errors.TimeoutError) return new EsUnreachableError(`Elasticsearch did not answer within ${(this.opts.timeoutMs ?? 60_000) / 1000}s (${nodes})`);
    if (e instanceof errors.ProductNotSupportedError) return new EsUnreachableError(`not Elasticsearch (${nodes}): ${e.message}`);
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** Every status is an answer for the caller to judge (the transport would otherwise throw on >= 400). */
const IGNORE_ALL = Array.from({ length: 500 }, (_, i) => i + 100);

function answer(status: number, body: unknown): { status: number; body: unknown; text: string } {
  if (typeof body === 'string') {
    let parsed: unknown = body;
    try { parsed = body ? JSON.parse(body) : null; } catch { /* not JSON */ }
    return { status, body: parsed, text: body };
  }
  // the text only serves error messages: made when asked (a bulk answer can be megabytes)
  return { status, body: body ?? null, get text() { return body === undefined || body === null ? '' : JSON.stringify(body); } };
}
