/**
 * Windows event log records as the collector's `windowseventlog` receiver sends them, in the
 * shapes it has produced across releases, turned into OSSEC's eventchannel line
 * (`WinEvtLog: Channel: AUDIT_SUCCESS(4624): Provider: user: domain: computer: message`) so the
 * stock `windows` decoders and rules apply, plus Wazuh's `win.system.*` / `win.eventdata.*` fields.
 *
 * Shapes handled:
 * - body map with `event_data` as a name→value map (early releases);
 * - `event_data: { data: [{Name: value}, ...] }` (later releases), also `{name, value}` items and
 *   bare strings (unnamed `<Data>` elements);
 * - `raw: true`: the body is the event's XML text (`<Event xmlns=...>`).
 */
import type { AnyJs } from './decode';

export interface WindowsEvent {
  channel: string;
  eventId: string;
  provider: string;
  computer: string;
  level: string;
  keywords: string[];
  recordId: string;
  systemTime: string;
  user: string;
  domain: string;
  message: string;
  eventData: Array<[string, string]>;
}

type Obj = { [k: string]: AnyJs };
const isObj = (v: AnyJs | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
const str = (v: AnyJs | undefined): string => (v === undefined || v === null ? '' : typeof v === 'object' ? (Buffer.isBuffer(v) ? v.toString('utf8') : JSON.stringify(v)) : String(v));

/** True when a map body looks like a Windows event from the collector. */
export function isWindowsEventMap(body: AnyJs | undefined): body is Obj {
  return isObj(body) && ('event_id' in body || 'EventID' in body) && ('channel' in body || 'provider' in body || 'Channel' in body);
}

export function isWindowsEventXml(body: AnyJs | undefined): body is string {
  return typeof body === 'string' && body.startsWith('<Event') && body.includes('<System>');
}

function eventDataPairs(ed: AnyJs | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (ed === undefined || ed === null) return out;
  const items = isObj(ed) && Array.isArray(ed.data) ? ed.data : Array.isArray(ed) ? ed : null;
  if (items) {
    let n = 0;
    for (const it of items) {
      if (isObj(it)) {
        const name = it.Name ?? it.name;
        if (name !== undefined && ('Value' in it || 'value' in it)) out.push([str(name), str(it.Value ?? it.value)]);
        else for (const [k, v] of Object.entries(it)) out.push([k === '' ? `data${n}` : k, str(v)]);
      } else out.push([`data${n}`, str(it)]);
      n++;
    }
    if (isObj(ed)) for (const [k, v] of Object.entries(ed)) if (k !== 'data' && k !== 'binary' && v !== null) out.push([k, str(v)]);
    return out;
  }
  if (isObj(ed)) for (const [k, v] of Object.entries(ed)) out.push([k, str(v)]);
  return out;
}

export function fromMap(b: Obj): WindowsEvent {
  const eid = b.event_id ?? b.EventID;
  const prov = b.provider ?? b.Provider;
  const sec = b.security ?? b.Security;
  let keywords: string[] = [];
  const kw = b.keywords ?? b.Keywords;
  if (Array.isArray(kw)) keywords = kw.map(str);
  else if (kw !== undefined && kw !== null) keywords = [str(kw)];
  return {
    channel: str(b.channel ?? b.Channel),
    eventId: isObj(eid) ? str(eid.id ?? eid.ID) : str(eid),
    provider: isObj(prov) ? str(prov.name ?? prov.Name ?? prov.event_source) : str(prov),
    computer: str(b.computer ?? b.Computer),
    level: str(b.level ?? b.Level),
    keywords,
    recordId: str(b.record_id ?? b.EventRecordID),
    systemTime: str(b.system_time ?? b.TimeCreated),
    user: isObj(sec) ? str(sec.user_name ?? sec.user_id ?? sec.UserID) : '',
    domain: isObj(sec) ? str(sec.domain) : '',
    message: str(b.message ?? b.Message),
    eventData: eventDataPairs(b.event_data ?? b.EventData),
  };
}

const unxml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

function tag(xml: string, name: string): string {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(xml);
  return m ? unxml(m[1]) : '';
}
function attr(xml: string, name: string, a: string): string {
  const m = new RegExp(`<${name}\\s[^>]*?${a}=['"]([^'"]*)['"]`).exec(xml);
  return m ? unxml(m[1]) : '';
}

export function fromXml(xml: string): WindowsEvent {
  const data: Array<[string, string]> = [];
  const re = /<Data(?:\s+Name=['"]([^'"]*)['"])?\s*(?:\/>|>([^<]*)<\/Data>)/g;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(xml)) !== null) { data.push([m[1] ? unxml(m[1]) : `data${n}`, unxml(m[2] ?? '')]); n++; }
  const kw = tag(xml, 'Keywords');
  return {
    channel: tag(xml, 'Channel'),
    eventId: tag(xml, 'EventID'),
    provider: attr(xml, 'Provider', 'Name'),
    computer: tag(xml, 'Computer'),
    level: tag(xml, 'Level'),
    keywords: kw ? [kw] : [],
    recordId: tag(xml, 'EventRecordID'),
    systemTime: attr(xml, 'TimeCreated', 'SystemTime'),
    user: attr(xml, 'Security', 'UserID'),
    domain: '',
    message: tag(xml, 'Message'),
    eventData: data,
  };
}

