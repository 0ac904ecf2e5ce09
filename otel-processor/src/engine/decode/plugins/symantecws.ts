/**
 * OSSEC's `SymantecWS_Decoder` (Symantec Web Security), e.g.
 * `20070717,73614,1=5,11=1.2.3.4,1106=News,60=http://news.bbc.co.uk/,10=userX,1000=212.58.240.42,2=27`.
 *
 * Scans the comma-separated `key=value` entries after the date (OSSEC skips only the first
 * comma, so the time entry is scanned too and ignored). The first `10=` gives dstuser, the
 * first `11=` srcip (each value up to the next comma, at most 128 characters), the first `60=`
 * url (at most 1024 characters). An entry starting `3=` or `2=` gives the id: the next 9
 * characters *including the key and any following entries* (`3=1,2=1`), as OSSEC copies them
 * (the rules match `^3=1,2=1`); scanning resumes at the next comma after those characters.
 * Values already set on the event are kept (OSSEC fills each field only once).
 */
import type { LogEvent } from '../../event';

function valueAt(s: string, p: number, max: number): [string, number] {
  let e = p;
  while (e < s.length && e - p < max && s.charCodeAt(e) !== 0x2c) e++;
  return [s.slice(p, e), e];
}

export function symantecWsDecoder(ev: LogEvent, start: number): void {
  const s = ev.log;
  const first = s.indexOf(',', start);
  if (first < 0) return;
  let p = first + 1;
  for (;;) {
    if (s.startsWith('10=', p)) {
      const [v, e] = valueAt(s, p + 3, 128);
      if (ev.dstuser === null) ev.setField('dstuser', v);
      p = e;
    } else if (s.startsWith('11=', p)) {
      const [v, e] = valueAt(s, p + 3, 128);
      if (ev.srcip === null) ev.setField('srcip', v);
      p = e;
    } else if (s.startsWith('60=', p)) {
      const [v, e] = valueAt(s, p + 3, 1024);
      if (ev.url === null) ev.setField('url', v);
      p = e;
    } else if (s.startsWith('3=', p) || s.startsWith('2=', p)) {
      const e = Math.min(s.length, p + 9);
      if (ev.id === null) ev.setField('id', s.slice(p, e));
      p = e;
    }
    const c = s.indexOf(',', p);
    if (c < 0) return;
    p = c + 1;
  }
}
