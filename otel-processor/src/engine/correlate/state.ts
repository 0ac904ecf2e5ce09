/**
 * The engine's memory between events: what each rule fired on (for if_matched_*), ignore
 * windows, ignore lists, check_diff outputs and fire counts. Kept apart from the compiled
 * ruleset so a reload can keep or drop it.
 *
 * Correlation memory is OSSEC 4.2's bookkeeping, per correlation scope (agent):
 * - every event that settles on a rule (level > 0, not ignored) joins the scope's list of last
 *   events (analysisd/eventinfo_list.c OS_AddEvent_List); once it holds more than `memorySize`,
 *   the oldest are freed: at least `freeAtLeast`, and more while older than the largest
 *   `frequency` of any rule (eventinfo_list.c compares the age in seconds with `_max_freq`,
 *   which rules.c OS_CreateRule sets to the largest frequency, not timeframe);
 * - an event whose rule is named by some if_matched_sid goes on that rule's list, which keeps
 *   its newest `sidListMax` entries (rules_list.c OS_MarkID, shared/list_op.c OSList_AddData);
 *   otherwise it goes on the list of every if_matched_group rule whose group pattern matches
 *   the rule's groups, once per place the rule sits in OSSEC's rule tree (rules_list.c
 *   OS_MarkGroup, see ossec-tree.ts; those lists have no cap);
 * - freeing an event (analysisd/eventinfo.c Free_Eventinfo) deletes its own node from its
 *   if_matched_sid list if still there, and otherwise deletes the oldest node of each group
 *   list its rule feeds (OSList_DeleteOldestNode), whether or not the event was filed there.
 * Beyond OSSEC (which keeps one such memory for the whole server), memory stays bounded as
 * agents grow: idle agents are released once nothing they hold can fall in a window, and a
 * budget for all agents evicts fairly (see evict, releaseIdle).
 */
import type { LogEvent } from '../event';
import { Accumulator } from './accumulate';

/** OSSEC's correlation bookkeeping settings; each names where OSSEC sets it. */
export interface CorrelationModel {
  /** Last events remembered per scope: analysisd/config.c Config.memorysize, 8192 (ossec.conf <global><memory_size>, at least 2048). */
  memorySize: number;
  /** Events freed at least, once memory is full: eventinfo_list.c OS_AddEvent_List (`i < 10`). */
  freeAtLeast: number;
  /** Entries kept on each if_matched_sid list: internal_options.conf analysisd.sid_prev_matched_max, 128. */
  sidListMax: number;
  /**
   * What the first event after an ignore window does: `restart` starts the next window at its
   * time (analysisd/analysisd_stages.c: time_ignored = lf->time), `clear` only ends the window,
   * so the event after it starts the next (analysisd/testrule.c, ossec-logtest: time_ignored = 0).
   */
  ignoreExpiry: 'restart' | 'clear';
}

/** ossec-analysisd 4.2 (the server). */
export const OSSEC_ANALYSISD: Readonly<CorrelationModel> = Object.freeze({ memorySize: 8192, freeAtLeast: 10, sidListMax: 128, ignoreExpiry: 'restart' });
/** ossec-logtest 4.2 (what `warden logtest` and the compatibility tests compare with). */
export const OSSEC_LOGTEST: Readonly<CorrelationModel> = Object.freeze({ ...OSSEC_ANALYSISD, ignoreExpiry: 'clear' });

/** A field some correlation rule requires to be the same across events (`same_source_ip`, ...). */
export interface KeyField {
  field: string;
  get: (ev: LogEvent) => string | null;
}

/**
 * One correlation list, oldest first: `events[head]` .. `events[events.length - 1]`. It also
 * counts its entries per value of the fields its rules require to be the same, so a rule can
 * see at once that too few entries share the current event's value and skip the walk.
 */
