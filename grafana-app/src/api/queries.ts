/**
 * Query builders: Elasticsearch request bodies (for `_msearch` through the data source's resource
 * endpoint), Lucene strings and `/api/ds/query` models (for time series), the URL state of the
 * pages, and small readers of the answers. Pure functions, no Grafana runtime: unit-tested alone.
 */
import type { AgentDoc, AgentStatus, AlertDoc, AlertHit, AppSettings, Range } from '../types';

// ---------------------------------------------------------------------------------------------
// indices

export interface Indices { alerts: string; agents: string; stats: string; syscheck: string }

export function indices(s: AppSettings | undefined): Indices {
  const p = (s?.indexPrefix || 'warden').trim();
  return { alerts: `${p}-alerts-*`, agents: `${p}-agents`, stats: `${p}-stats-*`, syscheck: `${p}-syscheck` };
}

// ---------------------------------------------------------------------------------------------
// search filters and their URL form

export interface SearchFilters {
  /** Minimum rule level. */
  level?: number;
  /** Maximum rule level. */
  maxLevel?: number;
  ruleIds?: string[];
  group?: string;
  agent?: string;
  location?: string;
  /** An address or a CIDR block. */
  srcip?: string;
  user?: string;
  /** Free text over the full log (Elasticsearch simple query string). */
  text?: string;
}

export const FILTER_KEYS = ['level', 'maxlevel', 'rule', 'group', 'agent', 'location', 'srcip', 'user', 'q'] as const;

type UrlValue = string | number | boolean | Array<string | number | boolean> | null | undefined;

const first = (v: UrlValue): string | undefined => {
  if (v === undefined || v === null) return undefined;
  const x = Array.isArray(v) ? v[0] : v;
  const s = String(x).trim();
  return s === '' ? undefined : s;
};

/** URL query (as `locationService.getSearchObject()` gives it) → filters. */
export function filtersFromParams(p: Record<string, UrlValue>): SearchFilters {
  const f: SearchFilters = {};
  const level = first(p.level);
  if (level !== undefined && /^\d+$/.test(level)) f.level = Math.min(16, Number(level));
  const maxLevel = first(p.maxlevel);
  if (maxLevel !== undefined && /^\d+$/.test(maxLevel) && Number(maxLevel) < 16) f.maxLevel = Number(maxLevel);
  const rules = p.rule === undefined || p.rule === null ? [] : (Array.isArray(p.rule) ? p.rule : [p.rule]).flatMap((r) => String(r).split(/[\s,]+/));
  const ids = rules.map((r) => r.trim()).filter((r) => /^\d+$/.test(r));
  if (ids.length) f.ruleIds = [...new Set(ids)];
  const g = first(p.group); if (g) f.group = g;
  const a = first(p.agent); if (a) f.agent = a;
  const l = first(p.location); if (l) f.location = l;
  const s = first(p.srcip); if (s) f.srcip = s;
  const u = first(p.user); if (u) f.user = u;
  const q = first(p.q); if (q) f.text = q;
  return f;
}

/** Filters → URL query; every filter key is present (null removes it from the URL with `locationService.partial`). */
export function filtersToParams(f: SearchFilters): Record<(typeof FILTER_KEYS)[number], string | null> {
  return {
    level: f.level !== undefined && f.level > 0 ? String(f.level) : null,
    maxlevel: f.maxLevel !== undefined && f.maxLevel < 16 ? String(f.maxLevel) : null,
    rule: f.ruleIds && f.ruleIds.length ? f.ruleIds.join(',') : null,
    group: f.group ?? null,
    agent: f.agent ?? null,
    location: f.location ?? null,
    srcip: f.srcip ?? null,
    user: f.user ?? null,
    q: f.text ?? null,
  };
}

/** "Search for similar": the same rule from the same source address (or the same agent when there is none). */
export function similarFilters(a: AlertDoc): SearchFilters {
  const f: SearchFilters = { ruleIds: [a.rule.id] };
  if (a.data?.srcip) f.srcip = a.data.srcip;
  else f.agent = a.agent.id;
  return f;
}

// ---------------------------------------------------------------------------------------------
// Elasticsearch query DSL

export type Json = Record<string, unknown>;

