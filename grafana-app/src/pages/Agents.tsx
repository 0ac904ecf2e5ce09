/** Every agent with status, last seen, the addresses it came from, event and alert counts; a click leads to its alerts. */
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Badge, EmptyState, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { ROUTES } from '../constants';
import { msearch } from '../api/client';
import { agentAlertCountsBody, agentAlertTotalsBody, agentStatus, agentsBody, buckets, statusCounts, type EsResponse } from '../api/queries';
import type { AgentDoc, AgentStatus } from '../types';
import { useApp } from '../components/AppContext';
import { useAsync, useTimeRange } from '../components/hooks';
import { PageShell, ago, useGoTo } from '../components/PageShell';
import { fmtTime } from '../components/Alerts';
import { STATUS_COLOR } from './Overview';

export function Agents() {
  return <PageShell><AgentsBody /></PageShell>;
}

function AgentsBody() {
  const goTo = useGoTo();
  const { uid, idx, disconnectAfterSec } = useApp();
  const { range } = useTimeRange();
  const styles = useStyles2(getStyles);
  const res = useAsync(async () => {
    const [agents, counts, totals] = await msearch(uid!, [{ index: idx.agents, body: agentsBody() }, { index: idx.alerts, body: agentAlertCountsBody(range) }, { index: idx.alerts, body: agentAlertTotalsBody() }]);
    const inRange = new Map(buckets(counts.aggregations, 'agents').map((b) => [b.key, b.count]));
    const total = new Map(buckets(totals.aggregations, 'agents').map((b) => [b.key, b.count]));
    return { agents: ((agents as EsResponse<AgentDoc>).hits?.hits ?? []).map((h) => h._source), inRange, total };
  }, [uid, range.from, range.to]);
  if (res.error) return <Alert title="Elasticsearch query failed" severity="error">{res.error.message}</Alert>;
  if (res.loading && !res.value) return <LoadingPlaceholder text="Loading…" />;
  const { agents, inRange, total } = res.value!;
  if (agents.length === 0) {
    return <EmptyState variant="not-found" message="No agent has reported yet">Agents appear when Warden receives their first log record (the collector&apos;s <code>host.name</code>, or the agent bound to its token).</EmptyState>;
  }
  const now = Date.now();
  const counts = statusCounts(agents, now, disconnectAfterSec);
  return (
    <div>
      <div className={styles.counts}>
        {(Object.keys(counts) as AgentStatus[]).map((s) => <span key={s} data-testid={`count-${s.replace(' ', '-')}`}><Badge text={`${counts[s]} ${s}`} color={STATUS_COLOR[s]} /></span>)}
        <span className={styles.muted}>disconnected after {disconnectAfterSec}s without events</span>
      </div>
      <table className={styles.table} data-testid="agents-table">
        <thead><tr><th>Agent</th><th>Status</th><th>Last seen</th><th>First seen</th><th>IPs seen</th><th>Collector</th><th>Events</th><th>Alerts</th><th>Alerts in range</th></tr></thead>
        <tbody>
          {agents.map((a) => {
            const st = agentStatus(a, now, disconnectAfterSec);
            return (
              <tr key={a.agent.id} className={styles.row} onClick={() => goTo(ROUTES.Search, { agent: a.agent.id })} data-testid="agent-row" data-agent={a.agent.id} data-status={st}>
                <td><strong>{a.agent.name}</strong>{a.agent.name !== a.agent.id && <span className={styles.muted}> ({a.agent.id})</span>}</td>
                <td><Badge text={st} color={STATUS_COLOR[st]} /></td>
                <td title={a.last_seen ?? ''}>{ago(a.last_seen, now)}</td>
                <td>{a.first_seen ? fmtTime(a.first_seen) : 'never'}</td>
                <td>{a.ips.map((i) => <div key={i.ip} title={`first ${i.first_seen}, last ${i.last_seen}`}>{i.ip} <span className={styles.muted}>{ago(i.last_seen, now)}</span></div>)}</td>
                <td className={styles.muted}>{a.collector?.version ?? ''}</td>
                <td className={styles.num}>{a.events}</td>
                <td className={styles.num} data-testid="agent-alerts">{total.get(a.agent.id) ?? 0}</td>
                <td className={styles.num} data-testid="agent-alerts-in-range">{inRange.get(a.agent.id) ?? 0}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  counts: css({ display: 'flex', gap: theme.spacing(2), alignItems: 'center', marginBottom: theme.spacing(2) }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  num: css({ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }),
  row: css({ cursor: 'pointer', '&:hover': { background: theme.colors.action.hover } }),
  table: css({
    width: '100%', borderCollapse: 'collapse', fontSize: theme.typography.bodySmall.fontSize,
    'th, td': { padding: theme.spacing(0.5, 1), borderBottom: `1px solid ${theme.colors.border.weak}`, textAlign: 'left', verticalAlign: 'top' },
    th: { color: theme.colors.text.secondary, background: theme.colors.background.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
});
