/** OSSEC's alerts.log text form of an alert (times in UTC, as everywhere in Warden). */
import { expandDescription, type AlertDoc } from './alert';
import type { LogEvent } from '../engine/event';
import type { Verdict } from '../engine/engine';
import type { CompiledRule as Rule } from '../engine/compile/rules';
import { logTimeParts, ruleParts, type LogSecond } from './output-parts';

/** OSSEC prints at most this much of the log line (analysisd/alerts/log.c). */
const FULL_LOG_MAX = 1256;

/** `host->location`, or the location alone when the host is empty or the same. */
const where = (host: string | undefined, location: string) => (host && host !== location ? `${host}->${location}` : location);

/** The decoded fields alerts.log shows, each when not empty. */
function fieldLines(srcip: string | null | undefined, srcport: string | null | undefined, dstip: string | null | undefined, dstport: string | null | undefined, dstuser: string | null | undefined): string {
  let s = '';
  if (srcip) s += `Src IP: ${srcip}\n`;
  if (srcport) s += `Src Port: ${srcport}\n`;
  if (dstip) s += `Dst IP: ${dstip}\n`;
  if (dstport) s += `Dst Port: ${dstport}\n`;
  if (dstuser) s += `User: ${dstuser}\n`;
  return s;
}

/**
 * The alerts.log text of an alert straight from the event and verdict: the same text as
 * `formatAlertsLog(buildAlert(ev, verdict, ...), offset)` without building the document (the
 * rule's lines and the second's time are formatted once). `offset`: the byte position of the
 * alert in the file, as OSSEC numbers alerts.
 */
export function formatAlertText(ev: LogEvent, verdict: Verdict, offset: number): string {
  const rule = verdict.rule!;
  const parts = ruleParts(rule);
  const t = logTimeParts(ev.time);
  let s = `${t.head}${offset}${parts.logHeadTail}${t.date}${where(ev.hostname, ev.location)}\n`;
  s += parts.logRuleLine ?? `${parts.logRulePrefix}${expandDescription(rule.description, ev)}'\n`;
  const f = ev.fields;
  if (f === null) s += fieldLines(ev.srcip, ev.srcport, ev.dstip, ev.dstport, ev.dstuser);
  else {
    // a dynamic field of the same name wins, as in the document's data map
    const pick = (name: string, v: string | null) => (f.has(name) ? f.get(name) : v);
    s += fieldLines(pick('srcip', ev.srcip), pick('srcport', ev.srcport), pick('dstip', ev.dstip), pick('dstport', ev.dstport), pick('dstuser', ev.dstuser));
  }
  if (!parts.noFullLog) s += `${ev.fullLog.slice(0, FULL_LOG_MAX)}\n`;
  if (verdict.previousOutput && verdict.previousOutput.length) {
    const prev = verdict.previousOutput.join('\n');
    if (prev) s += `${prev}\n`;
  }
  return `${s}\n`;
}

/**
 * A rule's fixed alerts.log pieces as bytes, joined with what changes seldom so that each alert
 * copies few pieces: `headDate`, the rest of the header line and the date, for the last second
 * it was written for (alerts come in bursts); `locationRule`, the location and the rule line (or
 * its prefix), for the last location (a source's alerts come together). The host between them
 * changes from line to line (syslog hosts) and is written per alert.
 */
interface RuleBytes {
  rule: Rule;
  noFullLog: boolean;
  headTail: Buffer;
  /** `\nRule: ...'\n` (static description) or `\nRule: ID (level N) -> '` (expanded per alert). */
  ruleText: Buffer;
  dynamic: boolean;
  headDate: { date: Buffer; bytes: Buffer } | null;
  locationRule: { location: Buffer; bytes: Buffer } | null;
}
const ruleBytesOf = new WeakMap<Rule, RuleBytes>();
function ruleBytes(rule: Rule): RuleBytes {
  let b = ruleBytesOf.get(rule);
  if (!b) {
    const parts = ruleParts(rule);
    b = {
      rule,
      noFullLog: parts.noFullLog,
      headTail: Buffer.from(parts.logHeadTail),
      ruleText: Buffer.from(parts.logRuleLine === null ? `\n${parts.logRulePrefix}` : `\n${parts.logRuleLine}`),
      dynamic: parts.logRuleLine === null,
      headDate: null,
      locationRule: null,
    };
    ruleBytesOf.set(rule, b);
  }
  return b;
}

const NL = 10;
/** Below this many UTF-16 units a string is encoded in JS: a call into Buffer's writer costs about what 40 characters of this loop do. */
const SHORT_STRING = 32;
/** Buffer's own UTF-8 writer, without `write`'s argument handling (room is ensured first). */
const utf8Write = (Buffer.prototype as unknown as { utf8Write?: (s: string, offset: number) => number }).utf8Write
  ?? function (this: Buffer, s: string, offset: number): number { return this.write(s, offset); };