export const timeFilter = (r: Range, field = '@timestamp'): Json => ({ range: { [field]: { gte: r.from, lte: r.to, format: 'epoch_millis' } } });

/** A CIDR block or a single address goes to a term query on an `ip` field; anything else is a prefix on the text form. */
function ipQuery(field: string, v: string): Json {
  if (/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(v) && (v.includes('.') || v.includes(':'))) return { term: { [field]: v } };
  return { match_none: {} };
}

export function alertFilterClauses(f: SearchFilters, r: Range): Json[] {
  const c: Json[] = [timeFilter(r)];
  if (f.level !== undefined && f.level > 0) c.push({ range: { 'rule.level': { gte: f.level } } });
  if (f.maxLevel !== undefined && f.maxLevel < 16) c.push({ range: { 'rule.level': { lte: f.maxLevel } } });
  if (f.ruleIds?.length) c.push({ terms: { 'rule.id': f.ruleIds } });
  if (f.group) c.push({ term: { 'rule.groups': f.group } });
  if (f.agent) c.push({ bool: { should: [{ term: { 'agent.id': f.agent } }, { term: { 'agent.name': f.agent } }], minimum_should_match: 1 } });
  if (f.location) c.push(f.location.includes('*') ? { wildcard: { location: { value: f.location } } } : { term: { location: f.location } });
  if (f.srcip) c.push(ipQuery('data.srcip', f.srcip));
  if (f.user) c.push({ bool: { should: [{ term: { 'data.dstuser': f.user } }, { term: { 'data.srcuser': f.user } }], minimum_should_match: 1 } });
  return c;
}

export function alertQuery(f: SearchFilters, r: Range): Json {
  const must: Json[] = f.text ? [{ simple_query_string: { query: f.text, fields: ['full_log'], default_operator: 'and' } }] : [];
  return { bool: { filter: alertFilterClauses(f, r), must } };
}

export const PAGE_SIZE = 25;

/** One page of alerts, newest first (ties broken by document id so pages never overlap). */
export function searchBody(f: SearchFilters, r: Range, page: number, size = PAGE_SIZE): Json {
  return {
    query: alertQuery(f, r),
    sort: [{ '@timestamp': { order: 'desc' } }, { 'rule.level': { order: 'desc' } }],
    from: Math.max(0, page - 1) * size,
    size,
    track_total_hits: true,
  };
}

/** Largest page the export fetches (Elasticsearch's default max_result_window). */
export const EXPORT_MAX = 10000;

export function exportBody(f: SearchFilters, r: Range): Json {
  return { ...searchBody(f, r, 1, EXPORT_MAX), track_total_hits: true };
}

export function latestAlertsBody(r: Range, size = 10): Json {
  return { query: { bool: { filter: [timeFilter(r)] } }, sort: [{ '@timestamp': { order: 'desc' } }], size };
}

export function latestSyscheckBody(r: Range, size = 10): Json {
  return { query: { bool: { filter: [timeFilter(r)] } }, sort: [{ '@timestamp': { order: 'desc' } }], size };
}

/** File-integrity alerts (rules in group syscheck), newest first: the Overview's "latest modified files" when `warden-syscheck` has nothing. */
export function syscheckAlertsBody(r: Range, size = 10): Json {
  return { query: { bool: { filter: [timeFilter(r), { term: { 'rule.groups': 'syscheck' } }] } }, sort: [{ '@timestamp': { order: 'desc' } }], size };
}

export interface FileChange { agent: string; path: string; event: string; time: string }

/** A syscheck alert → the file change it reports (syscheck.* fields, or the data.syscheck.* attributes of a FIM record). */
export function fileChangeOfAlert(a: AlertDoc): FileChange | null {
  const sc = a.syscheck ?? {};
  const d = a.data ?? {};
  const p = (sc.path as string | undefined) ?? d['syscheck.path'];
  if (!p) return null;
  return { agent: a.agent.name, path: p, event: String(sc.event ?? d['syscheck.event'] ?? ''), time: a['@timestamp'] };
}

export function agentsBody(size = 1000): Json {
  return { query: { match_all: {} }, sort: [{ 'agent.id': { order: 'asc' } }], size };
}

