/** Alerts search: filters in the URL, paged results newest first, a row opens the whole alert, CSV export, "search for similar". */
import { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { Alert, Button, Field, Input, LoadingPlaceholder, Pagination, useStyles2 } from '@grafana/ui';
import { msearch, search } from '../api/client';
import { PAGE_SIZE, buckets, pickListsBody, alertHits, alertsToCsv, exportBody, filtersFromParams, filtersToParams, searchBody, similarFilters, totalOf, type EsResponse, type SearchFilters } from '../api/queries';
import type { AlertDoc, AlertHit } from '../types';
import { useApp } from '../components/AppContext';
import { useAsync, useTimeRange } from '../components/hooks';
import { NoData, PageShell } from '../components/PageShell';
import { AlertDrawer, AlertsTable } from '../components/Alerts';

export function Search() {
  return <PageShell><SearchBody /></PageShell>;
}

type Draft = Record<'level' | 'maxlevel' | 'rule' | 'group' | 'agent' | 'location' | 'srcip' | 'user' | 'q', string>;

const toDraft = (f: SearchFilters): Draft => {
  const p = filtersToParams(f);
  return { level: p.level ?? '', maxlevel: p.maxlevel ?? '', rule: p.rule ?? '', group: p.group ?? '', agent: p.agent ?? '', location: p.location ?? '', srcip: p.srcip ?? '', user: p.user ?? '', q: p.q ?? '' };
};

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function SearchBody() {
  const { uid, idx } = useApp();
  const styles = useStyles2(getStyles);
  const { range, query } = useTimeRange();
  const filters = filtersFromParams(query);
  const page = Math.max(1, Number(query.page ?? 1) || 1);
  const fkey = JSON.stringify(filters);
  const [draft, setDraft] = useState<Draft>(() => toDraft(filters));
  useEffect(() => setDraft(toDraft(filtersFromParams(locationService.getSearchObject()))), [fkey]);
  const [open, setOpen] = useState<AlertHit | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);

  const res = useAsync(async () => {
    const r = (await search<AlertDoc>(uid!, { index: idx.alerts, body: searchBody(filters, range, page) })) as EsResponse<AlertDoc>;
    return { hits: alertHits(r), total: totalOf(r) };
  }, [uid, fkey, range.from, range.to, page]);

  const picks = useAsync(async () => {
    const [r] = await msearch(uid!, [{ index: idx.alerts, body: pickListsBody(range) }]);
    const keys = (n: string) => buckets(r.aggregations, n).map((b) => b.key);
    return { group: keys('group'), agent: keys('agent'), location: keys('location'), rule: keys('rule'), user: [...new Set([...keys('user'), ...keys('srcuser')])].sort() } as Partial<Record<keyof Draft, string[]>>;
  }, [uid, range.from, range.to]);

  const apply = (d: Draft) => locationService.partial({ ...filtersToParams(filtersFromParams(d)), page: null });
  const set = (k: keyof Draft) => (e: React.FormEvent<HTMLInputElement>) => setDraft({ ...draft, [k]: e.currentTarget.value });
  const onKey = (e: React.KeyboardEvent) => { if (e.key === 'Enter') apply(draft); };
  const field = (k: keyof Draft, label: string, placeholder: string, width = 18) => (
    <div className={styles.fieldBox}>
      <Field label={label} className={styles.field}>
        <Input value={draft[k]} onChange={set(k)} onKeyDown={onKey} placeholder={placeholder} width={width} data-testid={`filter-${k}`} aria-label={label} list={picks.value?.[k] ? `warden-pick-${k}` : undefined} />
      </Field>
      {picks.value?.[k] && <datalist id={`warden-pick-${k}`} data-testid={`pick-${k}`}>{picks.value[k]!.map((v) => <option key={v} value={v} />)}</datalist>}
    </div>
  );
  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const r = (await search<AlertDoc>(uid!, { index: idx.alerts, body: exportBody(filters, range) })) as EsResponse<AlertDoc>;
      download(`warden-alerts-${new Date(range.from).toISOString().slice(0, 16)}.csv`, alertsToCsv(alertHits(r)));
    } catch (e) {
      setExportError((e as Error).message);
    } finally {
      setExporting(false);
    }
  };
  const similar = (h: AlertHit) => {
    setOpen(null);
    locationService.partial({ ...filtersToParams(similarFilters(h.doc)), page: null });
  };

  const pages = res.value ? Math.max(1, Math.ceil(Math.min(res.value.total, 10000) / PAGE_SIZE)) : 1;
  return (
    <div>
      <div className={styles.filters} data-testid="search-filters">
        {field('level', 'Minimum level', '0-16', 10)}
        {field('maxlevel', 'Maximum level', '0-16', 10)}
        {field('rule', 'Rule id(s)', '5710, 5712', 16)}
        {field('group', 'Rule group', 'authentication_failed', 22)}
        {field('agent', 'Agent', 'name or id', 16)}
        {field('location', 'Location', '/var/log/auth.log', 22)}
        {field('srcip', 'Source IP', '192.0.2.0/24', 18)}
        {field('user', 'User', 'root', 14)}
        {field('q', 'Full log contains', 'text', 24)}
        <div className={styles.buttons}>
          <Button icon="search" onClick={() => apply(draft)} data-testid="search-apply">Search</Button>
          <Button variant="secondary" onClick={() => apply(toDraft({}))}>Clear</Button>
        </div>
      </div>
      {res.error && <Alert title="Elasticsearch query failed" severity="error">{res.error.message}</Alert>}
      {res.loading && !res.value && <LoadingPlaceholder text="Searching…" />}
      {res.value && (
        <>
          <div className={styles.summary}>
            <span data-testid="search-total">{res.value.total} alert{res.value.total === 1 ? '' : 's'}</span>
            <Button size="sm" variant="secondary" icon="download-alt" onClick={exportCsv} disabled={exporting || res.value.total === 0} data-testid="export-csv">Export CSV</Button>
            {exportError && <span className={styles.err}>{exportError}</span>}
          </div>
          {res.value.total === 0 ? <NoData what="alerts match these filters" /> : (
            <>
              <AlertsTable hits={res.value.hits} onOpen={setOpen} />
              <div className={styles.pager}>
                <Pagination currentPage={page} numberOfPages={pages} onNavigate={(p) => locationService.partial({ page: p > 1 ? p : null })} />
              </div>
            </>
          )}
        </>
      )}
      {open && <AlertDrawer hit={open} onClose={() => setOpen(null)} onSimilar={similar} />}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  filters: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1), alignItems: 'flex-end', marginBottom: theme.spacing(1) }),
  field: css({ marginBottom: 0 }),
  fieldBox: css({ display: 'flex', flexDirection: 'column' }),
  buttons: css({ display: 'flex', gap: theme.spacing(1) }),
  summary: css({ display: 'flex', gap: theme.spacing(2), alignItems: 'center', margin: theme.spacing(1, 0) }),
  pager: css({ display: 'flex', justifyContent: 'center', marginTop: theme.spacing(2) }),
  err: css({ color: theme.colors.error.text }),
});
