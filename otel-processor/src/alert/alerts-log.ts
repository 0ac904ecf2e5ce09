/** OSSEC's alerts.log text form of an alert (times in UTC, as everywhere in Warden). */
import { expandDescription, type AlertDoc } from './alert';
import type { LogEvent } from '../engine/event';
import type { Verdict } from '../engine/engine';
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
