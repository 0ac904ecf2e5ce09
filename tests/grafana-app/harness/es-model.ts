/**
 * What Grafana's Elasticsearch data source backend does with a query model (`query` in Lucene,
 * `metrics`, `bucketAggs`), reduced to the parts Warden's app, dashboards and alert rules use:
 * count / sum / max / avg / cardinality metrics, date_histogram and terms buckets, raw_data /
 * logs queries. It turns a model into an Elasticsearch search, and the answer into data frames
 * in the JSON form `/api/ds/query` returns. Used by the browser harness' proxy and by the
 * provisioning tests, which run every panel and alert query against the real Elasticsearch.
 * Anything outside that subset throws, so a dashboard using more fails its test loudly.
 */

export interface EsModel {
  refId?: string;
  query?: string;
  alias?: string;
  metrics?: Array<{ id: string; type: string; field?: string; settings?: Record<string, unknown> }>;
  bucketAggs?: Array<{ id: string; type: string; field?: string; settings?: Record<string, unknown> }>;
  timeField?: string;
}

export interface FrameJson {
  schema: { name?: string; refId?: string; fields: Array<{ name: string; type: 'time' | 'number' | 'string' | 'other'; labels?: Record<string, string>; config?: Record<string, unknown> }> };
  data: { values: unknown[][] };
}

const SUPPORTED_METRICS = new Set(['count', 'sum', 'max', 'min', 'avg', 'cardinality', 'raw_data', 'logs']);

function intervalOf(v: unknown, from: number, to: number): string {
  const s = String(v ?? 'auto');
  if (s !== 'auto' && s !== '$__interval') return s;
  const span = Math.max(1, to - from);
  const steps: Array<[number, string]> = [[60e3, '1m'], [300e3, '5m'], [600e3, '10m'], [1800e3, '30m'], [3600e3, '1h'], [3 * 3600e3, '3h'], [12 * 3600e3, '12h'], [86400e3, '1d']];
  for (const [ms, x] of steps) if (span / ms <= 200) return x;
  return '7d';
}

/** Lucene query (empty = all) of the model, with Grafana's `$__interval`-free subset. */
function luceneQuery(q: string | undefined): Record<string, unknown> {
  const s = (q ?? '').trim();
  if (!s || s === '*') return { match_all: {} };
  if (/\$\w+/.test(s)) throw new Error(`query uses a template variable, which the tests cannot resolve: ${s}`);
  return { query_string: { query: s, analyze_wildcard: true } };
}

export function toSearchBody(m: EsModel, from: number, to: number): Record<string, unknown> {
  const timeField = m.timeField ?? '@timestamp';
  const query = { bool: { filter: [{ range: { [timeField]: { gte: from, lte: to, format: 'epoch_millis' } } }, luceneQuery(m.query)] } };
  const metrics = m.metrics?.length ? m.metrics : [{ id: '1', type: 'count' }];
  for (const x of metrics) if (!SUPPORTED_METRICS.has(x.type)) throw new Error(`metric type ${x.type} is not supported by the test translator`);
  if (metrics.some((x) => x.type === 'raw_data' || x.type === 'logs')) {
    const size = Number(metrics[0].settings?.size ?? 500);
    return { query, size, sort: [{ [timeField]: { order: 'desc' } }] };
  }
  const metricAggs: Record<string, unknown> = {};
  for (const x of metrics) {
    if (x.type === 'count') continue;
    if (!x.field) throw new Error(`metric ${x.type} needs a field`);
    metricAggs[x.id] = { [x.type]: { field: x.field } };
  }
  const buckets = m.bucketAggs ?? [];
  let inner: Record<string, unknown> = metricAggs;
  for (let i = buckets.length - 1; i >= 0; i--) {
    const b = buckets[i];
    let agg: Record<string, unknown>;
    if (b.type === 'date_histogram') {
      agg = { date_histogram: { field: b.field ?? timeField, fixed_interval: intervalOf(b.settings?.interval, from, to), min_doc_count: Number(b.settings?.min_doc_count ?? 0), extended_bounds: { min: from, max: to }, format: 'epoch_millis' } };
    } else if (b.type === 'terms') {
      if (!b.field) throw new Error('terms bucket needs a field');
      const orderBy = String(b.settings?.orderBy ?? '_count');
      const order = String(b.settings?.order ?? 'desc');
      agg = { terms: { field: b.field, size: Number(b.settings?.size ?? 10) || 10, min_doc_count: Number(b.settings?.min_doc_count ?? 1), order: { [orderBy === '_term' ? '_key' : orderBy]: order } } };
      // Grafana's terms "missing" setting: documents without the field get this key instead of dropping out
      if (b.settings?.missing !== undefined && b.settings.missing !== '') (agg.terms as Record<string, unknown>).missing = String(b.settings.missing);
    } else {
      throw new Error(`bucket aggregation ${b.type} is not supported by the test translator`);
    }
    if (Object.keys(inner).length) agg.aggs = inner;
    inner = { [b.id]: agg };
  }
  return { query, size: 0, track_total_hits: true, aggs: inner };
}

