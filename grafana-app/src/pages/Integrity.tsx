/**
 * As OSSEC's integrity-checking page: the files Warden knows per agent (latest state from
 * `warden-syscheck`), how often each changed in the range, and a file's change history from the
 * file-integrity alerts: old and new checksums, sizes, owners, permissions and the diff when reported.
 */
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { Alert, Badge, EmptyState, LoadingPlaceholder, Select, useStyles2 } from '@grafana/ui';
import { msearch, search } from '../api/client';
import { alertHits, changeCounts, integrityChangeCountsBody, integrityFilesBody, integrityHistoryBody, totalOf, type EsResponse } from '../api/queries';
import type { AlertDoc, SyscheckDoc } from '../types';
import { useApp } from '../components/AppContext';
import { useAsync, useTimeRange } from '../components/hooks';
import { PageShell } from '../components/PageShell';
import { fmtTime } from '../components/Alerts';

export function Integrity() {
  return <PageShell><IntegrityBody /></PageShell>;
}

const EVENT_COLOR: Record<string, 'blue' | 'orange' | 'red'> = { added: 'blue', modified: 'orange', deleted: 'red' };
const short = (h: unknown) => (typeof h === 'string' && h.length > 16 ? `${h.slice(0, 16)}…` : String(h ?? ''));

