/**
 * A start-up step that runs long is named in the log while it runs, so a start that stalls says
 * where. Here Elasticsearch accepts connections and never answers: reading its first-time-seen
 * keys waits out its 10 s bound, after which the service starts on the keys kept locally.
 */
import * as net from 'node:net';
import * as path from 'node:path';
import { WardenService } from '../../otel-processor/src/service/service';
import { envName } from '../../otel-processor/src/service/config';
import { ROOT, testConfig, tmpDir } from './helpers';

describe('service start-up', () => {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((s) => { sockets.push(s); }); // reads nothing, answers nothing
  beforeAll(() => new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve())));
  afterAll(() => {
    const closed = new Promise<void>((resolve) => silent.close(() => resolve())); // no new connections first
    for (const s of sockets) s.destroy();
    return closed;
  });

  it('names a step that runs long, and starts once the step gives up', async () => {
    const port = (silent.address() as net.AddressInfo).port;
    const lines: string[] = [];
    const cfg = testConfig(tmpDir('start-up-stall'), path.join(ROOT, 'rules'), {
      [envName('exporters.elasticsearch.url')]: `http://127.0.0.1:${port}`,
    });
    const t0 = Date.now();
    const svc = await WardenService.start(cfg, (m) => lines.push(m));
    try {
      const waited = Date.now() - t0;
      expect(waited).toBeGreaterThanOrEqual(9_000);
      const report = lines.find((l) => l.startsWith('warden: start-up: creating the elasticsearch exporter has taken'));
      expect(report).toMatch(/has taken [5-9] s so far$/);
      expect(lines.some((l) => l.includes('could not read first-time-seen keys from Elasticsearch (timed out)'))).toBe(true);
      // the steps after it ran quickly: none of them is named
      expect(lines.filter((l) => l.startsWith('warden: start-up:') && !l.includes('elasticsearch exporter'))).toEqual([]);
      expect(lines[lines.length - 1]).toMatch(/^warden: listening: /);
    } finally {
      await svc.stop(0);
    }
  }, 60_000);
});
