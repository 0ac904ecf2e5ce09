/**
 * The harness page: mounts the app (its root page, or its configuration page) with the real
 * @grafana/ui theme and components and the real @grafana/runtime, whose singletons point at the
 * harness server (server.ts) the way Grafana's frontend points them at Grafana's API.
 */
import { createRoot } from 'react-dom/client';
import { Observable } from 'rxjs';
import { createTheme, PluginType, type AppPluginMeta, type DataSourceInstanceSettings, type KeyValue } from '@grafana/data';
import { config, locationService, setBackendSrv, setDataSourceSrv, setEchoSrv, type BackendSrv, type BackendSrvRequest, type DataSourceSrv, type EchoSrv, type FetchResponse } from '@grafana/runtime';
import { GlobalStyles, ThemeContext } from '@grafana/ui';
import { plugin } from '../../../grafana-app/src/module';
import type { AppSettings } from '../../../grafana-app/src/types';

declare global {
  interface Window { __HARNESS__: { theme: 'light' | 'dark'; role: string } }
}

const theme = createTheme({ colors: { mode: window.__HARNESS__.theme } });
(config as unknown as { theme2: unknown }).theme2 = theme;
(config as unknown as { bootData: { user: KeyValue; settings: KeyValue } }).bootData = { ...config.bootData, user: { ...(config.bootData?.user ?? {}), isSignedIn: true, orgRole: window.__HARNESS__.role, login: 'harness', timezone: 'browser' } } as never;

async function request<T>(o: BackendSrvRequest): Promise<FetchResponse<T>> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  let body: string | undefined;
  if (o.data !== undefined) {
    body = typeof o.data === 'string' ? o.data : JSON.stringify(o.data);
    headers['Content-Type'] ??= 'application/json';
  }
  const url = o.params ? `${o.url}?${new URLSearchParams(o.params as Record<string, string>)}` : o.url;
  const r = await fetch(url, { method: o.method ?? 'GET', headers, body });
  const text = await r.text();
  let data: unknown = text;
  try { data = text ? JSON.parse(text) : {}; } catch { /* not JSON */ }
  const res = { data: data as T, status: r.status, statusText: r.statusText, ok: r.ok, headers: r.headers, redirected: r.redirected, type: r.type, url: r.url, config: o };
  if (!r.ok) throw { status: r.status, statusText: r.statusText, data, config: o };
  return res;
}

const backendSrv = {
  fetch: <T,>(o: BackendSrvRequest) => new Observable<FetchResponse<T>>((sub) => {
    request<T>(o).then((r) => { sub.next(r); sub.complete(); }, (e) => sub.error(e));
  }),
  get: async (url: string, params?: Record<string, string>) => (await request({ url, params, method: 'GET' })).data,
  post: async (url: string, data?: unknown) => (await request({ url, data, method: 'POST' })).data,
  put: async (url: string, data?: unknown) => (await request({ url, data, method: 'PUT' })).data,
  patch: async (url: string, data?: unknown) => (await request({ url, data, method: 'PATCH' })).data,
  delete: async (url: string, data?: unknown) => (await request({ url, data, method: 'DELETE' })).data,
  request: async (o: BackendSrvRequest) => (await request(o)).data,
  datasourceRequest: request,
};
setBackendSrv(backendSrv as unknown as BackendSrv);

const echo = { flush() { /* nothing collects usage events here */ }, addBackend() { /* idem */ }, addEvent() { /* idem */ }, logPageview() { /* idem */ }, logInteraction() { /* idem */ }, logExperimentViewed() { /* idem */ } };
setEchoSrv(echo as unknown as EchoSrv);

async function main() {
  const dsList = (await backendSrv.get('/api/datasources')) as Array<{ uid: string; name: string; type: string; jsonData: KeyValue }>;
  const settings = dsList.map((d, i) => ({
    id: i + 1, uid: d.uid, name: d.name, type: d.type, access: 'proxy', readOnly: true, jsonData: d.jsonData,
    meta: { id: 'elasticsearch', name: 'Elasticsearch', type: PluginType.datasource, module: '', baseUrl: '', info: { logos: { small: '/public/build/img/icons/unicons/database.svg', large: '' }, author: { name: 'Grafana Labs' }, description: '', links: [], screenshots: [], updated: '', version: '' }, metrics: true, logs: true },
  })) as unknown as DataSourceInstanceSettings[];
  const dsSrv = {
    getList: (f?: { type?: string | string[] }) => settings.filter((s) => !f?.type || (Array.isArray(f.type) ? f.type.includes(s.type) : s.type === f.type)),
    getInstanceSettings: (ref?: string | { uid?: string } | null) => {
      const key = typeof ref === 'string' ? ref : ref?.uid;
      return settings.find((s) => s.uid === key || s.name === key);
    },
    get: async () => { throw new Error('data source instances are not loaded in the harness'); },
    reload: async () => undefined,
    registerRuntimeDataSource: () => undefined,
  };
  setDataSourceSrv(dsSrv as unknown as DataSourceSrv);

  const s = (await backendSrv.get('/api/plugins/warden-app/settings')) as { enabled: boolean; pinned: boolean; jsonData: AppSettings; secureJsonFields: KeyValue<boolean> };
  const meta = { id: 'warden-app', name: 'Warden', type: PluginType.app, module: '', baseUrl: '', info: { logos: { small: '', large: '' }, author: { name: 'Warden' }, description: '', links: [], screenshots: [], updated: '', version: '0.1.0' }, enabled: s.enabled, pinned: s.pinned, jsonData: s.jsonData, secureJsonFields: s.secureJsonFields } as AppPluginMeta<AppSettings>;
  plugin.meta = meta;
  const Root = plugin.root!;
  const Config = plugin.configPages![0].body;
  const root = createRoot(document.getElementById('root')!);
  const isConfig = locationService.getLocation().pathname.startsWith('/plugins/warden-app');
  root.render(
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <div style={{ padding: 16, minHeight: '100vh', background: theme.colors.background.canvas }}>
        {isConfig ? <Config plugin={plugin} query={{}} /> : <Root meta={meta} basename="/a/warden-app" onNavChanged={() => undefined} query={{}} path="/a/warden-app" />}
      </div>
    </ThemeContext.Provider>,
  );
}

main().catch((e) => { document.body.textContent = `harness failed: ${(e as Error).stack ?? String(e)}`; });
