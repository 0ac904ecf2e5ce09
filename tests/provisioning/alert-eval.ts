/**
 * Evaluates a provisioned Grafana alert rule the way Grafana's evaluator does, for the parts
 * Warden's rules use: each data query runs over its relativeTimeRange before the evaluation time
 * (through es-model.ts, the stand-in for Grafana's Elasticsearch backend), then the server-side
 * expressions in order: `reduce` (each series to one number; mode dropNN drops null/NaN first)
 * and `threshold` (1 when the condition holds). Every labelled series of the condition that is
 * non-zero is a firing alert instance. Anything else throws.
 */
import { runModel, type EsModel, type FrameJson } from '../grafana-app/harness/es-model';

export interface RuleQuery { refId: string; datasourceUid: string; relativeTimeRange: { from: number; to: number }; model: EsModel & { type?: string; expression?: string; reducer?: string; settings?: { mode?: string; replaceWithValue?: number }; conditions?: Array<{ evaluator: { type: string; params: number[] } }> } }
export interface Instance { labels: Record<string, string>; value: number }

type Numbers = Instance[];

function seriesOf(frames: FrameJson[]): Array<{ labels: Record<string, string>; values: Array<number | null> }> {
  const out: Array<{ labels: Record<string, string>; values: Array<number | null> }> = [];
  for (const f of frames) {
    const ti = f.schema.fields.findIndex((x) => x.type === 'time');
    if (ti < 0) throw new Error('an alert query must return time series');
    f.schema.fields.forEach((fld, i) => { if (fld.type === 'number') out.push({ labels: fld.labels ?? {}, values: f.data.values[i] as Array<number | null> }); });
  }
  return out;
}

function reduce(values: Array<number | null>, reducer: string, mode?: string, replace?: number): number {
  let v = values.map((x) => (x === null || Number.isNaN(x) ? (mode === 'replaceNN' ? (replace ?? 0) : null) : x));
  if (mode === 'dropNN' || mode === 'replaceNN') v = v.filter((x) => x !== null);
  const xs = v as number[];
  if (xs.some((x) => x === null)) return NaN; // strict mode: a null makes the result NaN
  switch (reducer) {
    case 'sum': return xs.reduce((a, b) => a + b, 0);
    case 'count': return xs.length;
    case 'max': return xs.length ? Math.max(...xs) : NaN;
    case 'min': return xs.length ? Math.min(...xs) : NaN;
    case 'mean': return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
    case 'last': return xs.length ? xs[xs.length - 1] : NaN;
    default: throw new Error(`reducer ${reducer} is not modelled`);
  }
}

function threshold(x: number, ev: { type: string; params: number[] }): number {
  const [a, b] = ev.params;
  switch (ev.type) {
    case 'gt': return x > a ? 1 : 0;
    case 'lt': return x < a ? 1 : 0;
    case 'within_range': return x > a && x < b ? 1 : 0;
    case 'outside_range': return x < a || x > b ? 1 : 0;
    default: throw new Error(`threshold ${ev.type} is not modelled`);
  }
}

/** The rule's nodes at `evalTime` (ms); returns every node's numbers and the firing instances of `condition`. */
export async function evaluateRule(esUrl: string, indexOf: (uid: string) => string, data: RuleQuery[], condition: string, evalTime: number): Promise<{ firing: Instance[]; nodes: Record<string, Numbers | ReturnType<typeof seriesOf>> }> {
  const nodes: Record<string, Numbers | ReturnType<typeof seriesOf>> = {};
  for (const q of data) {
    const m = q.model;
    if (q.datasourceUid !== '__expr__') {
      const from = evalTime - q.relativeTimeRange.from * 1000;
      const to = evalTime - q.relativeTimeRange.to * 1000;
      nodes[q.refId] = seriesOf((await runModel(esUrl, indexOf(q.datasourceUid), m, from, to)).frames);
    } else if (m.type === 'reduce') {
      const input = nodes[m.expression!] as ReturnType<typeof seriesOf>;
      nodes[q.refId] = input.map((s) => ({ labels: s.labels, value: reduce(s.values, m.reducer!, m.settings?.mode, m.settings?.replaceWithValue) }));
    } else if (m.type === 'threshold') {
      const input = nodes[m.expression!] as Numbers;
      nodes[q.refId] = input.map((n) => ({ labels: n.labels, value: threshold(n.value, m.conditions![0].evaluator) }));
    } else {
      throw new Error(`expression ${m.type} is not modelled`);
    }
  }
  const firing = (nodes[condition] as Numbers).filter((n) => n.value !== 0 && !Number.isNaN(n.value));
  return { firing, nodes };
}
