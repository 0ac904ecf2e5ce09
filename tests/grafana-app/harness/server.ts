/**
 * The browser harness' server, standing in for Grafana's server behind a sub-path (`subPath`):
 * serves the host page (host.tsx, one Grafana release's frontend packages), the built plugin under
 * `public/plugins/<id>/` as Grafana does, and answers the Grafana API calls the app makes:
 * - `/api/datasources/uid/<uid>/resources/_msearch` → forwarded as-is to the real Elasticsearch
 *   (what Grafana's Elasticsearch data source does with resource calls);
 * - `/api/ds/query` → each query model translated by es-model.ts and run against Elasticsearch;
 * - `/api/plugins/<id>/settings` → the app's settings (kept in memory; secure fields are
 *   reported as set, never returned);
 * - `/api/plugin-proxy/<id>/{rules,logtest}` → the plugin routes: they need the service URL
 *   configured (else 502, as Grafana's proxy fails), logtest needs the Editor role (else 403), and
 *   the answer comes from Warden's real engine on the project's ruleset, in the contract the app
 *   expects from the service's `GET /api/rules` and `POST /api/logtest`.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { runModel, type EsModel } from './es-model';
import { openRuleset } from '../../../otel-processor/src/cli/session';
import { listRules, logtestLine, type LogtestAnswer } from '../../../otel-processor/src/processor/logtest';
import type { LoadedRuleset } from '../../../otel-processor/src/loader/ruleset-loader';

export interface HarnessDs { uid: string; name: string; index: string }

export interface HarnessOptions {
  esUrl: string;
  /** The host page's bundle (build.ts) and the host's install directory (systemjs, icons). */
  bundleDir: string;
  hostDir: string;
  /** The built plugin (grafana-app/dist), served where Grafana serves plugins. */
  pluginDir: string;
  pluginId: string;
  /** Grafana's sub-path (root_url's path), e.g. /grafana. */
  subPath: string;
  rulesDir: string;
  datasources: HarnessDs[];
  settings: Record<string, unknown>;
  role: 'Viewer' | 'Editor' | 'Admin';
}

export class HarnessServer {
  private server: http.Server | null = null;
  private loaded: LoadedRuleset;
  url = '';
  /** Every API call made, for assertions on what the app asked Grafana for. */
  readonly calls: Array<{ method: string; url: string; body: string }> = [];
  /** Every path requested (under the sub-path). */
  readonly requests: string[] = [];
  settings: { enabled: boolean; pinned: boolean; jsonData: Record<string, unknown>; secureJsonFields: Record<string, boolean> };
  private secure: Record<string, string> = {};

