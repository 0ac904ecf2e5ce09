/**
 * Turns an OTLP logs export request (protobuf or JSON) into Warden's plain form:
 * resources with their attributes and the log records under them, values as plain JS.
 * Malformed input throws {@link MalformedRequestError}; nothing here trusts the sender.
 */
import { ExportLogsServiceRequest } from './proto';

/** An OTLP AnyValue as plain JS: kvlists become objects, arrays arrays, bytes Buffers. */
export type AnyJs = string | number | boolean | null | Buffer | AnyJs[] | { [key: string]: AnyJs };

export interface InRecord {
  /** Record time in ms since the epoch (0 when unset). */
  timeMs: number;
  /** Observed time in ms since the epoch (0 when unset). */
  observedMs: number;
  severityNumber: number;
  severityText: string;
  body: AnyJs | undefined;
  attributes: Record<string, AnyJs> | null;
  /** Position of the record in its request: `resource.scope.record`, stable across collector retries. */
  position: string;
}

export interface InResource {
  attributes: Record<string, AnyJs>;
  records: InRecord[];
}

export class MalformedRequestError extends Error {}

const MAX_DEPTH = 32;

// ---------------------------------------------------------------------------------------------
// protobuf

interface LongLike { toNumber(): number; low: number; high: number }
type PbAny = { value?: string; stringValue?: string; boolValue?: boolean; intValue?: number | LongLike; doubleValue?: number; arrayValue?: { values?: PbAny[] }; kvlistValue?: { values?: PbKv[] }; bytesValue?: Uint8Array };
type PbKv = { key: string; value?: PbAny | null };

function num(v: number | LongLike | undefined | null): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/**
 * Nanoseconds (a protobuf fixed64) to whole milliseconds, exactly: today's nanosecond counts are
 * past 2^53, so going through a double can lose the last millisecond. 2^32 = 4294 * 10^6 + 967296,
 * and every partial product stays below 2^53.
 */
function nanosToMs(v: number | LongLike | undefined | null): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Math.floor(v / 1e6);
  const high = v.high >>> 0;
  return high * 4294 + Math.floor((high * 967296 + (v.low >>> 0)) / 1e6);
}

function pbValue(v: PbAny | null | undefined, depth: number): AnyJs {
  if (!v || depth > MAX_DEPTH) return null;
  switch (v.value) {
    case 'stringValue': return v.stringValue!;
    case 'boolValue': return v.boolValue!;
    case 'intValue': return num(v.intValue);
    case 'doubleValue': return v.doubleValue!;
    case 'arrayValue': return (v.arrayValue?.values ?? []).map((x) => pbValue(x, depth + 1));
    case 'kvlistValue': return pbKvs(v.kvlistValue?.values, depth + 1);
    case 'bytesValue': return Buffer.from(v.bytesValue!);
    default: return null;
  }
}

function pbKvs(kvs: PbKv[] | undefined, depth: number): Record<string, AnyJs> {
  const out: Record<string, AnyJs> = {};
  if (kvs) for (const kv of kvs) out[kv.key] = pbValue(kv.value, depth);
  return out;
}