export class History {
  readonly events: LogEvent[] = [];
  /** Index of the oldest entry still on the list. */
  head = 0;
  /** Per key field: value -> entries with it (a box, so a count changes with one lookup). */
  private readonly counts: Map<string, { n: number }>[];
  constructor(readonly keyFields: readonly KeyField[] = []) {
    this.counts = keyFields.map(() => new Map());
  }
  get size(): number { return this.events.length - this.head; }
  push(ev: LogEvent): void {
    this.events.push(ev);
    this.count(ev, 1);
  }
  /** Deletes the oldest entry (OSList_DeleteOldestNode); returns it. */
  dropOldest(): LogEvent | undefined {
    if (this.head >= this.events.length) return undefined;
    const ev = this.events[this.head];
    (this.events as (LogEvent | undefined)[])[this.head] = undefined;
    this.head++;
    this.count(ev, -1);
    if (this.head === this.events.length) {
      this.events.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.events.length) {
      this.events.splice(0, this.head);
      this.head = 0;
    }
    return ev;
  }
  /** Entries whose `field` equals `value` (the field must be one of keyFields). */
  countOf(keyIndex: number, value: string): number {
    return this.counts[keyIndex].get(value)?.n ?? 0;
  }
  private count(ev: LogEvent, delta: number): void {
    for (let k = 0; k < this.keyFields.length; k++) {
      const v = this.keyFields[k].get(ev);
      if (v === null) continue;
      const m = this.counts[k];
      const c = m.get(v);
      if (c === undefined) {
        if (delta > 0) m.set(v, { n: delta });
      } else if ((c.n += delta) <= 0) m.delete(v);
    }
  }
}

/**
 * An if_matched_sid list: keeps its newest `max` entries. Its entries are in the order its
 * scope's last events hold them, and both drop oldest first, so when the scope frees an event
 * that event is the list's oldest entry, unless the cap dropped it already (rules_list.c
 * Mark_EventNodeDelete): see forgetOldest.
 */
export class SidHistory extends History {
  constructor(private readonly max: number, keyFields: readonly KeyField[] = []) {
    super(keyFields);
  }
  add(ev: LogEvent): void {
    this.push(ev);
    // OSList_AddData: past max_size (and with more than one node) the first node goes.
    if (this.max > 0 && this.size > this.max && this.size > 1) this.dropOldest();
  }
  /** Deletes `ev`'s entry if it is still there (then it is the oldest); false when the cap dropped it. */
  forgetOldest(ev: LogEvent): boolean {
    if (this.head >= this.events.length || this.events[this.head] !== ev) return false;
    this.dropOldest();
    return true;
  }
}

/** What freeing a remembered event undoes (Free_Eventinfo). */
export interface Remembered {
  ev: LogEvent;
  /** The if_matched_sid list it went on, if any (the cap may have dropped it since). */
  sidList: SidHistory | null;
  /** The group lists the event's rule feeds (whether or not the event went on them). */
  groupLists: History[] | null;
}

/** Estimated bytes a remembered event holds (object, strings, list slots; measured: heap after GC over events held, bench:agents): for the memory budget. */
const EVENT_BYTES = 400;
const SLOT_BYTES = 16;
function rememberedBytes(rec: Remembered | null): number {
  if (rec === null) return SLOT_BYTES;
  const slots = rec.sidList ? 1 : rec.groupLists ? rec.groupLists.length : 0;
  return EVENT_BYTES + 2 * rec.ev.fullLog.length + 8 * slots;
}