function IntegrityBody() {
  const { uid, idx } = useApp();
  const { range, query } = useTimeRange();
  const styles = useStyles2(getStyles);
  const agent = typeof query.agent === 'string' ? query.agent : '';
  const file = typeof query.file === 'string' ? query.file : '';
  const res = useAsync(async () => {
    const [files, counts] = await msearch(uid!, [{ index: idx.syscheck, body: integrityFilesBody() }, { index: idx.alerts, body: integrityChangeCountsBody(range) }]);
    return { files: ((files as EsResponse<SyscheckDoc>).hits?.hits ?? []).map((h) => h._source), counts: changeCounts(counts.aggregations) };
  }, [uid, range.from, range.to]);
  if (res.error) return <Alert title="Elasticsearch query failed" severity="error">{res.error.message}</Alert>;
  if (res.loading && !res.value) return <LoadingPlaceholder text="Loading…" />;
  const { files, counts } = res.value!;
  if (files.length === 0) {
    return <EmptyState variant="not-found" message="No file integrity data yet">Files appear when an agent&apos;s file-integrity monitoring reports them to Warden.</EmptyState>;
  }
  const agents = [...new Map(files.map((f) => [f.agent.id, f.agent.name])).entries()];
  const current = agent && agents.some(([id]) => id === agent) ? agent : agents[0][0];
  const shown = files.filter((f) => f.agent.id === current);
  const changed = counts.get(current) ?? new Map<string, number>();
  return (
    <div>
      <div className={styles.head}>
        <span>Agent</span>
        <div data-testid="integrity-agent">
          <Select width={30} value={current} options={agents.map(([id, name]) => ({ value: id, label: name === id ? id : `${name} (${id})` }))} onChange={(v) => locationService.partial({ agent: v.value ?? null, file: null })} />
        </div>
        <span className={styles.muted} data-testid="integrity-count">{shown.length} file{shown.length === 1 ? '' : 's'}, {[...changed.values()].reduce((a, b) => a + b, 0)} change(s) in this range</span>
      </div>
      <table className={styles.table} data-testid="integrity-files">
        <thead><tr><th>File</th><th>Last change</th><th>When</th><th className={styles.num}>Size</th><th>Owner</th><th>Permissions</th><th>SHA-256</th><th className={styles.num}>Changes in range</th></tr></thead>
        <tbody>
          {shown.map((f) => (
            <tr key={f.path} className={`${styles.row} ${f.path === file ? styles.selected : ''}`} onClick={() => locationService.partial({ agent: current, file: f.path })} data-testid="integrity-file" data-path={f.path}>
              <td className={styles.path}>{f.path}</td>
              <td><Badge text={f.event} color={EVENT_COLOR[f.event] ?? 'blue'} /></td>
              <td className={styles.nowrap}>{fmtTime(f['@timestamp'])}</td>
              <td className={styles.num} data-testid="integrity-size">{f.size ?? ''}</td>
              <td>{f.uname ?? ''}{f.uid !== undefined ? <span className={styles.muted}> ({f.uid})</span> : null}</td>
              <td className={styles.mono}>{f.perm ?? ''}</td>
              <td className={styles.mono} title={f.sha256}>{short(f.sha256)}</td>
              <td className={styles.num} data-testid="integrity-changes">{changed.get(f.path) ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {file && <FileHistory agent={current} path={file} />}
    </div>
  );
}

type Sc = Record<string, string | number | undefined>;

function FileHistory({ agent, path }: { agent: string; path: string }) {
  const { uid, idx } = useApp();
  const { range } = useTimeRange();
  const styles = useStyles2(getStyles);
  const res = useAsync(async () => {
    const r = (await search<AlertDoc>(uid!, { index: idx.alerts, body: integrityHistoryBody(agent, path, range) })) as EsResponse<AlertDoc>;
    return { hits: alertHits(r), total: totalOf(r) };
  }, [uid, agent, path, range.from, range.to]);
  if (res.error) return <Alert title="Elasticsearch query failed" severity="error">{res.error.message}</Alert>;
  if (!res.value) return <LoadingPlaceholder text="Loading the history…" />;
  const pair = (sc: Sc, k: string) => {
    const b = sc[`${k}_before`];
    const a = sc[`${k}_after`];
    if (b === undefined && a === undefined) return null;
    return b === a || b === undefined || a === undefined ? <span>{String(a ?? b)}</span> : <span><span className={styles.old}>{String(b)}</span> → <span className={styles.new}>{String(a)}</span></span>;
  };
  return (
    <section className={styles.card} data-testid="integrity-history">
      <h3>Changes of <code>{path}</code> <span className={styles.muted}>({res.value.total} in this range)</span></h3>
      {res.value.hits.length === 0 ? <div className={styles.muted}>No change of this file in this time range.</div> : res.value.hits.map((h) => {
        const sc = (h.doc.syscheck ?? {}) as Sc;
        return (
          <div key={h.id} className={styles.change} data-testid="integrity-change">
            <div className={styles.changeHead}>
              <Badge text={String(sc.event ?? 'modified')} color={EVENT_COLOR[String(sc.event)] ?? 'orange'} />
              <span>{fmtTime(h.doc['@timestamp'])}</span>
              <span className={styles.muted}>rule {h.doc.rule.id}, level {h.doc.rule.level}: {h.doc.rule.description}</span>
            </div>
            <table className={styles.kv}>
              <tbody>
                {(['size', 'uname', 'uid', 'gname', 'gid', 'perm', 'md5', 'sha1', 'sha256', 'inode'] as const).map((k) => {
                  const v = pair(sc, k);
                  return v ? <tr key={k} data-testid={`change-${k}`}><th>{k === 'uname' ? 'owner' : k === 'gname' ? 'group' : k}</th><td className={styles.mono}>{v}</td></tr> : null;
                })}
              </tbody>
            </table>
            {sc.diff !== undefined && <><div className={styles.muted}>What changed</div><pre className={styles.pre} data-testid="change-diff">{String(sc.diff)}</pre></>}
          </div>
        );
      })}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  head: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), marginBottom: theme.spacing(1) }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  num: css({ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }),
  nowrap: css({ whiteSpace: 'nowrap' }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace, overflowWrap: 'anywhere' }),
  path: css({ fontFamily: theme.typography.fontFamilyMonospace, overflowWrap: 'anywhere' }),
  row: css({ cursor: 'pointer', '&:hover': { background: theme.colors.action.hover } }),
  selected: css({ background: theme.colors.action.selected }),
  old: css({ color: theme.colors.error.text }),
  new: css({ color: theme.colors.success.text }),
  card: css({ marginTop: theme.spacing(2), background: theme.colors.background.primary, border: `1px solid ${theme.colors.border.weak}`, borderRadius: theme.shape.radius.default, padding: theme.spacing(2), h3: { fontSize: theme.typography.h5.fontSize } }),
  change: css({ padding: theme.spacing(1, 0), borderBottom: `1px solid ${theme.colors.border.weak}` }),
  changeHead: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', marginBottom: theme.spacing(0.5) }),
  pre: css({ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', fontSize: theme.typography.bodySmall.fontSize }),
  kv: css({ fontSize: theme.typography.bodySmall.fontSize, 'th, td': { padding: theme.spacing(0.25, 1), textAlign: 'left', verticalAlign: 'top' }, th: { color: theme.colors.text.secondary, fontWeight: 'normal', whiteSpace: 'nowrap' } }),
  table: css({
    width: '100%', borderCollapse: 'collapse', fontSize: theme.typography.bodySmall.fontSize,
    'th, td': { padding: theme.spacing(0.5, 1), borderBottom: `1px solid ${theme.colors.border.weak}`, textAlign: 'left', verticalAlign: 'top' },
    th: { color: theme.colors.text.secondary, background: theme.colors.background.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
});
