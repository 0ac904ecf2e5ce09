/**
 * `fim.yaml`: what `warden fim` watches and where it sends. Every key is checked; errors name
 * the key, e.g. `directories[0].path: must be a non-empty string`. Unknown keys are errors.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

export type CheckAttr = 'size' | 'perm' | 'owner' | 'group' | 'mtime' | 'inode' | 'md5' | 'sha1' | 'sha256';
export const ALL_CHECKS: readonly CheckAttr[] = ['size', 'perm', 'owner', 'group', 'mtime', 'inode', 'md5', 'sha1', 'sha256'];

export interface DirectoryConfig {
  /** Absolute path of the directory (or a single file). */
  path: string;
  recursive: boolean;
  /** Watch with fs.watch as well as scanning on the schedule. */
  realtime: boolean;
  /** Attach a text diff to modifications of small text files. */
  reportChanges: boolean;
  /** Attributes compared; a change in another one raises nothing. */
  checks: ReadonlySet<CheckAttr>;
}

export interface RegistryKeyConfig {
  /** Full key, hive spelled out (`HKEY_LOCAL_MACHINE\Software\...`). */
  key: string;
  recursive: boolean;
}

export interface FimConfig {
  /** Warden's OTLP/HTTP base URL (records go to `${endpoint}/v1/logs`). */
  endpoint: string;
  encoding: 'json' | 'protobuf';
  headers: Record<string, string>;
  timeoutMs: number;
  stateDir: string;
  hostName: string;
  agentId: string | null;
  frequencySec: number;
  scanOnStart: boolean;
  maxFilesPerSecond: number;
  diffMaxBytes: number;
  directories: DirectoryConfig[];
  ignore: string[];
  ignoreRegex: RegExp[];
  registry: RegistryKeyConfig[];
  registryIgnore: string[];
  registryIgnoreRegex: RegExp[];
  /** Command that prints `reg.exe query KEY /s` output; default `reg.exe` on Windows, none elsewhere. */
  regCommand: string[] | null;
  /** How long realtime changes are gathered before they are checked. */
  realtimeDelayMs: number;
}

export class FimConfigError extends Error {}

/** Defaults, also listed in the README. */
export const FIM_DEFAULTS = {
  endpoint: 'http://127.0.0.1:4318',
  encoding: 'json' as const,
  timeoutMs: 10_000,
  stateDir: 'var/fim',
  frequencySec: 43_200,
  scanOnStart: true,
  maxFilesPerSecond: 1000,
  diffMaxBytes: 65_536,
  realtimeDelayMs: 200,
};

const HIVES: Record<string, string> = {
  HKLM: 'HKEY_LOCAL_MACHINE', HKCU: 'HKEY_CURRENT_USER', HKCR: 'HKEY_CLASSES_ROOT', HKU: 'HKEY_USERS', HKCC: 'HKEY_CURRENT_CONFIG',
};

