import { createContext, useContext, useEffect, useMemo, useState, type DependencyList } from 'react';
import { dateTime, rangeUtil, type TimeRange, type UrlQueryMap } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import type { Range } from '../types';

/** The URL's query, kept current as the location changes (pages keep all their state there). */
export function useUrlQuery(): UrlQueryMap {
  const [q, setQ] = useState<UrlQueryMap>(() => locationService.getSearchObject());
  useEffect(() => {
    const sub = locationService.getLocationObservable().subscribe(() => setQ(locationService.getSearchObject()));
    return () => sub.unsubscribe();
  }, []);
  return q;
}

/** Counts the refresh picker's ticks; the pages' queries re-run (and "now" moves) on each. */
export const RefreshTick = createContext(0);

/** The URL's `refresh` (Grafana's form: 5s, 1m…); empty means off. */
export function useRefreshTick(): number {
  const q = useUrlQuery();
  const interval = typeof q.refresh === 'string' ? q.refresh : '';
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!interval) return;
    let ms = 0;
    try { ms = rangeUtil.intervalToMs(interval); } catch { ms = 0; }
    if (ms < 1000) return;
    const t = setInterval(() => setTick((n) => n + 1), ms);
    return () => clearInterval(t);
  }, [interval]);
  return tick;
}

export const DEFAULT_FROM = 'now-24h';
export const DEFAULT_TO = 'now';

/** `from`/`to` URL values (relative like now-24h, or epoch ms) → a Grafana time range. */
export function timeRangeFromUrl(q: UrlQueryMap): TimeRange {
  const v = (x: unknown, d: string) => { const s = String(x ?? d); return /^\d+$/.test(s) ? dateTime(Number(s)) : s; };
  const tr = rangeUtil.convertRawToRange({ from: v(q.from, DEFAULT_FROM), to: v(q.to, DEFAULT_TO) });
  if (!tr.from.isValid() || !tr.to.isValid()) return rangeUtil.convertRawToRange({ from: DEFAULT_FROM, to: DEFAULT_TO });
  return tr;
}

/** The page's time range, from the URL; a refresh (the picker's button or its timer) re-evaluates `now`. */
export function useTimeRange(): { timeRange: TimeRange; range: Range; query: UrlQueryMap } {
  const query = useUrlQuery();
  const tick = useContext(RefreshTick);
  const key = `${query.from ?? ''}|${query.to ?? ''}|${query.tick ?? ''}|${tick}`;
  const timeRange = useMemo(() => timeRangeFromUrl(query), [key]);
  const range = useMemo(() => ({ from: timeRange.from.valueOf(), to: timeRange.to.valueOf() }), [timeRange]);
  return { timeRange, range, query };
}

export function rawToUrl(v: string | { valueOf(): number }): string {
  return typeof v === 'string' ? v : String(v.valueOf());
}

export interface AsyncState<T> { loading: boolean; error: Error | null; value: T | undefined }

/** Runs `fn` when `deps` change; an older answer that arrives late is dropped. */
export function useAsync<T>(fn: () => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ loading: true, error: null, value: undefined });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    fn().then(
      (value) => { if (live) setState({ loading: false, error: null, value }); },
      (error: Error) => { if (live) setState({ loading: false, error, value: undefined }); },
    );
    return () => { live = false; };
  }, deps);
  return state;
}
