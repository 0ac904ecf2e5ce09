/**
 * Wazuh's `JSON_Decoder` plugin.
 *
 * The log (from `start`) is parsed the way cJSON parses it — the parser below accepts what cJSON
 * accepts and rejects what it rejects (nesting limit 1000, trailing text after the value
 * ignored, bytes <= 0x20 are whitespace, raw control characters allowed inside strings, a
 * `\u0000` or invalid `\uXXXX` escape ends a string, strtod-style numbers such as `01`, `1.`,
 * `-.5`), keeps object members in document order and keeps duplicate keys. On a parse error
 * nothing is set.
 *
 * Members are then flattened: nested objects give dotted keys (`a.b.c`); strings as they are;
 * numbers as `%i` when integral within the C int range, else `%f` (`1.500000`,
 * `3000000000.000000`); booleans `true`/`false`; null per `nullField`; arrays per
 * `arrayStructure` (`csv`: scalar elements joined with `,`, nested arrays/objects skipped,
 * nulls as `null`, dropped if the joined text would reach 65,536 bytes; `array`: the array as
 * cJSON_Print prints it). A top-level key equal to a static field name fills that field
 * (srcip, dstip, srcport, dstport, protocol, action, id, url, data, extra_data, status,
 * systemname/system_name, srcuser, dstuser/user — later occurrences overwrite); every other key
 * becomes a dynamic field (the first occurrence wins, as Wazuh's field lookup returns the first),
 * up to `maxFields` dynamic fields per event (Wazuh `decoder_order_size`, 256).
 */
import type { LogEvent } from '../../event';
import { cjsonPrintNumber, utf8Length, wazuhNumber } from './cformat';

export interface JsonDecoderOptions {
  /** `<json_null_field>`: `discard` (default) drops null members, `string` stores "null", `empty` stores "". */
  nullField?: 'discard' | 'string' | 'empty';
  /** `<json_array_structure>`: `csv` (default) or `array` (cJSON_Print text, e.g. `["a", "b"]`). */
  arrayStructure?: 'csv' | 'array';
  /** Dynamic-field cap per event (Wazuh `analysisd.decoder_order_size`). Default 256. */
  maxFields?: number;
  /** Wazuh 4.x: an array with no scalar to join (`[]`, arrays of objects) is kept as its JSON text. */
  keepUnjoinableArrays?: boolean;
}

export interface FlattenOptions {
  nullField?: 'discard' | 'string' | 'empty';
  arrayStructure?: 'csv' | 'array';
  /** Containers nested deeper than this are not descended into. Default and maximum 1000 (cJSON's limit). */
  maxDepth?: number;
  /** Stop after this many pairs. Default unlimited. */
  maxPairs?: number;
  /** See JsonDecoderOptions.keepUnjoinableArrays. */
  keepUnjoinableArrays?: boolean;
}

/** cJSON's CJSON_NESTING_LIMIT. */
export const JSON_NESTING_LIMIT = 1000;
/** OS_MAXSTR: the CSV array buffer. */
const OS_MAXSTR = 65536;

// ---------------------------------------------------------------------------------------------
// Parsed tree. Arrays are JS arrays; objects keep member order and duplicates.

/** A parsed JSON object: members in document order, duplicates kept. */
export class JsonObject {
  readonly keys: string[] = [];
  readonly values: JsonValue[] = [];
}
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

class ParseError extends Error {}
const FAIL = new ParseError('malformed JSON');

/**
 * Parse like `cJSON_ParseWithOpts(text, &end, 0)`. Returns undefined when cJSON would fail.
 * Never throws, never recurses deeper than JSON_NESTING_LIMIT.
 */
export function parseJsonLikeCJson(text: string, start = 0): JsonValue | undefined {
  let end = text.indexOf('\0', start);
  if (end < 0) end = text.length;
  const p = new Parser(text, start, end);
  try {
    if (text.charCodeAt(p.pos) === 0xfeff) p.pos++;
    p.ws();
    return p.value();
  } catch (e) {
    if (e instanceof ParseError) return undefined;
    throw e;
  }
}

