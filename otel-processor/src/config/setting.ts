/**
 * The shape of one setting row. Each component (receiver, processor, spool, each exporter) owns
 * its rows and a builder of its typed options; service/config.ts concatenates the rows into the
 * one schema (environment variable names, README table) and checks every value once.
 */
export class ConfigError extends Error {}

export type SettingKind = 'string' | 'optstring' | 'urls' | 'int' | 'bytes' | 'bool' | 'tokens' | 'certs' | 'headers' | 'auto-bool' | 'optint';

export interface Setting {
  key: string;
  kind: SettingKind;
  dflt: unknown;
  min?: number;
  max?: number;
  oneOf?: string[];
  help: string;
}

/** Checked values by setting key, as the service's loader hands them to a component's builder. */
export type SettingValues = Readonly<Record<string, unknown>>;

/** What a builder needs from the loader: paths resolve against the configuration file's folder. */
export interface BuildContext {
  rel(p: string): string;
  stateDir: string;
}

/** Throws unless `file` is readable, naming the setting. */
export function checkReadable(key: string, file: string, access: (f: string) => void): void {
  try { access(file); } catch (e) { throw new ConfigError(`${key}: cannot read ${file}: ${(e as Error).message}`); }
}
