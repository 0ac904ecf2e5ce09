/**
 * Counts over time drawn by Grafana's own time series visualisation (@grafana/ui's TimeSeries, the
 * uPlot chart behind Grafana's panels): bars per interval, Grafana's tooltip, legend with each
 * series' total, colours from Grafana's palette.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { applyFieldOverrides, dateTime, FieldColorModeId, FieldType, toDataFrame, type DataFrame, type GrafanaTheme2, type TimeRange } from '@grafana/data';
import { TimeSeries, TooltipPlugin2, useStyles2, useTheme2 } from '@grafana/ui';
import type { Range } from '../types';
import type { Series } from '../api/queries';

const PALETTE = ['blue', 'orange', 'red', 'green', 'purple', 'yellow'];

export function toFrames(series: Series[]): DataFrame[] {
  return series.map((s, k) => toDataFrame({
    name: s.name,
    fields: [
      { name: 'Time', type: FieldType.time, values: s.points.map((p) => p[0]) },
      {
        name: s.name, type: FieldType.number, values: s.points.map((p) => p[1]),
        config: { displayName: s.name, unit: 'none', decimals: 0, color: { mode: FieldColorModeId.Fixed, fixedColor: s.color ?? PALETTE[k % PALETTE.length] }, custom: { drawStyle: 'bars', fillOpacity: 80, lineWidth: 1, barAlignment: 0, stacking: { mode: 'normal', group: 'A' }, showPoints: 'never', axisSoftMin: 0 } },
      },
    ],
  }));
}

export function TimeSeriesChart({ series, range, title, testId, height = 200 }: { series: Series[]; range: Range; title: string; testId: string; height?: number }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    setWidth(el.clientWidth);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const frames = useMemo(() => applyFieldOverrides({ data: toFrames(series), fieldConfig: { defaults: {}, overrides: [] }, replaceVariables: (v: string) => v, theme, timeZone: 'browser' }), [series, theme]);
  const timeRange: TimeRange = useMemo(() => ({ from: dateTime(range.from), to: dateTime(range.to), raw: { from: dateTime(range.from), to: dateTime(range.to) } }), [range.from, range.to]);
  return (
    <div className={styles.chart} data-testid={testId}>
      <div className={styles.title}>{title}</div>
      <div ref={box}>
        {width > 0 && (
          <TimeSeries frames={frames} timeRange={timeRange} timeZone="browser" width={width} height={height} legend={{ displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['sum'] } as never}>
            {(config) => <TooltipPlugin2 config={config} hoverMode={1 as never} render={(u, dataIdxs) => (
              <div className={styles.tooltip} data-testid="chart-tooltip">
                {dataIdxs.map((i, k) => (k === 0 || i === null ? null : <div key={k}>{frames[k - 1]?.fields[1]?.config.displayName ?? ''}: {u.data[k]?.[i] ?? 0}</div>))}
              </div>
            )} />}
          </TimeSeries>
        )}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  chart: css({ background: theme.colors.background.primary, border: `1px solid ${theme.colors.border.weak}`, borderRadius: theme.shape.radius.default, padding: theme.spacing(1), minWidth: 0 }),
  title: css({ fontWeight: theme.typography.fontWeightMedium, marginBottom: theme.spacing(1) }),
  tooltip: css({ padding: theme.spacing(0.5, 1), fontSize: theme.typography.bodySmall.fontSize }),
});