/** Alert positions are written in 32-bit unsigned arithmetic (the usual case; others take String()). */
const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/** Rule positions beyond this (none in a real ruleset) are looked up in the WeakMap each time. */
const MAX_RULE_ORDER = 1 << 20;
const FIELD_LABELS = ['Src IP: ', 'Src Port: ', 'Dst IP: ', 'Dst Port: ', 'User: '].map((l) => Buffer.from(l));

/**
 * alerts.log written as bytes into one growing buffer, as OSSEC prints into its stdio buffer:
 * the same bytes as `formatAlertText` (UTF-8), without a string per alert (the rule's, the
 * second's and the source's pieces are copied as bytes, the offset written as digits, short
 * values encoded char by char), so the output leaves next to nothing for the collector.
 * {@link flush} hands the bytes on (a file write, stdout).
 */
export class AlertsLogWriter {
  private buf: Buffer;
  private len = 0;
  private second: LogSecond | null = null;
  private secondHead = Buffer.alloc(0);
  private secondDate = Buffer.alloc(0);
  private location = '';
  private locationBytes = Buffer.alloc(0);
  /** The last alert's rule pieces (alerts of one rule come in runs). */
  private lastRuleBytes: RuleBytes | null = null;
  /** Each rule's pieces by its load position (a plain array: cheaper than the WeakMap when the rule changes); checked against the rule, as another ruleset's rules share positions. */
  private readonly byOrder: (RuleBytes | undefined)[] = [];

  /** `position`: the byte position in the file of the next alert (OSSEC numbers alerts by it). */
  constructor(public position = 0, capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Bytes added and not yet flushed. */
  get pending(): number {
    return this.len;
  }

  /** Hands the bytes added since the last flush to `sink` (a view, valid during the call) and empties the buffer. */
  flush(sink: (bytes: Buffer) => void): void {
    if (this.len > 0) sink(this.buf.subarray(0, this.len));
    this.len = 0;
  }

  /** Appends one alert; returns its length in bytes. */
  add(ev: LogEvent, verdict: Verdict): number {
    const rule = verdict.rule!;
    let rb = this.lastRuleBytes;
    if (rb === null || rb.rule !== rule) rb = this.lastRuleBytes = this.ruleBytesOf(rule);
    const t = logTimeParts(ev.time);
    if (t !== this.second) { this.second = t; this.secondHead = Buffer.from(t.head); this.secondDate = Buffer.from(t.date); }
    const host = ev.hostname;
    const location = ev.location;
    if (location !== this.location) { this.location = location; this.locationBytes = Buffer.from(location); }
    let hd = rb.headDate;
    if (hd === null || hd.date !== this.secondDate) hd = rb.headDate = { date: this.secondDate, bytes: Buffer.concat([rb.headTail, this.secondDate]) };
    let lr = rb.locationRule;
    if (lr === null || lr.location !== this.locationBytes) lr = rb.locationRule = { location: this.locationBytes, bytes: Buffer.concat([this.locationBytes, rb.ruleText]) };
    const description = rb.dynamic ? expandDescription(rule.description, ev) : '';
    // a dynamic field of the same name wins, as in the document's data map
    const f = ev.fields;
    const srcip = f === null ? ev.srcip : f.get('srcip') ?? ev.srcip;
    const srcport = f === null ? ev.srcport : f.get('srcport') ?? ev.srcport;
    const dstip = f === null ? ev.dstip : f.get('dstip') ?? ev.dstip;
    const dstport = f === null ? ev.dstport : f.get('dstport') ?? ev.dstport;
    const dstuser = f === null ? ev.dstuser : f.get('dstuser') ?? ev.dstuser;
    const full = rb.noFullLog ? null : ev.fullLog.length > FULL_LOG_MAX ? ev.fullLog.slice(0, FULL_LOG_MAX) : ev.fullLog;
    // the previous lines are written one by one, as their join with newlines would be (no joined string made)
    const prev = verdict.previousOutput;
    let prevChars = 0;
    if (prev !== null) for (let i = 0; i < prev.length; i++) prevChars += prev[i].length + 1;
    // room for everything: 3 bytes per UTF-16 unit at most
    const chars = description.length + (full?.length ?? 0) + prevChars + (srcip?.length ?? 0) + (srcport?.length ?? 0) + (dstip?.length ?? 0) + (dstport?.length ?? 0) + (dstuser?.length ?? 0);
    this.ensure(3 * (chars + host.length) + this.secondHead.length + 24 + hd.bytes.length + lr.bytes.length + 64);
    const start = this.len;
    this.bytes(this.secondHead);
    this.int(this.position);
    this.bytes(hd.bytes);
    if (host && host !== location) { this.str(host); this.buf[this.len++] = 45; this.buf[this.len++] = 62; } // `->`
    this.bytes(lr.bytes);
    if (rb.dynamic) {
      this.str(description);
      this.buf[this.len++] = 39;
      this.buf[this.len++] = NL;
    }
    if (srcip) this.field(0, srcip);
    if (srcport) this.field(1, srcport);
    if (dstip) this.field(2, dstip);
    if (dstport) this.field(3, dstport);
    if (dstuser) this.field(4, dstuser);
    if (full !== null) { this.str(full); this.buf[this.len++] = NL; }
    // a join that is not empty: more than one line, or one line that is not empty
    if (prev !== null && (prev.length > 1 || (prev.length === 1 && prev[0] !== ''))) {
      for (let i = 0; i < prev.length; i++) { this.str(prev[i]); this.buf[this.len++] = NL; }
    }
    this.buf[this.len++] = NL;
    const n = this.len - start;
    this.position += n;
    return n;
  }

  private ruleBytesOf(rule: Rule): RuleBytes {
    const order = rule.order;
    let rb = this.byOrder[order];
    if (rb === undefined || rb.rule !== rule) {
      rb = ruleBytes(rule);
      if (order >= 0 && order < MAX_RULE_ORDER && Number.isInteger(order)) {
        const byOrder = this.byOrder;
        while (byOrder.length <= order) byOrder.push(undefined); // dense: a store far past the end would make it a dictionary
        byOrder[order] = rb;
      }
    }
    return rb;
  }

  private field(label: number, value: string): void {
    this.bytes(FIELD_LABELS[label]);
    this.str(value);
    this.buf[this.len++] = NL;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(grown, 0, 0, this.len);
    this.buf = grown;
  }

  private bytes(b: Buffer): void {
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** UTF-8 of `s`: short strings char by char (1 or 2 bytes per char below U+0800), the rest by Buffer's writer. */
  private str(s: string): void {
    const n = s.length;
    if (n >= SHORT_STRING) { this.len += utf8Write.call(this.buf, s, this.len); return; }
    const buf = this.buf;
    let len = this.len;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) buf[len++] = c;
      else if (c < 0x800) { buf[len++] = 0xc0 | (c >> 6); buf[len++] = 0x80 | (c & 0x3f); }
      else { len += utf8Write.call(buf, i === 0 ? s : s.slice(i), len); break; } // 3 bytes or a surrogate pair: the writer's own rules
    }
    this.len = len;
  }

