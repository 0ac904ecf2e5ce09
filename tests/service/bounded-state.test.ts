/**
 * Issue 16: the service's per-key and per-agent state stays bounded as agents grow.
 * First-time-seen keys: written once per request (not one write per key on the engine's
 * thread), at most `maxKeys` kept (least recently seen dropped), the file rewritten when it
 * holds mostly dropped keys. Agents table: an agent leaves it once announced disconnected.
 * Hourly stats: a few hours held per agent, older hours' counts written as documents of their own
 * (Elasticsearch) or lines of stats.jsonl (the file exporter); agents silent that long leave the table.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openRuleset } from '../../otel-processor/src/cli/session';
import { Processor } from '../../otel-processor/src/processor/processor';
import { WardenFtsStore } from '../../otel-processor/src/processor/fts-store';
import { decodeProtobuf } from '../../otel-processor/src/receiver/otlp/decode';
import { SpoolBatch, encodeBody, type AgentDelta, type StatsDelta } from '../../otel-processor/src/processor/batch';
import { Spool } from '../../otel-processor/src/spool/spool';
import { FileExporter } from '../../otel-processor/src/exporters/file/file-exporter';
import { Aggregator, type AggregateSnapshot } from '../../otel-processor/src/spool/aggregate';
import { TOTAL_AGENT, type StatsDoc } from '../../otel-processor/src/alert/documents';
import { protobufBody, sshFail, tmpDir, writeRuleset } from './helpers';

const ctx = { boundAgent: null, peerIp: '127.0.0.1', userAgent: 'test' };
const fileLines = (dir: string) => fs.readFileSync(path.join(dir, 'fts.keys'), 'utf8').split('\n').filter(Boolean);

test('new first-time-seen keys reach the file in one append per request, not one write per key', () => {
  const dir = tmpDir('fts');
  const store = new WardenFtsStore(dir);
  for (let i = 0; i < 500; i++) store.add(`k${i}`, null);
  // nothing written on the engine's per-line path
  expect(fs.existsSync(path.join(dir, 'fts.keys'))).toBe(false);
  store.flush();
  expect(fileLines(dir)).toHaveLength(500);
  expect(new WardenFtsStore(dir).size).toBe(500);
});

test('the key set is bounded: with 20,000 keys over many agents and a bound of 100, memory and file stay small and the recent keys survive a restart', () => {
  const dir = tmpDir('fts');
  const store = new WardenFtsStore(dir, { maxKeys: 100 });
  for (let req = 0; req < 200; req++) {
    for (let i = 0; i < 100; i++) store.add(`sshd  user${i}      (agent${req}) any->/var/log/auth.log`, null);
    store.flush();
    expect(store.size).toBeLessThanOrEqual(100);
  }
  expect(store.evictions).toBe(20_000 - 100);
  // rewritten whenever it passed twice the live keys (never below 1024 lines)
  expect(fileLines(dir).length).toBeLessThanOrEqual(1024 + 100);
  const again = new WardenFtsStore(dir, { maxKeys: 100 });
  expect(again.size).toBe(100);
  expect(again.has('sshd  user99      (agent199) any->/var/log/auth.log')).toBe(true);
  expect(again.has('sshd  user0      (agent0) any->/var/log/auth.log')).toBe(false);
});

test('a key seen again is kept over keys not seen since (least recently seen dropped first)', () => {
  const store = new WardenFtsStore(tmpDir('fts'), { maxKeys: 3 });
  store.add('a', null); store.add('b', null); store.add('c', null);
  expect(store.has('a')).toBe(true);
  store.add('d', null);
  expect(['a', 'b', 'c', 'd'].filter((k) => store.has(k))).toEqual(['a', 'c', 'd']);
});

test('a torn last line (crash while appending) is skipped and a bad bound is refused clearly', () => {
  const dir = tmpDir('fts');
  fs.writeFileSync(path.join(dir, 'fts.keys'), '"a"\n"b"\n"c');
  expect(new WardenFtsStore(dir).size).toBe(2);
  expect(() => new WardenFtsStore(dir, { maxKeys: 0 })).toThrow(/positive integer/);
});

test('the processor writes the request\'s new keys before its batch goes to the spool', () => {
  const rules = writeRuleset(tmpDir('rules'));
  const dec = path.join(rules, 'decoders', 'test.xml');
  fs.writeFileSync(dec, fs.readFileSync(dec, 'utf8').replace('<fts>name, user</fts>', '<fts>name, user, location</fts>'));
  const state = tmpDir('proc');
  const p = new Processor(openRuleset(rules), new WardenFtsStore(state, { maxKeys: 5 }), {
    indexPrefix: 'warden', mapping: { maxLogBytes: 65536, maxFields: 256 }, correlationScope: 'agent', logAlertLevel: null, disconnectAfterSec: 0, stateDir: state,
  });
  const hosts = Array.from({ length: 20 }, (_, i) => ({ attrs: { 'host.name': `web${i}` }, records: [{ body: sshFail('zoe', '192.0.2.8', i), attrs: { 'log.file.path': '/var/log/auth.log' } }] }));
  const r = p.process(decodeProtobuf(protobufBody(hosts)), ctx);
  expect(SpoolBatch.decode(1, r.payload!).fts).toHaveLength(20);
  expect(fileLines(state)).toHaveLength(20);
  expect(new WardenFtsStore(state, { maxKeys: 5 }).size).toBe(5);
});

describe('agents table (disconnect detection)', () => {
  const open = (state: string, disconnectAfterSec: number) => new Processor(openRuleset(writeRuleset(tmpDir('rules'))), new WardenFtsStore(state), {
    indexPrefix: 'warden', mapping: { maxLogBytes: 65536, maxFields: 256 }, correlationScope: 'agent', logAlertLevel: null, disconnectAfterSec, stateDir: state,
  });
  const send = (p: Processor, agents: number, now: number) => {
    const hosts = Array.from({ length: agents }, (_, i) => ({ attrs: { 'host.name': `host${i}` }, records: [{ body: sshFail('zoe', '192.0.2.8', i) }] }));
    return p.process(decodeProtobuf(protobufBody(hosts)), ctx, now);
  };

  test('2,000 agents that fall silent are announced once and then released: the table, its file and /metrics count only agents heard from since', () => {
    const state = tmpDir('proc');
    const p = open(state, 60);
    const t0 = Date.UTC(2026, 0, 1);
    expect(send(p, 2000, t0).tables?.agentsTracked).toBe(2000);
    const announced = p.checkDisconnected(t0 + 61_000);
    expect(announced).not.toBeNull();
    expect(announced!.levels.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(p.tables.agentsTracked).toBe(0);
    expect(p.checkDisconnected(t0 + 200_000)).toBeNull(); // never twice
    // one agent comes back: tracked again, and announced again when it falls silent again
    expect(send(p, 1, t0 + 300_000).tables?.agentsTracked).toBe(1);
    p.saveSeen();
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(state, 'agents-seen.json'), 'utf8')) as object)).toEqual(['host0']);
    expect(open(state, 60).tables.agentsTracked).toBe(1);
    expect(p.checkDisconnected(t0 + 400_000)?.levels.reduce((a, b) => a + b, 0)).toBe(1);
  });

  test('with disconnect detection off no agent is kept', () => {
    const p = open(tmpDir('proc'), 0);
    expect(send(p, 500, Date.UTC(2026, 0, 1)).tables?.agentsTracked).toBe(0);
  });
});

describe('hourly stats held per agent for a few hours (the Elasticsearch exporter\'s aggregation)', () => {
  const HOUR = 3600_000;
  const t0 = Date.UTC(2026, 0, 1);
  const delta = (hour: number, agent: number, events: number): StatsDelta =>
    ({ hour, agent: `a${agent}`, name: `host${agent}`, events, alerts: 1, levels: Object.assign(new Array(17).fill(0), { 3: 1 }), firewall: 0 });
  /** 24 hours of 3,000 agents, one batch per hour per 500 agents; every batch also carries late counts (5 hours old) for a few agents. */
  function batches(): Array<{ seq: number; agents: AgentDelta[]; stats: StatsDelta[] }> {
    const out: Array<{ seq: number; agents: AgentDelta[]; stats: StatsDelta[] }> = [];
    let seq = 1;
    for (let h = 0; h < 24; h++) {
      for (let g = 0; g < 6; g++) {
        const stats: StatsDelta[] = [];
        for (let a = g * 500; a < (g + 1) * 500; a++) stats.push(delta(t0 + h * HOUR, a, 1 + (a % 7)));
        if (h >= 5) for (let a = g; a < 3000; a += 400) stats.push(delta(t0 + (h - 5) * HOUR, a, 100));
        out.push({ seq: seq++, agents: [], stats });
      }
    }
    return out;
  }
  const reference = (bs: ReturnType<typeof batches>) => {
    const sum = new Map<string, number>();
    for (const b of bs) for (const d of b.stats) for (const k of [`${d.hour}|${d.agent}`, `${d.hour}|${TOTAL_AGENT}`]) sum.set(k, (sum.get(k) ?? 0) + d.events);
    return sum;
  };
  /** Elasticsearch as the exporter uses it: documents by id (as the exporter names them), the last write wins; readers sum by hour and agent. */
  const write = (store: Map<string, StatsDoc>, agg: Aggregator) => {
    const d = agg.takeDirty();
    for (const s of d.stats) store.set(`${s.hour}|${s.agent}|i${s.life === undefined ? '' : `@${s.life}`}`, s.doc);
    for (const l of d.late) store.set(`${l.hour}|${l.agent}|i#${l.seq}`, l.doc);
  };
  const sums = (store: Map<string, StatsDoc>) => {
    const sum = new Map<string, number>();
    for (const doc of store.values()) { const k = `${Date.parse(doc['@timestamp'])}|${doc.agent.id}`; sum.set(k, (sum.get(k) ?? 0) + doc.events); }
    return sum;
  };

  test('3,000 agents over 24 hours: at most 2 hours per agent held, and the documents still add up to every count', () => {
    const bs = batches();
    const agg = new Aggregator('i', null, 48, 2);
    const store = new Map<string, StatsDoc>();
    let most = 0;
    for (const b of bs) {
      agg.fold(b);
      write(store, agg);
      agg.snapshot();
      most = Math.max(most, agg.sizes.stats);
    }
    expect(most).toBeLessThanOrEqual(3000 * 2 + 48);
    expect(sums(store)).toEqual(reference(bs));
    // the old behaviour, for scale: every agent's 24 hours held
    const all = new Aggregator('i', null, 48);
    for (const b of bs) all.fold(b);
    expect(all.snapshot(t0 + 24 * HOUR).stats.length).toBeGreaterThan(3000 * 24);
  });

  test('a crash after writing but before the spool position was recorded: the replay (in other rounds) writes the same documents, nothing counted twice', () => {
    const bs = batches();
    const store = new Map<string, StatsDoc>();
    let agg = new Aggregator('i', null, 48, 2);
    let acked: { seq: number; state: string } = { seq: 0, state: JSON.stringify(agg.snapshot()) };
    // rounds of 4 batches; the position is recorded for rounds up to batch 60, then rounds to 80 are written but not recorded
    for (let i = 0; i < 80; i += 4) {
      for (const b of bs.slice(i, i + 4)) agg.fold(b);
      write(store, agg);
      const state = JSON.stringify(agg.snapshot());
      if (i + 4 <= 60) acked = { seq: i + 4, state };
    }
    // restart from the recorded state and replay in rounds of 7
    agg = new Aggregator('i', JSON.parse(acked.state) as AggregateSnapshot, 48, 2);
    for (let i = acked.seq; i < bs.length; i += 7) {
      for (const b of bs.slice(i, i + 7)) agg.fold(b);
      write(store, agg);
      agg.snapshot();
    }
    expect(sums(store)).toEqual(reference(bs));
  });

  /**
   * 10,400 agents over 200 hours, each heard from for 8 hours (400 at a time), two batches an
   * hour received in that hour; at hour 120, 50 of those heard from in hours 0 to 7 come back after
   * 112 silent hours, first with counts for hours of their first life (6: held when they left).
   */
  function churn(): Array<{ seq: number; at: number; agents: AgentDelta[]; stats: StatsDelta[] }> {
    const out: Array<{ seq: number; at: number; agents: AgentDelta[]; stats: StatsDelta[] }> = [];
    let seq = 1;
    for (let h = 0; h < 200; h++) {
      for (const half of [0, 1]) {
        const stats: StatsDelta[] = [];
        for (let a = h * 50 + half * 200; a < h * 50 + half * 200 + 200; a++) stats.push(delta(t0 + h * HOUR, a, 1 + (a % 5)));
        // a returning agent's clock starts behind: its first counts are for hour 6, then 5 and 120
        if (h === 120 && half === 0) for (let a = 350; a < 400; a++) stats.push(delta(t0 + 6 * HOUR, a, 11), delta(t0 + 5 * HOUR, a, 7), delta(t0 + h * HOUR, a, 3));
        out.push({ seq: seq++, at: t0 + h * HOUR + (10 + half * 30) * 60_000, agents: [], stats });
      }
    }
    return out;
  }

  test('10,400 agents coming and going over 200 hours: only the agents heard from in the last 2 hours are held, and the documents add up to every count', () => {
    const bs = churn();
    const agg = new Aggregator('i', null, 48, 2);
    const store = new Map<string, StatsDoc>();
    let most = { agents: 0, rows: 0 };
    for (const b of bs) {
      agg.fold(b);
      write(store, agg);
      agg.snapshot();
      most = { agents: Math.max(most.agents, agg.sizes.agentHours), rows: Math.max(most.rows, agg.sizes.stats) };
    }
    // 400 agents an hour, 50 new each hour: at most 550 heard from within the last 2 hours (+ the all-agents entry)
    expect(most.agents).toBeGreaterThan(400);
    expect(most.agents).toBeLessThanOrEqual(550 + 1);
    expect(most.rows).toBeLessThanOrEqual(2 * 550 + 48);
    expect(sums(store)).toEqual(reference(bs));
    // the returning agents' second life did not overwrite their first: hour 6 has both documents
    expect([...store.keys()].filter((k) => k.startsWith(`${t0 + 6 * HOUR}|a360|`))).toEqual([`${t0 + 6 * HOUR}|a360|i@2`, `${t0 + 6 * HOUR}|a360|i@241`]);
    // before, every agent ever seen kept an entry
    expect(JSON.stringify(agg.snapshot()).length).toBeLessThan(1_000_000);
  });

  test('agents coming and going, a crash after writing but before the position was recorded: the replay in other rounds counts nothing twice', () => {
    const bs = churn();
    const store = new Map<string, StatsDoc>();
    let agg = new Aggregator('i', null, 48, 2);
    let acked: { seq: number; state: string } = { seq: 0, state: JSON.stringify(agg.snapshot()) };
    // rounds of 5 batches; the position is recorded up to batch 230, rounds to 260 written but not recorded
    for (let i = 0; i < 260; i += 5) {
      for (const b of bs.slice(i, i + 5)) agg.fold(b);
      write(store, agg);
      const state = JSON.stringify(agg.snapshot());
      if (i + 5 <= 230) acked = { seq: i + 5, state };
    }
    agg = new Aggregator('i', JSON.parse(acked.state) as AggregateSnapshot, 48, 2);
    for (let i = acked.seq; i < bs.length; i += 3) {
      for (const b of bs.slice(i, i + 3)) agg.fold(b);
      write(store, agg);
      agg.snapshot();
    }
    expect(sums(store)).toEqual(reference(bs));
  });

  test('a batch with a late hour but no sequence is refused clearly', () => {
    const agg = new Aggregator('i', null, 48, 2);
    agg.fold({ seq: 1, agents: [], stats: [delta(t0 + 10 * HOUR, 1, 1)] });
    expect(() => agg.fold({ agents: [], stats: [delta(t0, 1, 1)] })).toThrow(/sequence/);
    expect(() => new Aggregator('i', null, 48, 0)).toThrow(/positive integer/);
  });
});