/** Decodes a protobuf ExportLogsServiceRequest. */
export function decodeProtobuf(buf: Uint8Array): InResource[] {
  let msg: { resourceLogs?: Array<{ resource?: { attributes?: PbKv[] }; scopeLogs?: Array<{ logRecords?: Array<Record<string, unknown>> }> }> };
  try {
    msg = ExportLogsServiceRequest.decode(buf) as unknown as typeof msg;
  } catch (e) {
    throw new MalformedRequestError(`malformed protobuf ExportLogsServiceRequest: ${(e as Error).message}`);
  }
  const out: InResource[] = [];
  const rls = msg.resourceLogs ?? [];
  for (let r = 0; r < rls.length; r++) {
    const rl = rls[r];
    const res: InResource = { attributes: pbKvs(rl.resource?.attributes, 0), records: [] };
    const sls = rl.scopeLogs ?? [];
    for (let s = 0; s < sls.length; s++) {
      const lrs = sls[s].logRecords ?? [];
      for (let i = 0; i < lrs.length; i++) {
        const lr = lrs[i] as { timeUnixNano?: LongLike | number; observedTimeUnixNano?: LongLike | number; severityNumber?: number; severityText?: string; body?: PbAny | null; attributes?: PbKv[] };
        const attrs = lr.attributes && lr.attributes.length ? pbKvs(lr.attributes, 0) : null;
        res.records.push({
          timeMs: nanosToMs(lr.timeUnixNano),
          observedMs: nanosToMs(lr.observedTimeUnixNano),
          severityNumber: lr.severityNumber ?? 0,
          severityText: lr.severityText ?? '',
          body: lr.body ? pbValue(lr.body, 0) : undefined,
          attributes: attrs,
          position: `${r}.${s}.${i}`,
        });
      }
    }
    out.push(res);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON (OTLP/JSON: lowerCamelCase names; snake_case accepted too)

type J = Record<string, unknown>;

function isObj(v: unknown): v is J {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pick(o: J, camel: string, snake: string): unknown {
  const v = o[camel];
  return v !== undefined ? v : o[snake];
}

function arr(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new MalformedRequestError(`${what} must be an array`);
  return v;
}

function jsonNanosToMs(v: unknown, what: string): number {
  if (v === undefined || v === null || v === '' || v === 0) return 0;
  // a decimal string (OTLP/JSON's uint64) divided exactly, as nanosToMs does for protobuf
  if (typeof v === 'string' && /^\d{1,30}$/.test(v)) return Number(BigInt(v) / 1_000_000n);
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n) || n < 0) throw new MalformedRequestError(`${what} must be a non-negative integer (nanoseconds), got ${JSON.stringify(v)}`);
  return Math.floor(n / 1e6);
}

function jsonValue(v: unknown, depth: number, what: string): AnyJs {
  if (v === undefined || v === null) return null;
  if (!isObj(v)) throw new MalformedRequestError(`${what} must be an AnyValue object`);
  if (depth > MAX_DEPTH) return null;
  let x: unknown;
  if ((x = pick(v, 'stringValue', 'string_value')) !== undefined) return typeof x === 'string' ? x : String(x);
  if ((x = pick(v, 'boolValue', 'bool_value')) !== undefined) return x === true || x === 'true';
  if ((x = pick(v, 'intValue', 'int_value')) !== undefined) {
    const n = Number(x);
    if (!Number.isFinite(n)) throw new MalformedRequestError(`${what}.intValue is not an integer`);
    return n;
  }
  if ((x = pick(v, 'doubleValue', 'double_value')) !== undefined) return Number(x);
  if ((x = pick(v, 'arrayValue', 'array_value')) !== undefined) {
    if (!isObj(x)) throw new MalformedRequestError(`${what}.arrayValue must be an object`);
    return arr(x.values, `${what}.arrayValue.values`).map((e, i) => jsonValue(e, depth + 1, `${what}[${i}]`));
  }
  if ((x = pick(v, 'kvlistValue', 'kvlist_value')) !== undefined) {
    if (!isObj(x)) throw new MalformedRequestError(`${what}.kvlistValue must be an object`);
    return jsonKvs(x.values, depth + 1, what);
  }
  if ((x = pick(v, 'bytesValue', 'bytes_value')) !== undefined) return Buffer.from(String(x), 'base64');
  return null;
}

function jsonKvs(v: unknown, depth: number, what: string): Record<string, AnyJs> {
  const out: Record<string, AnyJs> = {};
  for (const kv of arr(v, `${what} attributes`)) {
    if (!isObj(kv) || typeof kv.key !== 'string') throw new MalformedRequestError(`${what}: each attribute needs a string key`);
    out[kv.key] = jsonValue(kv.value, depth, `${what}.${kv.key}`);
  }
  return out;
}

/** Decodes an OTLP/JSON ExportLogsServiceRequest. */
export function decodeJson(text: string): InResource[] {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (e) {
    throw new MalformedRequestError(`malformed JSON: ${(e as Error).message}`);
  }
  if (!isObj(msg)) throw new MalformedRequestError('request body must be a JSON object with resourceLogs');
  const out: InResource[] = [];
  const rls = arr(pick(msg, 'resourceLogs', 'resource_logs'), 'resourceLogs');
  for (let r = 0; r < rls.length; r++) {
    const rl = rls[r];
    if (!isObj(rl)) throw new MalformedRequestError(`resourceLogs[${r}] must be an object`);
    const resource = rl.resource;
    const res: InResource = { attributes: isObj(resource) ? jsonKvs(resource.attributes, 0, 'resource') : {}, records: [] };
    const sls = arr(pick(rl, 'scopeLogs', 'scope_logs'), `resourceLogs[${r}].scopeLogs`);
    for (let s = 0; s < sls.length; s++) {
      const sl = sls[s];
      if (!isObj(sl)) throw new MalformedRequestError(`resourceLogs[${r}].scopeLogs[${s}] must be an object`);
      const lrs = arr(pick(sl, 'logRecords', 'log_records'), `resourceLogs[${r}].scopeLogs[${s}].logRecords`);
      for (let i = 0; i < lrs.length; i++) {
        const lr = lrs[i];
        const where = `resourceLogs[${r}].scopeLogs[${s}].logRecords[${i}]`;
        if (!isObj(lr)) throw new MalformedRequestError(`${where} must be an object`);
        const attrs = lr.attributes;
        const sev = Number(pick(lr, 'severityNumber', 'severity_number') ?? 0);
        res.records.push({
          timeMs: jsonNanosToMs(pick(lr, 'timeUnixNano', 'time_unix_nano'), `${where}.timeUnixNano`),
          observedMs: jsonNanosToMs(pick(lr, 'observedTimeUnixNano', 'observed_time_unix_nano'), `${where}.observedTimeUnixNano`),
          severityNumber: Number.isFinite(sev) ? sev : 0,
          severityText: String(pick(lr, 'severityText', 'severity_text') ?? ''),
          body: lr.body === undefined || lr.body === null ? undefined : jsonValue(lr.body, 0, `${where}.body`),
          attributes: Array.isArray(attrs) && attrs.length ? jsonKvs(attrs, 0, where) : null,
          position: `${r}.${s}.${i}`,
        });
      }
    }
    out.push(res);
  }
  return out;
}
