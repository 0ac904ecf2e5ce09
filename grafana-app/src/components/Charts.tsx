/** Small themed charts (SVG), enough for counts over time and top-N lists. */
import { useEffect, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type { Series } from '../api/queries';

export interface BarsProps { series: Series[]; height?: number; title?: string; testId?: string; onBarClick?: (t: number) => void }

/** Bars side by side per time bucket, one colour per series, with a legend carrying each total. */
export function BarsChart({ series, height = 160, title, testId }: BarsProps) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const palette = [theme.visualization.getColorByName('blue'), theme.visualization.getColorByName('orange'), theme.visualization.getColorByName('red'), theme.visualization.getColorByName('green'), theme.visualization.getColorByName('purple'), theme.visualization.getColorByName('yellow')];
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const max = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1])));
  const box = useRef<HTMLDivElement>(null);
  const [W, setW] = useState(600);
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setW(Math.max(200, Math.floor(el.clientWidth))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const H = height;
  const pad = { l: 40, b: 20, t: 6 };
  const slot = times.length ? (W - pad.l) / times.length : 0;
  const bw = series.length ? Math.max(1, (slot * 0.8) / series.length) : 0;
  const y = (v: number) => H - pad.b - ((H - pad.b - pad.t) * v) / max;
  const labelEvery = Math.max(1, Math.ceil((times.length * 90) / Math.max(1, W - 40)));
  const fmt = (t: number) => dateTimeFormat(t, { format: times.length > 1 && times[1] - times[0] >= 86400e3 ? 'MM-DD' : 'MM-DD HH:mm' });
  return (
    <div className={styles.chart} data-testid={testId}>
      {title && <div className={styles.title}>{title}</div>}
      <div ref={box} />
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={title}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={pad.l} x2={W} y1={y(max * f)} y2={y(max * f)} stroke={theme.colors.border.weak} />
            <text x={pad.l - 4} y={y(max * f) + 4} textAnchor="end" fontSize={11} fill={theme.colors.text.secondary}>{Math.round(max * f)}</text>
          </g>
        ))}
        {times.map((t, i) => (
          <g key={t}>
            {series.map((s, k) => {
              const v = s.points.find((p) => p[0] === t)?.[1] ?? 0;
              return v > 0 ? <rect key={s.name} x={pad.l + i * slot + slot * 0.1 + k * bw} y={y(v)} width={bw} height={H - pad.b - y(v)} fill={s.color ? theme.visualization.getColorByName(s.color) : palette[k % palette.length]}><title>{`${s.name} ${fmt(t)}: ${v}`}</title></rect> : null;
            })}
            {i % labelEvery === 0 && <text x={pad.l + i * slot} y={H - 5} fontSize={11} fill={theme.colors.text.secondary}>{fmt(t)}</text>}
          </g>
        ))}
      </svg>
      <div className={styles.legend}>
        {series.map((s, k) => (
          <span key={s.name} className={styles.legendItem}>
            <span className={styles.swatch} style={{ background: s.color ? theme.visualization.getColorByName(s.color) : palette[k % palette.length] }} />
            {s.name} ({s.points.reduce((n, p) => n + p[1], 0)})
          </span>
        ))}
      </div>
    </div>
  );
}

export interface TopItem { key: string; label?: string; count: number; color?: string; onClick?: () => void }

/** Horizontal bars for a top-N list. */
export function TopList({ title, items, empty = 'Nothing in this range.', testId }: { title: string; items: TopItem[]; empty?: string; testId?: string }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const max = Math.max(1, ...items.map((i) => i.count));
  return (
    <div className={styles.top} data-testid={testId}>
      <div className={styles.title}>{title}</div>
      {items.length === 0 && <div className={styles.muted}>{empty}</div>}
      {items.map((i) => (
        <div key={i.key} className={styles.topRow} onClick={i.onClick} role={i.onClick ? 'button' : undefined}>
          <div className={styles.topLabel} title={i.label ? `${i.key} ${i.label}` : i.key}>
            <strong>{i.key}</strong>{i.label ? <span className={styles.muted}> {i.label}</span> : null}
          </div>
          <div className={styles.topBarWrap}>
            <div className={styles.topBar} style={{ width: `${(100 * i.count) / max}%`, background: i.color ?? theme.visualization.getColorByName('blue') }} />
          </div>
          <div className={styles.topCount}>{i.count}</div>
        </div>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  chart: css({ background: theme.colors.background.primary, border: `1px solid ${theme.colors.border.weak}`, borderRadius: theme.shape.radius.default, padding: theme.spacing(1) }),
  title: css({ fontWeight: theme.typography.fontWeightMedium, marginBottom: theme.spacing(1) }),
  legend: css({ display: 'flex', gap: theme.spacing(2), fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary, flexWrap: 'wrap' }),
  legendItem: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5) }),
  swatch: css({ width: 10, height: 10, borderRadius: 2, display: 'inline-block' }),
  top: css({ background: theme.colors.background.primary, border: `1px solid ${theme.colors.border.weak}`, borderRadius: theme.shape.radius.default, padding: theme.spacing(1), minWidth: 0 }),
  topRow: css({ display: 'grid', gridTemplateColumns: 'minmax(0, 2fr) minmax(0, 2fr) 48px', gap: theme.spacing(1), alignItems: 'center', padding: `${theme.spacing(0.25)} 0`, fontSize: theme.typography.bodySmall.fontSize }),
  topLabel: css({ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  topBarWrap: css({ background: theme.colors.background.secondary, height: 10, borderRadius: 2 }),
  topBar: css({ height: 10, borderRadius: 2 }),
  topCount: css({ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }),
  muted: css({ color: theme.colors.text.secondary }),
});
