/** `<time>` and `<weekday>` conditions, evaluated on the event's local time. */
import type { LogEvent } from '../event';

function parseClock(s: string): number {
  const m = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$/i.exec(s.trim());
  if (!m) throw new Error(`invalid time '${s.trim()}' (expected e.g. 6 pm, 18:30 or 8:30 am)`);
  let h = Number(m[1]);
  const min = m[2] ? Number(m[2]) : 0;
  const ampm = m[3]?.toLowerCase();
  if (ampm === 'pm' && h < 12) h += 12;
  if (ampm === 'am' && h === 12) h = 0;
  if (h > 23 || min > 59) throw new Error(`invalid time '${s.trim()}'`);
  return h * 60 + min;
}

/** `6 pm - 8:30 am`, `21:00 - 06:00`; a leading `!` inverts. */
export function compileTimeRange(text: string): (ev: LogEvent) => boolean {
  let t = text.trim();
  const negate = t.startsWith('!');
  if (negate) t = t.slice(1);
  const parts = t.split('-');
  if (parts.length !== 2) throw new Error(`invalid time range '${text.trim()}' (expected START - END)`);
  const start = parseClock(parts[0]);
  const end = parseClock(parts[1]);
  return (ev) => {
    const d = new Date(ev.time);
    const now = d.getHours() * 60 + d.getMinutes();
    const inside = start <= end ? now >= start && now < end : now >= start || now < end;
    return inside !== negate;
  };
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function dayIndex(s: string): number {
  const l = s.trim().toLowerCase();
  const i = DAYS.findIndex((d) => d === l || d.slice(0, 3) === l);
  if (i < 0) throw new Error(`invalid weekday '${s.trim()}'`);
  return i;
}

/** `monday - friday`, `weekdays`, `weekends`, `sunday, saturday`; a leading `!` inverts. */
export function compileWeekdays(text: string): (ev: LogEvent) => boolean {
  let t = text.trim().toLowerCase();
  const negate = t.startsWith('!');
  if (negate) t = t.slice(1);
  const set = new Set<number>();
  for (const part of t.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    if (p === 'weekdays') [1, 2, 3, 4, 5].forEach((d) => set.add(d));
    else if (p === 'weekends') [0, 6].forEach((d) => set.add(d));
    else if (p.includes('-')) {
      const [a, b] = p.split('-').map(dayIndex);
      for (let d = a; ; d = (d + 1) % 7) { set.add(d); if (d === b) break; }
    } else set.add(dayIndex(p));
  }
  if (set.size === 0) throw new Error(`invalid weekday list '${text.trim()}'`);
  return (ev) => set.has(new Date(ev.time).getDay()) !== negate;
}
