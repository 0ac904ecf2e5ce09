/**
 * Warden's own telemetry through the OpenTelemetry metrics API, exposed in Prometheus text
 * form at /metrics (the Prometheus exporter's handler, served by the service's HTTP server).
 */
import { metrics, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface WardenMetrics {
  eventsReceived: Counter;
  alerts: Counter;
  recordsRejected: Counter;
  requests: Counter;
  bulkLatency: Histogram;
  bulkDocs: Counter;
  /** Failed delivery attempts, by exporter (each is retried). */
  exporterFailures: Counter;
  /** Registers the spool depth / size gauges. */
  observeSpool(read: () => { batches: number; bytes: number }): void;
  /** Registers the exporters' lag and state gauges. */
  observeExporters(read: () => Array<{ name: string; lag: number; ok: boolean }>): void;
  /** Registers the engine's internal error count (events it could not analyse). */
  observeEngineErrors(read: () => number): void;
  /** Registers the correlation memory gauges (events held, bytes, agents with state) and the eviction count. */
  observeCorrelation(read: () => { events: number; bytes: number; agents: number; evictions: number }): void;
  /** Registers the gauges of the service's per-agent and per-key state (agents table, first-time-seen keys, agents and hourly stats held). */
  observeTables(read: () => ServiceTables): void;
  /** Serves /metrics. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  shutdown(): Promise<void>;
}

export interface ServiceTables {
  /** Agents in the disconnect-detection table. */
  agentsTracked: number;
  ftsKeys: number;
  /** First-time-seen keys dropped for engine.fts_max_keys since start. */
  ftsEvictions: number;
  /** Agents and hourly stats entries the Elasticsearch exporter holds (0 without it). */
  aggregateAgents: number;
  aggregateStats: number;
}

export function createMetrics(): WardenMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter], resource: resourceFromAttributes({ 'service.name': 'warden' }) });
  const meter: Meter = provider.getMeter('warden');
  // make the API's global meter provider ours too, so libraries' instruments show up
  metrics.setGlobalMeterProvider(provider);
  return {
    eventsReceived: meter.createCounter('warden_events_received', { description: 'Log records accepted and run through the engine' }),
    alerts: meter.createCounter('warden_alerts', { description: 'Alerts raised, by rule level' }),
    recordsRejected: meter.createCounter('warden_records_rejected', { description: 'Log records refused (partial success, malformed or refused requests), by reason' }),
    requests: meter.createCounter('warden_requests', { description: 'OTLP export requests, by transport and answer' }),
    bulkLatency: meter.createHistogram('warden_elasticsearch_bulk_duration', { description: 'Elasticsearch bulk request latency', unit: 's' }),
    bulkDocs: meter.createCounter('warden_elasticsearch_documents', { description: 'Documents Elasticsearch acknowledged, by kind' }),
    exporterFailures: meter.createCounter('warden_exporter_failures', { description: 'Failed delivery attempts (retried), by exporter' }),
    observeExporters(read) {
      const lag = meter.createObservableGauge('warden_exporter_lag', { description: 'Batches in the spool not yet delivered, by exporter' });
      const up = meter.createObservableGauge('warden_exporter_up', { description: '1 when the exporter delivers, 0 while it is retrying' });
      meter.addBatchObservableCallback((r) => {
        for (const e of read()) {
          r.observe(lag, e.lag, { exporter: e.name });
          r.observe(up, e.ok ? 1 : 0, { exporter: e.name });
        }
      }, [lag, up]);
    },
    observeEngineErrors(read) {
      meter.createObservableCounter('warden_engine_errors', { description: 'Events the engine could not analyse because of an internal error' }).addCallback((r) => r.observe(read()));
    },
    observeCorrelation(read) {
      const events = meter.createObservableGauge('warden_correlation_events', { description: 'Events held in correlation memory, all agents' });
      const bytes = meter.createObservableGauge('warden_correlation_bytes', { description: 'Estimated bytes of correlation memory (engine.memory_budget_mb bounds it)', unit: 'By' });
      const agents = meter.createObservableGauge('warden_correlation_agents', { description: 'Agents holding correlation state' });
      const evictions = meter.createObservableCounter('warden_correlation_evictions', { description: 'Events evicted from correlation memory to stay within engine.memory_budget_mb' });
      meter.addBatchObservableCallback((r) => {
        const s = read();
        r.observe(events, s.events);
        r.observe(bytes, s.bytes);
        r.observe(agents, s.agents);
        r.observe(evictions, s.evictions);
      }, [events, bytes, agents, evictions]);
    },
    observeTables(read) {
      const tracked = meter.createObservableGauge('warden_agents_tracked', { description: 'Agents in the disconnect-detection table (heard from since their last disconnection alert)' });
      const keys = meter.createObservableGauge('warden_fts_keys', { description: 'First-time-seen keys held (engine.fts_max_keys bounds them)' });
      const dropped = meter.createObservableCounter('warden_fts_evictions', { description: 'First-time-seen keys dropped to stay within engine.fts_max_keys' });
      const aggAgents = meter.createObservableGauge('warden_aggregate_agents', { description: 'Agents whose counts the Elasticsearch exporter (else the file exporter) holds in memory' });
      const aggStats = meter.createObservableGauge('warden_aggregate_stats', { description: 'Hourly stats entries (hour and agent) the Elasticsearch exporter (else the file exporter) holds in memory' });
      meter.addBatchObservableCallback((r) => {
        const t = read();
        r.observe(tracked, t.agentsTracked);
        r.observe(keys, t.ftsKeys);
        r.observe(dropped, t.ftsEvictions);
        r.observe(aggAgents, t.aggregateAgents);
        r.observe(aggStats, t.aggregateStats);
      }, [tracked, keys, dropped, aggAgents, aggStats]);
    },
    observeSpool(read) {
      const depth = meter.createObservableGauge('warden_spool_depth', { description: 'Batches in the spool not yet acknowledged by every exporter' });
      const size = meter.createObservableGauge('warden_spool_bytes', { description: 'Bytes of spool segments on disk', unit: 'By' });
      meter.addBatchObservableCallback((r) => {
        const s = read();
        r.observe(depth, s.batches);
        r.observe(size, s.bytes);
      }, [depth, size]);
    },
    handle(req, res) {
      exporter.getMetricsRequestHandler(req, res);
    },
    async shutdown() {
      await provider.shutdown();
      metrics.disable();
    },
  };
}
