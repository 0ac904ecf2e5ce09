/**
 * One line through the engine as ossec-logtest runs it (pre-decoding, the chosen clock,
 * decoding, rules), shared by `warden logtest`, `warden analyze` and the service's logtest API.
 */
import { LogEvent, type Engine, type Verdict } from './engine';
import { parseHeaderTime } from './time/header-time';

/** The time correlation windows use: when the line is read, or the time in its syslog header. */
export type Clock = 'processing' | 'event';

export function applyClock(ev: LogEvent, clock: Clock): void {
  if (clock === 'event' && ev.headerTimestamp !== null) {
    const t = parseHeaderTime(ev.headerTimestamp, ev.time);
    if (!Number.isNaN(t)) ev.time = t;
  }
}

const DROPPED: Verdict = { rule: null, alert: false, suppressed: null, previousOutput: null, firedTimes: 0 };

export function runLine(engine: Engine, ev: LogEvent, clock: Clock): Verdict {
  if (!engine.predecode(ev)) return DROPPED;
  applyClock(ev, clock);
  engine.decode(ev);
  return engine.match(ev);
}

/** Records decoded fields in the order decoders set them, for logtest's Phase 2. */
export class TracedEvent extends LogEvent {
  readonly trace: Array<[string, string]> = [];
  override setField(name: string, value: string): void {
    super.setField(name, value);
    this.trace.push([name, value]);
  }
}

/** ossec-logtest prints these fields under their OSSEC names. */
export const LOGTEST_FIELD_NAMES: Readonly<Record<string, string>> = { user: 'dstuser', data: 'extra_data', protocol: 'proto' };