class Parser {
  depth = 0;
  constructor(readonly s: string, public pos: number, readonly end: number) {}

  ws(): void {
    const s = this.s;
    while (this.pos < this.end && s.charCodeAt(this.pos) <= 32) this.pos++;
  }

  value(): JsonValue {
    if (this.pos >= this.end) throw FAIL;
    const s = this.s;
    const c = s.charCodeAt(this.pos);
    switch (c) {
      case 0x6e: // n
        if (s.startsWith('null', this.pos) && this.pos + 4 <= this.end) { this.pos += 4; return null; }
        throw FAIL;
      case 0x66: // f
        if (s.startsWith('false', this.pos) && this.pos + 5 <= this.end) { this.pos += 5; return false; }
        throw FAIL;
      case 0x74: // t
        if (s.startsWith('true', this.pos) && this.pos + 4 <= this.end) { this.pos += 4; return true; }
        throw FAIL;
      case 0x22: return this.string();
      case 0x5b: return this.array();
      case 0x7b: return this.object();
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        throw FAIL;
    }
  }

  /** strtod over the run of `[0-9+\-eE.]` that cJSON copies. */
  number(): number {
    const s = this.s;
    let i = this.pos;
    const end = this.end;
    if (s.charCodeAt(i) === 0x2b || s.charCodeAt(i) === 0x2d) i++;
    const d0 = i;
    while (i < end && isDigit(s.charCodeAt(i))) i++;
    let nd = i - d0;
    if (i < end && s.charCodeAt(i) === 0x2e) {
      i++;
      const f0 = i;
      while (i < end && isDigit(s.charCodeAt(i))) i++;
      nd += i - f0;
    }
    if (nd === 0) throw FAIL;
    if (i < end && (s.charCodeAt(i) | 0x20) === 0x65) {
      let j = i + 1;
      if (j < end && (s.charCodeAt(j) === 0x2b || s.charCodeAt(j) === 0x2d)) j++;
      if (j < end && isDigit(s.charCodeAt(j))) {
        while (j < end && isDigit(s.charCodeAt(j))) j++;
        i = j;
      }
    }
    const v = Number(s.slice(this.pos, i));
    this.pos = i;
    return v;
  }

