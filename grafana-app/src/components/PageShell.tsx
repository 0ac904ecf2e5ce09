/** What every page has: the app's tabs, Grafana's time range picker (state in the URL), and the "no data source" empty state. */
import type { ReactNode } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, type TimeRange, dateTime, rangeUtil } from '@grafana/data';
import { locationService, PluginPage } from '@grafana/runtime';
import { EmptyState, LinkButton, Tab, TabsBar, TimeRangePicker, useStyles2 } from '@grafana/ui';
import { PAGES, PLUGIN_ID, prefixRoute, type ROUTES } from '../constants';
import { useApp } from './AppContext';
import { rawToUrl, useTimeRange } from './hooks';

/** Moves to another page of the app, keeping the time range. */
export function goTo(route: ROUTES | string, params: Record<string, string | number | undefined> = {}): void {
  const q = locationService.getSearchObject();
  const keep: Record<string, string> = {};
  for (const k of ['from', 'to']) if (q[k] !== undefined) keep[k] = String(q[k]);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') keep[k] = String(v);
  const s = new URLSearchParams(keep).toString();
  locationService.push(`${prefixRoute(route)}${s ? `?${s}` : ''}`);
}

export function PageShell({ route, children, actions }: { route: ROUTES; children: ReactNode; actions?: ReactNode }) {
  const styles = useStyles2(getStyles);
  const { uid } = useApp();
  const { timeRange, query } = useTimeRange();
  const timeZone = String(query.tz ?? 'browser');
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
        <TabsBar className={styles.tabs}>
          {PAGES.map((p) => (
            <Tab key={p.route} label={p.title} active={p.route === route} onChangeTab={() => goTo(p.route)} data-testid={`tab-${p.route}`} />
          ))}
        </TabsBar>
        <div className={styles.right}>
          {actions}
          <TimeRangePicker value={timeRange} onChange={setRange} timeZone={timeZone} onChangeTimeZone={(tz) => locationService.partial({ tz })} onMoveBackward={() => shift(-1)} onMoveForward={() => shift(1)} onZoom={zoom} />
        </div>
      </div>
      {uid ? children : <NoDataSource />}
    </PluginPage>
  );
}

export function NoDataSource() {
  return (
    <EmptyState variant="call-to-action" message="Choose the Elasticsearch data source that reads Warden's indices" button={<LinkButton href={`/plugins/${PLUGIN_ID}`} icon="cog">Open the app's configuration</LinkButton>}>
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
  bar: css({ display: 'flex', alignItems: 'flex-end', justifyContent: 'space-between', gap: theme.spacing(2), marginBottom: theme.spacing(2), flexWrap: 'wrap' }),
  tabs: css({ flex: 1, minWidth: 300 }),
  right: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', paddingBottom: theme.spacing(0.5) }),
});