  /** A number as its decimal digits (no string made for the usual integer). */
  private int(n: number): void {
    let x = n >>> 0;
    if (x !== n) { this.str(String(n)); return; }
    let digits = 1;
    while (digits < 10 && x >= POWERS_OF_TEN[digits]) digits++;
    const buf = this.buf;
    let i = this.len + digits;
    this.len = i;
    do { const q = (x / 10) >>> 0; buf[--i] = 48 + x - 10 * q; x = q; } while (x > 0);
  }
}

let docSecondKey = '';
let docSecondParts: LogSecond = { head: '', date: '' };

/** The time parts of a document's `@timestamp` (`YYYY-MM-DDTHH:MM:SS.mmmZ`: parsed once per second). */
function docTimeParts(ts: string): LogSecond {
  if (docSecondKey !== '' && ts.length === 24 && ts.startsWith(docSecondKey)) return docSecondParts;
  const ms = new Date(ts).getTime();
  if (Number.isNaN(ms)) return { head: '** Alert NaN.', date: 'NaN undefined NaN NaN:NaN:NaN ' }; // as Date formats an invalid time
  const p = logTimeParts(ms);
  if (ts.length === 24 && ts[19] === '.' && ts[23] === 'Z') { docSecondKey = ts.slice(0, 20); docSecondParts = p; }
  return p;
}

/** The alerts.log text of an alert document. `offset` is the byte position of the alert in the file. */
export function formatAlertsLog(alert: AlertDoc, offset: number): string {
  const t = docTimeParts(alert['@timestamp']);
  let s = `${t.head}${offset}:${alert.rule.mail ? ' mail ' : ''} - ${alert.rule.groups.map((g) => `${g},`).join('')}\n`;
  s += `${t.date}${where(alert.predecoder?.hostname, alert.location)}\n`;
  s += `Rule: ${alert.rule.id} (level ${alert.rule.level}) -> '${alert.rule.description}'\n`;
  const f = alert.data;
  s += fieldLines(f.srcip, f.srcport, f.dstip, f.dstport, f.dstuser);
  if (alert.full_log !== undefined) s += `${alert.full_log.slice(0, FULL_LOG_MAX)}\n`;
  if (alert.previous_output) s += `${alert.previous_output}\n`;
  return `${s}\n`;
}
