/**
 * The one settings schema is the components' own rows joined: every key belongs to exactly one
 * component, each component's rows carry its prefix, and its builder gives its typed defaults.
 */
import * as path from 'node:path';
import { SETTINGS } from '../../otel-processor/src/service/config';
import { RECEIVER_SETTINGS, receiverFromSettings } from '../../otel-processor/src/receiver/otlp/settings';
import { SPOOL_SETTINGS, spoolFromSettings } from '../../otel-processor/src/spool/settings';
import { PROCESSOR_SETTINGS, processorFromSettings } from '../../otel-processor/src/processor/settings';
import { FILE_EXPORTER_SETTINGS, fileExporterFromSettings } from '../../otel-processor/src/exporters/file/settings';
import { ELASTICSEARCH_SETTINGS, elasticsearchFromSettings } from '../../otel-processor/src/exporters/elasticsearch/settings';
import { OTLP_EXPORTER_SETTINGS, otlpExporterFromSettings } from '../../otel-processor/src/exporters/otlp/settings';
import type { Setting } from '../../otel-processor/src/config/setting';

const COMPONENTS: Array<[string, Setting[], RegExp]> = [
  ['receiver', RECEIVER_SETTINGS, /^receiver\./],
  ['spool', SPOOL_SETTINGS, /^spool\./],
  ['processor', PROCESSOR_SETTINGS, /^(engine\.|ruleset_dialect$|log_alert_level$|correlation_scope$|resolve_crawlers$)/],
  ['file exporter', FILE_EXPORTER_SETTINGS, /^exporters\.file\./],
  ['elasticsearch exporter', ELASTICSEARCH_SETTINGS, /^exporters\.elasticsearch\./],
  ['otlp exporter', OTLP_EXPORTER_SETTINGS, /^exporters\.otlp\./],
];

test('every key is listed once, and each component row is in the schema', () => {
  const keys = SETTINGS.map((s) => s.key);
  expect(new Set(keys).size).toBe(keys.length);
  for (const [, rows] of COMPONENTS) for (const row of rows) expect(SETTINGS).toContain(row);
});

test.each(COMPONENTS)('%s owns every key under its prefix', (_name, rows, prefix) => {
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) expect(row.key).toMatch(prefix);
  expect(SETTINGS.filter((s) => prefix.test(s.key)).map((s) => s.key)).toEqual(rows.map((s) => s.key));
});

test('builders turn the defaults into typed options', () => {
  const defaults = Object.fromEntries(SETTINGS.map((s) => [s.key, s.dflt]));
  const ctx = { rel: (p: string) => path.resolve('/etc/warden', p), stateDir: '/var/lib/warden' };
  expect(spoolFromSettings(defaults, ctx)).toEqual({ dir: '/var/lib/warden/spool', maxBytes: 1 << 30, segmentBytes: 64 << 20, memoryBytes: 128 << 20 });
  expect(fileExporterFromSettings(defaults, ctx, false)).toEqual({ enabled: true, dir: '/var/lib/warden/alerts' });
  expect(fileExporterFromSettings(defaults, ctx, true).enabled).toBe(false);
  expect(elasticsearchFromSettings(defaults, ctx)).toMatchObject({ url: null, urls: [], indexPrefix: 'warden', replicas: '0-1', statsOpenHours: 2 });
  expect(otlpExporterFromSettings(defaults)).toEqual({ endpoint: null, headers: {}, timeoutMs: 10000 });
  expect(processorFromSettings(defaults)).toEqual({ rulesetDialect: undefined, logAlertLevel: null, correlationScope: 'agent', engine: { clock: 'event', memoryBudgetMb: 256, ftsMaxKeys: 1000000 }, resolveCrawlers: true });
  const receiver = receiverFromSettings(defaults, ctx);
  expect(receiver.http).toEqual({ enabled: true, host: '0.0.0.0', port: 4318, maxRequestBytes: 16 << 20 });
  expect(receiver.auth).toEqual({ tokens: [], required: false, clientCerts: [] });
});

test('a component builder names the setting in its errors', () => {
  const defaults = Object.fromEntries(SETTINGS.map((s) => [s.key, s.dflt]));
  expect(() => otlpExporterFromSettings({ ...defaults, 'exporters.otlp.endpoint': 'not a url' })).toThrow(/^exporters\.otlp\.endpoint: must be a URL/);
  const ctx = { rel: (p: string) => p, stateDir: '/tmp' };
  expect(() => receiverFromSettings({ ...defaults, 'receiver.tls.cert_file': '/x.pem' }, ctx)).toThrow('receiver.tls.cert_file and receiver.tls.key_file: set both or neither');
});
