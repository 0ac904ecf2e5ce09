/** The file exporter's settings (rows of the one schema in service/config.ts) and its typed options. */
import * as path from 'node:path';
import type { BuildContext, Setting, SettingValues } from '../../config/setting';

export interface FileExporterConfig { enabled: boolean; dir: string }

export const FILE_EXPORTER_SETTINGS: Setting[] = [
  { key: 'exporters.file.enabled', kind: 'auto-bool', dflt: 'auto', help: 'Write alerts.json / alerts.log (auto: when no Elasticsearch is configured)' },
  { key: 'exporters.file.dir', kind: 'string', dflt: '', help: 'Folder of alerts.json and alerts.log; default: STATE_DIR/alerts' },
];

/** `enabled: auto` means on when no Elasticsearch is configured. */
export function fileExporterFromSettings(v: SettingValues, ctx: BuildContext, elasticsearchConfigured: boolean): FileExporterConfig {
  const enabled = v['exporters.file.enabled'];
  return {
    enabled: enabled === 'auto' ? !elasticsearchConfigured : (enabled as boolean),
    dir: v['exporters.file.dir'] ? ctx.rel(v['exporters.file.dir'] as string) : path.join(ctx.stateDir, 'alerts'),
  };
}
