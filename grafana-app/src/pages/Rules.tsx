/** The rules Warden has loaded (with how often each fired in the range), and a "test a log line" box (Warden's logtest). */
import { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { Alert, Button, Field, Input, LoadingPlaceholder, Pagination, TagList, TextArea, useStyles2 } from '@grafana/ui';
import { ROUTES } from '../constants';
import { listRules, logtest, msearch, type LogtestResult, type RuleInfo } from '../api/client';
import { buckets, ruleCountsBody } from '../api/queries';
import { useApp } from '../components/AppContext';
import { useAsync, useTimeRange } from '../components/hooks';
import { PageShell, useGoTo } from '../components/PageShell';
import { LevelBadge } from '../components/Alerts';

export function Rules() {
  return <PageShell><RulesBody /></PageShell>;
}

const RULES_PAGE = 50;

interface Row { id: string; level: number; description: string; groups: string[]; fired: number }

function RulesBody() {
  const goTo = useGoTo();
  const { uid, idx } = useApp();
  const { range, query } = useTimeRange();
  const styles = useStyles2(getStyles);
  const filter = String(query.rq ?? '');
  const [draft, setDraft] = useState(filter);
  const counts = useAsync(async () => {
    const [r] = await msearch(uid!, [{ index: idx.alerts, body: ruleCountsBody(range) }]);
    return buckets(r.aggregations, 'rules');
  }, [uid, range.from, range.to]);
  const rules = useAsync<RuleInfo[]>(() => listRules(), []);

  const fired = new Map((counts.value ?? []).map((b) => [b.key, b]));
  let rows: Row[];
  if (rules.value) rows = rules.value.map((r) => ({ ...r, fired: fired.get(r.id)?.count ?? 0 }));
  else rows = (counts.value ?? []).map((b) => ({ id: b.key, level: b.level ?? 0, description: b.label ?? '', groups: [], fired: b.count }));
  const f = filter.toLowerCase();
  const shown = rows
    .filter((r) => !f || r.id === f || r.description.toLowerCase().includes(f) || r.groups.some((g) => g.toLowerCase() === f))
    .sort((a, b) => b.fired - a.fired || Number(a.id) - Number(b.id));
  const pages = Math.max(1, Math.ceil(shown.length / RULES_PAGE));
  const rpage = Math.min(pages, Math.max(1, Number(query.rpage ?? 1) || 1));

  return (
    <div className={styles.layout}>
      <section>
        <LogtestBox />
      </section>
      <section>
        <div className={styles.head}>
          <Field label="Filter rules" className={styles.field}>
            <Input value={draft} width={36} placeholder="id, words of the description, or a group" onChange={(e) => setDraft(e.currentTarget.value)} onKeyDown={(e) => { if (e.key === 'Enter') locationService.partial({ rq: draft || null, rpage: null }); }} data-testid="rules-filter" />
          </Field>
          <span className={styles.muted} data-testid="rules-count">{shown.length} of {rows.length} rules</span>
        </div>
        {rules.error && (
          <Alert title="Warden's service is unreachable; showing only the rules that fired" severity="warning" data-testid="rules-service-error">
            {rules.error.message}. Set the service URL and token on the app&apos;s configuration page (the plugin route forwards to Warden&apos;s <code>GET /api/rules</code>).
          </Alert>
        )}
        {counts.error && <Alert title="Elasticsearch query failed" severity="error">{counts.error.message}</Alert>}
        {(rules.loading || counts.loading) && !rows.length ? <LoadingPlaceholder text="Loading…" /> : (
          <table className={styles.table} data-testid="rules-table">
            <thead><tr><th>Rule</th><th>Level</th><th>Description</th><th>Groups</th><th>Fired in range</th></tr></thead>
            <tbody>
              {shown.slice((rpage - 1) * RULES_PAGE, rpage * RULES_PAGE).map((r) => (
                <tr key={r.id} data-testid="rule-row" data-rule={r.id}>
                  <td><strong>{r.id}</strong></td>
                  <td><LevelBadge level={r.level} /></td>
                  <td>{r.description}</td>
                  <td><TagList tags={r.groups} /></td>
                  <td className={styles.num}>{r.fired ? <a className={styles.link} onClick={() => goTo(ROUTES.Search, { rule: r.id })}>{r.fired}</a> : 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {pages > 1 && <div className={styles.pager}><Pagination currentPage={rpage} numberOfPages={pages} onNavigate={(p) => locationService.partial({ rpage: p > 1 ? p : null })} /></div>}
      </section>
    </div>
  );
}

function LogtestBox() {
  const { canEdit } = useApp();
  const styles = useStyles2(getStyles);
  const [line, setLine] = useState('');
  const [location, setLocation] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<LogtestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await logtest(line, location.trim() || undefined));
    } catch (e) {
      setResult(null);
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className={styles.card} data-testid="logtest">
      <h3>Test a log line</h3>
      {!canEdit && <Alert severity="info" title="Needs the Editor role">Testing log lines runs Warden&apos;s logtest through the plugin route, which is limited to Editors.</Alert>}
      <TextArea rows={3} value={line} onChange={(e) => setLine(e.currentTarget.value)} placeholder="Oct 11 10:00:00 web1 sshd[1234]: Failed password for root from 192.0.2.10 port 40000 ssh2" data-testid="logtest-line" />
      <Field label="Location" description="Where the line comes from (a file path, or e.g. WinEvtLog); rules with <location> match on it" className={styles.location}>
        <Input value={location} width={40} placeholder="/var/log/auth.log" onChange={(e) => setLocation(e.currentTarget.value)} data-testid="logtest-location" />
      </Field>
      <div className={styles.actions}><Button onClick={run} disabled={!line.trim() || busy || !canEdit} icon={busy ? 'spinner' : 'play'} data-testid="logtest-run">Run logtest</Button></div>
      {error && <Alert severity="error" title="Logtest failed">{error}</Alert>}
      {result && (
        <pre className={styles.pre} data-testid="logtest-result">
          {'**Phase 1: Completed pre-decoding.\n'}
          {`       full event: '${result.phase1.full_event}'\n`}
          {`       hostname: '${result.phase1.hostname ?? '(null)'}'\n`}
          {`       program_name: '${result.phase1.program_name ?? '(null)'}'\n`}
          {`       log: '${result.phase1.log}'\n\n`}
          {'**Phase 2: Completed decoding.\n'}
          {result.phase2.decoder === null ? '       No decoder matched.\n' : result.phase2.fields.map((x) => `       ${x.name}: '${x.value}'\n`).join('') + `       decoder: '${result.phase2.decoder}'\n`}
          {result.phase3.rule ? `\n**Phase 3: Completed filtering (rules).\n       Rule id: '${result.phase3.rule.id}'\n       Level: '${result.phase3.rule.level}'\n       Description: '${result.phase3.rule.description}'\n` : '\n**Phase 3: Completed filtering (rules).\n       No rule matched: no alert.\n'}
          {result.phase3.alert && '**Alert to be generated.\n'}
        </pre>
      )}
      {result?.phase3.rule?.file && (
        <div data-testid="logtest-rule-source">
          <div className={styles.muted}>Rule {result.phase3.rule.id} in <code data-testid="logtest-rule-file">{result.phase3.rule.file}{result.phase3.rule.line ? `:${result.phase3.rule.line}` : ''}</code></div>
          {result.phase3.rule.xml && <pre className={styles.pre} data-testid="logtest-rule-xml">{result.phase3.rule.xml}</pre>}
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  pager: css({ display: 'flex', justifyContent: 'center', marginTop: theme.spacing(2) }),
  layout: css({ display: 'grid', gap: theme.spacing(2) }),
  card: css({ background: theme.colors.background.primary, border: `1px solid ${theme.colors.border.weak}`, borderRadius: theme.shape.radius.default, padding: theme.spacing(2), h3: { fontSize: theme.typography.h5.fontSize } }),
  actions: css({ margin: theme.spacing(1, 0) }),
  location: css({ marginTop: theme.spacing(1), marginBottom: 0 }),
  pre: css({ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', fontSize: theme.typography.bodySmall.fontSize }),
  head: css({ display: 'flex', alignItems: 'flex-end', gap: theme.spacing(2), marginBottom: theme.spacing(1) }),
  field: css({ marginBottom: 0 }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  num: css({ textAlign: 'right' }),
  link: css({ cursor: 'pointer', color: theme.colors.text.link }),
  table: css({
    width: '100%', borderCollapse: 'collapse', fontSize: theme.typography.bodySmall.fontSize,
    'th, td': { padding: theme.spacing(0.5, 1), borderBottom: `1px solid ${theme.colors.border.weak}`, textAlign: 'left', verticalAlign: 'top' },
    th: { color: theme.colors.text.secondary, background: theme.colors.background.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
});
