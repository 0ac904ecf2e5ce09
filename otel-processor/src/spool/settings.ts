/** The spool's settings (rows of the one schema in service/config.ts) and its typed options. */
import * as path from 'node:path';
import type { BuildContext, Setting, SettingValues } from '../config/setting';

export interface SpoolConfig { dir: string; maxBytes: number; segmentBytes: number; memoryBytes: number }

export const SPOOL_SETTINGS: Setting[] = [
  { key: 'spool.dir', kind: 'string', dflt: '', help: 'Spool folder; default: STATE_DIR/spool' },
  { key: 'spool.max_bytes', kind: 'bytes', dflt: 1 << 30, min: 1024, help: 'Above this much unsent data, requests get 503 + Retry-After' },
  { key: 'spool.segment_bytes', kind: 'bytes', dflt: 64 << 20, min: 1024, help: 'Spool segment file size' },
  { key: 'spool.memory_bytes', kind: 'bytes', dflt: 128 << 20, min: 0, help: 'Recent batches kept in memory for the exporters' },
];

export function spoolFromSettings(v: SettingValues, ctx: BuildContext): SpoolConfig {
  return {
    dir: v['spool.dir'] ? ctx.rel(v['spool.dir'] as string) : path.join(ctx.stateDir, 'spool'),
    maxBytes: v['spool.max_bytes'] as number,
    segmentBytes: v['spool.segment_bytes'] as number,
    memoryBytes: v['spool.memory_bytes'] as number,
  };
}
