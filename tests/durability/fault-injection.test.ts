/**
 * Nothing acknowledged is ever lost, proven with faults at random points: Warden is killed with
 * SIGKILL at seeded random moments, cycle after cycle (during writes, segment rotations,
 * exporter catch-up, with Elasticsearch cut off and reachable); at the end every record that
 * was answered 200 is in alerts.json and in a real Elasticsearch. Duplicates (at-least-once)
 * are counted and printed.
 *
 * WARDEN_FAULT_CYCLES (default 20) and WARDEN_FAULT_SEED (default: random, printed) set the
 * run; `npm run soak -- --cycles N` runs it longer.
 */
import { EsNode, missingTools } from '../service/es-node';
import { runFaultInjection } from './fault-run';

const cycles = Number(process.env.WARDEN_FAULT_CYCLES ?? 20);
const seed = Number(process.env.WARDEN_FAULT_SEED ?? Math.floor(Math.random() * 1e6));

// a missing tool fails the suite, saying which (README, Prerequisites): it never skips
const missing = missingTools();
if (missing) throw new Error(`the fault-injection test needs Java and Maven for Elasticsearch: ${missing}`);

describe('SIGKILL at random moments', () => {
  let es: EsNode;
  beforeAll(async () => {
    es = await EsNode.create();
    await es.start();
  }, 600_000);
  afterAll(async () => { await es?.destroy(); }, 120_000);

  test(`${cycles} kill cycles: every acknowledged record reaches alerts.json and Elasticsearch`, async () => {
    const log = (m: string) => process.stderr.write(`[fault seed ${seed} ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
    const r = await runFaultInjection({ cycles, seed, es, log });
    const figure = `seed ${seed}: ${r.cycles} SIGKILL cycles (Elasticsearch cut off in ${r.esDownCycles}), ${r.acknowledged} records acknowledged, `
      + `delivered: file ${r.deliveredFile}, Elasticsearch ${r.deliveredEs}; duplicates: file ${r.duplicatesFile}, Elasticsearch ${r.duplicatesEs}; ${r.retries} requests retried`;
    log(figure);
    expect(r.acknowledged).toBeGreaterThan(cycles * 50);
    expect(r.missingFile.slice(0, 20)).toEqual([]);
    expect(r.missingEs.slice(0, 20)).toEqual([]);
    expect(r.deliveredFile).toBe(r.acknowledged);
    expect(r.deliveredEs).toBe(r.acknowledged);
  }, Math.max(600_000, cycles * 15_000));
});
