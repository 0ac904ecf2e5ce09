/**
 * Windows registry monitoring through `reg.exe query KEY /s`, whose output is:
 *
 *     <CRLF>
 *     HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Run<CRLF>
 *         SecurityHealth    REG_EXPAND_SZ    %windir%\system32\SecurityHealthSystray.exe<CRLF>
 *         (Default)    REG_SZ    (value not set)<CRLF>
 *     <CRLF>
 *     HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\Sub<CRLF>
 *     <CRLF>
 *     End of search: 2 match(es) found.<CRLF>
 *
 * Key lines start at column 0 with the full hive name; value lines are indented by four spaces
 * and hold the name, the type and the data separated by four spaces (the data is missing for an
 * empty value). REG_DWORD/REG_QWORD print as 0x hex, REG_BINARY as hex digits, REG_MULTI_SZ with
 * `\0` between strings. The "End of search" line appears with /s (localized on non-English
 * systems; any line not of the two forms is ignored). A missing key makes reg.exe exit 1 with
 * "ERROR: The system was unable to find the specified registry key or value." on stderr.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import type { RegistryState } from './baseline';
import type { FimEvent } from './events';
import type { FileState } from './state';

export const REG_TYPES = [
  'REG_SZ', 'REG_EXPAND_SZ', 'REG_MULTI_SZ', 'REG_DWORD', 'REG_QWORD', 'REG_BINARY', 'REG_NONE', 'REG_LINK',
  'REG_DWORD_BIG_ENDIAN', 'REG_RESOURCE_LIST', 'REG_FULL_RESOURCE_DESCRIPTOR', 'REG_RESOURCE_REQUIREMENTS_LIST',
];

export interface RegValue { name: string; type: string; data: string }
export interface RegKey { key: string; values: RegValue[] }

const VALUE_LINE = new RegExp(`^ {4}(.*?) {4}(${REG_TYPES.join('|')})(?: {4}(.*))?$`);
const KEY_LINE = /^HKEY_[A-Z_]+(\\.*)?$/;

/** Parses `reg.exe query ... /s` output (CRLF or LF). */
export function parseRegQuery(text: string): RegKey[] {
  const keys: RegKey[] = [];
  let cur: RegKey | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (KEY_LINE.test(line)) {
      cur = { key: line.replace(/\s+$/, ''), values: [] };
      keys.push(cur);
      continue;
    }
    const m = VALUE_LINE.exec(line);
    if (m && cur) {
      cur.values.push({ name: m[1], type: m[2], data: m[3] ?? '' });
    }
  }
  return keys;
}

export type RegRunner = (key: string) => Promise<string>;

/** Runs `COMMAND... query KEY /s` (reg.exe) and returns its output; a missing key gives ''. */
export function regExeRunner(command: string[]): RegRunner {
  return (key) => new Promise((resolve, reject) => {
    execFile(command[0], [...command.slice(1), 'query', key, '/s'], { maxBuffer: 256 << 20, windowsHide: true, encoding: 'latin1' }, (err, stdout, stderr) => {
      if (err) {
        if (/unable to find/i.test(String(stderr))) { resolve(''); return; }
        reject(new Error(`${command.join(' ')} query ${key}: ${String(stderr).trim() || err.message}`));
        return;
      }
      resolve(String(stdout));
    });
  });
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const entryId = (key: string, value?: string) => (value === undefined ? key : `${key}\u0000${value}`);

/** Registry state for monitored keys: one entry per key (hash of its value list) and per value. */
export function registryStates(keys: RegKey[], recursiveRoots: ReadonlyArray<{ key: string; recursive: boolean }>, ignored: (key: string) => boolean): Map<string, RegistryState> {
  const out = new Map<string, RegistryState>();
  for (const k of keys) {
    const root = recursiveRoots.find((r) => k.key.toLowerCase() === r.key.toLowerCase() || k.key.toLowerCase().startsWith(`${r.key.toLowerCase()}\\`));
    if (!root) continue;
    if (!root.recursive && k.key.toLowerCase() !== root.key.toLowerCase()) continue;
    if (ignored(k.key)) continue;
    const listing = k.values.map((v) => `${v.name}\t${v.type}\t${v.data}`).sort().join('\n');
    out.set(entryId(k.key), { key: k.key, type: 'key', sha256: sha(listing), data: `${k.values.length} values` });
    for (const v of k.values) {
      out.set(entryId(k.key, v.name), { key: k.key, valueName: v.name, type: v.type, sha256: sha(`${v.type}\t${v.data}`), data: v.data.slice(0, 1024) });
    }
  }
  return out;
}

function asFileState(r: RegistryState): FileState {
  return { size: Buffer.byteLength(r.data), perm: '', uid: 0, gid: 0, uname: '', gname: '', mtime: 0, inode: 0, md5: '', sha1: '', sha256: r.sha256 };
}

/** Compares registry states; changes of a key's value list are reported on the values, not again on the key. */
export function diffRegistry(before: Map<string, RegistryState>, after: Map<string, RegistryState>, now: number): FimEvent[] {
  const events: FimEvent[] = [];
  const mk = (event: FimEvent['event'], b: RegistryState | undefined, a: RegistryState | undefined): FimEvent => {
    const s = (a ?? b)!;
    const ev: FimEvent = {
      event, path: s.key, mode: 'scheduled', type: 'registry',
      before: b ? asFileState(b) : null, after: a ? asFileState(a) : null,
      changed: event === 'modified' ? [...(a!.type !== b!.type ? ['type'] : []), 'sha256'] : [], time: now,
    };
    if (s.valueName !== undefined) {
      ev.valueName = s.valueName;
      ev.valueType = s.type;
      if (event === 'modified') ev.diff = `-${b!.type} ${b!.data}\n+${a!.type} ${a!.data}`;
    }
    return ev;
  };
  for (const [id, a] of after) {
    const b = before.get(id);
    if (!b) events.push(mk('added', undefined, a));
    else if (a.valueName !== undefined && (a.sha256 !== b.sha256 || a.type !== b.type)) events.push(mk('modified', b, a));
  }
  for (const [id, b] of before) if (!after.has(id)) events.push(mk('deleted', b, undefined));
  return events;
}