/** One scope's list of last events, oldest first (OS_AddEvent_List's list, tail first). */
class LastEvents {
  private times: number[] = [];
  private records: (Remembered | null)[] = [];
  private sizes: number[] = [];
  private head = 0;
  /** Released events OSSEC would still count (all older than any window): freed first on overflow. */
  phantoms = 0;
  bytes = 0;
  lastTime = -Infinity;
  lastSeq = 0;
  /** The correlation lists made for this scope, to drop them when the scope is released. */
  readonly lists: { sid: boolean; ruleId: number }[] = [];
  /** Per rule, the group lists its events go on in this scope (resolved once). */
  readonly feeds = new Map<number, History[]>();
  constructor(private readonly owner: CorrelationState) {}
  /** Events held (not counting phantoms). */
  get held(): number { return this.times.length - this.head; }
  add(time: number, rec: Remembered | null): void {
    const model = this.owner.model;
    const size = rememberedBytes(rec);
    this.times.push(time);
    this.records.push(rec);
    this.sizes.push(size);
    this.bytes += size;
    this.owner.noteAdded(size);
    if (time > this.lastTime) this.lastTime = time;
    if (this.phantoms + this.held <= model.memorySize) return;
    // Phantoms are the oldest and older than the largest frequency: they go first, all of them.
    let freed = this.phantoms;
    this.phantoms = 0;
    const maxAge = this.owner.maxFrequencyMs;
    while (this.head < this.times.length && (freed < model.freeAtLeast || time - this.times[this.head] > maxAge)) {
      this.dropOldest();
      freed++;
    }
    this.compact();
  }
  /** Frees the oldest held event as OSSEC frees it (Free_Eventinfo). */
  dropOldest(): void {
    const old = this.records[this.head];
    this.records[this.head] = null;
    this.bytes -= this.sizes[this.head];
    this.owner.noteFreed(this.sizes[this.head]);
    this.head++;
    if (old) forget(old);
  }
  /** Frees the oldest events until at most `bytes` are held; returns how many. */
  trimTo(bytes: number): number {
    let n = 0;
    while (this.bytes > bytes && this.head < this.times.length) {
      this.dropOldest();
      n++;
    }
    this.compact();
    return n;
  }
  /** Drops every held event without list bookkeeping (the lists go too); OSSEC would still count them. */
  release(): void {
    this.owner.noteFreed(this.bytes, this.held);
    this.phantoms += this.held;
    this.times = [];
    this.records = [];
    this.sizes = [];
    this.head = 0;
    this.bytes = 0;
  }
  private compact(): void {
    if (this.head === this.times.length) {
      this.times.length = 0;
      this.records.length = 0;
      this.sizes.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.times.length) {
      this.times = this.times.slice(this.head);
      this.records = this.records.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }
}

/** Free_Eventinfo: its own sid-list node if still there, else the oldest node of each group list its rule feeds. */
function forget(rec: Remembered): void {
  if (rec.sidList !== null && rec.sidList.forgetOldest(rec.ev)) return;
  if (rec.groupLists !== null) for (const h of rec.groupLists) h.dropOldest();
}

/** How often (in remembered events) idle scopes are looked for. */
const IDLE_SWEEP_EVERY = 8192;
/** Eviction frees down to this share of the budget, so it runs seldom. */
const EVICT_TO = 0.9;

export class CorrelationState {
  /** Events that fired rule N, per scope (agent, or '' when global). */
  readonly bySid = new Map<number, Map<string, SidHistory>>();
  /** Events whose rule groups matched correlation rule N's if_matched_group. */
  readonly byGroupRule = new Map<number, Map<string, History>>();
  /** When each rule with `ignore=` started its window, per scope. */
  readonly ignoredSince = new Map<number, Map<string, number>>();
  /** `<ignore>` field tuples recorded per rule. */
  readonly ignoreLists = new Map<number, Set<string>>();
  /** Last output per rule and location for check_diff. */
  readonly lastOutput = new Map<string, string>();
  /** How many times each rule fired (alert's firedtimes). */
  readonly firedTimes = new Map<number, number>();
  /** Fields merged across lines that share an id (`<accumulate/>` decoders). */
  readonly accumulator = new Accumulator();
  /** Recent first-time-seen keys of IDS decoders (fts.c fts_list). */
  readonly ftsRecent: string[] = [];
  /** Last events per scope. */
  private readonly memory = new Map<string, LastEvents>();
  /** The largest `frequency` of any rule, in ms (eventinfo_list.c `_max_freq`); set by the engine. */
  maxFrequencyMs = 0;
  /**
   * How long an event can matter, in ms: the largest timeframe (or frequency, or ignore time) of
   * the ruleset. A scope whose newest event is older than this, measured from the newest event
   * seen anywhere, is released. Set by the engine; 0 keeps every scope.
   */
  horizonMs = 0;
  /** Bytes all scopes may hold (estimated); past it the largest scopes give up their oldest events. 0: no budget. */
  budgetBytes = 0;
  /** Events held in all scopes, their estimated bytes, and the events evicted for the budget so far. */
  eventsRemembered = 0;
  bytesRemembered = 0;
  evictions = 0;
  /** Scopes released for being idle so far. */
  scopesReleased = 0;
  private newest = -Infinity;
  private sinceSweep = 0;
  private seq = 0;

  constructor(readonly model: CorrelationModel = OSSEC_ANALYSISD) {}

  /** Scopes (agents) that hold correlation events. */
  get agentsWithState(): number {
    let n = 0;
    for (const m of this.memory.values()) if (m.held > 0) n++;
    return n;
  }

  /** @internal bookkeeping from LastEvents */
  noteAdded(bytes: number): void { this.eventsRemembered++; this.bytesRemembered += bytes; }
  /** @internal */
  noteFreed(bytes: number, events = 1): void { this.eventsRemembered -= events; this.bytesRemembered -= bytes; }

