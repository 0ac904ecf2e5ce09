/** The Elasticsearch exporter's settings (rows of the one schema in service/config.ts) and its typed options. */
import * as fs from 'node:fs';
import { checkReadable, ConfigError, type BuildContext, type Setting, type SettingValues } from '../../config/setting';
import type { EsExporterSettings } from './es-exporter';

export type ElasticsearchConfig = {
  /** The first of urls (null: no Elasticsearch). */
  url: string | null;
  /** Nodes of the cluster; requests go to the live ones in turn. */
  urls: string[];
  caFile: string | null;
  insecureSkipVerify: boolean;
  username: string | null;
  password: string | null;
  apiKey: string | null;
  indexPrefix: string;
} & EsExporterSettings;

export const ELASTICSEARCH_SETTINGS: Setting[] = [
  { key: 'exporters.elasticsearch.url', kind: 'urls', dflt: [], help: 'Elasticsearch URL, e.g. https://localhost:9200, or a list of node URLs of one cluster (env form: comma-separated); unset: no Elasticsearch' },
  { key: 'exporters.elasticsearch.tls.ca_file', kind: 'optstring', dflt: null, help: "CA certificate (PEM) that signed the cluster's HTTPS certificates, e.g. Elasticsearch's config/certs/http_ca.crt" },
  { key: 'exporters.elasticsearch.tls.insecure_skip_verify', kind: 'bool', dflt: false, help: "Accept any certificate from Elasticsearch (labs only: anyone in between can read and change what is sent)" },
  { key: 'exporters.elasticsearch.username', kind: 'optstring', dflt: null, help: 'Basic auth user' },
  { key: 'exporters.elasticsearch.password', kind: 'optstring', dflt: null, help: 'Basic auth password' },
  { key: 'exporters.elasticsearch.api_key', kind: 'optstring', dflt: null, help: 'API key (base64 id:key), instead of basic auth' },
  { key: 'exporters.elasticsearch.index_prefix', kind: 'string', dflt: 'warden', help: 'Prefix of every index name' },
  { key: 'exporters.elasticsearch.retention_days', kind: 'int', dflt: 90, min: 0, help: 'Delete alerts indices older than this many days (0: keep all)' },
  { key: 'exporters.elasticsearch.bulk_max_bytes', kind: 'bytes', dflt: 8 << 20, min: 1024, help: 'Largest bulk request' },
  { key: 'exporters.elasticsearch.flush_interval_ms', kind: 'int', dflt: 200, min: 0, help: 'Wait for more data before a small bulk request' },
  { key: 'exporters.elasticsearch.max_inflight', kind: 'int', dflt: 3, min: 1, max: 64, help: 'Bulk requests in flight at once (alerts are creates under fixed ids, so order does not matter)' },
  { key: 'exporters.elasticsearch.shards', kind: 'int', dflt: 1, min: 1, max: 1024, help: 'Shards per index (templates)' },
  { key: 'exporters.elasticsearch.replicas', kind: 'string', dflt: '0-1', help: 'auto_expand_replicas of the templates' },
  { key: 'exporters.elasticsearch.stats_open_hours', kind: 'int', dflt: 2, min: 1, max: 48, help: "Hours of each agent's stats held and rewritten whole (counts arriving for an older hour are written as documents of their own, summed by readers); an agent silent this long leaves memory (its agents document keeps its totals)" },
  { key: 'exporters.elasticsearch.fts_refresh_seconds', kind: 'int', dflt: 30, min: 0, help: 'How often first-time-seen keys of other replicas are read back (0: only at start)' },
];

/** The CA file is checked readable here; prefix and replicas by {@link checkElasticsearchConfig}. */
export function elasticsearchFromSettings(v: SettingValues, ctx: BuildContext): ElasticsearchConfig {
  const urls = v['exporters.elasticsearch.url'] as string[];
  const ca = v['exporters.elasticsearch.tls.ca_file'] as string | null;
  const caFile = ca === null ? null : ctx.rel(ca);
  if (caFile !== null) checkReadable('exporters.elasticsearch.tls.ca_file', caFile, (f) => fs.accessSync(f, fs.constants.R_OK));
  return {
    url: urls.length ? urls[0] : null,
    urls,
    caFile,
    insecureSkipVerify: v['exporters.elasticsearch.tls.insecure_skip_verify'] as boolean,
    username: v['exporters.elasticsearch.username'] as string | null,
    password: v['exporters.elasticsearch.password'] as string | null,
    apiKey: v['exporters.elasticsearch.api_key'] as string | null,
    indexPrefix: v['exporters.elasticsearch.index_prefix'] as string,
    retentionDays: v['exporters.elasticsearch.retention_days'] as number,
    bulkMaxBytes: v['exporters.elasticsearch.bulk_max_bytes'] as number,
    flushIntervalMs: v['exporters.elasticsearch.flush_interval_ms'] as number,
    maxInflight: v['exporters.elasticsearch.max_inflight'] as number,
    shards: v['exporters.elasticsearch.shards'] as number,
    replicas: v['exporters.elasticsearch.replicas'] as string,
    ftsRefreshSec: v['exporters.elasticsearch.fts_refresh_seconds'] as number,
    statsOpenHours: v['exporters.elasticsearch.stats_open_hours'] as number,
  };
}

/** Index names and templates Elasticsearch would refuse. */
export function checkElasticsearchConfig(es: ElasticsearchConfig): void {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(es.indexPrefix)) {
    throw new ConfigError(`exporters.elasticsearch.index_prefix: must be lower-case letters, digits, - or _ (got ${JSON.stringify(es.indexPrefix)})`);
  }
  if (!/^(\d+-(\d+|all)|false)$/.test(es.replicas)) {
    throw new ConfigError(`exporters.elasticsearch.replicas: must be an auto_expand_replicas range such as 0-1, 1-1 or 0-all, or false (got ${JSON.stringify(es.replicas)})`);
  }
}
