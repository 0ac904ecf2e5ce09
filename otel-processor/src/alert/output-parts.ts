/**
 * What every alert of a rule, or of a second, writes the same: computed once and reused, so
 * the per-alert output (the JSON document, the alerts.log text) only joins strings.
 */
import type { CompiledRule } from '../engine/compile/rules';

/** A rule's fixed output pieces (rules do not change once compiled; a reload brings new objects). */
export interface RuleParts {
  mail: boolean;
  noFullLog: boolean;
  /** alerts.log: `:[ mail ] - GROUPS\n`, what follows `** Alert SECS.OFFSET`. */
  logHeadTail: string;
  /** alerts.log: `Rule: ID (level N) -> '`; with a static description the whole line is {@link logRuleLine}. */
  logRulePrefix: string;
  logRuleLine: string | null;
  /** JSON `rule` object up to `"description":`, and from after the description to `"firedtimes":`. */
  jsonRuleHead: string;
  jsonRuleMid: string;
  /** JSON of the static description (null: expanded per alert). */
  jsonDescription: string | null;
  /** JSON after the fired count: mail, mitre, info, closing brace. */
  jsonRuleTail: string;
}

const partsOf = new WeakMap<CompiledRule, RuleParts>();

/** A JSON number as JSON.stringify writes it (non-finite: null). */
export const jsonNumber = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

export function ruleParts(rule: CompiledRule): RuleParts {
  let p = partsOf.get(rule);
  if (p) return p;
  const mail = rule.options.has('alert_by_email');
  const id = String(rule.id);
  const tail = [`,"mail":${mail}`];
  if (rule.mitre.length) tail.push(`,"mitre":${JSON.stringify({ id: rule.mitre })}`);
  if (rule.info.length) tail.push(`,"info":${JSON.stringify(rule.info)}`);
  tail.push('}');
  const logRulePrefix = `Rule: ${id} (level ${rule.level}) -> '`;
  p = {
    mail,
    noFullLog: rule.options.has('no_full_log'),
    logHeadTail: `:${mail ? ' mail ' : ''} - ${rule.groups.map((g) => `${g},`).join('')}\n`,
    logRulePrefix,
    logRuleLine: rule.dynamicDescription ? null : `${logRulePrefix}${rule.description}'\n`,
    jsonRuleHead: `{"id":${JSON.stringify(id)},"level":${jsonNumber(rule.level)},"description":`,
    jsonRuleMid: `,"groups":${JSON.stringify(rule.groups)},"firedtimes":`,
    jsonDescription: rule.dynamicDescription ? null : JSON.stringify(rule.description),
    jsonRuleTail: tail.join(''),
  };
  partsOf.set(rule, p);
  return p;
}

// ---------------------------------------------------------------------------------------------
// times: alerts come in bursts within the same second, so each second is formatted once

/** Date's own time clip: a time Date refuses throws the same RangeError toISOString would. */
function clip(t: number): number {
  if (!(Math.abs(t) <= 8.64e15)) new Date(t).toISOString();
  return Math.trunc(t) + 0;
}

let isoSecond = NaN;
let isoPrefix = '';

/** `new Date(t).toISOString()`, the date and time up to the second formatted once per second. */
export function isoTime(t: number): string {
  const ms = clip(t);
  const sec = Math.floor(ms / 1000);
  if (sec !== isoSecond) {
    isoPrefix = new Date(sec * 1000).toISOString().slice(0, -4); // up to `SS.`
    isoSecond = sec;
  }
  const r = ms - sec * 1000;
  return `${isoPrefix}${r < 10 ? '00' : r < 100 ? '0' : ''}${r}Z`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** An alerts.log header's time parts: `** Alert SECS.` and `YYYY Mon DD HH:MM:SS ` (UTC). */
export interface LogSecond { head: string; date: string }

let logSecond = NaN;
/** The last second's first and past-last ms (NaN: none yet); times in it skip the clip and division. */
let logSecondFrom = NaN;
let logSecondTo = NaN;
let logParts: LogSecond = { head: '', date: '' };

/** The alerts.log time parts of the second of `t` (ms since the epoch, clipped as Date does). */
export function logTimeParts(t: number): LogSecond {
  // within the last second (a non-negative one: there truncation and floor agree)
  if (t >= logSecondFrom && t < logSecondTo) return logParts;
  const sec = Math.floor(clip(t) / 1000);
  if (sec !== logSecond) {
    const d = new Date(sec * 1000);
    logParts = {
      head: `** Alert ${sec}.`,
      date: `${d.getUTCFullYear()} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} `,
    };
    logSecond = sec;
    logSecondFrom = sec >= 0 ? sec * 1000 : NaN;
    logSecondTo = logSecondFrom + 1000;
  }
  return logParts;
}
