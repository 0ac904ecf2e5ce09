/**
 * The spool on its own: segment names, replay and truncation agree by construction. Rotation
 * while a group of appends is written, torn tails of every length, a segment whose head is
 * corrupt, a full disk and a failing fsync; none loses a batch that was acknowledged.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Spool, type SpoolFaults } from '../../otel-processor/src/spool/spool';
import { encodeBody } from '../../otel-processor/src/processor/batch';

const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `warden-spool-${name}-`));

/** A payload about `bytes` long whose batch names `n` (in its `at` field). */
function payload(n: number, bytes = 100): Buffer {
  return encodeBody({ at: n, alerts: [], fts: [{ key: 'x'.repeat(Math.max(1, bytes - 120)), comment: '', at: 0, decoder: 'd' } as never], agents: [], stats: [] })!;
}

async function open(dir: string, segmentBytes = 1 << 20, faults?: SpoolFaults, warnings: string[] = []): Promise<Spool> {
  return Spool.open({ dir, maxBytes: 1 << 30, segmentBytes, memoryBytes: 1 << 20, faults, warn: (m) => warnings.push(m) });
}

/** Every batch a fresh consumer reads, as the `at` each carries. */
async function readAll(s: Spool, name = 'reader'): Promise<number[]> {
  const c = await s.consumer(name);
  const out: number[] = [];
  for (;;) {
    const b = await c.next(1 << 20, 0);
    if (b.length === 0) break;
    out.push(...b.map((x) => x.at));
  }
  return out;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

test('the 40-batch reproduction: rotation during writes keeps every batch across a restart', async () => {
  const dir = tmp('forty');
  let s = await open(dir, 1 << 20);
  // 40 requests of ~40 KB, one after the other (each answered before the next), nothing delivered
  for (const n of range(1, 40)) expect(await s.append(payload(n, 40_000))).toBe(n);
  // and as many again in flight at once: group commits straddling a rotation
  expect(await Promise.all(range(41, 80).map((n) => s.append(payload(n, 40_000))))).toEqual(range(41, 80));
  await s.close();
  s = await open(dir, 1 << 20);
  expect(s.lastSeq).toBe(80);
  expect(s.segmentFiles.length).toBeGreaterThan(2);
  expect(await readAll(s)).toEqual(range(1, 80));
  await s.close();
});

test('each segment is named after the first batch written into it', async () => {
  const dir = tmp('names');
  const s = await open(dir, 3000);
  for (let round = 0; round < 10; round++) await Promise.all(range(1, 7).map((k) => s.append(payload(round * 7 + k, 500 + 97 * k))));
  const names = s.segmentFiles;
  expect(names.length).toBeGreaterThan(5);
  for (const n of names) {
    const buf = fs.readFileSync(path.join(dir, n));
    if (buf.length === 0) continue;
    expect(buf.readDoubleLE(8)).toBe(Number(n.slice(0, 16)));
  }
  await s.close();
  const again = await open(dir, 3000);
  expect(await readAll(again)).toEqual(range(1, 70));
  await again.close();
});

test('a spool written with misleading segment names (older Warden) is replayed whole', async () => {
  const dir = tmp('legacy');
  const s = await open(dir, 1 << 20);
  await Promise.all(range(1, 12).map((n) => s.append(payload(n))));
  await s.close();
  // the old bug: a segment named after a later number than the first batch it holds
  const [only] = fs.readdirSync(dir).filter((n) => n.endsWith('.seg'));
  fs.renameSync(path.join(dir, only), path.join(dir, `${'9'.padStart(16, '0')}.seg`));
  const warnings: string[] = [];
  const again = await open(dir, 1 << 20, undefined, warnings);
  expect(await readAll(again)).toEqual(range(1, 12));
  expect(await again.append(payload(13))).toBe(13);
  await again.close();
  expect(warnings).toEqual([]);
});

test('a torn tail of every length is cut; every whole batch before it stays', async () => {
  const dir = tmp('torn-src');
  const s = await open(dir);
  for (const n of range(1, 5)) await s.append(payload(n, 300));
  await s.close();
  const [seg] = fs.readdirSync(dir).filter((n) => n.endsWith('.seg'));
  const whole = fs.readFileSync(path.join(dir, seg));
  // a sixth frame, written partially: every prefix length from 1 byte to all but the last
  const src2 = tmp('torn-frame');
  const s2 = await open(src2);
  for (const n of range(1, 6)) await s2.append(payload(n, 300));
  await s2.close();
  const six = fs.readFileSync(path.join(src2, fs.readdirSync(src2).find((n) => n.endsWith('.seg'))!));
  const frame = six.subarray(whole.length);
  expect(frame.length).toBeGreaterThan(200);
  for (let cut = 1; cut < frame.length; cut++) {
    const d = tmp('torn');
    fs.writeFileSync(path.join(d, seg), Buffer.concat([whole, frame.subarray(0, cut)]));
    const warnings: string[] = [];
    const t = await open(d, 1 << 20, undefined, warnings);
    expect(t.lastSeq).toBe(5);
    expect(fs.statSync(path.join(d, seg)).size).toBe(whole.length);
    expect(await t.append(payload(6, 300))).toBe(6);
    await t.close();
    const again = await open(d);
    expect(await readAll(again)).toEqual(range(1, 6));
    await again.close();
    expect(warnings.join('\n')).toMatch(/trailing byte\(s\) that are not a whole batch/);
    fs.rmSync(d, { recursive: true, force: true });
  }
}, 120_000);

test('a segment whose head is corrupt: the batches after it are kept, the loss is reported, nothing is truncated', async () => {
  const dir = tmp('head');
  const s = await open(dir, 2000);
  for (const n of range(1, 20)) await s.append(payload(n, 400));
  await s.close();
  const segs = fs.readdirSync(dir).filter((n) => n.endsWith('.seg')).sort();
  expect(segs.length).toBeGreaterThan(3);
  const victim = path.join(dir, segs[1]);
  const before = fs.readFileSync(victim);
  const firstInVictim = before.readDoubleLE(8);
  const corrupt = Buffer.from(before);
  corrupt.fill(0xa5, 0, 24); // the first frame's header and the start of its payload
  fs.writeFileSync(victim, corrupt);
  const warnings: string[] = [];
  const again = await open(dir, 2000, undefined, warnings);
  const got = await readAll(again);
  expect(got).toEqual(range(1, 20).filter((n) => n !== firstInVictim));
  expect(fs.statSync(victim).size).toBe(before.length);
  expect(warnings.join('\n')).toMatch(new RegExp(`unreadable byte\\(s\\) at offset 0 skipped[\\s\\S]*batches ${firstInVictim}\\.\\.${firstInVictim} are missing`));
  await again.close();
});

test('a full disk refuses the write, leaves only whole batches on disk, and writing resumes when there is room', async () => {
  const dir = tmp('enospc');
  let room = Infinity;
  const faults: SpoolFaults = { writeRoom: (_f, bytes) => Math.min(bytes, room) };
  const s = await open(dir, 1 << 20, faults);
  for (const n of range(1, 3)) await s.append(payload(n, 500));
  room = 700; // the next group fits partly
  const refused = await Promise.allSettled([s.append(payload(4, 500)), s.append(payload(5, 500))]);
  expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  expect(String((refused[0] as PromiseRejectedResult).reason)).toMatch(/ENOSPC/);
  expect(s.error?.message).toMatch(/ENOSPC/);
  room = Infinity;
  expect(await s.append(payload(4, 500))).toBe(4);
  expect(s.error).toBeNull();
  await s.close();
  const warnings: string[] = [];
  const again = await open(dir, 1 << 20, undefined, warnings);
  expect(await readAll(again)).toEqual(range(1, 4));
  expect(warnings).toEqual([]);
  await again.close();
});

test('a failed fsync refuses every later write until a restart replays what is really on disk', async () => {
  const dir = tmp('fsync');
  let failSync = false;
  const s = await open(dir, 1 << 20, { sync: () => (failSync ? Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }) : null) });
  for (const n of range(1, 3)) await s.append(payload(n));
  failSync = true;
  await expect(s.append(payload(4))).rejects.toThrow(/EIO/);
  failSync = false;
  await expect(s.append(payload(5))).rejects.toThrow(/cannot write: EIO/);
  expect(s.error?.message).toMatch(/EIO/);
  expect(s.lastSeq).toBe(3);
  await s.close();
  const again = await open(dir);
  // the refused batch may or may not have reached the disk; every acknowledged one did
  const got = await readAll(again);
  expect(got.slice(0, 3)).toEqual([1, 2, 3]);
  expect(again.error).toBeNull();
  const next = await again.append(payload(99));
  expect(next).toBe(got.length + 1);
  await again.close();
});

test('segments every consumer acknowledged are deleted; numbering continues after a restart with an emptied spool', async () => {
  const dir = tmp('gc');
  const s = await open(dir, 2000);
  const c = await s.consumer('x');
  for (const n of range(1, 30)) await s.append(payload(n, 400));
  const got: number[] = [];
  for (;;) {
    const b = await c.next(1 << 20, 0);
    if (!b.length) break;
    got.push(...b.map((x) => x.at));
    await c.ack(b[b.length - 1].seq);
  }
  expect(got).toEqual(range(1, 30));
  expect(s.segmentFiles.length).toBe(1);
  expect(s.depth).toBe(0);
  await s.close();
  const again = await open(dir, 2000);
  expect(await again.append(payload(31))).toBe(31);
  await again.close();
});
