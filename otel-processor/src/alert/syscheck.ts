/**
 * File-integrity records from `warden fim` (`warden.event.kind=syscheck`, shape in
 * otel-processor/src/fim/README.md) in the forms docs/elasticsearch-documents.md gives them:
 * the alert document's `syscheck` object and the `warden-syscheck` latest-state document.
 *
 * Used by the alert document builder (./documents.ts) and, through it, the exporters.
 * Input is the alert's `data` (Warden's dynamic fields: the record's attributes, flattened).
 */
import { createHash } from 'node:crypto';

export function isSyscheck(data: Readonly<Record<string, string>>): boolean {
  return data['warden.event.kind'] === 'syscheck' && typeof data['syscheck.path'] === 'string';
}

const NUMERIC = new Set(['size', 'inode']);
const STATE_KEYS = ['size', 'perm', 'uid', 'gid', 'uname', 'gname', 'mtime', 'inode', 'md5', 'sha1', 'sha256'];

function value(k: string, v: string): string | number | null {
  if (NUMERIC.has(k)) {
    if (!/^\d+$/.test(v)) return null; // the template maps these as long: a bad value is dropped, not indexed as text
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : null;
  }
  if (k === 'mtime') return Number.isNaN(Date.parse(v)) ? null : v;
  return v;
}

/**
 * The alert document's `syscheck` object: `path`, `event`, `diff`, and `<attr>_before` /
 * `<attr>_after` for size, perm, uid, gid, uname, gname, mtime, inode, md5, sha1, sha256
 * (size/inode as numbers, mtime as ISO dates), plus `type`, `mode`, `changed_attributes`,
 * `value_name`, `value_type` when present (keywords through the template's syscheck_rest).
 * Null for records that are not syscheck records.
 */
export function syscheckAlertFields(data: Readonly<Record<string, string>>): Record<string, string | number> | null {
  if (!isSyscheck(data)) return null;
  const out: Record<string, string | number> = {};
  for (const [key, v] of Object.entries(data)) {
    if (!key.startsWith('syscheck.')) continue;
    const name = key.slice('syscheck.'.length);
    const m = /^([a-z0-9]+)_(before|after)$/.exec(name);
    if (m && STATE_KEYS.includes(m[1])) {
      const x = value(m[1], v);
      if (x !== null) out[name] = x;
    } else out[name] = v;
  }
  return out;
}

export interface SyscheckStateDoc {
  id: string;
  doc: Record<string, unknown>;
}

/**
 * The `warden-syscheck` document (latest state of the file per agent, id sha1(agent.id, path)):
 * the `_after` values, or for a deletion the last known (`_before`) values with event `deleted`.
 */
export function syscheckStateDoc(agent: { id: string; name: string }, data: Readonly<Record<string, string>>, timestamp: string): SyscheckStateDoc | null {
  if (!isSyscheck(data)) return null;
  const event = data['syscheck.event'] ?? 'modified';
  const side = event === 'deleted' ? 'before' : 'after';
  const doc: Record<string, unknown> = {
    agent: { id: agent.id, name: agent.name },
    path: data['syscheck.path'],
    event,
    '@timestamp': timestamp,
  };
  for (const k of STATE_KEYS) {
    const v = data[`syscheck.${k}_${side}`];
    if (v === undefined) continue;
    const x = value(k, v);
    if (x !== null) doc[k] = x;
  }
  const h = createHash('sha1');
  for (const p of [agent.id, data['syscheck.path']]) { h.update(p); h.update('\u0000'); }
  return { id: h.digest('hex'), doc };
}
