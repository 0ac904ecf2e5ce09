/**
 * What every page has: Grafana's time range and refresh pickers (state in the URL), and the
 * "no data source" empty state. Navigation between the pages is Grafana's (plugin.json `includes`).
 */
import { useEffect, type ReactNode } from 'react';
import { css } from '@emotion/css';
import { useNavigate } from 'react-router';
import { type GrafanaTheme2, type TimeRange, dateTime, rangeUtil } from '@grafana/data';
import { config, locationService, PluginPage } from '@grafana/runtime';
import { EmptyState, LinkButton, RefreshPicker, TimeRangePicker, useStyles2 } from '@grafana/ui';
import type { ROUTES } from '../constants';
import { useApp } from './AppContext';
import { RefreshTick, rawToUrl, useRefreshTick, useTimeRange } from './hooks';

/** Moves to another page of the app (a sibling route), keeping the time range and refresh. */
export function useGoTo(): (route: ROUTES, params?: Record<string, string | number | undefined>) => void {
  const navigate = useNavigate();
  return (route, params = {}) => {
    const q = locationService.getSearchObject();
    const keep: Record<string, string> = {};
    for (const k of ['from', 'to', 'refresh']) if (q[k] !== undefined) keep[k] = String(q[k]);
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') keep[k] = String(v);
    const s = new URLSearchParams(keep).toString();
    navigate({ pathname: `../${route}`, search: s ? `?${s}` : '' }, { relative: 'route' });
  };
}

/** A link to the app's configuration page, under Grafana's sub-path when it has one. */
export function configUrl(pluginId: string): string {
  return `${config.appSubUrl ?? ''}/plugins/${pluginId}`;
}

export function PageShell({ children, actions, defaultRefresh = '' }: { children: ReactNode; actions?: ReactNode; defaultRefresh?: string }) {
  const styles = useStyles2(getStyles);
  const { uid } = useApp();
  const { timeRange, query } = useTimeRange();
  const tick = useRefreshTick();
  const timeZone = String(query.tz ?? 'browser');
  const refresh = typeof query.refresh === 'string' ? query.refresh : defaultRefresh;
  useEffect(() => {
    // a page that refreshes by default says so in the URL, so the picker and the timer agree
    if (defaultRefresh && query.refresh === undefined) locationService.partial({ refresh: defaultRefresh }, true);
  }, [defaultRefresh, query.refresh]);
  const setRange = (r: TimeRange) => locationService.partial({ from: rawToUrl(r.raw.from), to: rawToUrl(r.raw.to), page: null });
  const shift = (dir: -1 | 1) => {
    const span = timeRange.to.valueOf() - timeRange.from.valueOf();
    const from = timeRange.from.valueOf() + dir * span;
    setRange({ from: dateTime(from), to: dateTime(from + span), raw: { from: dateTime(from), to: dateTime(from + span) } });
  };
  const zoom = () => {
    const span = timeRange.to.valueOf() - timeRange.from.valueOf();
    const c = timeRange.from.valueOf() + span / 2;
    setRange({ from: dateTime(c - span), to: dateTime(c + span), raw: { from: dateTime(c - span), to: dateTime(c + span) } });
  };
  return (
    <PluginPage>
      <div className={styles.bar} data-testid="warden-page-bar">
        {actions}
        <TimeRangePicker value={timeRange} onChange={setRange} timeZone={timeZone} onChangeTimeZone={(tz) => locationService.partial({ tz })} onMoveBackward={() => shift(-1)} onMoveForward={() => shift(1)} onZoom={zoom} />
        <RefreshPicker value={refresh} intervals={['5s', '10s', '30s', '1m', '5m']} onRefresh={() => locationService.partial({ tick: String(Date.now()) }, true)} onIntervalChanged={(i) => locationService.partial({ refresh: i || '' })} />
      </div>
      <RefreshTick.Provider value={tick}>
        {uid ? children : <NoDataSource />}
      </RefreshTick.Provider>
    </PluginPage>
  );
}

export function NoDataSource() {
  const { pluginId } = useApp();
  return (
    <EmptyState variant="call-to-action" message="Choose the Elasticsearch data source that reads Warden's indices" button={<LinkButton href={configUrl(pluginId)} icon="cog">Open the app's configuration</LinkButton>}>
      Warden writes alerts to <code>warden-alerts-*</code>. Add an Elasticsearch data source for that index (time field <code>@timestamp</code>), then pick it on this app&apos;s configuration page.
    </EmptyState>
  );
}

export function NoData({ what }: { what: string }) {
  return (
    <EmptyState variant="not-found" message={`No ${what} in this time range`}>
      Widen the time range, or check that logs reach Warden: point an OpenTelemetry Collector at Warden&apos;s OTLP receiver (port 4318) and Warden&apos;s Elasticsearch exporter at this cluster.
    </EmptyState>
  );
}

/** Seconds → the short relative form ("5 min ago"). */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return rangeUtil.secondsToHms(Math.max(1, Math.round((now - t) / 1000))) + ' ago';
}

const getStyles = (theme: GrafanaTheme2) => ({
  bar: css({ display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: theme.spacing(1), marginBottom: theme.spacing(2), flexWrap: 'wrap' }),
});