  string(): string {
    const s = this.s;
    const end = this.end;
    let i = this.pos + 1;
    // Find the closing quote (cJSON's first pass).
    let close = -1;
    let hasEscape = false;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c === 0x22) { close = i; break; }
      if (c === 0x5c) {
        if (i + 1 >= end) throw FAIL;
        hasEscape = true;
        i += 2;
      } else i++;
    }
    if (close < 0) throw FAIL;
    const begin = this.pos + 1;
    this.pos = close + 1;
    if (!hasEscape) return s.slice(begin, close);
    // Second pass: unescape; a decoded NUL ends the C string.
    let out = '';
    let run = begin;
    i = begin;
    while (i < close) {
      if (s.charCodeAt(i) !== 0x5c) { i++; continue; }
      out += s.slice(run, i);
      const e = s.charCodeAt(i + 1);
      let add: string;
      let width = 2;
      switch (e) {
        case 0x62: add = '\b'; break;
        case 0x66: add = '\f'; break;
        case 0x6e: add = '\n'; break;
        case 0x72: add = '\r'; break;
        case 0x74: add = '\t'; break;
        case 0x22: add = '"'; break;
        case 0x5c: add = '\\'; break;
        case 0x2f: add = '/'; break;
        case 0x75: { // u
          if (close - i < 6) throw FAIL;
          const first = hex4(s, i + 2);
          if (first >= 0xdc00 && first <= 0xdfff) throw FAIL;
          if (first >= 0xd800 && first <= 0xdbff) {
            const j = i + 6;
            if (close - j < 6) throw FAIL;
            if (s.charCodeAt(j) !== 0x5c || s.charCodeAt(j + 1) !== 0x75) throw FAIL;
            const second = hex4(s, j + 2);
            if (second < 0xdc00 || second > 0xdfff) throw FAIL;
            add = String.fromCharCode(first, second);
            width = 12;
          } else {
            if (first === 0) {
              // Decoded NUL: the C string ends here (the rest is still validated by cJSON).
              this.validateEscapes(i + 6, close);
              return out;
            }
            add = String.fromCharCode(first);
            width = 6;
          }
          break;
        }
        default: throw FAIL;
      }
      out += add;
      i += width;
      run = i;
    }
    return out + s.slice(run, close);
  }

  /** cJSON still converts (and may reject) the escapes after a decoded NUL. */
  private validateEscapes(i: number, close: number): void {
    const s = this.s;
    while (i < close) {
      if (s.charCodeAt(i) !== 0x5c) { i++; continue; }
      const e = s.charCodeAt(i + 1);
      if (e === 0x75) {
        if (close - i < 6) throw FAIL;
        const first = hex4(s, i + 2);
        if (first >= 0xdc00 && first <= 0xdfff) throw FAIL;
        if (first >= 0xd800 && first <= 0xdbff) {
          const j = i + 6;
          if (close - j < 6 || s.charCodeAt(j) !== 0x5c || s.charCodeAt(j + 1) !== 0x75) throw FAIL;
          const second = hex4(s, j + 2);
          if (second < 0xdc00 || second > 0xdfff) throw FAIL;
          i += 12;
        } else i += 6;
      } else if ('bfnrt"\\/'.includes(s[i + 1])) i += 2;
      else throw FAIL;
    }
  }

  array(): JsonValue[] {
    if (this.depth >= JSON_NESTING_LIMIT) throw FAIL;
    this.depth++;
    const out: JsonValue[] = [];
    this.pos++;
    this.ws();
    if (this.pos < this.end && this.s.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value());
      this.ws();
      if (this.pos < this.end && this.s.charCodeAt(this.pos) === 0x2c) { this.pos++; continue; }
      break;
    }
    if (this.pos >= this.end || this.s.charCodeAt(this.pos) !== 0x5d) throw FAIL;
    this.pos++;
    this.depth--;
    return out;
  }

  object(): JsonObject {
    if (this.depth >= JSON_NESTING_LIMIT) throw FAIL;
    this.depth++;
    const out = new JsonObject();
    this.pos++;
    this.ws();
    if (this.pos < this.end && this.s.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.pos >= this.end || this.s.charCodeAt(this.pos) !== 0x22) throw FAIL;
      const key = this.string();
      this.ws();
      if (this.pos >= this.end || this.s.charCodeAt(this.pos) !== 0x3a) throw FAIL;
      this.pos++;
      this.ws();
      const v = this.value();
      out.keys.push(key);
      out.values.push(v);
      this.ws();
      if (this.pos < this.end && this.s.charCodeAt(this.pos) === 0x2c) { this.pos++; continue; }
      break;
    }
    if (this.pos >= this.end || this.s.charCodeAt(this.pos) !== 0x7d) throw FAIL;
    this.pos++;
    this.depth--;
    return out;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** cJSON's parse_hex4: an invalid digit yields 0. */
function hex4(s: string, i: number): number {
  let h = 0;
  for (let k = 0; k < 4; k++) {
    const c = s.charCodeAt(i + k);
    let v: number;
    if (c >= 0x30 && c <= 0x39) v = c - 0x30;
    else if (c >= 0x41 && c <= 0x46) v = c - 0x37;
    else if (c >= 0x61 && c <= 0x66) v = c - 0x57;
    else return 0;
    h = (h << 4) | v;
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// Flattening (shared by the plugin and by receivers holding already-parsed values)

/** Members of an object-like value as parallel key/value arrays. */
interface Members {
  keys: readonly string[];
  values: readonly unknown[];
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Members of an object-like value, or null when `v` is not one. */
function membersOf(v: unknown): Members | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  if (v instanceof JsonObject) return v;
  if (v instanceof Map) {
    const keys: string[] = [];
    const values: unknown[] = [];
    for (const [k, x] of v) { keys.push(String(k)); values.push(x); }
    return { keys, values };
  }
  if (v instanceof Date || ArrayBuffer.isView(v)) return null;
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    const values = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) values[i] = v[keys[i]];
    return { keys, values };
  }
  return null;
}

