import { useEffect, useMemo, useState, type DependencyList } from 'react';
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

export function usePathname(): string {
  const [p, setP] = useState(() => locationService.getLocation().pathname);
  useEffect(() => {
    const sub = locationService.getLocationObservable().subscribe((l) => setP(l.pathname));
    return () => sub.unsubscribe();
  }, []);
  return p;
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

/** The page's time range, from the URL (with `refresh` as a counter that re-evaluates `now`). */
export function useTimeRange(): { timeRange: TimeRange; range: Range; query: UrlQueryMap } {
  const query = useUrlQuery();
  const key = `${query.from ?? ''}|${query.to ?? ''}|${query.refresh ?? ''}`;
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
