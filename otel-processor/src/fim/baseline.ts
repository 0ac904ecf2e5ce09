/**
 * The local baseline: the last seen state of every monitored file and registry entry, in
 * STATE_DIR/baseline.json (written to a temporary file, fsynced, renamed), and the last seen
 * contents of small text files under report_changes in STATE_DIR/content/ (for diffs).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileState } from './state';

export interface RegistryState {
  key: string;
  /** Absent for the key itself. */
  valueName?: string;
  type: string;
  /** SHA-256 of the value's data text (of the value list, for a key). */
  sha256: string;
  /** The data as reg.exe printed it (truncated to 1 KiB), for before/after in alerts. */
  data: string;
}

interface BaselineFile {
  version: 1;
  files: Record<string, FileState>;
  registry: Record<string, RegistryState>;
}

export class BaselineError extends Error {}

export class Baseline {
  files = new Map<string, FileState>();
  registry = new Map<string, RegistryState>();
  /** True once a file scan completed and was saved (so the next scans alert). */
  established = false;
  registryEstablished = false;
  private readonly file: string;
  private readonly contentDir: string;

  constructor(readonly stateDir: string) {
    this.file = path.join(stateDir, 'baseline.json');
    this.contentDir = path.join(stateDir, 'content');
  }

  /** Loads the baseline if there is one. A damaged file is an error naming it (never silently reset). */
  load(): void {
    fs.mkdirSync(this.stateDir, { recursive: true });
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new BaselineError(`cannot read ${this.file}: ${(e as Error).message}`);
    }
    let doc: BaselineFile & { established?: boolean; registry_established?: boolean };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch (e) {
      throw new BaselineError(`${this.file} is damaged (${(e as Error).message}); move it away to start a new baseline`);
    }
    if (!doc || doc.version !== 1 || typeof doc.files !== 'object') throw new BaselineError(`${this.file}: not a baseline of this version; move it away to start a new baseline`);
    this.files = new Map(Object.entries(doc.files));
    this.registry = new Map(Object.entries(doc.registry ?? {}));
    this.established = doc.established !== false;
    this.registryEstablished = doc.registry_established === true;
  }

  save(): void {
    const doc = {
      version: 1,
      established: this.established,
      registry_established: this.registryEstablished,
      files: Object.fromEntries(this.files),
      registry: Object.fromEntries(this.registry),
    };
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, JSON.stringify(doc));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
  }

  private contentPath(p: string): string {
    return path.join(this.contentDir, createHash('sha1').update(p).digest('hex'));
  }

  /** The last kept contents of a file (report_changes), or null. */
  content(p: string): Buffer | null {
    try {
      return fs.readFileSync(this.contentPath(p));
    } catch {
      return null;
    }
  }

  keepContent(p: string, data: Buffer | null): void {
    const f = this.contentPath(p);
    if (data === null) {
      fs.rmSync(f, { force: true });
      return;
    }
    fs.mkdirSync(this.contentDir, { recursive: true });
    fs.writeFileSync(`${f}.tmp`, data);
    fs.renameSync(`${f}.tmp`, f);
  }
}
