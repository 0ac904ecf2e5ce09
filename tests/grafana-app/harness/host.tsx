/**
 * The host page: what Grafana's frontend does for an app plugin, with the packages of one Grafana
 * release (hosts.ts). It shares its modules with plugins through SystemJS under the names Grafana
 * uses, imports the built `dist/module.js` (an AMD module) with SystemJS, and renders the plugin's
 * root page under Grafana's router at `/a/<id>/*` (and its configuration page at
 * `/plugins/<id>`), with a navigation built from plugin.json's `includes` as Grafana builds its
 * own. Grafana's runtime singletons (backend, data sources) point at the harness server.
 *
 * This file is compiled inside the host's install directory, so every import resolves to that
 * release's packages.
 */
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as jsxRuntime from 'react/jsx-runtime';
// Grafana shares react-router v6 as "react-router" (through react-router-dom-v5-compat)
import * as ReactRouter from 'react-router-dom-v5-compat';
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUI from '@grafana/ui';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';
import lodash from 'lodash';
import moment from 'moment';

const { Observable } = rxjs;
const { createTheme, PluginType } = grafanaData;
const { config, locationService, setBackendSrv, setDataSourceSrv, setEchoSrv } = grafanaRuntime;
const { GlobalStyles, ThemeContext } = grafanaUI;

type Any = Record<string, unknown>;
interface SystemJS { set(id: string, m: Any): void; addImportMap(m: { imports: Record<string, string> }): void; import(id: string): Promise<Any> }
interface Include { type: string; name: string; path: string; addToNav?: boolean; defaultNav?: boolean; role?: string }
interface PluginJson { id: string; name: string; includes: Include[]; info: Any }

declare global {
  interface Window { System: SystemJS; __HARNESS__: { theme: 'light' | 'dark'; role: string; pluginId: string }; __HOST__?: Any }
}

const H = window.__HARNESS__;
const appSubUrl = config.appSubUrl ?? '';
const theme = createTheme({ colors: { mode: H.theme } });
(config as unknown as { theme2: unknown }).theme2 = theme;

// ---- Grafana's shared modules, under the names plugins import them by
const useDefault = (m: unknown) => ({ ...(m as Any), default: m, __useDefault: true });
const shared: Record<string, Any> = {
  react: React as unknown as Any,
  'react-dom': ReactDOM as unknown as Any,
  'react/jsx-runtime': jsxRuntime as unknown as Any,
  'react-router': ReactRouter as unknown as Any,
  '@emotion/css': emotionCss as unknown as Any,
  '@emotion/react': emotionReact as unknown as Any,
  '@grafana/data': grafanaData as unknown as Any,
  '@grafana/runtime': grafanaRuntime as unknown as Any,
  '@grafana/ui': grafanaUI as unknown as Any,
  rxjs: rxjs as unknown as Any,
  'rxjs/operators': rxjsOperators as unknown as Any,
  lodash: useDefault(lodash),
  moment: useDefault(moment),
};
const imports: Record<string, string> = {};
for (const [name, m] of Object.entries(shared)) {
  imports[name] = `package:${name}`;
  window.System.set(`package:${name}`, m);
}
window.System.addImportMap({ imports });

// ---- Grafana's backend service: relative URLs under <base href> (Grafana strips the leading slash)
async function request<T>(o: grafanaRuntime.BackendSrvRequest): Promise<grafanaRuntime.FetchResponse<T>> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  let body: string | undefined;
  if (o.data !== undefined) {
    body = typeof o.data === 'string' ? o.data : JSON.stringify(o.data);
    headers['Content-Type'] ??= 'application/json';
  }
  const rel = o.url.replace(/^\//, '');
  const url = o.params ? `${rel}?${new URLSearchParams(o.params as Record<string, string>)}` : rel;
  const r = await fetch(url, { method: o.method ?? 'GET', headers, body });
  const text = await r.text();
  let data: unknown = text;
  try { data = text ? JSON.parse(text) : {}; } catch { /* not JSON */ }
  if (!r.ok) throw { status: r.status, statusText: r.statusText, data, config: o };
  return { data: data as T, status: r.status, statusText: r.statusText, ok: r.ok, headers: r.headers, redirected: r.redirected, type: r.type, url: r.url, config: o };
}
const backendSrv = {
  fetch: <T,>(o: grafanaRuntime.BackendSrvRequest) => new Observable<grafanaRuntime.FetchResponse<T>>((sub) => {
    request<T>(o).then((r) => { sub.next(r); sub.complete(); }, (e) => sub.error(e));
  }),
  get: async (url: string, params?: Record<string, string>) => (await request({ url, params, method: 'GET' })).data,
  post: async (url: string, data?: unknown) => (await request({ url, data, method: 'POST' })).data,
  put: async (url: string, data?: unknown) => (await request({ url, data, method: 'PUT' })).data,
  patch: async (url: string, data?: unknown) => (await request({ url, data, method: 'PATCH' })).data,
  delete: async (url: string, data?: unknown) => (await request({ url, data, method: 'DELETE' })).data,
  request: async (o: grafanaRuntime.BackendSrvRequest) => (await request(o)).data,
  datasourceRequest: request,
};
setBackendSrv(backendSrv as unknown as grafanaRuntime.BackendSrv);
const noop = () => undefined;
setEchoSrv({ flush: noop, addBackend: noop, addEvent: noop, logPageview: noop, logInteraction: noop, logExperimentViewed: noop } as unknown as grafanaRuntime.EchoSrv);

