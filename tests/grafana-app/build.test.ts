/** `npm run build` in grafana-app: the plugin Grafana loads, in grafana-app/dist/. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOSTS } from './harness/hosts';

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'grafana-app', 'dist');

beforeAll(() => {
  execFileSync('npm', ['run', 'build', '-w', 'grafana-app'], { cwd: ROOT, stdio: 'pipe', timeout: 300_000 });
}, 300_000);

test('the app type-checks (strict TypeScript, React 18 and @grafana/* types)', () => {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const out = (() => {
    try { return execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'grafana-app')], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 }); } catch (e) { return String((e as { stdout?: string }).stdout ?? e); }
  })();
  expect(out).toBe('');
}, 300_000);

test('plugin.json: an app with its pages, routes and Grafana dependency; version and date filled in', () => {
  const p = JSON.parse(fs.readFileSync(path.join(DIST, 'plugin.json'), 'utf8')) as {
    type: string; id: string; name: string; info: { version: string; updated: string; logos: { small: string; large: string } };
    includes: Array<{ type: string; path: string; addToNav?: boolean; defaultNav?: boolean }>; routes: Array<{ path: string; reqRole: string; url: string }>;
    dependencies: { grafanaDependency: string };
  };
  expect(p.type).toBe('app');
  expect(p.id).toMatch(/^[a-z0-9-]+-app$/);
  expect(p.info.version).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'grafana-app', 'package.json'), 'utf8')).version);
  expect(p.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  for (const logo of Object.values(p.info.logos)) expect(fs.existsSync(path.join(DIST, logo))).toBe(true);
  const pages = p.includes.filter((i) => i.type === 'page' && i.path.startsWith(`/a/${p.id}/`)).map((i) => i.path.split('/').pop());
  expect(pages).toEqual(['overview', 'search', 'stats', 'integrity', 'agents', 'rules']);
  // Grafana's signing needs the <org>-<name>-app form
  expect(p.id).toMatch(/^[a-z0-9]+-[a-z0-9]+-app$/);
  expect(p.includes.filter((i) => i.defaultNav)).toHaveLength(1);
  expect(p.routes.find((r) => r.path === 'logtest')!.reqRole).toBe('Editor');
  expect(p.routes.find((r) => r.path === 'rules')!.url).toBe('{{ .JsonData.serviceUrl }}/api/rules');
  // it promises what the browser tests run: the oldest Grafana release of the hosts and up
  const oldest = HOSTS.map((h) => h.grafana).sort()[0].replace(/\.\d+$/, '.0');
  expect(p.dependencies.grafanaDependency).toBe(`>=${oldest}`);
});

test('module.js is an AMD module that takes React, its JSX runtime, react-router and @grafana/* from Grafana instead of bundling them', () => {
  const js = fs.readFileSync(path.join(DIST, 'module.js'), 'utf8');
  const m = /^(?:\/\*[\s\S]*?\*\/\s*)?define\((\[[^\]]*\])/.exec(js);
  expect(m).not.toBeNull();
  const deps = JSON.parse(m![1]) as string[];
  expect(deps).toEqual(expect.arrayContaining(['react', 'react/jsx-runtime', 'react-router', '@grafana/data', '@grafana/ui', '@grafana/runtime', '@emotion/css', 'rxjs']));
  // no copy of React or its JSX runtime: React 19 removed the internals React 18's runtime reads
  for (const marker of ['__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED', '__CLIENT_INTERNALS_DO_NOT_USE', 'react.production', 'react.element', 'react-jsx-runtime', 'ReactCurrentOwner']) expect([marker, js.includes(marker)]).toEqual([marker, false]);
  expect(js.length).toBeLessThan(200_000);
  const id = (JSON.parse(fs.readFileSync(path.join(DIST, 'plugin.json'), 'utf8')) as { id: string }).id;
  expect(js).toContain(`"${id}"`);
  // no absolute links into Grafana: they would miss a sub-path
  expect(js).not.toMatch(/["'`]\/(a|plugins)\//);
});
