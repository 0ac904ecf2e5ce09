/**
 * The two Grafana frontends the app is tested in: the packages Grafana 12 and Grafana 13 share
 * with plugins, at the versions those releases ship (12.4: React 18; 13.2: React 19). Each is
 * installed in its own directory under .cache by the test setup (npm install), so neither sees
 * the workspace's own React or @grafana/* copies.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface HostSpec {
  name: 'grafana-12' | 'grafana-13';
  grafana: string;
  react: string;
  dir: string;
  dependencies: Record<string, string>;
}

function spec(name: HostSpec['name'], grafana: string, react: string): HostSpec {
  return {
    name, grafana, react,
    dir: path.join(ROOT, '.cache', `grafana-host-${name.split('-')[1]}`),
    dependencies: {
      '@grafana/data': grafana, '@grafana/ui': grafana, '@grafana/runtime': grafana, '@grafana/schema': grafana,
      react, 'react-dom': react,
      '@emotion/css': '11.13.5', '@emotion/react': '11.14.0', rxjs: '7.8.2', lodash: '4.17.21', moment: '2.30.1',
      // peers of @grafana/runtime that npm leaves to the application
      '@openfeature/web-sdk': '1.10.0', '@openfeature/core': '1.12.0',
      // Grafana loads plugins with SystemJS (and its AMD extra)
      systemjs: '6.15.1',
    },
  };
}

export const HOSTS: HostSpec[] = [spec('grafana-12', '12.4.10', '18.3.1'), spec('grafana-13', '13.2.3', '19.2.9')];

/** Installs the host's packages unless the same set is installed already. */
export function ensureHost(h: HostSpec): void {
  const pkg = JSON.stringify({ name: `warden-${h.name}-host`, private: true, dependencies: h.dependencies }, null, 2);
  const stamp = path.join(h.dir, '.installed');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === pkg) return;
  fs.mkdirSync(h.dir, { recursive: true });
  fs.writeFileSync(path.join(h.dir, 'package.json'), pkg);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', '--legacy-peer-deps'], { cwd: h.dir, stdio: 'pipe', timeout: 1_200_000 });
  fs.writeFileSync(stamp, pkg);
}

/** The version of a package as installed in the host. */
export function hostVersion(h: HostSpec, name: string): string {
  return (JSON.parse(fs.readFileSync(path.join(h.dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}