// ---- Grafana intercepts clicks on links into itself and routes them (its link interceptor)
document.addEventListener('click', (e) => {
  const a = (e.target as HTMLElement | null)?.closest?.('a');
  if (!a || a.target || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey) return;
  const href = a.getAttribute('href');
  if (!href || !href.startsWith('/')) return;
  if (appSubUrl && !href.startsWith(`${appSubUrl}/`)) return;
  e.preventDefault();
  locationService.push(href.slice(appSubUrl.length));
});

/** Grafana's router: react-router v6 over locationService's history. */
function GrafanaRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = React.useState(history.location);
  React.useEffect(() => history.listen((l: unknown) => setLocation(((l as { location?: typeof location }).location ?? l) as typeof location)), [history]);
  return <ReactRouter.Router navigator={history as never} location={location as never}>{children}</ReactRouter.Router>;
}

/** Grafana's navigation for the app: its pages from plugin.json `includes` with `addToNav`. */
function AppNav({ json }: { json: PluginJson }) {
  const loc = ReactRouter.useLocation();
  return (
    <nav data-testid="grafana-nav" style={{ width: 180, padding: 8, borderRight: `1px solid ${theme.colors.border.weak}`, background: theme.colors.background.primary }}>
      <div style={{ fontWeight: 500, marginBottom: 8 }}>{json.name}</div>
      {json.includes.filter((i) => i.type === 'page' && i.addToNav).map((i) => (
        <div key={i.path} style={{ padding: '4px 0' }}>
          <a href={`${appSubUrl}${i.path}`} data-testid={`nav-${i.name}`} aria-current={loc.pathname === i.path ? 'page' : undefined} style={{ color: loc.pathname === i.path ? theme.colors.text.primary : theme.colors.text.link }}>{i.name}</a>
        </div>
      ))}
    </nav>
  );
}

async function main() {
  const dsList = (await backendSrv.get('/api/datasources')) as Array<{ uid: string; name: string; type: string; jsonData: Any }>;
  const settings = dsList.map((d, i) => ({
    id: i + 1, uid: d.uid, name: d.name, type: d.type, access: 'proxy', readOnly: true, jsonData: d.jsonData,
    meta: { id: 'elasticsearch', name: 'Elasticsearch', type: PluginType.datasource, module: '', baseUrl: '', info: { logos: { small: 'public/build/img/icons/unicons/database.svg', large: '' }, author: { name: 'Grafana Labs' }, description: '', links: [], screenshots: [], updated: '', version: '' }, metrics: true, logs: true },
  })) as unknown as grafanaData.DataSourceInstanceSettings[];
  setDataSourceSrv({
    getList: (f?: { type?: string | string[] }) => settings.filter((s) => !f?.type || (Array.isArray(f.type) ? f.type.includes(s.type) : s.type === f.type)),
    getInstanceSettings: (ref?: string | { uid?: string } | null) => {
      const key = typeof ref === 'string' ? ref : ref?.uid;
      return settings.find((s) => s.uid === key || s.name === key);
    },
    get: async () => { throw new Error('data source instances are not loaded in the harness'); },
    reload: async () => undefined,
    registerRuntimeDataSource: () => undefined,
  } as unknown as grafanaRuntime.DataSourceSrv);

  // Grafana's plugin loader: the settings, then SystemJS.import of public/plugins/<id>/module.js
  const id = H.pluginId;
  const json = (await backendSrv.get(`/public/plugins/${id}/plugin.json`)) as PluginJson;
  const s = (await backendSrv.get(`/api/plugins/${id}/settings`)) as { enabled: boolean; pinned: boolean; jsonData: Any; secureJsonFields: Record<string, boolean> };
  const mod = await window.System.import(`${appSubUrl}/public/plugins/${id}/module.js`);
  const plugin = mod.plugin as grafanaData.AppPlugin;
  const meta = { id, name: json.name, type: PluginType.app, module: `public/plugins/${id}/module.js`, baseUrl: `public/plugins/${id}`, info: json.info, includes: json.includes, enabled: s.enabled, pinned: s.pinned, jsonData: s.jsonData, secureJsonFields: s.secureJsonFields } as unknown as grafanaData.AppPluginMeta;
  plugin.init(meta);
  plugin.meta = meta;
  const Root = plugin.root!;
  const Config = plugin.configPages![0].body;

  function AppRootPage() {
    const loc = ReactRouter.useLocation();
    const query = Object.fromEntries(new URLSearchParams(loc.search));
    return <Root meta={meta} basename={loc.pathname} onNavChanged={noop} query={query} path={loc.pathname} />;
  }

  window.__HOST__ = { react: React.version, grafana: process.env.GRAFANA_VERSION, grafanaRuntime: process.env.GRAFANA_RUNTIME_VERSION, appSubUrl, plugin: id };
  createRoot(document.getElementById('root')!).render(
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <GrafanaRouter>
        <div style={{ display: 'flex', minHeight: '100vh', background: theme.colors.background.canvas }}>
          <AppNav json={json} />
          <main style={{ flex: 1, padding: 16, minWidth: 0 }}>
            <ReactRouter.Routes>
              <ReactRouter.Route path="/a/:pluginId/*" element={<AppRootPage />} />
              <ReactRouter.Route path="/plugins/:pluginId" element={<Config plugin={plugin} query={{}} />} />
              <ReactRouter.Route path="*" element={<div>Grafana: page not found</div>} />
            </ReactRouter.Routes>
          </main>
        </div>
      </GrafanaRouter>
    </ThemeContext.Provider>,
  );
}

main().catch((e) => { document.body.textContent = `harness failed: ${(e as Error).stack ?? String(e)}`; });