  /** Which fields each list counts by (set by the engine from its ruleset). */
  keyFieldsFor: (map: 'sid' | 'group', ruleId: number) => readonly KeyField[] = () => [];

  private scope(scope: string): LastEvents {
    let m = this.memory.get(scope);
    if (!m) this.memory.set(scope, (m = new LastEvents(this)));
    return m;
  }

  /** OS_AddEvent: `rec` null when the event went on no correlation list. */
  remember(scope: string, time: number, rec: Remembered | null): void {
    const m = this.scope(scope);
    m.lastSeq = ++this.seq;
    m.add(time, rec);
    if (time > this.newest) this.newest = time;
    if (this.budgetBytes > 0 && this.bytesRemembered > this.budgetBytes) this.evict();
    if (++this.sinceSweep >= IDLE_SWEEP_EVERY) {
      this.sinceSweep = 0;
      this.releaseIdle();
    }
  }

  /**
   * Over budget: every scope keeps at most an equal cap (water-filling, so small scopes keep
   * everything and the largest give up their oldest events first), down to EVICT_TO of the budget.
   */
  evict(): void {
    const target = this.budgetBytes * EVICT_TO;
    const sizes: number[] = [];
    for (const m of this.memory.values()) if (m.bytes > 0) sizes.push(m.bytes);
    sizes.sort((a, b) => a - b);
    let rest = target;
    let cap = 0;
    for (let i = 0; i < sizes.length; i++) {
      const share = rest / (sizes.length - i);
      if (sizes[i] > share) { cap = share; break; }
      rest -= sizes[i];
      cap = sizes[i];
    }
    for (const m of this.memory.values()) if (m.bytes > cap) this.evictions += m.trimTo(cap);
  }

  /** Releases scopes idle past the horizon: their events can no longer fall inside any window. */
  releaseIdle(): void {
    if (this.horizonMs <= 0) return;
    const before = this.newest - this.horizonMs;
    const recent = this.seq - IDLE_SWEEP_EVERY;
    // idle: nothing since the last sweep, and nothing inside the horizon of the newest event
    const idle = (m: LastEvents) => m.lastTime < before && m.lastSeq <= recent;
    for (const [scope, m] of this.memory) {
      if (m.held === 0 || !idle(m)) continue;
      m.release();
      this.scopesReleased++;
      for (const l of m.lists) (l.sid ? this.bySid : this.byGroupRule).get(l.ruleId)?.delete(scope);
      m.lists.length = 0;
      m.feeds.clear();
    }
    // An expired window and no window answer alike when the next event restarts it. Walked by
    // window, not by scope: idle scopes times rules with ignore= was most of this sweep's cost.
    if (this.model.ignoreExpiry === 'restart') {
      for (const perScope of this.ignoredSince.values()) {
        for (const [scope, since] of perScope) {
          if (since >= before) continue;
          const m = this.memory.get(scope);
          if (m !== undefined && idle(m)) perScope.delete(scope);
        }
      }
    }
  }

  sidHistory(ruleId: number, scope: string): SidHistory {
    let perScope = this.bySid.get(ruleId);
    if (!perScope) this.bySid.set(ruleId, (perScope = new Map()));
    let h = perScope.get(scope);
    if (!h) {
      perScope.set(scope, (h = new SidHistory(this.model.sidListMax, this.keyFieldsFor('sid', ruleId))));
      this.scope(scope).lists.push({ sid: true, ruleId });
    }
    return h;
  }

  /** The group lists (once per entry of `groups`) rule `ruleId` feeds in `scope`; shared, do not change. */
  groupHistories(ruleId: number, groups: readonly number[], scope: string): History[] {
    const m = this.scope(scope);
    let lists = m.feeds.get(ruleId);
    if (!lists) m.feeds.set(ruleId, (lists = groups.map((g) => this.groupHistory(g, scope))));
    return lists;
  }

  groupHistory(ruleId: number, scope: string): History {
    let perScope = this.byGroupRule.get(ruleId);
    if (!perScope) this.byGroupRule.set(ruleId, (perScope = new Map()));
    let h = perScope.get(scope);
    if (!h) {
      perScope.set(scope, (h = new History(this.keyFieldsFor('group', ruleId))));
      this.scope(scope).lists.push({ sid: false, ruleId });
    }
    return h;
  }

  peek(map: Map<number, Map<string, History>>, ruleId: number, scope: string): History | undefined {
    return map.get(ruleId)?.get(scope);
  }
}
