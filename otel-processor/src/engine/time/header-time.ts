/**
 * Turns the header timestamp that pre-decoding skipped into epoch milliseconds, for the
 * `event` clock. Syslog headers carry no year: the year is the one that puts the time
 * closest before `reference` (so a December line read in January lands in the old year).
 */
const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

function month(s: string): number {
  const m = MONTHS[s.slice(0, 3).toLowerCase()];
  return m === undefined ? -1 : m;
}

function localYearless(mon: number, day: number, h: number, mi: number, s: number, reference: number): number {
  const refYear = new Date(reference).getFullYear();
  let t = new Date(refYear, mon, day, h, mi, s).getTime();
  // More than a day in the future: it belongs to last year.
  if (t - reference > 86_400_000) t = new Date(refYear - 1, mon, day, h, mi, s).getTime();
  return t;
}

/** Returns epoch ms, or NaN when the text is not a timestamp form we know. */
export function parseHeaderTime(text: string, reference: number): number {
  const t = text.trim();
  let m: RegExpExecArray | null;
  // Dec 29 10:00:01 / Dec  9 10:00:01
  if ((m = /^([A-Za-z]{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)$/.exec(t))) {
    const mon = month(m[1]);
    if (mon < 0) return NaN;
    return localYearless(mon, +m[2], +m[3], +m[4], +m[5], reference);
  }
  // 2015 Dec 29 10:00:01
  if ((m = /^(\d{4}) ([A-Za-z]{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)$/.exec(t))) {
    const mon = month(m[2]);
    if (mon < 0) return NaN;
    return new Date(+m[1], mon, +m[3], +m[4], +m[5], +m[6]).getTime();
  }
  // ISO 8601 with optional fraction and zone; also `2015-04-16 21:51:02,805`
  if ((m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?\s*(Z|[+-]\d\d:?\d\d)?$/.exec(t))) {
    const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
    if (m[8]) {
      const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${String(ms).padStart(3, '0')}${m[8] === 'Z' ? 'Z' : m[8].length === 5 ? `${m[8].slice(0, 3)}:${m[8].slice(3)}` : m[8]}`;
      return Date.parse(iso);
    }
    return new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms).getTime();
  }
  // squid native: 1140804070.368
  if ((m = /^(\d{9,10})(?:\.(\d{1,3}))?$/.exec(t))) {
    return Number(m[1]) * 1000 + (m[2] ? Number(m[2].padEnd(3, '0')) : 0);
  }
  // xferlog / apache: [Fri Feb 11 18:06:35 2004] or Mon Apr 17 18:27:14 2006
  if ((m = /^\[?[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.\d+)? (\d{4})\]?$/.exec(t))) {
    const mon = month(m[1]);
    if (mon < 0) return NaN;
    return new Date(+m[6], mon, +m[2], +m[3], +m[4], +m[5]).getTime();
  }
  return NaN;
}
