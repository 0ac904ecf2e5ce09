/** `npm run build` in grafana-app: the plugin Grafana loads, in grafana-app/dist/. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

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
  expect(pages).toEqual(['overview', 'search', 'stats', 'agents', 'rules']);
  expect(p.includes.filter((i) => i.defaultNav)).toHaveLength(1);
  expect(p.routes.find((r) => r.path === 'logtest')!.reqRole).toBe('Editor');
  expect(p.routes.find((r) => r.path === 'rules')!.url).toBe('{{ .JsonData.serviceUrl }}/api/rules');
  expect(p.dependencies.grafanaDependency).toMatch(/^>=\d+\.\d+\.\d+$/);
});

test('module.js is an AMD module that takes React and @grafana/* from Grafana instead of bundling them', () => {
  const js = fs.readFileSync(path.join(DIST, 'module.js'), 'utf8');
  const m = /^(?:\/\*[\s\S]*?\*\/\s*)?define\((\[[^\]]*\])/.exec(js);
  expect(m).not.toBeNull();
  const deps = JSON.parse(m![1]) as string[];
  expect(deps).toEqual(expect.arrayContaining(['react', '@grafana/data', '@grafana/ui', '@grafana/runtime', '@emotion/css', 'rxjs']));
  // React itself is not in the bundle
  expect(js).not.toContain('react.production.min.js');
  expect(js.length).toBeLessThan(400_000);
  expect(js).toContain('warden-app');
});