/** Every alert per agent, whatever its time (alerts index): Warden's own agent-disconnected alerts count too. */
export function agentAlertTotalsBody(): Json {
  return { size: 0, query: { match_all: {} }, aggs: { agents: { terms: { field: 'agent.id', size: 1000 } } } };
}

/** Counts per agent in the range (alerts index), for the Agents page. */
export function agentAlertCountsBody(r: Range): Json {
  return { size: 0, query: { bool: { filter: [timeFilter(r)] } }, aggs: { agents: { terms: { field: 'agent.id', size: 1000 }, aggs: { max_level: { max: { field: 'rule.level' } } } } } };
}

/** Hourly (or daily) event and alert counts from the stats documents (the `_total` rows; summed over Warden instances). */
export function statsHistogramBody(r: Range, interval: 'hour' | 'day', agentId = '_total'): Json {
  return {
    size: 0,
    query: { bool: { filter: [timeFilter(r), { term: { 'agent.id': agentId } }] } },
    aggs: {
      t: {
        date_histogram: { field: '@timestamp', calendar_interval: interval, min_doc_count: 0, extended_bounds: { min: r.from, max: r.to } },
        aggs: { events: { sum: { field: 'events' } }, alerts: { sum: { field: 'alerts' } } },
      },
      events: { sum: { field: 'events' } },
      alerts: { sum: { field: 'alerts' } },
    },
  };
}

/** The Stats page's aggregations over the alerts: by level, top rules, agents, source addresses and users. */
export function statsAggsBody(f: SearchFilters, r: Range, top = 10): Json {
  return {
    size: 0,
    track_total_hits: true,
    query: alertQuery(f, r),
    aggs: {
      levels: { terms: { field: 'rule.level', size: 17, order: { _key: 'desc' } } },
      rules: { terms: { field: 'rule.id', size: top }, aggs: { description: { terms: { field: 'rule.description.keyword', size: 1 } }, level: { max: { field: 'rule.level' } } } },
      agents: { terms: { field: 'agent.name', size: top } },
      srcips: { terms: { field: 'data.srcip', size: top } },
      users: { terms: { field: 'data.dstuser', size: top } },
    },
  };
}

/** The values Search offers in its pick-lists: what the alerts in the range hold. */
export const PICK_FIELDS = { group: 'rule.groups', agent: 'agent.name', location: 'location', rule: 'rule.id', user: 'data.dstuser' } as const;
export function pickListsBody(r: Range, size = 200): Json {
  const aggs: Json = {};
  for (const [k, field] of Object.entries(PICK_FIELDS)) aggs[k] = { terms: { field, size, order: { _key: 'asc' } } };
  aggs.srcuser = { terms: { field: 'data.srcuser', size, order: { _key: 'asc' } } };
  return { size: 0, query: { bool: { filter: [timeFilter(r)] } }, aggs };
}

/** How often each rule fired in the range (Rules page), with its description and level as Warden wrote them. */
export function ruleCountsBody(r: Range, size = 5000): Json {
  return {
    size: 0,
    query: { bool: { filter: [timeFilter(r)] } },
    aggs: { rules: { terms: { field: 'rule.id', size }, aggs: { description: { terms: { field: 'rule.description.keyword', size: 1 } }, level: { max: { field: 'rule.level' } }, groups: { terms: { field: 'rule.groups', size: 20 } } } } },
  };
}

// ---------------------------------------------------------------------------------------------
// `_msearch`

export interface SearchRequest { index: string; body: Json }

/** NDJSON body of `_msearch` (header and body line per search, each ending in a newline). */
export function msearchPayload(reqs: SearchRequest[]): string {
  return reqs.map((q) => `${JSON.stringify({ index: q.index, ignore_unavailable: true })}\n${JSON.stringify(q.body)}\n`).join('');
}

export interface EsHit<T> { _id: string; _index: string; _source: T; sort?: unknown[] }
export interface EsResponse<T = Json> {
  hits?: { total?: { value: number; relation?: string } | number; hits: Array<EsHit<T>> };
  aggregations?: Record<string, unknown>;
  error?: { type?: string; reason?: string; root_cause?: Array<{ reason?: string }> } | string;
  status?: number;
}

export function totalOf(r: EsResponse<unknown>): number {
  const t = r.hits?.total;
  return typeof t === 'number' ? t : t?.value ?? 0;
}

