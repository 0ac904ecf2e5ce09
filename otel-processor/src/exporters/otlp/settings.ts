/** The OTLP exporter's settings (rows of the one schema in service/config.ts) and its typed options. */
import { ConfigError, type Setting, type SettingValues } from '../../config/setting';
import type { OtlpExporterOptions } from './otlp-exporter';

/** `endpoint` null: no OTLP exporter. */
export type OtlpExporterConfig = Omit<OtlpExporterOptions, 'endpoint'> & { endpoint: string | null };

export const OTLP_EXPORTER_SETTINGS: Setting[] = [
  { key: 'exporters.otlp.endpoint', kind: 'optstring', dflt: null, help: 'Also send alerts as OTLP/HTTP JSON log records to this base URL (…/v1/logs)' },
  { key: 'exporters.otlp.headers', kind: 'headers', dflt: {}, help: 'Headers for the OTLP exporter; env form `Name=value,...`' },
  { key: 'exporters.otlp.timeout_ms', kind: 'int', dflt: 10000, min: 100, help: 'OTLP export request timeout' },
];

export function otlpExporterFromSettings(v: SettingValues): OtlpExporterConfig {
  const endpoint = v['exporters.otlp.endpoint'] as string | null;
  if (endpoint !== null) {
    try { new URL(endpoint); } catch { throw new ConfigError(`exporters.otlp.endpoint: must be a URL (got ${JSON.stringify(endpoint)})`); }
  }
  return { endpoint, headers: v['exporters.otlp.headers'] as Record<string, string>, timeoutMs: v['exporters.otlp.timeout_ms'] as number };
}