describe('hourly stats of the file exporter: each agent\'s open hours held, closed hours appended to stats.jsonl', () => {
  const HOUR = 3600_000;
  const t0 = Date.UTC(2026, 1, 1);
  /** 2,150 agents over 40 hours, each heard from for 4 hours (200 at a time), two batches an hour; every batch from hour 5 also brings late counts (5 hours old) for 20 agents. */
  function batches(): Array<{ at: number; agents: AgentDelta[]; stats: StatsDelta[] }> {
    const out: Array<{ at: number; agents: AgentDelta[]; stats: StatsDelta[] }> = [];
    for (let h = 0; h < 40; h++) {
      for (const half of [0, 1]) {
        const at = t0 + h * HOUR + (10 + half * 30) * 60_000;
        const stats: StatsDelta[] = [];
        const agents: AgentDelta[] = [];
        for (let a = h * 50 + half * 100; a < h * 50 + half * 100 + 100; a++) {
          stats.push({ hour: t0 + h * HOUR, agent: `f${a}`, name: `host${a}`, events: 1 + (a % 3), alerts: 1, levels: Object.assign(new Array(17).fill(0), { 4: 1 }), firewall: 0 });
          agents.push({ id: `f${a}`, name: `host${a}`, ips: [], version: null, at, events: 1 + (a % 3), alerts: 1 });
        }
        if (h >= 5) for (let a = (h - 5) * 50; a < (h - 5) * 50 + 20; a++) stats.push({ hour: t0 + (h - 5) * HOUR, agent: `f${a}`, name: `host${a}`, events: 100, alerts: 0, levels: new Array(17).fill(0), firewall: 0 });
        out.push({ at, agents, stats });
      }
    }
    return out;
  }
  const reference = (bs: ReturnType<typeof batches>) => {
    const sum = new Map<string, number>();
    for (const b of bs) for (const d of b.stats) for (const k of [`${d.hour}|${d.agent}`, `${d.hour}|${TOTAL_AGENT}`]) sum.set(k, (sum.get(k) ?? 0) + d.events);
    return sum;
  };
  /** What a reader of the folder adds up: stats.json (open hours) and every line of stats.jsonl. */
  const readSums = (dir: string) => {
    const sum = new Map<string, number>();
    const docs = [
      ...(JSON.parse(fs.readFileSync(path.join(dir, 'stats.json'), 'utf8')) as StatsDoc[]),
      ...fs.readFileSync(path.join(dir, 'stats.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as StatsDoc),
    ];
    for (const doc of docs) { const k = `${Date.parse(doc['@timestamp'])}|${doc.agent.id}`; sum.set(k, (sum.get(k) ?? 0) + doc.events); }
    return sum;
  };
  const encode = (b: ReturnType<typeof batches>[number]) => encodeBody({ at: b.at, alerts: [], fts: [], agents: b.agents, stats: b.stats })!;
  const spoolOpts = (dir: string) => ({ dir, maxBytes: 1 << 30, segmentBytes: 1 << 30, memoryBytes: 1 << 20 });

  test('2,150 agents coming and going: a few hundred rows held, stats.json and stats.jsonl add up to every count, also after a crash replayed in other rounds', async () => {
    const bs = batches();
    const state = tmpDir('file-stats');
    const out = path.join(state, 'alerts');
    // the first run reads a few batches per round as they arrive; the position at batch 50 is copied
    const spoolA = await Spool.open(spoolOpts(path.join(state, 'spool')));
    const consumerA = await spoolA.consumer('file');
    const first = new FileExporter(consumerA, { dir: out, instance: 'w1', registeredAgents: [] });
    await first.start();
    let most = 0;
    let copied: string | null = null;
    for (let i = 0; i < bs.length; i += 3) {
      for (const b of bs.slice(i, i + 3)) await spoolA.append(encode(b));
      while (consumerA.lag > 0) await new Promise((r) => setTimeout(r, 2));
      most = Math.max(most, first.heldState.stats);
      if (copied === null && consumerA.acked >= 50) copied = fs.readFileSync(path.join(state, 'spool', 'cursor-file.json'), 'utf8');
    }
    await first.stop(1000);
    await spoolA.close();
    // 300 agents heard from within 2 hours, 2 hours each at most, and the all-agents rows (not 40 hours of 2,150 agents)
    expect(most).toBeGreaterThan(200);
    expect(most).toBeLessThanOrEqual(2 * 400 + 48);
    expect(readSums(out)).toEqual(reference(bs));
    const agents = JSON.parse(fs.readFileSync(path.join(out, 'agents.json'), 'utf8')) as Array<{ events: number }>;
    expect(agents).toHaveLength(2150);

    // a crash after writing everything but recording only the position at batch 50: the files are cut back and the rest replayed in one round
    const cursor = JSON.parse(copied!) as { seq: number };
    fs.rmSync(path.join(state, 'spool'), { recursive: true });
    fs.mkdirSync(path.join(state, 'spool'));
    fs.writeFileSync(path.join(state, 'spool', 'cursor-file.json'), copied!);
    const spoolB = await Spool.open(spoolOpts(path.join(state, 'spool')));
    for (const b of bs.slice(cursor.seq)) await spoolB.append(encode(b));
    expect(spoolB.lastSeq).toBe(bs.length);
    const consumerB = await spoolB.consumer('file');
    const second = new FileExporter(consumerB, { dir: out, instance: 'w1', registeredAgents: [] });
    await second.start();
    while (consumerB.lag > 0) await new Promise((r) => setTimeout(r, 5));
    await second.stop(1000);
    await spoolB.close();
    expect(readSums(out)).toEqual(reference(bs));
  }, 120_000);
});
