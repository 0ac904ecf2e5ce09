/** As OSSEC's stats page: events and alerts per hour and per day, alerts by level, top rules, agents, source IPs and users. */
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, LoadingPlaceholder, useStyles2, useTheme2 } from '@grafana/ui';
import { ROUTES } from '../constants';
import { msearch } from '../api/client';
import { buckets, histogram, levelColor, statsAggsBody, statsHistogramBody, totalOf, type Series } from '../api/queries';
import { useApp } from '../components/AppContext';
import { useAsync, useTimeRange } from '../components/hooks';
import { NoData, PageShell, goTo } from '../components/PageShell';
import { BarsChart, TopList } from '../components/Charts';

export function Stats() {
  return <PageShell route={ROUTES.Stats}><StatsBody /></PageShell>;
}

function StatsBody() {
  const { uid, idx } = useApp();
  const { range } = useTimeRange();
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const res = useAsync(async () => {
    const [aggs, hourly, daily] = await msearch(uid!, [
      { index: idx.alerts, body: statsAggsBody({}, range) },
      { index: idx.stats, body: statsHistogramBody(range, 'hour') },
      { index: idx.stats, body: statsHistogramBody(range, 'day') },
    ]);
    const a = aggs.aggregations;
    const h = histogram(hourly.aggregations);
    const d = histogram(daily.aggregations);
    const sum = (k: 'events' | 'alerts') => ((hourly.aggregations?.[k] as { value?: number } | undefined)?.value ?? 0);
    return {
      alerts: totalOf(aggs), events: sum('events'), statAlerts: sum('alerts'),
      hourly: h, daily: d,
      levels: buckets(a, 'levels'), rules: buckets(a, 'rules'), agents: buckets(a, 'agents'), srcips: buckets(a, 'srcips'), users: buckets(a, 'users'),
    };
  }, [uid, range.from, range.to]);

  if (res.error) return <Alert title="Elasticsearch query failed" severity="error">{res.error.message}</Alert>;
  if (res.loading && !res.value) return <LoadingPlaceholder text="Loading…" />;
  const v = res.value!;
  if (v.alerts === 0 && v.events === 0) return <NoData what="events or alerts" />;
  const toSeries = (pts: typeof v.hourly): Series[] => [
    { name: 'events', points: pts.map((p) => [p.t, p.events]) },
    { name: 'alerts', points: pts.map((p) => [p.t, p.alerts]) },
  ];
  return (
    <div>
      <div className={styles.totals} data-testid="stats-totals">
        <div><span className={styles.big} data-testid="stats-events">{v.events}</span> events</div>
        <div><span className={styles.big} data-testid="stats-alerts">{v.alerts}</span> alerts</div>
        <div><span className={styles.big}>{v.events ? ((100 * v.statAlerts) / v.events).toFixed(1) : '0'}%</span> of events alerted</div>
      </div>
      <div className={styles.grid}>
        <BarsChart series={toSeries(v.hourly)} title="Per hour" testId="stats-hourly" />
        <BarsChart series={toSeries(v.daily)} title="Per day" testId="stats-daily" />
        <TopList title="Alerts by level" testId="stats-levels" items={v.levels.map((b) => ({ key: `Level ${b.key}`, count: b.count, color: theme.visualization.getColorByName(levelColor(Number(b.key))), onClick: () => goTo(ROUTES.Search, { level: b.key }) }))} />
        <TopList title="Top rules" testId="stats-rules" items={v.rules.map((b) => ({ key: b.key, label: b.label, count: b.count, onClick: () => goTo(ROUTES.Search, { rule: b.key }) }))} />
        <TopList title="Top agents" testId="stats-agents" items={v.agents.map((b) => ({ key: b.key, count: b.count, onClick: () => goTo(ROUTES.Search, { agent: b.key }) }))} />
        <TopList title="Top source IPs" testId="stats-srcips" items={v.srcips.map((b) => ({ key: b.key, count: b.count, onClick: () => goTo(ROUTES.Search, { srcip: b.key }) }))} />
        <TopList title="Top users" testId="stats-users" items={v.users.map((b) => ({ key: b.key, count: b.count, onClick: () => goTo(ROUTES.Search, { user: b.key }) }))} />
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  totals: css({ display: 'flex', gap: theme.spacing(4), marginBottom: theme.spacing(2), color: theme.colors.text.secondary }),
  big: css({ fontSize: theme.typography.h2.fontSize, color: theme.colors.text.primary, marginRight: theme.spacing(0.5) }),
  grid: css({ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))', gap: theme.spacing(2) }),
});
