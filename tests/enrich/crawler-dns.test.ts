import { CrawlerResolver } from '../../otel-processor/src/enrich/crawler-dns';

describe('is_valid_crawler resolver', () => {
  test('first answer is no, then the forward-confirmed PTR answer is cached', async () => {
    const r = new CrawlerResolver({
      reverse: async (ip) => (ip === '66.249.66.1' ? ['crawl-66-249-66-1.googlebot.com'] : ['host.example.net']),
      lookup: async (name) => (name === 'crawl-66-249-66-1.googlebot.com' ? ['66.249.66.1'] : []),
    });
    expect(r.isCrawler('66.249.66.1')).toBe(false);
    await r.resolve('66.249.66.1');
    expect(r.isCrawler('66.249.66.1')).toBe(true);
    await r.resolve('10.0.0.1');
    expect(r.isCrawler('10.0.0.1')).toBe(false);
  });

  test('a PTR that claims a crawler domain but does not resolve back is not a crawler', async () => {
    const r = new CrawlerResolver({ reverse: async () => ['fake.googlebot.com'], lookup: async () => ['1.2.3.4'] });
    expect(await r.resolve('5.6.7.8')).toBe(false);
  });

  test('a lookup that never answers is cut by the time budget', async () => {
    const r = new CrawlerResolver({ timeoutMs: 50, reverse: () => new Promise(() => undefined) });
    const t0 = Date.now();
    expect(await r.resolve('66.249.66.2')).toBe(false);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.isCrawler('66.249.66.2')).toBe(false);
  });
});
