/**
 * Answers OSSEC's compiled rule `is_valid_crawler` without ever blocking the per-line path:
 * the first question about an address starts a reverse lookup (with a time budget) and answers
 * "no"; later questions read the cached answer. A crawler is confirmed when the PTR name ends in a
 * known crawler domain and that name resolves back to the same address (forward-confirmed).
 */
import { promises as dns } from 'node:dns';

const CRAWLER_DOMAINS = ['.googlebot.com', '.google.com', '.search.msn.com', '.crawl.yahoo.net', '.yandex.com', '.yandex.ru', '.yandex.net', '.applebot.apple.com', '.duckduckgo.com'];

export interface CrawlerResolverOptions {
  /** Per-lookup time budget. Default 2000 ms. */
  timeoutMs?: number;
  /** Cached answers kept. Default 10,000. */
  maxEntries?: number;
  /** How long an answer is kept. Default 1 hour. */
  ttlMs?: number;
  /** Lookups in flight at most. Default 32. */
  maxInFlight?: number;
  /** Injected for tests; defaults to the system resolver. */
  reverse?: (ip: string) => Promise<string[]>;
  lookup?: (name: string) => Promise<string[]>;
}

export class CrawlerResolver {
  private readonly cache = new Map<string, { crawler: boolean; at: number }>();
  private inFlight = 0;
  private readonly opts: Required<Omit<CrawlerResolverOptions, 'reverse' | 'lookup'>>;
  private readonly reverse: (ip: string) => Promise<string[]>;
  private readonly lookup: (name: string) => Promise<string[]>;

  constructor(options: CrawlerResolverOptions = {}) {
    this.opts = { timeoutMs: options.timeoutMs ?? 2000, maxEntries: options.maxEntries ?? 10_000, ttlMs: options.ttlMs ?? 3_600_000, maxInFlight: options.maxInFlight ?? 32 };
    this.reverse = options.reverse ?? ((ip) => dns.reverse(ip));
    this.lookup = options.lookup ?? (async (name) => (await dns.lookup(name, { all: true })).map((a) => a.address));
  }

  /** Synchronous answer for the engine: cached result, else false (and a lookup starts). */
  readonly isCrawler = (ip: string): boolean => {
    const hit = this.cache.get(ip);
    const now = Date.now();
    if (hit && now - hit.at < this.opts.ttlMs) return hit.crawler;
    if (this.inFlight < this.opts.maxInFlight) void this.resolve(ip);
    return false;
  };

  /** Resolves one address within the time budget and caches the answer. */
  async resolve(ip: string): Promise<boolean> {
    this.inFlight++;
    let crawler = false;
    try {
      crawler = await withTimeout(this.confirm(ip), this.opts.timeoutMs);
    } catch {
      crawler = false;
    } finally {
      this.inFlight--;
    }
    if (this.cache.size >= this.opts.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(ip, { crawler, at: Date.now() });
    return crawler;
  }

  private async confirm(ip: string): Promise<boolean> {
    const names = await this.reverse(ip);
    for (const name of names) {
      const n = name.toLowerCase().replace(/\.$/, '');
      if (!CRAWLER_DOMAINS.some((d) => n.endsWith(d))) continue;
      const back = await this.lookup(n);
      if (back.includes(ip)) return true;
    }
    return false;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
