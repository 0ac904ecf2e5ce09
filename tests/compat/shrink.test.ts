/** The fuzzer's reduction: the line sequence it prints still reproduces the disagreement and is short. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { shrink } = require('./oracle') as {
  shrink(lines: string[], times: number[], at: number, warden: Answer, oracle: Answer, budget?: number): { lines: string[]; times: number[]; complete: boolean };
};
type Row = { rule: string; level: string; decoder: string; alert: string };
type Answer = (lines: string[], times: number[]) => Row[];

const row = (rule: string): Row => ({ rule, level: '1', decoder: 'd', alert: '1' });
// A toy "real engine": the last line fires 'B' when two 'a' lines came before it within 10 s.
const oracle: Answer = (lines, times) => lines.map((l, i) => {
  const before = lines.slice(0, i).filter((x, j) => x === 'a' && times[i] - times[j] <= 10_000).length;
  return row(l === 'b' && before >= 2 ? 'B' : l);
});
// A toy Warden that forgets the timeframe: disagrees when the 'a' lines are older.
const warden: Answer = (lines) => lines.map((l, i) => row(l === 'b' && lines.slice(0, i).filter((x) => x === 'a').length >= 2 ? 'B' : l));

test('reduces to the lines that matter, keeping their times, and the result still disagrees', () => {
  const lines: string[] = [];
  const times: number[] = [];
  for (let i = 0; i < 200; i++) { lines.push(i === 30 || i === 90 ? 'a' : `x${i}`); times.push(i * 1000); }
  lines.push('b');
  times.push(400_000);
  const r = shrink(lines, times, 200, warden, oracle);
  expect(r.complete).toBe(true);
  expect(r.lines).toEqual(['a', 'a', 'b']);
  expect(r.times).toEqual([30_000, 90_000, 400_000]);
  const o = oracle(r.lines, r.times);
  const w = warden(r.lines, r.times);
  expect(o[2].rule).not.toBe(w[2].rule);
});

test('a line that disagrees on its own is its own reproduction', () => {
  const lone: Answer = (lines) => lines.map((l) => row(l === 'z' ? 'Z' : l));
  const r = shrink(['x', 'y', 'z'], [0, 1, 2], 2, lone, oracle);
  expect(r.lines).toEqual(['z']);
});
