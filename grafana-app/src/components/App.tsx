/**
 * The app's root page. Grafana mounts it under its app URL and provides the router
 * (`react-router` v6, shared with plugins); the pages are child routes relative to that root,
 * and Grafana's navigation (plugin.json `includes`) links to them.
 */
import { useMemo } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import type { AppRootProps } from '@grafana/data';
import { config, PluginPage } from '@grafana/runtime';
import { EmptyState } from '@grafana/ui';
import { ROUTES } from '../constants';
import type { AppSettings } from '../types';
import { AppContext, makeCtx } from './AppContext';
import { Overview } from '../pages/Overview';
import { Search } from '../pages/Search';
import { Stats } from '../pages/Stats';
import { Integrity } from '../pages/Integrity';
import { Agents } from '../pages/Agents';
import { Rules } from '../pages/Rules';

/** Editors and admins may run logtest (the plugin route enforces it server-side too). */
export function userCanEdit(): boolean {
  const u = config.bootData?.user as { orgRole?: string; isGrafanaAdmin?: boolean } | undefined;
  return !!u && (u.isGrafanaAdmin === true || u.orgRole === 'Editor' || u.orgRole === 'Admin');
}

function NotFound() {
  return (
    <PluginPage>
      <EmptyState variant="not-found" message="This page of the Warden app does not exist">
        Pick a page from the app&apos;s navigation.
      </EmptyState>
    </PluginPage>
  );
}

export function App(props: AppRootProps<AppSettings>) {
  const ctx = useMemo(() => makeCtx(props.meta.jsonData, userCanEdit(), props.meta.id), [props.meta.jsonData, props.meta.id]);
  return (
    <AppContext.Provider value={ctx}>
      <Routes>
        <Route path={ROUTES.Overview} element={<Overview />} />
        <Route path={ROUTES.Search} element={<Search />} />
        <Route path={ROUTES.Stats} element={<Stats />} />
        <Route path={ROUTES.Integrity} element={<Integrity />} />
        <Route path={ROUTES.Agents} element={<Agents />} />
        <Route path={ROUTES.Rules} element={<Rules />} />
        <Route index element={<Navigate to={ROUTES.Overview} replace />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </AppContext.Provider>
  );
}
