/** As OSSEC's web UI main page: agent status, latest modified files, latest alerts, events and alerts over time. */
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Badge, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { ROUTES } from '../constants';
import { dsQuery, msearch } from '../api/client';
import { levelColor, agentStatus, agentsBody, alertHits, fileChangeOfAlert, syscheckAlertsBody, type FileChange, alertsOverTimeTarget, eventsOverTimeTarget, latestAlertsBody, latestSyscheckBody, statusCounts, type EsResponse, type Series } from '../api/queries';
import type { AgentDoc, AgentStatus, AlertDoc, SyscheckDoc } from '../types';
import { useApp } from '../components/AppContext';
import { useAsync, useTimeRange } from '../components/hooks';
import { NoData, PageShell, ago, useGoTo } from '../components/PageShell';
import { AlertsTable, fmtTime } from '../components/Alerts';
import { TimeSeriesChart } from '../components/TimeSeriesChart';

export const STATUS_COLOR: Record<AgentStatus, 'green' | 'red' | 'darkgrey'> = { active: 'green', disconnected: 'red', 'never connected': 'darkgrey' };

export function Overview() {
  return <PageShell defaultRefresh="30s"><OverviewBody /></PageShell>;
}

function OverviewBody() {
  const goTo = useGoTo();
  const { uid, statsUid, idx, disconnectAfterSec } = useApp();
  const { range } = useTimeRange();
  const styles = useStyles2(getStyles);
  const docs = useAsync(async () => {
    const [agents, alerts, files, fileAlerts] = await msearch(uid!, [
      { index: idx.agents, body: agentsBody() },
      { index: idx.alerts, body: latestAlertsBody(range, 12) },
      { index: idx.syscheck, body: latestSyscheckBody(range, 10) },
      { index: idx.alerts, body: syscheckAlertsBody(range, 10) },
    ]);
    const state: FileChange[] = ((files as EsResponse<SyscheckDoc>).hits?.hits ?? []).map((h) => ({ agent: h._source.agent.name, path: h._source.path, event: h._source.event, time: h._source['@timestamp'] }));
    const fromAlerts = alertHits(fileAlerts as EsResponse<AlertDoc>).map((h) => fileChangeOfAlert(h.doc)).filter((x): x is FileChange => x !== null);
    return {
      agents: ((agents as EsResponse<AgentDoc>).hits?.hits ?? []).map((h) => h._source),
      alerts: alertHits(alerts as EsResponse<AlertDoc>),
      files: state.length ? state : fromAlerts,
    };
  }, [uid, range.from, range.to]);
  const series = useAsync(async () => {
    const targets = [alertsOverTimeTarget(uid!, {}, range, 'rule.level')];
    if (statsUid) targets.push(eventsOverTimeTarget(statsUid, range));
    const r = await dsQuery(targets, range);
    const ev: Series[] = (r.events ?? []).map((s, i) => ({ ...s, name: i === 0 ? 'events' : 'alerts' }));
    return { levels: (r.alerts ?? []).map((s) => ({ ...s, name: `level ${s.name}`, color: levelColor(Number(s.name)) })), events: ev };
  }, [uid, statsUid, range.from, range.to]);

  if (docs.error) return <Alert title="Elasticsearch query failed" severity="error">{docs.error.message}</Alert>;
  if (docs.loading && !docs.value) return <LoadingPlaceholder text="Loading…" />;
  const v = docs.value!;
  const now = Date.now();
  const counts = statusCounts(v.agents, now, disconnectAfterSec);
  return (
    <div className={styles.grid}>
      <section className={styles.card} data-testid="overview-agents">
        <h3>Agents</h3>
        <div className={styles.counts}>
          {(Object.keys(counts) as AgentStatus[]).map((s) => (
            <div key={s} className={styles.count} data-testid={`agents-${s.replace(' ', '-')}`}>
              <span className={styles.big}>{counts[s]}</span><Badge text={s} color={STATUS_COLOR[s]} />
            </div>
          ))}
        </div>
        {v.agents.length === 0 ? <div className={styles.muted}>No agent has reported yet.</div> : (
          <ul className={styles.list}>
            {v.agents.slice(0, 12).map((a) => {
              const st = agentStatus(a, now, disconnectAfterSec);
              return (
                <li key={a.agent.id} className={styles.link} onClick={() => goTo(ROUTES.Search, { agent: a.agent.id })}>
                  <Badge text={st} color={STATUS_COLOR[st]} /> <strong>{a.agent.name}</strong> <span className={styles.muted}>{a.ips.map((i) => i.ip).join(', ')} · last seen {ago(a.last_seen, now)}</span>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      <section className={styles.card} data-testid="overview-files">
        <h3>Latest modified files</h3>
        {v.files.length === 0 ? <div className={styles.muted}>No file integrity change in this range (syscheck events appear here).</div> : (
          <ul className={styles.list}>
            {v.files.map((f) => <li key={`${f.agent}:${f.path}:${f.time}`} data-testid="file-change"><code>{f.path}</code> <span className={styles.muted}>{f.event} on {f.agent}, {fmtTime(f.time)}</span></li>)}
          </ul>
        )}
      </section>
      <section className={`${styles.card} ${styles.wide}`} data-testid="overview-timeline">
        <h3>Events and alerts over time</h3>
        {series.error && <Alert title="Time series query failed" severity="warning">{series.error.message}</Alert>}
        {series.value && (
          <div className={styles.charts}>
            {series.value.events.length > 0 && <TimeSeriesChart series={series.value.events} range={range} title="Events and alerts (per interval, all agents)" testId="chart-events" />}
            <TimeSeriesChart series={series.value.levels} range={range} title="Alerts by level" testId="chart-levels" />
          </div>
        )}
      </section>
      <section className={`${styles.card} ${styles.wide}`} data-testid="overview-latest">
        <h3>Latest alerts</h3>
        {v.alerts.length === 0 ? <NoData what="alerts" /> : <AlertsTable hits={v.alerts} compact onOpen={(h) => goTo(ROUTES.Search, { rule: h.doc.rule.id, agent: h.doc.agent.id })} />}
      </section>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))', gap: theme.spacing(2) }),
  wide: css({ gridColumn: '1 / -1' }),
  card: css({ background: theme.colors.background.primary, border: `1px solid ${theme.colors.border.weak}`, borderRadius: theme.shape.radius.default, padding: theme.spacing(2), minWidth: 0, h3: { fontSize: theme.typography.h5.fontSize } }),
  counts: css({ display: 'flex', gap: theme.spacing(3), marginBottom: theme.spacing(1) }),
  count: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1) }),
  big: css({ fontSize: theme.typography.h2.fontSize }),
  list: css({ listStyle: 'none', margin: 0, padding: 0, li: { padding: theme.spacing(0.5, 0), borderBottom: `1px solid ${theme.colors.border.weak}` } }),
  link: css({ cursor: 'pointer', '&:hover': { background: theme.colors.action.hover } }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  charts: css({ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(380px, 1fr))', gap: theme.spacing(2) }),
});
