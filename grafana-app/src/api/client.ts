/**
 * Talks to Grafana, never to Elasticsearch directly: `_msearch` through the chosen Elasticsearch
 * data source's resource endpoint, `/api/ds/query` for time series, and the plugin's routes
 * (plugin.json) for Warden's service. Grafana adds the credentials server-side.
 */
import { getBackendSrv, type FetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { SERVICE_PROXY } from '../constants';
import { dsQueryRequest, esError, msearchPayload, seriesFromFrames, type DsQueryTarget, type EsResponse, type SearchRequest, type Series } from './queries';
import type { Range } from '../types';

export class QueryError extends Error {
  constructor(message: string, readonly status?: number) { super(message); }
}

function describe(e: unknown): QueryError {
  const fe = e as Partial<FetchError<{ message?: string; error?: string }>> & { message?: string };
  if (fe && typeof fe === 'object' && typeof fe.status === 'number') {
    const msg = fe.data?.message ?? fe.data?.error ?? fe.statusText ?? 'request failed';
    return new QueryError(`${msg} (HTTP ${fe.status})`, fe.status);
  }
  return new QueryError(fe?.message ?? String(e));
}

export async function msearch<T = unknown>(uid: string, reqs: SearchRequest[]): Promise<Array<EsResponse<T>>> {
  try {
    const r = await lastValueFrom(getBackendSrv().fetch<{ responses: Array<EsResponse<T>> }>({
      url: `/api/datasources/uid/${encodeURIComponent(uid)}/resources/_msearch`,
      method: 'POST',
      data: msearchPayload(reqs),
      headers: { 'Content-Type': 'application/x-ndjson' },
      showErrorAlert: false,
    }));
    const responses = r.data.responses ?? [];
    for (const x of responses) {
      const err = esError(x);
      // a missing index is "no data yet", not an error (ignore_unavailable covers patterns only)
      if (err && !/no such index/.test(err)) throw new QueryError(err, x.status);
    }
    return responses;
  } catch (e) {
    throw e instanceof QueryError ? e : describe(e);
  }
}

export async function search<T = unknown>(uid: string, req: SearchRequest): Promise<EsResponse<T>> {
  return (await msearch<T>(uid, [req]))[0];
}

export async function dsQuery(targets: DsQueryTarget[], range: Range): Promise<Record<string, Series[]>> {
  try {
    const r = await lastValueFrom(getBackendSrv().fetch<{ results: Record<string, { frames?: []; error?: string }> }>({
      url: '/api/ds/query',
      method: 'POST',
      data: dsQueryRequest(targets, range),
      showErrorAlert: false,
    }));
    const out: Record<string, Series[]> = {};
    for (const t of targets) out[t.refId] = seriesFromFrames(r.data, t.refId);
    return out;
  } catch (e) {
    throw e instanceof Error && !(e as { status?: number }).status ? new QueryError(e.message) : describe(e);
  }
}

// ---- Warden's service through the plugin routes

export interface LogtestResult {
  phase1: { full_event: string; hostname: string | null; program_name: string | null; log: string; timestamp?: string | null };
  phase2: { decoder: string | null; parent?: string | null; fields: Array<{ name: string; value: string }> };
  phase3: { rule: { id: string; level: number; description: string; groups: string[]; file?: string; line?: number; xml?: string } | null; alert: boolean };
}

export interface RuleInfo { id: string; level: number; description: string; groups: string[]; file?: string }

export async function logtest(line: string, location?: string): Promise<LogtestResult> {
  try {
    const r = await lastValueFrom(getBackendSrv().fetch<LogtestResult>({ url: `${SERVICE_PROXY}/logtest`, method: 'POST', data: { line, location }, showErrorAlert: false }));
    return r.data;
  } catch (e) {
    throw describe(e);
  }
}

export async function listRules(): Promise<RuleInfo[]> {
  try {
    const r = await lastValueFrom(getBackendSrv().fetch<{ rules: RuleInfo[] }>({ url: `${SERVICE_PROXY}/rules`, method: 'GET', showErrorAlert: false }));
    return r.data.rules ?? [];
  } catch (e) {
    throw describe(e);
  }
}