/** `HKLM\Software` → `HKEY_LOCAL_MACHINE\Software`; slashes become backslashes, trailing ones go. */
export function normalizeRegistryKey(key: string): string {
  let k = key.trim().replace(/\//g, '\\').replace(/\\+$/, '');
  const i = k.indexOf('\\');
  const hive = (i < 0 ? k : k.slice(0, i)).toUpperCase();
  if (HIVES[hive]) k = HIVES[hive] + (i < 0 ? '' : k.slice(i));
  else if (/^HKEY_/i.test(hive)) k = hive + (i < 0 ? '' : k.slice(i));
  return k;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKeys(o: Obj, allowed: string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new FimConfigError(`${where}${where ? '.' : ''}${k}: unknown key (known: ${allowed.join(', ')})`);
}
function str(v: unknown, key: string, dflt?: string): string {
  if (v === undefined || v === null) {
    if (dflt !== undefined) return dflt;
    throw new FimConfigError(`${key}: required`);
  }
  if (typeof v !== 'string' || v.trim() === '') throw new FimConfigError(`${key}: must be a non-empty string (got ${JSON.stringify(v)})`);
  return v;
}
function bool(v: unknown, key: string, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  if (v === 'yes' || v === 'true') return true;
  if (v === 'no' || v === 'false') return false;
  throw new FimConfigError(`${key}: must be true or false (got ${JSON.stringify(v)})`);
}
function num(v: unknown, key: string, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined || v === null) return dflt;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) throw new FimConfigError(`${key}: must be a number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return n;
}
function list(v: unknown, key: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FimConfigError(`${key}: must be a list`);
  return v;
}
function regexes(v: unknown, key: string): RegExp[] {
  return list(v, key).map((r, i) => {
    const s = str(r, `${key}[${i}]`);
    try {
      return new RegExp(s);
    } catch (e) {
      throw new FimConfigError(`${key}[${i}]: invalid regular expression ${JSON.stringify(s)}: ${(e as Error).message}`);
    }
  });
}

function checks(v: unknown, key: string): Set<CheckAttr> {
  if (v === undefined || v === null || v === 'all') return new Set(ALL_CHECKS);
  const out = new Set<CheckAttr>();
  list(v, key).forEach((c, i) => {
    const s = str(c, `${key}[${i}]`);
    if (s === 'all') { for (const a of ALL_CHECKS) out.add(a); return; }
    if (!(ALL_CHECKS as readonly string[]).includes(s)) throw new FimConfigError(`${key}[${i}]: unknown check ${JSON.stringify(s)} (known: all, ${ALL_CHECKS.join(', ')})`);
    out.add(s as CheckAttr);
  });
  if (out.size === 0) throw new FimConfigError(`${key}: must name at least one attribute`);
  return out;
}

/** Builds the configuration from a parsed YAML document. Relative paths resolve against `baseDir`. */
export function fimConfigFrom(doc: unknown, baseDir: string): FimConfig {
  if (doc === undefined || doc === null) doc = {};
  if (!isObj(doc)) throw new FimConfigError('the configuration must be a mapping');
  checkKeys(doc, ['endpoint', 'encoding', 'headers', 'timeout_ms', 'state_dir', 'host_name', 'agent_id', 'frequency_seconds', 'scan_on_start', 'max_files_per_second', 'diff_max_bytes', 'realtime_delay_ms', 'directories', 'ignore', 'ignore_regex', 'windows_registry', 'registry_ignore', 'registry_ignore_regex', 'reg_command'], '');
  const endpoint = str(doc.endpoint, 'endpoint', FIM_DEFAULTS.endpoint).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(endpoint)) throw new FimConfigError(`endpoint: must be an http:// or https:// URL (got ${JSON.stringify(endpoint)})`);
  const encoding = str(doc.encoding, 'encoding', FIM_DEFAULTS.encoding);
  if (encoding !== 'json' && encoding !== 'protobuf') throw new FimConfigError(`encoding: must be json or protobuf (got ${JSON.stringify(encoding)})`);
  const headers: Record<string, string> = {};
  if (doc.headers !== undefined && doc.headers !== null) {
    if (!isObj(doc.headers)) throw new FimConfigError('headers: must be a mapping of header name to value');
    for (const [k, v] of Object.entries(doc.headers)) headers[k] = str(v, `headers.${k}`);
  }
  const abs = (p: string) => (path.isAbsolute(p) ? path.normalize(p) : path.resolve(baseDir, p));
  const dirs = list(doc.directories, 'directories').map((d, i): DirectoryConfig => {
    const key = `directories[${i}]`;
    const o: Obj = typeof d === 'string' ? { path: d } : isObj(d) ? d : {};
    if (!isObj(d) && typeof d !== 'string') throw new FimConfigError(`${key}: must be a path or a mapping with path`);
    checkKeys(o, ['path', 'recursive', 'realtime', 'report_changes', 'check'], key);
    const p = abs(str(o.path, `${key}.path`));
    return {
      path: p.length > 1 ? p.replace(/[\\/]+$/, '') : p,
      recursive: bool(o.recursive, `${key}.recursive`, true),
      realtime: bool(o.realtime, `${key}.realtime`, false),
      reportChanges: bool(o.report_changes, `${key}.report_changes`, false),
      checks: checks(o.check, `${key}.check`),
    };
  });
  const registry = list(doc.windows_registry, 'windows_registry').map((r, i): RegistryKeyConfig => {
    const key = `windows_registry[${i}]`;
    const o: Obj = typeof r === 'string' ? { key: r } : isObj(r) ? r : {};
    if (!isObj(r) && typeof r !== 'string') throw new FimConfigError(`${key}: must be a key or a mapping with key`);
    checkKeys(o, ['key', 'recursive'], key);
    const k = normalizeRegistryKey(str(o.key, `${key}.key`));
    if (!/^HKEY_[A-Z_]+(\\|$)/.test(k)) throw new FimConfigError(`${key}.key: must start with a hive (HKEY_LOCAL_MACHINE or HKLM, ...) (got ${JSON.stringify(o.key)})`);
    return { key: k, recursive: bool(o.recursive, `${key}.recursive`, true) };
  });
  let regCommand: string[] | null = process.platform === 'win32' ? ['reg.exe'] : null;
  if (doc.reg_command !== undefined && doc.reg_command !== null) {
    const rc = Array.isArray(doc.reg_command) ? doc.reg_command.map((x, i) => str(x, `reg_command[${i}]`)) : [str(doc.reg_command, 'reg_command')];
    if (rc.length === 0) throw new FimConfigError('reg_command: must name a program');
    regCommand = rc;
  }
  const agentId = doc.agent_id === undefined || doc.agent_id === null ? null : str(doc.agent_id, 'agent_id');
  return {
    endpoint,
    encoding,
    headers,
    timeoutMs: num(doc.timeout_ms, 'timeout_ms', FIM_DEFAULTS.timeoutMs, 100),
    stateDir: abs(str(doc.state_dir, 'state_dir', FIM_DEFAULTS.stateDir)),
    hostName: str(doc.host_name, 'host_name', os.hostname()),
    agentId,
    frequencySec: num(doc.frequency_seconds, 'frequency_seconds', FIM_DEFAULTS.frequencySec, 1),
    scanOnStart: bool(doc.scan_on_start, 'scan_on_start', FIM_DEFAULTS.scanOnStart),
    maxFilesPerSecond: num(doc.max_files_per_second, 'max_files_per_second', FIM_DEFAULTS.maxFilesPerSecond, 0),
    diffMaxBytes: num(doc.diff_max_bytes, 'diff_max_bytes', FIM_DEFAULTS.diffMaxBytes, 0, 16 << 20),
    realtimeDelayMs: num(doc.realtime_delay_ms, 'realtime_delay_ms', FIM_DEFAULTS.realtimeDelayMs, 0, 60_000),
    directories: dirs,
    ignore: list(doc.ignore, 'ignore').map((p, i) => abs(str(p, `ignore[${i}]`))),
    ignoreRegex: regexes(doc.ignore_regex, 'ignore_regex'),
    registry,
    registryIgnore: list(doc.registry_ignore, 'registry_ignore').map((k, i) => normalizeRegistryKey(str(k, `registry_ignore[${i}]`))),
    registryIgnoreRegex: regexes(doc.registry_ignore_regex, 'registry_ignore_regex'),
    regCommand,
  };
}

/** Reads and checks a fim.yaml file. */
export function loadFimConfig(file: string): FimConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new FimConfigError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new FimConfigError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  const cfg = fimConfigFrom(doc, path.dirname(path.resolve(file)));
  if (cfg.directories.length === 0 && cfg.registry.length === 0) throw new FimConfigError(`${file}: nothing to monitor (no directories and no windows_registry)`);
  return cfg;
}