function scalarText(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string': {
      const z = v.indexOf('\0');
      return z < 0 ? v : v.slice(0, z);
    }
    case 'number': return wazuhNumber(v);
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    default:
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
      return undefined;
  }
}

/** The `csv` array form; '' when Wazuh would not set the field. */
function csvArray(arr: readonly unknown[]): string {
  let out = '';
  let n = 0; // bytes, as Wazuh counts
  for (let i = 0; i < arr.length; i++) {
    const el = arr[i];
    let t: string;
    if (el === null) t = 'null';
    else if (typeof el === 'object' && !(el instanceof Date)) continue; // nested array/object: skipped
    else {
      const x = scalarText(el);
      if (x === undefined) continue;
      t = x;
    }
    const z = utf8Length(t);
    if (n + z >= OS_MAXSTR) return '';
    out += t;
    n += z;
    if (n + 1 >= OS_MAXSTR) return '';
    if (i + 1 < arr.length) {
      out += ',';
      n += 1;
    }
  }
  return out;
}

/** cJSON_Print's string form. */
function printString(s: string): string {
  let out = '"';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(run, i);
    run = i + 1;
    switch (c) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += '\\\\'; break;
      case 0x08: out += '\\b'; break;
      case 0x0c: out += '\\f'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      default: out += '\\u' + c.toString(16).padStart(4, '0');
    }
  }
  return out + s.slice(run) + '"';
}

/** cJSON_Print (formatted) of a value at the given depth. */
function printValue(v: unknown, depth: number, maxDepth: number): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': {
      const z = v.indexOf('\0');
      return printString(z < 0 ? v : v.slice(0, z));
    }
    case 'number': return cjsonPrintNumber(v);
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    default: break;
  }
  if (depth >= maxDepth) return 'null';
  if (Array.isArray(v)) {
    const parts: string[] = [];
    for (const el of v) parts.push(printValue(el, depth + 1, maxDepth));
    return '[' + parts.join(', ') + ']';
  }
  const mem = membersOf(v);
  if (!mem) {
    const t = scalarText(v);
    return t === undefined ? 'null' : printString(t);
  }
  const inner = '\t'.repeat(depth + 1);
  let out = '{\n';
  const items: string[] = [];
  for (let i = 0; i < mem.keys.length; i++) {
    items.push(inner + printString(mem.keys[i]) + ':\t' + printValue(mem.values[i], depth + 1, maxDepth));
  }
  if (items.length) out += items.join(',\n') + '\n';
  return out + '\t'.repeat(depth) + '}';
}

interface WalkCtx {
  out: Array<[string, string]>;
  nullText: string | null;
  asArray: boolean;
  keepUnjoinable: boolean;
  maxDepth: number;
  maxPairs: number;
  seen: Set<object>;
}

function walk(mem: Members, parent: string | null, depth: number, ctx: WalkCtx): void {
  const { keys, values } = mem;
  for (let i = 0; i < keys.length; i++) {
    if (ctx.out.length >= ctx.maxPairs) return;
    const rawKey = keys[i];
    const v = values[i];
    const z = rawKey.indexOf('\0');
    const name = z < 0 ? rawKey : rawKey.slice(0, z);
    const key = parent === null ? name : parent + '.' + name;
    if (v === null) {
      if (ctx.nullText !== null) ctx.out.push([key, ctx.nullText]);
      continue;
    }
    if (typeof v !== 'object') {
      const t = scalarText(v);
      if (t !== undefined) ctx.out.push([key, t]);
      continue;
    }
    if (Array.isArray(v)) {
      if (ctx.asArray) {
        const t = printValue(v, 0, ctx.maxDepth - depth);
        ctx.out.push([key, t]);
      } else {
        const t = csvArray(v);
        if (t !== '') ctx.out.push([key, t]);
        else if (ctx.keepUnjoinable && !v.some((x) => x !== null && typeof x !== 'object')) {
          ctx.out.push([key, printValue(v, 0, ctx.maxDepth - depth)]);
        }
      }
      continue;
    }
    const sub = membersOf(v);
    if (!sub) {
      const t = scalarText(v);
      if (t !== undefined) ctx.out.push([key, t]);
      continue;
    }
    if (depth + 1 >= ctx.maxDepth) continue;
    // Parsed trees cannot be cyclic; other objects can.
    if (sub === v) {
      walk(sub, key, depth + 1, ctx);
    } else {
      if (ctx.seen.has(v)) continue;
      ctx.seen.add(v);
      walk(sub, key, depth + 1, ctx);
      ctx.seen.delete(v);
    }
  }
}