  constructor(readonly o: HarnessOptions) {
    this.loaded = openRuleset(o.rulesDir);
    this.settings = { enabled: true, pinned: true, jsonData: { ...o.settings }, secureJsonFields: {} };
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, Buffer.concat(chunks).toString('utf8'), res).catch((e: Error) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: e.message }));
        });
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private async handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const sub = this.o.subPath;
    if (u.pathname !== sub && !u.pathname.startsWith(`${sub}/`)) { res.writeHead(302, { location: `${sub}/` }).end(); return; }
    // Grafana behind a sub-path: everything lives under it
    const p = u.pathname.slice(sub.length) || '/';
    const method = req.method ?? 'GET';
    this.requests.push(p);
    if (p.startsWith('/api/')) this.calls.push({ method, url: p + u.search, body });

    const serve = (dir: string, rel: string) => {
      const file = path.join(dir, path.normalize(rel).replace(/^(\.\.[/\\])+/, ''));
      if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404).end(); return; }
      const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.json') ? 'application/json' : file.endsWith('.css') ? 'text/css' : file.endsWith('.svg') ? 'image/svg+xml' : file.endsWith('.woff2') ? 'font/woff2' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
    };
    if (p.startsWith('/host/systemjs/')) { serve(path.join(this.o.hostDir, 'node_modules', 'systemjs', 'dist'), p.slice('/host/systemjs/'.length)); return; }
    if (p.startsWith('/host/')) { serve(this.o.bundleDir, p.slice('/host/'.length)); return; }
    const pluginBase = `/public/plugins/${this.o.pluginId}/`;
    if (p.startsWith(pluginBase)) { serve(this.o.pluginDir, p.slice(pluginBase.length)); return; }
    // Grafana serves @grafana/ui's icons under public/build/img/icons
    if (p.startsWith('/public/build/img/icons/')) { serve(path.join(this.o.hostDir, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img', 'icons'), p.slice('/public/build/img/icons/'.length)); return; }

    let m = /^\/api\/datasources\/uid\/([^/]+)\/resources\/(.+)$/.exec(p);
    if (m) {
      const ds = this.o.datasources.find((d) => d.uid === decodeURIComponent(m![1]));
      if (!ds) { this.json(res, 404, { message: 'Data source not found' }); return; }
      if (m[2] !== '_msearch' || method !== 'POST') { this.json(res, 404, { message: `resource ${m[2]} is not allowed` }); return; }
      const r = await fetch(`${this.o.esUrl}/_msearch`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text());
      return;
    }

    if (p === '/api/ds/query' && method === 'POST') {
      const q = JSON.parse(body) as { queries: Array<EsModel & { datasource: { uid: string } }>; from: string; to: string };
      const results: Record<string, unknown> = {};
      for (const x of q.queries) {
        const ds = this.o.datasources.find((d) => d.uid === x.datasource?.uid);
        if (!ds) { results[x.refId ?? 'A'] = { status: 404, error: `data source ${x.datasource?.uid} not found` }; continue; }
        try {
          const r = await runModel(this.o.esUrl, ds.index, x, Number(q.from), Number(q.to));
          results[x.refId ?? 'A'] = { status: 200, frames: r.frames };
        } catch (e) {
          results[x.refId ?? 'A'] = { status: 500, error: (e as Error).message };
        }
      }
      this.json(res, 200, { results });
      return;
    }

    if (p === '/api/datasources') {
      this.json(res, 200, this.o.datasources.map((d) => ({ uid: d.uid, name: d.name, type: 'elasticsearch', jsonData: { index: d.index, timeField: '@timestamp' } })));
      return;
    }

    if (p === `/api/plugins/${this.o.pluginId}/settings`) {
      if (method === 'POST') {
        if (this.o.role !== 'Admin') { this.json(res, 403, { message: 'Permission denied' }); return; }
        const s = JSON.parse(body) as { enabled?: boolean; pinned?: boolean; jsonData?: Record<string, unknown>; secureJsonData?: Record<string, string> };
        this.settings = { ...this.settings, enabled: s.enabled ?? this.settings.enabled, pinned: s.pinned ?? this.settings.pinned, jsonData: s.jsonData ?? this.settings.jsonData };
        for (const [k, v] of Object.entries(s.secureJsonData ?? {})) { this.secure[k] = v; this.settings.secureJsonFields[k] = true; }
        this.json(res, 200, { message: 'Plugin settings updated' });
        return;
      }
      this.json(res, 200, { id: this.o.pluginId, type: 'app', ...this.settings });
      return;
    }

    m = new RegExp(`^/api/plugin-proxy/${this.o.pluginId}/(rules|logtest)$`).exec(p);
    if (m) {
      if (!this.settings.jsonData.serviceUrl) { this.json(res, 502, { message: 'Bad Gateway: the Warden service URL is not configured' }); return; }
      if (m[1] === 'rules') {
        this.json(res, 200, { rules: listRules(this.loaded) });
        return;
      }
      if (method !== 'POST') { this.json(res, 405, { message: 'Method not allowed' }); return; }
      if (this.o.role === 'Viewer') { this.json(res, 403, { message: 'Permission denied: the logtest route needs the Editor role' }); return; }
      const { line, location } = JSON.parse(body) as { line: string; location?: string };
      this.json(res, 200, this.logtest(line, location ?? 'stdin'));
      return;
    }

    if (p.startsWith('/api/')) { this.json(res, 404, { message: `not served by the harness: ${p}` }); return; }
    // every other path is Grafana's single page, under its sub-path (<base href>, bootData.settings.appSubUrl)
    const theme = u.searchParams.get('theme') === 'light' ? 'light' : 'dark';
    const boot = { settings: { appSubUrl: sub, appUrl: `${this.url}${sub}/`, buildInfo: {} }, user: { isSignedIn: true, orgRole: this.o.role, login: 'harness', timezone: 'browser', theme }, navTree: [] };
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><base href="${sub}/"><title>Warden app harness</title></head>
<body class="theme-${theme}"><div id="root"></div><script>window.grafanaBootData=${JSON.stringify(boot)};window.__grafana_public_path__='${sub}/public/';window.__HARNESS__=${JSON.stringify({ theme, role: this.o.role, pluginId: this.o.pluginId })};</script>
<script src="host/systemjs/system.js"></script><script src="host/systemjs/extras/amd.js"></script><script src="host/host.js"></script></body></html>`);
  }

  /** Warden's three phases for one line: the service's own POST /api/logtest code (service/api.ts). */
  logtest(line: string, location: string): LogtestAnswer {
    return logtestLine(this.loaded, line, location, null, 'warden', this.o.rulesDir);
  }
}
