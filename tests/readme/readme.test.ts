/**
 * The README as a user follows it: every collector configuration in it loads in the collector
 * this project builds (its own `validate` command), every Warden configuration passes Warden's
 * configuration loader, every setting is in the reference table, the engine commands of the
 * quick start run as written, and the files it links to exist.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadConfig, ConfigError, SETTINGS } from '../../otel-processor/src/service/config';
import { tmpDir } from '../service/helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = (lang: string) => [...README.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]);

const yamlBlocks = blocks('yaml').map((text) => ({ text, doc: parse(text) as Record<string, unknown> }));
const isCollector = (doc: Record<string, unknown>) => 'service' in doc && ('receivers' in doc || 'exporters' in doc);
const collectorConfigs = yamlBlocks.filter((b) => isCollector(b.doc));
const wardenConfigs = yamlBlocks.filter((b) => !isCollector(b.doc));

test('the README has collector and Warden configuration examples', () => {
  expect(collectorConfigs.length).toBeGreaterThanOrEqual(2);
  expect(wardenConfigs.length).toBeGreaterThanOrEqual(2);
});

describe('collector configurations in the README', () => {
  let collector: string;
  beforeAll(() => {
    // builds once (about 10 minutes on 2 cores), then cached under .cache/otelcol
    collector = execFileSync(path.join(ROOT, 'scripts', 'build-collector.sh'), { encoding: 'utf8', timeout: 1_800_000, stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  }, 1_800_000);

  test.each(collectorConfigs.map((b, i) => [i + 1, b.text] as const))('example %i passes `warden-otelcol validate`', (_i, text) => {
    const file = path.join(tmpDir('readme-otelcol'), 'config.yaml');
    fs.writeFileSync(file, text);
    const r = spawnSync(collector, ['validate', `--config=${file}`], { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '' } });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  test('validate refuses a component the build does not have (the check can fail)', () => {
    const file = path.join(tmpDir('readme-otelcol'), 'config.yaml');
    fs.writeFileSync(file, 'receivers: { filelog: { include: [/x] } }\nprocessors: { resourcedetection: { detectors: [system] } }\nexporters: { debug: {} }\nservice: { pipelines: { logs: { receivers: [filelog], processors: [resourcedetection], exporters: [debug] } } }\n');
    const r = spawnSync(collector, ['validate', `--config=${file}`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('resourcedetection');
  });
});

describe('Warden configurations in the README', () => {
  test.each(wardenConfigs.map((b, i) => [i + 1, b.text] as const))('example %i: every key known, every value of its type', (_i, text) => {
    const file = path.join(tmpDir('readme-warden'), 'warden.yaml');
    fs.writeFileSync(file, text);
    try {
      loadConfig(file, {});
    } catch (e) {
      // files the example names (certificates, CAs) are the reader's; only their absence may fail here
      expect(e).toBeInstanceOf(ConfigError);
      const m = /: cannot read (\S+): ENOENT/.exec((e as Error).message);
      expect([m !== null, m && text.includes(m[1])]).toEqual([true, true]);
    }
  });

  test('the configuration reference lists every setting with its environment variable', () => {
    for (const s of SETTINGS) {
      const env = `WARDEN_${s.key.toUpperCase().replace(/\./g, '_')}`;
      expect([s.key, README.includes(`| \`${s.key}\` | \`${env}\` |`)]).toEqual([s.key, true]);
    }
  });
});

test('the quick start\'s engine commands run as written', () => {
  const quick = blocks('sh').find((b) => b.includes('npx warden analyze'))!;
  // one command per line; `\` continues a line
  const commands = quick.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l.includes('npx warden'));
  expect(commands.length).toBeGreaterThanOrEqual(3);
  for (const c of commands) {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', c], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect([c, r.status]).toEqual([c, 0]);
    expect([c, r.stdout.length > 0]).toEqual([c, true]);
  }
});

test('the files the README links to exist', () => {
  const links = [...README.matchAll(/\]\(((?!https?:|#)[^)\s]+)\)/g)].map((m) => m[1]);
  expect(links).toContain('otel-processor/src/fim/README.md');
  for (const l of links) expect([l, fs.existsSync(path.join(ROOT, l))]).toEqual([l, true]);
});
