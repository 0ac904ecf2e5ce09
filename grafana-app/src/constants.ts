export const PLUGIN_ID = 'warden-app';
export const PLUGIN_BASE = `/a/${PLUGIN_ID}`;

export enum ROUTES {
  Overview = 'overview',
  Search = 'search',
  Stats = 'stats',
  Agents = 'agents',
  Rules = 'rules',
}

export const PAGES: Array<{ route: ROUTES; title: string; icon: string }> = [
  { route: ROUTES.Overview, title: 'Overview', icon: 'home-alt' },
  { route: ROUTES.Search, title: 'Search', icon: 'search' },
  { route: ROUTES.Stats, title: 'Stats', icon: 'chart-line' },
  { route: ROUTES.Agents, title: 'Agents', icon: 'server' as const },
  { route: ROUTES.Rules, title: 'Rules', icon: 'list-ul' },
];

export const prefixRoute = (route: string) => `${PLUGIN_BASE}/${route}`;

/** Where the plugin's routes (plugin.json) send the service calls. */
export const SERVICE_PROXY = `/api/plugin-proxy/${PLUGIN_ID}`;