type Agg = { buckets?: Array<Record<string, unknown> & { key: string | number; doc_count: number }>; value?: number | null };

/** Elasticsearch answer → frames, as Grafana's backend shapes them (one number field per series, labelled by terms keys). */
export function toFrames(m: EsModel, res: Record<string, unknown>): FrameJson[] {
  const metrics = m.metrics?.length ? m.metrics : [{ id: '1', type: 'count' }];
  if (metrics.some((x) => x.type === 'raw_data' || x.type === 'logs')) {
    const hits = ((res.hits as { hits: Array<{ _id: string; _source: Record<string, unknown> }> }).hits) ?? [];
    const flat = hits.map((h) => flatten(h._source));
    const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
    return [{ schema: { refId: m.refId, fields: keys.map((k) => ({ name: k, type: k === (m.timeField ?? '@timestamp') ? 'time' : 'other' })) }, data: { values: keys.map((k) => flat.map((f) => (k === (m.timeField ?? '@timestamp') ? Date.parse(String(f[k])) : f[k] ?? null))) } }];
  }
  const buckets = m.bucketAggs ?? [];
  const frames: FrameJson[] = [];
  const aggs = (res.aggregations ?? {}) as Record<string, Agg>;
  const metricValue = (b: Record<string, unknown>, x: { id: string; type: string }) => (x.type === 'count' ? (b.doc_count as number) : ((b[x.id] as Agg | undefined)?.value ?? null));
  const walk = (level: number, node: Record<string, unknown>, labels: Record<string, string>) => {
    const b = buckets[level];
    const agg = node[b.id] as Agg;
    if (b.type === 'date_histogram') {
      const bs = agg.buckets ?? [];
      for (const x of metrics) {
        frames.push({
          schema: { refId: m.refId, fields: [{ name: 'Time', type: 'time' }, { name: 'Value', type: 'number', labels: { ...labels }, config: { displayNameFromDS: displayName(m, x, labels) } }] },
          data: { values: [bs.map((k) => Number(k.key)), bs.map((k) => metricValue(k, x))] },
        });
      }
      return;
    }
    // terms
    if (level === buckets.length - 1) {
      const bs = agg.buckets ?? [];
      frames.push({
        schema: { refId: m.refId, fields: [{ name: b.field!, type: 'string' }, ...metrics.map((x) => ({ name: x.type === 'count' ? 'Count' : `${x.type} ${x.field}`, type: 'number' as const }))] },
        data: { values: [bs.map((k) => String(k.key)), ...metrics.map((x) => bs.map((k) => metricValue(k, x)))] },
      });
      return;
    }
    for (const k of agg.buckets ?? []) walk(level + 1, k, { ...labels, [b.field!]: String(k.key) });
  };
  if (buckets.length === 0) {
    const total = (res.hits as { total?: { value: number } }).total?.value ?? 0;
    frames.push({ schema: { refId: m.refId, fields: metrics.map((x) => ({ name: x.type === 'count' ? 'Count' : `${x.type} ${x.field}`, type: 'number' as const })) }, data: { values: metrics.map((x) => [x.type === 'count' ? total : (aggs[x.id]?.value ?? null)]) } });
  } else {
    walk(0, aggs as Record<string, unknown>, {});
  }
  return frames;
}

function displayName(m: EsModel, x: { id: string; type: string; field?: string }, labels: Record<string, string>): string {
  const l = Object.values(labels).join(' ');
  if (m.alias) return m.alias.replace(/\{\{\s*term\s+[^}]+\}\}/g, l).replace(/\{\{\s*metric\s*\}\}/g, x.type);
  const base = x.type === 'count' ? 'Count' : `${x.type[0].toUpperCase()}${x.type.slice(1)} ${x.field}`;
  return l ? `${l} ${base}` : base;
}

function flatten(o: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, key, out);
    else out[key] = Array.isArray(v) ? v.join(',') : v;
  }
  return out;
}

/** Runs one model against Elasticsearch (`index` is the data source's index pattern). */
export async function runModel(esUrl: string, index: string, m: EsModel, from: number, to: number): Promise<{ body: Record<string, unknown>; response: Record<string, unknown>; frames: FrameJson[] }> {
  const body = toSearchBody(m, from, to);
  const r = await fetch(`${esUrl}/${index}/_search?ignore_unavailable=true&allow_no_indices=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const response = (await r.json()) as Record<string, unknown>;
  if (!r.ok) throw new Error(`Elasticsearch ${r.status} for ${JSON.stringify(body)}: ${JSON.stringify(response).slice(0, 500)}`);
  return { body, response, frames: toFrames(m, response) };
}