export function alertHits(r: EsResponse<AlertDoc>): AlertHit[] {
  return (r.hits?.hits ?? []).map((h) => ({ id: h._id, index: h._index, doc: h._source }));
}

export interface Bucket { key: string; count: number; label?: string; level?: number }

type RawBucket = { key: string | number; key_as_string?: string; doc_count: number; description?: { buckets: Array<{ key: string }> }; level?: { value: number | null }; groups?: { buckets: Array<{ key: string }> } };

export function buckets(aggs: Record<string, unknown> | undefined, name: string): Bucket[] {
  const a = aggs?.[name] as { buckets?: RawBucket[] } | undefined;
  return (a?.buckets ?? []).map((b) => {
    const out: Bucket = { key: b.key_as_string ?? String(b.key), count: b.doc_count };
    if (b.description?.buckets[0]) out.label = b.description.buckets[0].key;
    if (b.level && b.level.value !== null) out.level = b.level.value;
    return out;
  });
}

export interface HistogramPoint { t: number; events: number; alerts: number }

export function histogram(aggs: Record<string, unknown> | undefined): HistogramPoint[] {
  const a = aggs?.t as { buckets?: Array<{ key: number; events?: { value: number }; alerts?: { value: number } }> } | undefined;
  return (a?.buckets ?? []).map((b) => ({ t: b.key, events: b.events?.value ?? 0, alerts: b.alerts?.value ?? 0 }));
}

export function esError(r: EsResponse<unknown>): string | null {
  if (!r.error) return null;
  if (typeof r.error === 'string') return r.error;
  return r.error.root_cause?.[0]?.reason ?? r.error.reason ?? r.error.type ?? 'Elasticsearch error';
}

// ---------------------------------------------------------------------------------------------
// agents

export function agentStatus(a: AgentDoc, now: number, disconnectAfterSec: number): AgentStatus {
  if (!a.events || !a.last_seen) return 'never connected';
  const last = Date.parse(a.last_seen);
  return now - last <= disconnectAfterSec * 1000 ? 'active' : 'disconnected';
}

export function statusCounts(agents: AgentDoc[], now: number, disconnectAfterSec: number): Record<AgentStatus, number> {
  const c: Record<AgentStatus, number> = { active: 0, disconnected: 0, 'never connected': 0 };
  for (const a of agents) c[agentStatus(a, now, disconnectAfterSec)]++;
  return c;
}

// ---------------------------------------------------------------------------------------------
// `/api/ds/query` (Grafana's Elasticsearch query model) for time series

/** Lucene form of the filters, for the Elasticsearch data source's query model. */
export function luceneFromFilters(f: SearchFilters): string {
  const q = (v: string) => `"${v.replace(/(["\\])/g, '\\$1')}"`;
  const parts: string[] = [];
  if (f.level !== undefined && f.level > 0) parts.push(`rule.level:>=${f.level}`);
  if (f.maxLevel !== undefined && f.maxLevel < 16) parts.push(`rule.level:<=${f.maxLevel}`);
  if (f.ruleIds?.length) parts.push(`rule.id:(${f.ruleIds.map(q).join(' OR ')})`);
  if (f.group) parts.push(`rule.groups:${q(f.group)}`);
  if (f.agent) parts.push(`(agent.id:${q(f.agent)} OR agent.name:${q(f.agent)})`);
  if (f.location) parts.push(`location:${f.location.includes('*') ? f.location.replace(/([\s/:"\\()])/g, '\\$1') : q(f.location)}`);
  if (f.srcip) parts.push(`data.srcip:${q(f.srcip)}`);
  if (f.user) parts.push(`(data.dstuser:${q(f.user)} OR data.srcuser:${q(f.user)})`);
  if (f.text) parts.push(`full_log:(${f.text.split(/\s+/).filter(Boolean).map(q).join(' AND ')})`);
  return parts.join(' AND ');
}

export interface DsQueryTarget {
  refId: string;
  datasource: { type: 'elasticsearch'; uid: string };
  query: string;
  alias?: string;
  metrics: Array<{ id: string; type: 'count' | 'sum' | 'max'; field?: string }>;
  bucketAggs: Array<{ id: string; type: 'date_histogram'; field: string; settings: { interval: string; min_doc_count: string } } | { id: string; type: 'terms'; field: string; settings: { size: string; order: 'desc' | 'asc'; orderBy: string; min_doc_count: string } }>;
  timeField: string;
  intervalMs?: number;
  maxDataPoints?: number;
}