const LEVELS: Record<string, string> = { '0': 'INFORMATION', '1': 'CRITICAL', '2': 'ERROR', '3': 'WARNING', '4': 'INFORMATION', '5': 'VERBOSE' };

/** OSSEC's category word: AUDIT_SUCCESS / AUDIT_FAILURE for audit events, else the level name. */
export function category(ev: WindowsEvent): string {
  for (const k of ev.keywords) {
    const l = k.toLowerCase();
    if (l.includes('audit success') || l === '0x8020000000000000') return 'AUDIT_SUCCESS';
    if (l.includes('audit failure') || l === '0x8010000000000000') return 'AUDIT_FAILURE';
  }
  const lv = ev.level.trim();
  if (LEVELS[lv]) return LEVELS[lv];
  return lv ? lv.toUpperCase().replace(/\s+/g, '_') : 'INFORMATION';
}

const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, ' ').trim();

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** OSSEC's header time form `2013 Oct 09 17:09:04` (UTC). */
export function headerTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()} ${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

/** The eventchannel line OSSEC's agent wrote for this event (event time `timeMs` unless the event has its own). */
export function ossecLine(ev: WindowsEvent, timeMs: number): string {
  let msg = oneLine(ev.message);
  if (!msg) msg = ev.eventData.map(([k, v]) => `${k}: ${oneLine(v)}`).join('  ');
  const own = ev.systemTime ? Date.parse(ev.systemTime) : NaN;
  return `${headerTime(Number.isNaN(own) ? timeMs : own)} WinEvtLog: ${ev.channel}: ${category(ev)}(${ev.eventId}): ${ev.provider || '(no provider)'}: ${ev.user || '(no user)'}: ${ev.domain || 'no domain'}: ${ev.computer}: ${msg}`;
}

const lowerFirst = (s: string) => (s ? s[0].toLowerCase() + s.slice(1) : s);

/** Wazuh's eventchannel field names. */
export function windowsFields(ev: WindowsEvent): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['win.system.channel', ev.channel],
    ['win.system.eventID', ev.eventId],
    ['win.system.providerName', ev.provider],
    ['win.system.computer', ev.computer],
    ['win.system.severityValue', category(ev)],
  ];
  if (ev.level) out.push(['win.system.level', ev.level]);
  if (ev.recordId) out.push(['win.system.eventRecordID', ev.recordId]);
  if (ev.systemTime) out.push(['win.system.systemTime', ev.systemTime]);
  if (ev.user) out.push(['win.system.securityUserID', ev.user]);
  for (const [k, v] of ev.eventData) out.push([`win.eventdata.${lowerFirst(k)}`, v]);
  return out.filter(([, v]) => v !== '');
}
