/** A small Elasticsearch REST client over fetch (keep-alive), with the service's auth settings. */
export interface EsClientOptions {
  url: string;
  username?: string | null;
  password?: string | null;
  apiKey?: string | null;
  timeoutMs?: number;
}

export class EsHttpError extends Error {
  constructor(readonly status: number, readonly body: string, what: string) {
    super(`${what}: HTTP ${status}: ${body.slice(0, 500)}`);
  }
}

export class EsClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly opts: EsClientOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.headers = {};
    if (opts.apiKey) this.headers.authorization = `ApiKey ${opts.apiKey}`;
    else if (opts.username) this.headers.authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`;
  }

  /** Sends a request (a string or bytes are sent as they are, anything else as JSON); resolves with status and parsed JSON body (or text when not JSON). */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: unknown; text: string }> {
    const init: RequestInit = { method, headers: { ...this.headers }, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 60_000) };
    if (body !== undefined) {
      (init.headers as Record<string, string>)['content-type'] = contentType;
      init.body = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
    }
    const res = await fetch(`${this.base}${path}`, init);
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, body: parsed, text };
  }

  /** Like request, but throws unless 2xx (or one of `ok`). */
  async call(method: string, path: string, body?: unknown, ok: number[] = []): Promise<unknown> {
    const r = await this.request(method, path, body);
    if ((r.status < 200 || r.status >= 300) && !ok.includes(r.status)) throw new EsHttpError(r.status, r.text, `${method} ${path}`);
    return r.body;
  }
}
