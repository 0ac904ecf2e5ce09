/**
 * OSSEC's `SonicWall_Decoder`, e.g.
 * `id=firewall sn=000SERIAL time="2007-01-03 14:48:06" fw=1.1.1.1 pri=6 c=262144 m=98 msg="Connection Opened" n=23419 src=2.2.2.2:36701:WAN dst=1.1.1.1:50000:WAN proto=tcp/50000`.
 *
 * - `pri=(\d) c=(\d+) m=(\d+) ` (OS_Regex: case-insensitive literals, first match): status = the
 *   priority digit, id = the message number `m`, the category `c` is kept (first 7 characters).
 *   No match: nothing is set.
 * - After that, `src=(ip):(port):\S+ dst=(ip):(port):` gives srcip, srcport, dstip, dstport (no
 *   match: stop, keeping status and id). If the text after the next space starts with `proto=`,
 *   protocol = up to 6 characters of `[A-Za-z0-9_.-]` before any `/` (possibly empty).
 * - Event type (ev.category): `syslog`; `ids` when c=32; otherwise by id: 98/597/598 firewall
 *   with action `pass`; 36/37/38/173/174 firewall with action `drop`; 537 firewall with action
 *   `close`; 97 (web proxy) `squid`, and `result=(\d+) dstname=(\S+) arg=(\S+)$` after the
 *   protocol replaces id with the HTTP result code and sets url = dstname + arg.
 */
import type { LogEvent } from '../../event';

const RE_PRID = /pri=([0-9]) c=([0-9]+) m=([0-9]+) /i;
const RE_SDIP = /src=([0-9]+\.[0-9]+\.[0-9]+\.[0-9]+):([0-9]+):[^ ]+ dst=([0-9]+\.[0-9]+\.[0-9]+\.[0-9]+):([0-9]+):/i;
const RE_PROXY = /result=([0-9]+) dstname=([^ ]+) arg=([^ ]+)$/i;

/** OSSEC's hostname_map (isValidChar): letters, digits, `_`, `-`, `.`. */
function isValidChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x5f || c === 0x2d || c === 0x2e;
}

export function sonicWallDecoder(ev: LogEvent, start: number): void {
  ev.category = 'syslog';
  const s = start ? ev.log.slice(start) : ev.log;

  const m1 = RE_PRID.exec(s);
  if (!m1) return;
  const status = m1[1];
  const category = m1[2].slice(0, 7);
  const id = m1[3];
  ev.setField('status', status);
  ev.setField('id', id);
  // OS_Regex returns the last matched character (the trailing space); the next pattern starts there.
  const after1 = m1.index + m1[0].length - 1;

  const rest = s.slice(after1);
  const m2 = RE_SDIP.exec(rest);
  if (!m2) return;
  ev.setField('srcip', m2[1]);
  ev.setField('srcport', m2[2]);
  ev.setField('dstip', m2[3]);
  ev.setField('dstport', m2[4]);
  // Position of the last matched character (the ':' after the destination port).
  const end2 = after1 + m2.index + m2[0].length - 1;

  let tail: number | null = null;
  const sp = s.indexOf(' ', end2);
  if (sp >= 0) {
    let p = sp + 1;
    if (s.startsWith('proto=', p)) {
      p += 6;
      const p0 = p;
      while (p < s.length && p - p0 < 6 && isValidChar(s.charCodeAt(p)) && s[p] !== '/') p++;
      ev.setField('protocol', s.slice(p0, p));
    }
    tail = p;
  }

  if (category === '32') {
    ev.category = 'ids';
  } else if (id === '98' || id === '597' || id === '598') {
    ev.category = 'firewall';
    ev.setField('action', 'pass');
  } else if (id === '38' || id === '36' || id === '173' || id === '174' || id === '37') {
    ev.category = 'firewall';
    ev.setField('action', 'drop');
  } else if (id === '537') {
    ev.category = 'firewall';
    ev.setField('action', 'close');
  } else if (id === '97') {
    ev.category = 'squid';
    if (tail === null) return;
    const m3 = RE_PROXY.exec(s.slice(tail));
    if (!m3) return;
    ev.setField('id', m3[1]);
    ev.setField('url', m3[2] + m3[3]);
  }
}
