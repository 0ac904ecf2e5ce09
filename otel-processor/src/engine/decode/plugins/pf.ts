/**
 * OSSEC's `PF_Decoder`: OpenBSD pf log lines as tcpdump prints them, e.g.
 * `Mar 30 15:54:22.171929 rule 3/(match) pass out on xl0: 192.168.2.10.1514 > 192.168.2.190.1030:  udp 73`.
 *
 * Steps, each stopping the decoding (keeping what was already set) when its text is missing:
 * after the first `)` and one space, the action is `pass` for a word starting with `p`, `block`
 * for `b` (anything else: stop); after the next `: `, the text up to the next space is the source
 * (split at its fourth `.` into srcip and srcport); then `> ` and the text up to the next `:` is
 * the destination (split the same way into dstip and dstport); the first non-space character
 * after that `:` gives the protocol: `u` UDP, `i` ICMP, anything else TCP.
 */
import type { LogEvent } from '../../event';

/** Split `a.b.c.d.port` at the fourth dot; no port when there are fewer dots. */
function splitAddrPort(s: string): [string, string | null] {
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) === 0x2e && ++dots === 4) return [s.slice(0, i), s.slice(i + 1)];
  }
  return [s, null];
}

export function pfDecoder(ev: LogEvent, start: number): void {
  const s = ev.log;
  let p = s.indexOf(')', start);
  if (p < 0) return;
  p++;
  if (s[p] !== ' ') return;
  p++;
  const a = s[p];
  if (a === 'p') ev.setField('action', 'pass');
  else if (a === 'b') ev.setField('action', 'block');
  else return;

  p = s.indexOf(':', p);
  if (p < 0) return;
  p++;
  if (s[p] !== ' ') return;
  p++;
  const sp = s.indexOf(' ', p);
  if (sp < 0) return;
  const [srcip, srcport] = splitAddrPort(s.slice(p, sp));
  ev.setField('srcip', srcip);
  if (srcport !== null) ev.setField('srcport', srcport);

  p = sp + 1;
  if (s[p] !== '>') return;
  p++;
  if (s[p] !== ' ') return;
  p++;
  const colon = s.indexOf(':', p);
  if (colon < 0) return;
  const [dstip, dstport] = splitAddrPort(s.slice(p, colon));
  ev.setField('dstip', dstip);
  if (dstport !== null) ev.setField('dstport', dstport);

  p = colon + 1;
  while (p < s.length && s[p] === ' ') p++;
  if (p >= s.length) return;
  const c = s[p];
  ev.setField('protocol', c === 'u' ? 'UDP' : c === 'i' ? 'ICMP' : 'TCP');
}
