/**
 * OSSEC's `OSSECAlert_Decoder`: an alert forwarded by another OSSEC server's syslog output, e.g.
 * `ossec: Alert Level: 10; Rule: 5712 - SSHD brute force trying to get access to the system.; Location: (web1) 10.0.0.5->/var/log/secure; srcip: 203.0.113.9; user: root;  Oct 13 10:11:12 web1 sshd[411]: Failed password for root from 203.0.113.9 port 4242 ssh2`
 *
 * The event type becomes `ossec_alert` as soon as the plugin runs. The log must start with
 * `Alert Level:` or `ossec: Alert Level`. After the first `;`, the text after the next `: ` up
 * to a space is the id of the rule that produced the alert; then `; Location: <loc>;` gives the
 * original location. The event's location becomes `<location>|<loc>` (or
 * `<hostname>-><location>|<loc>` when hostname differs from location; at most 254 bytes) and
 * the hostname becomes that same text. Then `; srcip: X` fills srcip and `; user: X` fills
 * dstuser, for each ` key: value;` entry introduced by exactly one space; a missing `;` stops
 * there. After the entries and their spaces, the rest (at most 4094 bytes) becomes both the
 * full log and the log, and the rule id is recorded as the event's generated rule.
 *
 * In OSSEC such an event is not run through the rule tree: it is alerted as the generated rule,
 * and dropped when there is none (unknown rule id or a line that stopped decoding early). The
 * generated rule id is kept outside the event (LogEvent has no slot for it); read it with
 * `getGeneratedRuleId(ev)`.
 */
import type { LogEvent } from '../../event';
import { truncateUtf8 } from './cformat';

/** Event type name this plugin gives (OSSEC's OSSEC_ALERT decoder type). */
export const OSSEC_ALERT_CATEGORY = 'ossec_alert';

/** Rule id named by an OSSEC alert the OSSECAlert plugin fully decoded, else null. */
export function getGeneratedRuleId(ev: LogEvent): string | null {
  return ev.generatedRuleId;
}

export interface OssecAlertDecoderOptions {
  /** Whether the ruleset has this rule id; when it answers false the event is left unchanged. */
  hasRule?: (id: string) => boolean;
}

export function createOssecAlertDecoder(opts: OssecAlertDecoderOptions = {}): (ev: LogEvent, start: number) => void {
  const hasRule = opts.hasRule;
  return (ev: LogEvent, start: number): void => {
    ev.category = OSSEC_ALERT_CATEGORY;
    ev.generatedRuleId = null;
    const s = start ? ev.log.slice(start) : ev.log;
    if (!s.startsWith('Alert Level:') && !s.startsWith('ossec: Alert Level')) return;

    let p = s.indexOf(';');
    if (p < 0) return;
    p = s.indexOf(':', p + 1);
    if (p < 0) return;
    p++;
    if (s[p] !== ' ') return;
    p++;
    const idEnd = s.indexOf(' ', p);
    if (idEnd < 0) return;
    const ruleId = s.slice(p, idEnd);
    if (hasRule && !hasRule(ruleId)) return;

    p = s.indexOf(';', idEnd);
    if (p < 0) return;
    p++;
    if (!s.startsWith(' Location: ', p)) return;
    p += 11;
    const locEnd = s.indexOf(';', p);
    if (locEnd < 0) return;
    const alertLocation = s.slice(p, locEnd);

    const prefix = ev.hostname === ev.location ? ev.location : `${ev.hostname}->${ev.location}`;
    const newLocation = truncateUtf8(`${prefix}|${alertLocation}`, 254);
    ev.location = newLocation;
    ev.hostname = newLocation;

    p = locEnd + 1;
    while (s[p] === ' ' && s[p + 1] !== ' ') {
      p++;
      const e = s.indexOf(';', p);
      if (e < 0) return;
      const entry = s.slice(p, e);
      if (entry.startsWith('srcip: ')) ev.setField('srcip', entry.slice(7));
      if (entry.startsWith('user: ')) ev.setField('dstuser', entry.slice(6));
      p = e + 1;
    }
    while (s[p] === ' ') p++;

    const full = truncateUtf8(s.slice(p), 4094);
    ev.fullLog = full;
    ev.log = full;
    ev.generatedRuleId = ruleId;
  };
}

/** OSSECAlert_Decoder without a ruleset check (every rule id is taken as known). */
export const ossecAlertDecoder = createOssecAlertDecoder();
