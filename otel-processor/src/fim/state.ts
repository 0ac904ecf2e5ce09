/**
 * What FIM records about a file, how it is read from disk, and how two records compare.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { CheckAttr } from './config';

export interface FileState {
  size: number;
  /** Permission bits and file type as octal text, e.g. `100644` (OSSEC's form). */
  perm: string;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Modification time, ms since the epoch. */
  mtime: number;
  inode: number;
  md5: string;
  sha1: string;
  sha256: string;
}

/** Files larger than this are hashed streaming instead of read whole. */
const READ_WHOLE_MAX = 1 << 20;
/**
 * Files up to this size are stat'ed and read with synchronous calls: for small files the
 * thread-pool round trips of the promise API cost more than the read itself. The event loop is
 * blocked for one small read at a time (tens of microseconds).
 */
const SYNC_READ_MAX = 64 << 10;

const EMPTY = { md5: '', sha1: '', sha256: '' };

/** User and group names, read from /etc/passwd and /etc/group (refreshed by `refresh`). */
export class NameCache {
  private users = new Map<number, string>();
  private groups = new Map<number, string>();
  private loadedAt = 0;

  refresh(force = false): void {
    if (!force && Date.now() - this.loadedAt < 60_000) return;
    this.loadedAt = Date.now();
    this.users = readIdFile('/etc/passwd');
    this.groups = readIdFile('/etc/group');
  }
  user(uid: number): string { return this.users.get(uid) ?? ''; }
  group(gid: number): string { return this.groups.get(gid) ?? ''; }
}

function readIdFile(file: string): Map<number, string> {
  const m = new Map<number, string>();
  let text = '';
  try { text = fs.readFileSync(file, 'utf8'); } catch { return m; }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && /^\d+$/.test(f[2]) && !m.has(Number(f[2]))) m.set(Number(f[2]), f[0]);
  }
  return m;
}

export interface Hashes { md5: string; sha1: string; sha256: string }

/** MD5, SHA-1 and SHA-256 of a file in one read. Returns the contents too when they were read whole. */
export async function hashFile(file: string, size: number): Promise<Hashes & { content: Buffer | null }> {
  const md5 = createHash('md5');
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  if (size <= READ_WHOLE_MAX) {
    const buf = size <= SYNC_READ_MAX ? fs.readFileSync(file) : await fs.promises.readFile(file);
    md5.update(buf); sha1.update(buf); sha256.update(buf);
    return { md5: md5.digest('hex'), sha1: sha1.digest('hex'), sha256: sha256.digest('hex'), content: buf };
  }
  await new Promise<void>((resolve, reject) => {
    const s = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    s.on('data', (b) => { md5.update(b); sha1.update(b); sha256.update(b); });
    s.on('error', reject);
    s.on('end', () => resolve());
  });
  return { md5: md5.digest('hex'), sha1: sha1.digest('hex'), sha256: sha256.digest('hex'), content: null };
}

/** The state, null when the path is gone (or not a file), or `unreadable` (exists, cannot be read now). */
export type ReadResult = { state: FileState; content: Buffer | null } | null | 'unreadable';

/**
 * Reads a file's state (null when it is gone or is not a regular file or symlink). Symlinks are
 * not followed: their hashes are of the link text. Hashes are computed only when one of them is checked.
 */
export async function readFileState(file: string, names: NameCache, checks: ReadonlySet<CheckAttr>): Promise<ReadResult> {
  let st: fs.BigIntStats | fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return null;
  }
  if (!st.isFile() && !st.isSymbolicLink()) return null;
  let h: Hashes = EMPTY;
  let content: Buffer | null = null;
  if (checks.has('md5') || checks.has('sha1') || checks.has('sha256')) {
    try {
      if (st.isSymbolicLink()) {
        const target = Buffer.from(await fs.promises.readlink(file));
        h = {
          md5: createHash('md5').update(target).digest('hex'),
          sha1: createHash('sha1').update(target).digest('hex'),
          sha256: createHash('sha256').update(target).digest('hex'),
        };
      } else {
        const r = await hashFile(file, st.size);
        h = r;
        content = r.content;
      }
    } catch (e) {
      // vanished between lstat and read: gone; otherwise (EACCES, EIO, ...) unreadable for now
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : 'unreadable';
    }
  }
  return {
    state: {
      size: st.size,
      perm: (st.mode & 0o177777).toString(8),
      uid: st.uid,
      gid: st.gid,
      uname: names.user(st.uid),
      gname: names.group(st.gid),
      mtime: Math.floor(st.mtimeMs),
      inode: st.ino,
      md5: h.md5,
      sha1: h.sha1,
      sha256: h.sha256,
    },
    content,
  };
}

/** The checked attributes that differ between two states, in a fixed order. */
export function changedAttributes(a: FileState, b: FileState, checks: ReadonlySet<CheckAttr>): string[] {
  const out: string[] = [];
  if (checks.has('size') && a.size !== b.size) out.push('size');
  if (checks.has('perm') && a.perm !== b.perm) out.push('perm');
  if (checks.has('owner') && a.uid !== b.uid) out.push('uid');
  if (checks.has('group') && a.gid !== b.gid) out.push('gid');
  if (checks.has('mtime') && a.mtime !== b.mtime) out.push('mtime');
  if (checks.has('inode') && a.inode !== b.inode) out.push('inode');
  if (checks.has('md5') && a.md5 !== b.md5) out.push('md5');
  if (checks.has('sha1') && a.sha1 !== b.sha1) out.push('sha1');
  if (checks.has('sha256') && a.sha256 !== b.sha256) out.push('sha256');
  return out;
}