/** Picks a histogram interval that gives at most ~120 buckets. */
export function autoInterval(r: Range): string {
  const span = Math.max(1, r.to - r.from);
  const steps: Array<[number, string]> = [[60e3, '1m'], [300e3, '5m'], [600e3, '10m'], [1800e3, '30m'], [3600e3, '1h'], [3 * 3600e3, '3h'], [6 * 3600e3, '6h'], [12 * 3600e3, '12h'], [86400e3, '1d'], [7 * 86400e3, '7d']];
  for (const [ms, s] of steps) if (span / ms <= 120) return s;
  return '30d';
}

/** Alerts over time split by level (or one series), as a `/api/ds/query` target. */
export function alertsOverTimeTarget(uid: string, f: SearchFilters, r: Range, splitBy?: string): DsQueryTarget {
  const bucketAggs: DsQueryTarget['bucketAggs'] = [];
  if (splitBy) bucketAggs.push({ id: '3', type: 'terms', field: splitBy, settings: { size: '10', order: 'desc', orderBy: '_count', min_doc_count: '1' } });
  bucketAggs.push({ id: '2', type: 'date_histogram', field: '@timestamp', settings: { interval: autoInterval(r), min_doc_count: '0' } });
  return { refId: 'alerts', datasource: { type: 'elasticsearch', uid }, query: luceneFromFilters(f), ...(splitBy ? { alias: `{{term ${splitBy}}}` } : {}), metrics: [{ id: '1', type: 'count' }], bucketAggs, timeField: '@timestamp' };
}

/** Events (and alerts) over time from the hourly stats documents. */
export function eventsOverTimeTarget(uid: string, r: Range): DsQueryTarget {
  return {
    refId: 'events', datasource: { type: 'elasticsearch', uid }, query: 'agent.id:"_total"',
    metrics: [{ id: '1', type: 'sum', field: 'events' }, { id: '4', type: 'sum', field: 'alerts' }],
    bucketAggs: [{ id: '2', type: 'date_histogram', field: '@timestamp', settings: { interval: autoInterval(r).endsWith('m') ? '1h' : autoInterval(r), min_doc_count: '0' } }],
    timeField: '@timestamp',
  };
}

export function dsQueryRequest(targets: DsQueryTarget[], r: Range): Json {
  return { queries: targets, from: String(r.from), to: String(r.to) };
}

export interface Series { name: string; points: Array<[number, number]>; /** A colour name of Grafana's palette. */ color?: string }

type FrameJson = { schema?: { name?: string; fields: Array<{ name: string; type?: string; labels?: Record<string, string>; config?: { displayNameFromDS?: string } }> }; data?: { values: unknown[][] } };

