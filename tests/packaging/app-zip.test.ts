/**
 * `npm run package:app`: the zip Grafana's plugin installer takes (`grafana cli --pluginUrl
 * <zip> plugins install <id>`): one top-level folder named after the plugin id, holding the
 * built plugin.json (version filled in), module.js and the rest of grafana-app/dist. Read back
 * with Python's zipfile, a reader that is not ours.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

test('npm run package:app makes <id>-<version>.zip with <id>/plugin.json and <id>/module.js', () => {
  const out = execFileSync('npm', ['run', '--silent', 'package:app'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const zip = out.trim().split('\n').pop()!;
  const src = JSON.parse(fs.readFileSync(path.join(ROOT, 'grafana-app', 'src', 'plugin.json'), 'utf8')) as { id: string };
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'grafana-app', 'package.json'), 'utf8')) as { version: string }).version;
  expect(path.basename(zip)).toBe(`${src.id}-${version}.zip`);
  // test the archive (CRCs) and list it, then read plugin.json from it
  const py = `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
if bad: sys.exit('bad member: ' + bad)
names = z.namelist()
print(json.dumps({'names': names, 'plugin': json.loads(z.read('${src.id}/plugin.json'))}))`;
  const listed = JSON.parse(execFileSync('python3', ['-c', py, zip], { encoding: 'utf8' })) as { names: string[]; plugin: { id: string; type: string; info: { version: string } } };
  expect(new Set(listed.names.map((n) => n.split('/')[0]))).toEqual(new Set([src.id]));
  expect(listed.names).toEqual(expect.arrayContaining([`${src.id}/`, `${src.id}/plugin.json`, `${src.id}/module.js`]));
  expect(listed.plugin.id).toBe(src.id);
  expect(listed.plugin.type).toBe('app');
  expect(listed.plugin.info.version).toBe(version);
  // every built file is in the zip
  const built: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name), `${rel}${e.name}/`);
      else built.push(`${src.id}/${rel}${e.name}`);
    }
  };
  walk(path.join(ROOT, 'grafana-app', 'dist'), '');
  expect(listed.names.filter((n) => !n.endsWith('/')).sort()).toEqual(built.sort());
});
