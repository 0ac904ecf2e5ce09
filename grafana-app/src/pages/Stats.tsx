/**
 * As OSSEC's stats page: totals; tables of events and alerts per hour and per day (Warden's
 * hourly stats documents, UTC buckets), alerts by level, rule, agent, source address and user.
 */
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Alert, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { ROUTES } from '../constants';
import { msearch } from '../api/client';
import { buckets, histogram, statsAggsBody, statsHistogramBody, totalOf, userCandidatesAggs, userCounts, userCountsBody, type Bucket, type HistogramPoint } from '../api/queries';
import { useApp } from '../components/AppContext';
import { useAsync, useTimeRange } from '../components/hooks';
import { NoData, PageShell, useGoTo } from '../components/PageShell';
import { LevelBadge } from '../components/Alerts';
import { TimeSeriesChart } from '../components/TimeSeriesChart';

export function Stats() {
  return <PageShell><StatsBody /></PageShell>;
}

const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : '0%');

function StatsBody() {
  const goTo = useGoTo();
  const { uid, idx } = useApp();
  const { range } = useTimeRange();
  const styles = useStyles2(getStyles);
  const res = useAsync(async () => {
    const [aggs, hourly, daily] = await msearch(uid!, [
      { index: idx.alerts, body: { ...statsAggsBody({}, range), aggs: { ...(statsAggsBody({}, range).aggs as object), ...userCandidatesAggs() } } },
      { index: idx.stats, body: statsHistogramBody(range, 'hour') },
      { index: idx.stats, body: statsHistogramBody(range, 'day') },
    ]);
    const a = aggs.aggregations;
    const candidates = [...new Set([...buckets(a, 'users_dst'), ...buckets(a, 'users_src')].map((b) => b.key))];
    const users = candidates.length ? userCounts((await msearch(uid!, [{ index: idx.alerts, body: userCountsBody({}, range, candidates) }]))[0].aggregations).slice(0, 10) : [];
    const sum = (k: 'events' | 'alerts') => ((hourly.aggregations?.[k] as { value?: number } | undefined)?.value ?? 0);
    return {
      alerts: totalOf(aggs), events: sum('events'), statAlerts: sum('alerts'),
      hourly: histogram(hourly.aggregations), daily: histogram(daily.aggregations),
      levels: buckets(a, 'levels'), rules: buckets(a, 'rules'), agents: buckets(a, 'agents'), srcips: buckets(a, 'srcips'), users,
    };
  }, [uid, range.from, range.to]);

  if (res.error) return <Alert title="Elasticsearch query failed" severity="error">{res.error.message}</Alert>;
  if (res.loading && !res.value) return <LoadingPlaceholder text="Loading…" />;
  const v = res.value!;
  if (v.alerts === 0 && v.events === 0) return <NoData what="events or alerts" />;
  const perTime = (title: string, testId: string, pts: HistogramPoint[], fmt: string) => {
    const rows = pts.filter((p) => p.events > 0 || p.alerts > 0);
    return (
      <section className={styles.card}>
        <h3>{title} <span className={styles.muted}>(UTC)</span></h3>
        <table className={styles.table} data-testid={testId}>
          <thead><tr><th>{fmt.includes('HH') ? 'Hour' : 'Day'}</th><th className={styles.num}>Events</th><th className={styles.num}>Alerts</th><th className={styles.num}>Alerted</th></tr></thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.t} data-testid="stats-time-row" data-t={new Date(p.t).toISOString()}>
                <td className={styles.nowrap}>{dateTimeFormat(p.t, { format: fmt, timeZone: 'utc' })}</td>
                <td className={styles.num}>{p.events}</td><td className={styles.num}>{p.alerts}</td><td className={styles.num}>{pct(p.alerts, p.events)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot><tr><th>Total</th><th className={styles.num}>{rows.reduce((n, p) => n + p.events, 0)}</th><th className={styles.num}>{rows.reduce((n, p) => n + p.alerts, 0)}</th><th /></tr></tfoot>
        </table>
      </section>
    );
  };
  const counts = (title: string, testId: string, items: Bucket[], first: string, cell: (b: Bucket) => React.ReactNode, go: (b: Bucket) => void) => (
    <section className={styles.card}>
      <h3>{title}</h3>
      {items.length === 0 ? <div className={styles.muted}>Nothing in this range.</div> : (
        <table className={styles.table} data-testid={testId}>
          <thead><tr><th>{first}</th><th className={styles.num}>Alerts</th><th className={styles.num}>Share</th></tr></thead>
          <tbody>
            {items.map((b) => (
              <tr key={b.key} className={styles.row} onClick={() => go(b)} data-testid="stats-count-row" data-key={b.key} data-count={b.count}>
                <td>{cell(b)}</td><td className={styles.num}>{b.count}</td><td className={styles.num}>{pct(b.count, v.alerts)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
  return (
    <div>
      <div className={styles.totals} data-testid="stats-totals">
        <div><span className={styles.big} data-testid="stats-events">{v.events}</span> events</div>
        <div><span className={styles.big} data-testid="stats-alerts">{v.alerts}</span> alerts</div>
        <div><span className={styles.big}>{pct(v.statAlerts, v.events)}</span> of events alerted</div>
      </div>
      <div className={styles.chart}>
        <TimeSeriesChart title="Events and alerts per hour" testId="stats-chart" range={range} series={[{ name: 'events', points: v.hourly.map((p) => [p.t, p.events]), color: 'blue' }, { name: 'alerts', points: v.hourly.map((p) => [p.t, p.alerts]), color: 'orange' }]} />
      </div>
      <div className={styles.grid}>
        {counts('Alerts by level', 'stats-levels', v.levels, 'Level', (b) => <LevelBadge level={Number(b.key)} />, (b) => goTo(ROUTES.Search, { level: b.key, maxlevel: b.key }))}
        {counts('Alerts by rule', 'stats-rules', v.rules, 'Rule', (b) => <><strong>{b.key}</strong> <span className={styles.muted}>{b.label}</span></>, (b) => goTo(ROUTES.Search, { rule: b.key }))}
        {counts('Alerts by agent', 'stats-agents', v.agents, 'Agent', (b) => b.key, (b) => goTo(ROUTES.Search, { agent: b.key }))}
        {counts('Top source addresses', 'stats-srcips', v.srcips, 'Source IP', (b) => b.key, (b) => goTo(ROUTES.Search, { srcip: b.key }))}
        {counts('Top users', 'stats-users', v.users, 'User (source or destination)', (b) => b.key, (b) => goTo(ROUTES.Search, { user: b.key }))}
        {perTime('Per day', 'stats-daily', v.daily, 'YYYY-MM-DD')}
        {perTime('Per hour', 'stats-hourly', v.hourly, 'YYYY-MM-DD HH:00')}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  totals: css({ display: 'flex', gap: theme.spacing(4), marginBottom: theme.spacing(2), color: theme.colors.text.secondary }),
  big: css({ fontSize: theme.typography.h2.fontSize, color: theme.colors.text.primary, marginRight: theme.spacing(0.5) }),
  chart: css({ marginBottom: theme.spacing(2) }),
  grid: css({ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))', gap: theme.spacing(2), alignItems: 'start' }),
  card: css({ background: theme.colors.background.primary, border: `1px solid ${theme.colors.border.weak}`, borderRadius: theme.shape.radius.default, padding: theme.spacing(1, 2), minWidth: 0, h3: { fontSize: theme.typography.h5.fontSize } }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  num: css({ textAlign: 'right', fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }),
  nowrap: css({ whiteSpace: 'nowrap' }),
  row: css({ cursor: 'pointer', '&:hover': { background: theme.colors.action.hover } }),
  table: css({
    width: '100%', borderCollapse: 'collapse', fontSize: theme.typography.bodySmall.fontSize,
    'th, td': { padding: theme.spacing(0.5, 1), borderBottom: `1px solid ${theme.colors.border.weak}`, textAlign: 'left', verticalAlign: 'middle' },
    th: { color: theme.colors.text.secondary, background: theme.colors.background.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
});