/** Frames of a `/api/ds/query` answer (one refId) → named series of [time, value]. */
export function seriesFromFrames(res: { results?: Record<string, { frames?: FrameJson[]; error?: string }> }, refId: string): Series[] {
  const r = res.results?.[refId];
  if (r?.error) throw new Error(r.error);
  const out: Series[] = [];
  for (const fr of r?.frames ?? []) {
    const fields = fr.schema?.fields ?? [];
    const ti = fields.findIndex((x) => x.type === 'time');
    if (ti < 0 || !fr.data) continue;
    fields.forEach((fld, i) => {
      if (i === ti) return;
      const labels = fld.labels ? Object.values(fld.labels).join(' ') : '';
      const name = fld.config?.displayNameFromDS ?? (labels || fr.schema?.name || fld.name);
      const ts = fr.data!.values[ti] as number[];
      const vs = fr.data!.values[i] as Array<number | null>;
      out.push({ name, points: ts.map((t, k) => [t, vs[k] ?? 0]) });
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CSV export

const CSV_COLUMNS: Array<[string, (a: AlertHit) => unknown]> = [
  ['timestamp', (a) => a.doc['@timestamp']],
  ['rule_id', (a) => a.doc.rule.id],
  ['level', (a) => a.doc.rule.level],
  ['description', (a) => a.doc.rule.description],
  ['groups', (a) => a.doc.rule.groups.join(',')],
  ['agent', (a) => a.doc.agent.name],
  ['location', (a) => a.doc.location],
  ['srcip', (a) => a.doc.data?.srcip],
  ['user', (a) => a.doc.data?.dstuser ?? a.doc.data?.srcuser],
  ['full_log', (a) => a.doc.full_log],
  ['id', (a) => a.id],
];

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  let s = String(v);
  // a cell a spreadsheet would run as a formula gets a leading quote
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function alertsToCsv(hits: AlertHit[]): string {
  const lines = [CSV_COLUMNS.map(([h]) => h).join(',')];
  for (const h of hits) lines.push(CSV_COLUMNS.map(([, get]) => csvCell(get(h))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// levels

/** OSSEC's level bands, as colours of Grafana's palette. */
export function levelColor(level: number): 'red' | 'orange' | 'purple' | 'blue' | 'green' {
  if (level >= 12) return 'red';
  if (level >= 10) return 'orange';
  if (level >= 7) return 'purple';
  if (level >= 4) return 'blue';
  return 'green';
}

// ---------------------------------------------------------------------------------------------
// file integrity (the Integrity page)

/** Files Warden knows per agent (`warden-syscheck`: the latest state of each file). */
export function integrityFilesBody(agentId?: string, size = 2000): Json {
  return { query: agentId ? { term: { 'agent.id': agentId } } : { match_all: {} }, sort: [{ 'agent.id': { order: 'asc' } }, { path: { order: 'asc' } }], size };
}

/** How many changes each file had in the range, per agent (file-integrity alerts carry `syscheck.path`). */
export function integrityChangeCountsBody(r: Range): Json {
  return {
    size: 0,
    query: { bool: { filter: [timeFilter(r), { exists: { field: 'syscheck.path' } }] } },
    aggs: { agents: { terms: { field: 'agent.id', size: 1000 }, aggs: { paths: { terms: { field: 'syscheck.path', size: 5000 } } } } },
  };
}

/** One file's change history on one agent, newest first. */
export function integrityHistoryBody(agentId: string, path: string, r: Range, size = 200): Json {
  return {
    query: { bool: { filter: [timeFilter(r), { term: { 'agent.id': agentId } }, { term: { 'syscheck.path': path } }] } },
    sort: [{ '@timestamp': { order: 'desc' } }],
    size,
    track_total_hits: true,
  };
}

/** agent id → path → number of changes in the range. */
export function changeCounts(aggs: Record<string, unknown> | undefined): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  const a = aggs?.agents as { buckets?: Array<{ key: string; paths?: { buckets?: Array<{ key: string; doc_count: number }> } }> } | undefined;
  for (const b of a?.buckets ?? []) out.set(String(b.key), new Map((b.paths?.buckets ?? []).map((p) => [String(p.key), p.doc_count])));
  return out;
}

// ---------------------------------------------------------------------------------------------
// users (Search matches dstuser or srcuser; the Stats page counts the same way)

/** Candidate users: the top destination and source users. */
export function userCandidatesAggs(top = 10): Json {
  return { users_dst: { terms: { field: 'data.dstuser', size: top } }, users_src: { terms: { field: 'data.srcuser', size: top } } };
}

/** Exact counts per user as Search counts them (an alert whose dstuser or srcuser is the user). */
export function userCountsBody(f: SearchFilters, r: Range, users: string[]): Json {
  const filters: Record<string, Json> = {};
  for (const u of users) filters[u] = { bool: { should: [{ term: { 'data.dstuser': u } }, { term: { 'data.srcuser': u } }], minimum_should_match: 1 } };
  return { size: 0, query: alertQuery(f, r), aggs: { users: { filters: { filters } } } };
}

export function userCounts(aggs: Record<string, unknown> | undefined): Bucket[] {
  const b = (aggs?.users as { buckets?: Record<string, { doc_count: number }> } | undefined)?.buckets ?? {};
  return Object.entries(b).map(([key, v]) => ({ key, count: v.doc_count })).filter((x) => x.count > 0).sort((x, y) => y.count - x.count || x.key.localeCompare(y.key));
}