function nullTextOf(opt: FlattenOptions['nullField']): string | null {
  return opt === 'string' ? 'null' : opt === 'empty' ? '' : null;
}

/**
 * Flatten a JSON-like value into `[dottedKey, text]` pairs the way the JSON decoder does.
 * Accepts plain objects, Maps and the parser's JsonObject; arrays, strings, numbers, bigints,
 * booleans, null, Dates (ISO text). A non-object top-level value gives no pairs (Wazuh: no key).
 * Plain JS objects list integer-like keys first (JS property order); use `parseJsonLikeCJson`
 * on the text to keep document order.
 */
export function flattenObject(obj: unknown, opts: FlattenOptions = {}): Array<[string, string]> {
  const mem = membersOf(obj);
  const out: Array<[string, string]> = [];
  if (!mem) return out;
  const ctx: WalkCtx = {
    out,
    nullText: nullTextOf(opts.nullField),
    asArray: opts.arrayStructure === 'array',
    keepUnjoinable: opts.keepUnjoinableArrays === true,
    maxDepth: Math.max(0, Math.min(opts.maxDepth ?? JSON_NESTING_LIMIT, JSON_NESTING_LIMIT)),
    maxPairs: opts.maxPairs ?? Infinity,
    seen: new Set([obj as object]),
  };
  walk(mem, null, 0, ctx);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Applying pairs to an event

/** Keys Wazuh's fillData stores in static fields; values are LogEvent field names. */
const STATIC_KEYS: ReadonlyMap<string, string> = new Map([
  ['srcip', 'srcip'], ['dstip', 'dstip'], ['srcport', 'srcport'], ['dstport', 'dstport'],
  ['protocol', 'protocol'], ['action', 'action'], ['id', 'id'], ['url', 'url'],
  ['data', 'data'], ['extra_data', 'extra_data'], ['status', 'status'],
  ['systemname', 'system_name'], ['system_name', 'system_name'],
  ['srcuser', 'srcuser'], ['dstuser', 'dstuser'], ['user', 'user'],
]);

/**
 * Store flattened pairs on the event: static names fill static fields (last wins), other keys
 * become dynamic fields (first wins, at most `maxFields` dynamic fields on the event).
 */
export function applyJsonFields(ev: LogEvent, pairs: ReadonlyArray<readonly [string, string]>, maxFields = 256): void {
  for (const [k, v] of pairs) {
    const st = STATIC_KEYS.get(k);
    if (st !== undefined) {
      ev.setField(st, v);
      continue;
    }
    const f = ev.fields;
    if (f) {
      if (f.has(k)) continue;
      if (f.size >= maxFields) continue;
    } else if (maxFields <= 0) continue;
    ev.setField(k, v);
  }
}

export type JsonPluginDecoder = (ev: LogEvent, start: number) => void;

/** A JSON_Decoder configured with a decoder's `<json_null_field>` / `<json_array_structure>`. */
export function createJsonDecoder(opts: JsonDecoderOptions = {}): JsonPluginDecoder {
  const flat: FlattenOptions = {
    nullField: opts.nullField ?? 'discard', arrayStructure: opts.arrayStructure ?? 'csv', keepUnjoinableArrays: opts.keepUnjoinableArrays,
  };
  const maxFields = opts.maxFields ?? 256;
  return (ev: LogEvent, start: number): void => {
    const root = parseJsonLikeCJson(ev.log, start);
    if (root === undefined || !(root instanceof JsonObject)) return;
    applyJsonFields(ev, flattenObject(root, flat), maxFields);
  };
}

/** JSON_Decoder with the default options (nulls discarded, arrays as CSV). */
export const jsonDecoder: JsonPluginDecoder = createJsonDecoder();
