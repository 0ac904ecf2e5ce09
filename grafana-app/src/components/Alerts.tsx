/** The alerts table, the level badge and the drawer that shows a whole alert. */
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, Drawer, Stack, TagList, useStyles2 } from '@grafana/ui';
import { levelColor } from '../api/queries';
import type { AlertHit } from '../types';

export const fmtTime = (iso: string) => dateTimeFormat(iso, { format: 'YYYY-MM-DD HH:mm:ss' });

const noWrap = css({ whiteSpace: 'nowrap', flexShrink: 0 });

/** One colour per OSSEC level band, the same on every page and chart (levelColor). */
export function LevelBadge({ level }: { level: number }) {
  return <Badge text={`Level ${level}`} color={levelColor(level)} className={noWrap} data-testid="level-badge" />;
}

export function AlertsTable({ hits, onOpen, compact }: { hits: AlertHit[]; onOpen?: (h: AlertHit) => void; compact?: boolean }) {
  const styles = useStyles2(getStyles);
  return (
    <table className={styles.table} data-testid="alerts-table">
      <thead>
        <tr>
          <th>Time</th><th>Level</th><th>Rule</th><th>Agent</th>{!compact && <th>Location</th>}{!compact && <th>Source IP</th>}<th>Log</th>
        </tr>
      </thead>
      <tbody>
        {hits.map((h) => (
          <tr key={h.id} onClick={onOpen ? () => onOpen(h) : undefined} className={onOpen ? styles.clickable : undefined} data-testid="alert-row" data-level={h.doc.rule.level} data-rule={h.doc.rule.id}>
            <td className={styles.nowrap}>{fmtTime(h.doc['@timestamp'])}</td>
            <td className={styles.nowrap}><LevelBadge level={h.doc.rule.level} /></td>
            <td className={styles.rule}><strong>{h.doc.rule.id}</strong> {h.doc.rule.description}</td>
            <td className={styles.nowrap}>{h.doc.agent.name}</td>
            {!compact && <td className={styles.ellipsis}>{h.doc.location}</td>}
            {!compact && <td className={styles.nowrap}>{h.doc.data?.srcip ?? ''}</td>}
            <td className={styles.log}>{h.doc.full_log}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AlertDrawer({ hit, onClose, onSimilar }: { hit: AlertHit; onClose: () => void; onSimilar?: (h: AlertHit) => void }) {
  const styles = useStyles2(getStyles);
  const a = hit.doc;
  const data = Object.entries(a.data ?? {});
  return (
    <Drawer title={`Rule ${a.rule.id} (level ${a.rule.level})`} subtitle={a.rule.description} onClose={onClose} size="md">
      <div data-testid="alert-details">
        <Stack direction="row" gap={1} alignItems="center">
          <LevelBadge level={a.rule.level} />
          <TagList tags={a.rule.groups} />
        </Stack>
        <h4 className={styles.h}>Received from</h4>
        <div>({a.agent.name}) {a.agent.ip ?? ''}-&gt;{a.location} at {fmtTime(a['@timestamp'])}</div>
        <h4 className={styles.h}>Full log</h4>
        <pre className={styles.pre} data-testid="alert-full-log">{a.full_log ?? ''}</pre>
        {a.previous_output && (<><h4 className={styles.h}>Previous output (correlated events)</h4><pre className={styles.pre} data-testid="alert-previous-output">{a.previous_output}</pre></>)}
        <h4 className={styles.h}>Decoded fields</h4>
        <table className={styles.kv}>
          <tbody>
            {a.decoder && <tr><th>decoder</th><td>{a.decoder.name}{a.decoder.parent ? ` (parent ${a.decoder.parent})` : ''}</td></tr>}
            {a.predecoder?.program_name && <tr><th>program_name</th><td>{a.predecoder.program_name}</td></tr>}
            {a.predecoder?.hostname && <tr><th>hostname</th><td>{a.predecoder.hostname}</td></tr>}
            {data.map(([k, v]) => <tr key={k}><th>{k}</th><td>{v}</td></tr>)}
          </tbody>
        </table>
        {a.rule.mitre?.id?.length ? (<><h4 className={styles.h}>MITRE ATT&amp;CK</h4><TagList tags={a.rule.mitre.id} /></>) : null}
        {a.syscheck && (<><h4 className={styles.h}>File integrity</h4><table className={styles.kv}><tbody>{Object.entries(a.syscheck).map(([k, v]) => <tr key={k}><th>{k}</th><td>{String(v)}</td></tr>)}</tbody></table></>)}
        <h4 className={styles.h}>Alert</h4>
        <div className={styles.muted}>id {hit.id} in {hit.index}{a.rule.firedtimes ? `, rule fired ${a.rule.firedtimes} time(s)` : ''}</div>
        {onSimilar && <div className={styles.actions}><Button icon="search" variant="secondary" onClick={() => onSimilar(hit)}>Search for similar</Button></div>}
      </div>
    </Drawer>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%', borderCollapse: 'collapse', fontSize: theme.typography.bodySmall.fontSize, tableLayout: 'auto',
    'th, td': { padding: theme.spacing(0.5, 1), borderBottom: `1px solid ${theme.colors.border.weak}`, textAlign: 'left', verticalAlign: 'top' },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium, background: theme.colors.background.secondary },
  }),
  clickable: css({ cursor: 'pointer', '&:hover': { background: theme.colors.action.hover } }),
  nowrap: css({ whiteSpace: 'nowrap' }),
  ellipsis: css({ maxWidth: 200, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  rule: css({ minWidth: 220 }),
  log: css({ fontFamily: theme.typography.fontFamilyMonospace, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap', color: theme.colors.text.secondary }),
  h: css({ marginTop: theme.spacing(2), marginBottom: theme.spacing(0.5), fontSize: theme.typography.h6.fontSize }),
  pre: css({ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }),
  kv: css({ fontSize: theme.typography.bodySmall.fontSize, 'th, td': { padding: theme.spacing(0.25, 1), textAlign: 'left', verticalAlign: 'top' }, th: { color: theme.colors.text.secondary, fontWeight: 'normal', whiteSpace: 'nowrap' } }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  actions: css({ marginTop: theme.spacing(2) }),
});
