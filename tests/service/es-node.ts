/**
 * A real Elasticsearch for the service tests: the integ-test zip fetched from Maven Central with
 * `mvn dependency:copy` (cached under .cache/), unzipped, started on a free loopback port with
 * security off, a small heap and single-node discovery, stopped after. Can be stopped and
 * started again on the same port and data (for the "Elasticsearch down mid-run" test).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const ES_VERSION = '8.19.21';
/** The 9.x line the exporter is also tested against (runs on a Temurin 25 JDK, /usr/lib/jvm/temurin-25-*). */
export const ES9_VERSION = '9.2.0';
/** Every version the README names as supported. */
export const SUPPORTED_ES_VERSIONS = [ES_VERSION, ES9_VERSION];
const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = path.join(ROOT, '.cache', 'elasticsearch');

export class EsUnavailable extends Error {}

function which(cmd: string): string | null {
  try {
    return execFileSync('bash', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** Why the tests must skip (Java or Maven missing), or null when they can run. */
export function missingTools(): string | null {
  if (!which('java')) return 'java is not installed';
  if (!which('mvn')) return 'mvn (Maven) is not installed';
  return null;
}

/** The JDK for a version: Elasticsearch 9 needs Java 21+, so the Temurin 25 JDK beside the system's 17. */
function javaHome(version: string): string {
  if (Number(version.split('.')[0]) >= 9) {
    const jvm = '/usr/lib/jvm';
    const temurin = fs.existsSync(jvm) ? fs.readdirSync(jvm).filter((d) => /^temurin-(2[1-9]|[3-9]\d)-jdk/.test(d)).sort().pop() : undefined;
    if (!temurin) throw new EsUnavailable(`Elasticsearch ${version} needs a Java 21+ JDK: none found as ${jvm}/temurin-*-jdk* (install temurin-25-jdk)`);
    return path.join(jvm, temurin);
  }
  const java = fs.realpathSync(which('java')!);
  return path.dirname(path.dirname(java));
}

/** Elasticsearch refuses to run as root: then it runs as nobody, from folders nobody owns. */
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const NOBODY = 65534;

/** Downloads (once) and unzips the distribution; returns its home folder. */
export function installElasticsearch(version: string): string {
  const home = asRoot ? path.join(os.tmpdir(), `warden-test-elasticsearch-${version}`) : path.join(CACHE, `elasticsearch-${version}`);
  if (fs.existsSync(path.join(home, 'bin', 'elasticsearch'))) return home;
  fs.mkdirSync(CACHE, { recursive: true });
  const zip = path.join(CACHE, `elasticsearch-${version}.zip`);
  if (!fs.existsSync(zip)) {
    try {
      execFileSync('mvn', ['-B', '-q', 'dependency:copy', `-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:${version}:zip`, `-DoutputDirectory=${CACHE}`], { cwd: CACHE, stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
    } catch (e) {
      const err = e as { stdout?: Buffer; stderr?: Buffer; message: string };
      throw new EsUnavailable(`mvn dependency:copy of Elasticsearch ${version} failed: ${err.message}\n${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`);
    }
  }
  const tmp = `${home}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  if (which('unzip')) execFileSync('unzip', ['-q', zip, '-d', tmp]);
  else {
    execFileSync('python3', ['-m', 'zipfile', '-e', zip, tmp]);
    for (const d of ['bin', 'modules', 'lib']) execFileSync('chmod', ['-R', 'u+x', path.join(tmp, `elasticsearch-${version}`, d)]);
  }
  fs.renameSync(path.join(tmp, `elasticsearch-${version}`), home);
  fs.rmSync(tmp, { recursive: true, force: true });
  if (asRoot) execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, home]);
  return home;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export class EsNode {
  private proc: ChildProcess | null = null;
  private log = '';
  readonly url: string;

  private constructor(readonly home: string, readonly port: number, readonly transportPort: number, readonly dataDir: string, readonly version: string) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async create(version = ES_VERSION): Promise<EsNode> {
    const home = installElasticsearch(version);
    const dataDir = fs.mkdtempSync(path.join(asRoot ? os.tmpdir() : CACHE, 'warden-es-run-'));
    if (asRoot) fs.chownSync(dataDir, NOBODY, NOBODY);
    return new EsNode(home, await freePort(), await freePort(), dataDir, version);
  }

  async start(timeoutMs = 300_000): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env, ES_JAVA_HOME: javaHome(this.version), ES_JAVA_OPTS: '-Xms512m -Xmx512m', ES_TMPDIR: path.join(this.dataDir, 'tmp') };
    fs.mkdirSync(path.join(this.dataDir, 'tmp'), { recursive: true });
    if (asRoot) fs.chownSync(path.join(this.dataDir, 'tmp'), NOBODY, NOBODY);
    if (asRoot) env.HOME = this.dataDir;
    delete env.JAVA_HOME;
    const args = [
      '-E', 'discovery.type=single-node',
      '-E', 'xpack.security.enabled=false',
      '-E', `http.port=${this.port}`,
      '-E', `transport.port=${this.transportPort}`,
      '-E', 'network.host=127.0.0.1',
      '-E', `path.data=${path.join(this.dataDir, 'data')}`,
      '-E', `path.logs=${path.join(this.dataDir, 'logs')}`,
      '-E', 'cluster.routing.allocation.disk.threshold_enabled=false',
      '-E', 'action.destructive_requires_name=false',
    ];
    this.log = '';
    const p = spawn(path.join(this.home, 'bin', 'elasticsearch'), args, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dataDir, ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}) });
    this.proc = p;
    const keep = (b: Buffer) => { this.log = (this.log + b.toString()).slice(-20000); };
    p.stdout!.on('data', keep);
    p.stderr!.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (p.exitCode !== null) throw new EsUnavailable(`Elasticsearch exited with code ${p.exitCode}:\n${this.log}`);
      try {
        const r = await fetch(`${this.url}/_cluster/health?wait_for_status=yellow&timeout=1s`, { signal: AbortSignal.timeout(3000) });
        if (r.ok) return;
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 1000));
    }
    await this.stop();
    throw new EsUnavailable(`Elasticsearch did not answer on ${this.url} within ${timeoutMs / 1000}s:\n${this.log}`);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(t);
    this.proc = null;
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** GET/POST helper returning parsed JSON. */
  async req(method: string, p: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const r = await fetch(`${this.url}${p}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** Refreshes and returns every hit of a search (up to 10000). */
  async search(index: string, query: unknown = { match_all: {} }): Promise<Array<{ _id: string; _index: string; _source: Record<string, unknown> }>> {
    await this.req('POST', `/${index}/_refresh`);
    const r = await this.req('POST', `/${index}/_search?size=10000`, { query });
    if (r.status === 404) return [];
    if (r.status !== 200) throw new Error(`search ${index}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return (r.body.hits as { hits: Array<{ _id: string; _index: string; _source: Record<string, unknown> }> }).hits;
  }
}
