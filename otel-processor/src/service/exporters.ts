/**
 * The exporters Warden can run, as a list of factories (the OpenTelemetry Collector's pattern):
 * each says whether the configuration enables it and builds it on its own spool consumer. The
 * service starts every enabled one, in this order.
 */
import type { WardenConfig } from './config';
import type { WardenMetrics } from './metrics';
import type { Spool } from '../spool/spool';
import type { ProcessorHost } from '../processor/host';
import type { Exporter } from '../exporters/exporter';
import { EsClient } from '../exporters/elasticsearch/client';
import { ElasticsearchExporter } from '../exporters/elasticsearch/es-exporter';
import { FileExporter } from '../exporters/file/file-exporter';
import { OtlpExporter } from '../exporters/otlp/otlp-exporter';

/** What a factory may use to build its exporter. */
export interface ExporterHost {
  cfg: WardenConfig;
  spool: Spool;
  processor: ProcessorHost;
  metrics: WardenMetrics;
  /** This Warden's id (replicas write their own stats documents). */
  instance: string;
  /** Agents bound to tokens or certificates: listed before they send anything. */
  registeredAgents: Array<{ id: string; name: string }>;
  log: (message: string) => void;
}

export interface ExporterFactory {
  /** Its spool consumer's name, and the exporter's in logs and metrics. */
  name: string;
  enabled(cfg: WardenConfig): boolean;
  create(host: ExporterHost): Promise<Exporter>;
}

export const EXPORTER_FACTORIES: readonly ExporterFactory[] = [
  {
    name: 'elasticsearch',
    enabled: (cfg) => !!cfg.exporters.elasticsearch.url,
    async create({ cfg, spool, processor, metrics, instance, registeredAgents, log }) {
      const es = cfg.exporters.elasticsearch;
      const client = new EsClient({ urls: es.urls, caFile: es.caFile, insecureSkipVerify: es.insecureSkipVerify, username: es.username, password: es.password, apiKey: es.apiKey });
      const exporter = new ElasticsearchExporter(await spool.consumer('elasticsearch'), {
        client, prefix: es.indexPrefix, instance, retentionDays: es.retentionDays, bulkMaxBytes: es.bulkMaxBytes,
        flushIntervalMs: es.flushIntervalMs, maxInflight: es.maxInflight, shards: es.shards, replicas: es.replicas, ftsRefreshSec: es.ftsRefreshSec, statsOpenHours: es.statsOpenHours,
        stateDir: cfg.stateDir, registeredAgents,
      }, metrics, { merge: (keys) => processor.mergeFts(keys) });
      // first-time-seen keys from Elasticsearch before the first event (bounded wait: if it is down, local keys)
      try {
        const n = await Promise.race([exporter.loadFts(), new Promise<number>((_, rej) => setTimeout(() => rej(new Error('timed out')), 10_000).unref())]);
        log(`warden: ${n} first-time-seen key(s) read from Elasticsearch (${await processor.ftsSize()} known)`);
      } catch (e) {
        log(`warden: could not read first-time-seen keys from Elasticsearch (${(e as Error).message}); using the ${await processor.ftsSize()} kept locally`);
      }
      return exporter;
    },
  },
  {
    name: 'file',
    enabled: (cfg) => cfg.exporters.file.enabled,
    async create({ cfg, spool, instance, registeredAgents }) {
      return new FileExporter(await spool.consumer('file'), { dir: cfg.exporters.file.dir, instance, registeredAgents });
    },
  },
  {
    name: 'otlp',
    enabled: (cfg) => !!cfg.exporters.otlp.endpoint,
    async create({ cfg, spool }) {
      const o = cfg.exporters.otlp;
      return new OtlpExporter(await spool.consumer('otlp'), { endpoint: o.endpoint!, headers: o.headers, timeoutMs: o.timeoutMs });
    },
  },
];
