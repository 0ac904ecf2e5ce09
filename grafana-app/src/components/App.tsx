/** The app's root page: picks the page from the path under /a/warden-app/. */
import { useMemo } from 'react';
import type { AppRootProps } from '@grafana/data';
import { config } from '@grafana/runtime';
import { PLUGIN_BASE, ROUTES } from '../constants';
import type { AppSettings } from '../types';
import { AppContext, makeCtx } from './AppContext';
import { usePathname } from './hooks';
import { Overview } from '../pages/Overview';
import { Search } from '../pages/Search';
import { Stats } from '../pages/Stats';
import { Agents } from '../pages/Agents';
import { Rules } from '../pages/Rules';

const PAGE_COMPONENTS: Record<ROUTES, () => JSX.Element> = {
  [ROUTES.Overview]: Overview,
  [ROUTES.Search]: Search,
  [ROUTES.Stats]: Stats,
  [ROUTES.Agents]: Agents,
  [ROUTES.Rules]: Rules,
};

export function routeOf(pathname: string): ROUTES {
  const rest = pathname.startsWith(PLUGIN_BASE) ? pathname.slice(PLUGIN_BASE.length) : pathname;
  const seg = rest.split('/').filter(Boolean)[0] as ROUTES | undefined;
  return seg && seg in PAGE_COMPONENTS ? seg : ROUTES.Overview;
}

/** Editors and admins may run logtest (the plugin route enforces it server-side too). */
export function userCanEdit(): boolean {
  const u = config.bootData?.user as { orgRole?: string; isGrafanaAdmin?: boolean } | undefined;
  return !!u && (u.isGrafanaAdmin === true || u.orgRole === 'Editor' || u.orgRole === 'Admin');
}

export function App(props: AppRootProps<AppSettings>) {
  const pathname = usePathname();
  const ctx = useMemo(() => makeCtx(props.meta.jsonData, userCanEdit()), [props.meta.jsonData]);
  const Page = PAGE_COMPONENTS[routeOf(pathname)];
  return <AppContext.Provider value={ctx}><Page /></AppContext.Provider>;
}
