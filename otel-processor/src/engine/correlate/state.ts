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

/** Slots a list's array keeps once empty (more is freed: a burst does not pin its high-water room). */
const LIST_ROOM_KEPT = 4096;

/** How many entries of a list hold one value of a key field. */
interface Count { n: number }

/**
 * Buckets of a list's count sketch (per key field): a value's entries are all counted in the one
 * bucket its hash picks, so a bucket holds at least as many entries as any of its values.
 */
const SKETCH_BUCKETS = 512;
/** A slot's bucket when its event has no value for the field. */
const NO_BUCKET = 0xffff;

/**
 * The sketch bucket of a value: a hash of its length and of its first and last 16 characters (a
 * JS hash: V8's own is not readable, and a Map probe is what this spares).
 */
export function sketchBucket(v: string): number {
  const n = v.length;
  let h = n;
  if (n <= 32) {
    for (let i = 0; i < n; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
  } else {
    for (let i = 0; i < 16; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
    for (let i = n - 16; i < n; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
  }
  return (h ^ (h >>> 15)) & (SKETCH_BUCKETS - 1);
}

/**
 * One correlation list, oldest first: `events[head]` .. `events[tail - 1]`. The array only
 * grows (a drained prefix is moved down in place, not spliced off), so filing and dropping
 * allocate nothing once it has room. It also counts its entries per value of the fields its
 * rules require to be the same, so a rule can see at once that too few entries share the
 * current event's value and skip the walk: exactly (a map of counts), or, with `sketch`, as an
 * upper bound (per field, a few hundred buckets of counts and each slot's bucket beside
 * `events`: filing, dropping and asking cost a hash of the value and typed-array steps, no map
 * probe; a bucket shared with other values only lets a rule walk the list, which answers exactly).
 * Counting starts when a rule first asks (mayReach, countOf): most lists are only ever filed on
 * lines their rules never see (a dropbear rule's list takes Apache's authentication failures),
 * and then filing and dropping count nothing.
 */
export class History {
  readonly events: (LogEvent | undefined)[] = [];
  /** Index of the oldest entry still on the list. */
  head = 0;
  /** One past the newest entry; slots from here on are empty (undefined). */
  tail = 0;
  /** Whether entries are counted (see startCounting): from the first question on, never before. */
  private counting = false;
  /** Whether counts are kept as a sketch. */
  private readonly sketched: boolean;
  /** Per key field (exact counts): value -> entries with it (a box, so a count changes with one lookup). */
  private counts: Map<string, Count>[] = [];
  /** Per key field (sketch): entries per bucket. */
  private sketch: Int32Array[] | null = null;
  /** Per key field (sketch): the bucket each slot was counted in (NO_BUCKET: no value), beside `events`. */
  private slotBuckets: Uint16Array[] | null = null;
  /**
   * The event and key field asked about last (mayReach) and what was found for its value (its
   * box, or its bucket): the event a rule asks about is usually filed on this list right after,
   * and then needs no lookup or hash. Known by the event's identity, not by comparing its value
   * with the last one (an old string, often out of cache). The box is null once a sweep may have
   * removed it.
   */
  private askedKey = -1;
  private askedEvent: LogEvent | null = null;
  private askedBox: Count | null = null;
  private askedBucket = -1;
  constructor(readonly keyFields: readonly KeyField[] = [], sketch = false) {
    this.sketched = sketch && keyFields.length > 0;
  }
  /** Counts the entries held now (a rule asks for the first time) and, from then on, those filed. */
  private startCounting(): void {
    this.counting = true;
    if (this.sketched) {
      this.sketch = this.keyFields.map(() => new Int32Array(SKETCH_BUCKETS));
      this.slotBuckets = this.keyFields.map(() => new Uint16Array(Math.max(16, this.tail)));
    } else this.counts = this.keyFields.map(() => new Map());
    const events = this.events;
    // runs of one event (filed several times in a row) counted at once, as pushTimes counts them
    for (let at = this.head; at < this.tail;) {
      const ev = events[at]!;
      let end = at + 1;
      while (end < this.tail && events[end] === ev) end++;
      this.count(ev, at, end - at);
      at = end;
    }
  }
  get size(): number { return this.tail - this.head; }
  push(ev: LogEvent): void {
    const at = this.tail++;
    this.events[at] = ev;
    if (this.counting) this.count(ev, at, 1);
  }
  /** Files `ev` `times` times in a row (a rule that sits in several places of OSSEC's tree); counted once. */
  pushTimes(ev: LogEvent, times: number): void {
    const at = this.tail;
    for (let i = 0; i < times; i++) this.events[this.tail++] = ev;
    if (this.counting && times > 0) this.count(ev, at, times);
  }
  /** Deletes the oldest entry (OSList_DeleteOldestNode); returns it. */
  dropOldest(): LogEvent | undefined {
    const head = this.head;
    if (head >= this.tail) return undefined;
    if (this.counting) {
      if (this.sketch !== null) this.uncountSlot(head);
      else this.uncount(this.events[head]!, 1);
    }
    return this.takeOldest();
  }
  /** Deletes the `times` oldest entries; with exact counts an event filed several times in a row is uncounted with one lookup. */
  dropOldestTimes(times: number): void {
    if (!this.counting || this.sketch !== null) {
      for (let i = 0; i < times; i++) if (this.dropOldest() === undefined) break;
      return;
    }
    let run: LogEvent | undefined;
    let n = 0;
    for (let i = 0; i < times && this.head < this.tail; i++) {
      const ev = this.takeOldest();
      if (ev !== run) {
        if (n > 0) this.uncount(run!, n);
        run = ev;
        n = 0;
      }
      n++;
    }
    if (n > 0) this.uncount(run!, n);
  }
  /** Removes the oldest entry (the list is not empty; its counts are already undone). */
  private takeOldest(): LogEvent | undefined {
    const head = this.head;
    const events = this.events;
    const ev = events[head];
    events[head] = undefined;
    this.head = head + 1;
    if (this.head === this.tail) {
      // Empty (every slot already cleared): start over at 0; a long-drained array is let go.
      this.head = this.tail = 0;
      if (events.length > LIST_ROOM_KEPT) {
        events.length = 0;
        const slots = this.slotBuckets;
        if (slots !== null) for (let k = 0; k < slots.length; k++) slots[k] = new Uint16Array(16);
      }
    } else if (this.head >= 64 && this.head * 2 >= this.tail) {
      // At least half the slots are dead: move the live entries down in place (splice would
      // allocate and shrink the array); each move copies no more entries than were dropped since.
      // A plain loop: Array.prototype.copyWithin takes the spec's generic path on a JS array
      // (about 40 ns an element against 2-3 here, measured on node 20).
      const from = this.head;
      const tail = this.tail;
      moveDown(events, from, tail);
      const slots = this.slotBuckets;
      if (slots !== null) for (let k = 0; k < slots.length; k++) slots[k].copyWithin(0, from, tail);
      this.head = 0;
      this.tail = tail - from;
    }
    return ev;
  }
  /** Entries whose `field` equals `value` (the field must be one of keyFields); with a sketch, counted by walking the list (for checks; rules ask mayReach). */
  countOf(keyIndex: number, value: string): number {
    if (this.sketched) {
      const get = this.keyFields[keyIndex].get;
      let n = 0;
      for (let i = this.head; i < this.tail; i++) if (get(this.events[i]!) === value) n++;
      return n;
    }
    if (!this.counting) this.startCounting();
    const c = this.counts[keyIndex].get(value);
    return c === undefined ? 0 : c.n;
  }
  /**
   * False when fewer than `needed` entries can hold `value`, event `ev`'s value of key field
   * `keyIndex`, in that field; true when as many may (exactly so without a sketch).
   */
  mayReach(keyIndex: number, value: string, needed: number, ev: LogEvent): boolean {
    if (!this.counting) this.startCounting();
    if (this.sketch !== null) return this.sketch[keyIndex][this.bucketOf(keyIndex, value, ev)] >= needed;
    if (ev === this.askedEvent && keyIndex === this.askedKey && this.askedBox !== null) return this.askedBox.n >= needed;
    const c = this.counts[keyIndex].get(value);
    if (c === undefined) return false;
    this.askedKey = keyIndex;
    this.askedEvent = ev;
    this.askedBox = c;
    return c.n >= needed;
  }
  /** The sketch bucket of `value`, `ev`'s value of the field (asked about and then filed: hashed once). */
  private bucketOf(keyIndex: number, value: string, ev: LogEvent): number {
    if (ev === this.askedEvent && keyIndex === this.askedKey) return this.askedBucket;
    const b = sketchBucket(value);
    this.askedKey = keyIndex;
    this.askedEvent = ev;
    this.askedBucket = b;
    return b;
  }
  /**
   * Counts the entries `at` .. `at + times - 1` (all `ev`) under their values. A value whose
   * count falls to 0 keeps its box (values recur: no delete, set and new box each time); boxes
   * at 0 are swept once the map holds more than twice the list's entries (plus 16), so a sweep
   * comes at most once per that many new values and the map stays bounded.
   */
  private count(ev: LogEvent, at: number, times: number): void {
    if (this.sketch !== null) {
      this.countInSketch(ev, at, times);
      return;
    }
    for (let k = 0; k < this.keyFields.length; k++) {
      const v = this.keyFields[k].get(ev);
      if (v === null) continue;
      let c = k === this.askedKey && ev === this.askedEvent ? this.askedBox : null;
      if (c === null) {
        const m = this.counts[k];
        c = m.get(v) ?? null;
        if (c === null) {
          if (m.size > 2 * this.size + 16) {
            sweepZeroes(m);
            this.askedBox = null;
          }
          m.set(v, (c = { n: 0 }));
        }
      }
      c.n += times;
    }
  }
  private countInSketch(ev: LogEvent, at: number, times: number): void {
    const sketch = this.sketch!;
    const slots = this.slotBuckets!;
    for (let k = 0; k < sketch.length; k++) {
      const v = this.keyFields[k].get(ev);
      let b = NO_BUCKET;
      if (v !== null) {
        b = this.bucketOf(k, v, ev);
        sketch[k][b] += times;
      }
      let buckets = slots[k];
      if (at + times > buckets.length) {
        const grown = new Uint16Array(Math.max(2 * buckets.length, at + times));
        grown.set(buckets);
        slots[k] = buckets = grown;
      }
      for (let i = at; i < at + times; i++) buckets[i] = b;
    }
  }
  /** Uncounts entry `at` (sketch). */
  private uncountSlot(at: number): void {
    const sketch = this.sketch!;
    const slots = this.slotBuckets!;
    for (let k = 0; k < sketch.length; k++) {
      const b = slots[k][at];
      if (b !== NO_BUCKET) sketch[k][b]--;
    }
  }
  /** Uncounts `n` entries of `ev` by looking its values up (exact counts). */
  private uncount(ev: LogEvent, n: number): void {
    for (let k = 0; k < this.keyFields.length; k++) {
      const v = this.keyFields[k].get(ev);
      if (v === null) continue;
      const c = this.counts[k].get(v);
      if (c !== undefined) c.n -= n;
    }
  }
}

/** Moves slots `from` .. `tail - 1` of `a` to 0 .. and clears the rest up to `tail`. */
function moveDown<T>(a: (T | undefined)[], from: number, tail: number): void {
  const live = tail - from;
  for (let i = 0; i < live; i++) a[i] = a[from + i];
  for (let i = live; i < tail; i++) a[i] = undefined;
}

function sweepZeroes(m: Map<string, Count>): void {
  for (const [v, c] of m) if (c.n <= 0) m.delete(v);
}

/**
 * An if_matched_sid list: keeps its newest `max` entries. Its entries are in the order its
 * scope's last events hold them, and both drop oldest first, so when the scope frees an event
 * that event is the list's oldest entry, unless the cap dropped it already (rules_list.c
 * Mark_EventNodeDelete): see forgetOldest.
 */
export class SidHistory extends History {
  /** Entries ever added: the oldest entry still here is number `added - size`. */
  private added = 0;
  constructor(private readonly max: number, keyFields: readonly KeyField[] = []) {
    // capped and dropping an entry per filing once full: a sketch (no map probe per filing or drop)
    super(keyFields, true);
  }
  /** Adds `ev`; returns its entry's number, by which the scope's memory frees it (it keeps no event). */
  add(ev: LogEvent): number {
    const entry = this.added++;
    this.push(ev);
    // OSList_AddData: past max_size (and with more than one node) the first node goes.
    if (this.max > 0 && this.size > this.max && this.size > 1) this.dropOldest();
    return entry;
  }
  /** Deletes entry number `entry` if it is still there (then it is the oldest); false when the cap dropped it. */
  forgetOldest(entry: number): boolean {
    if (this.size === 0 || entry !== this.added - this.size) return false;
    this.dropOldest();
    return true;
  }
}

/**
 * The correlation lists one rule's events go on in one scope, resolved once; what freeing such
 * an event undoes (Free_Eventinfo). Shared by all the rule's events in the scope: no record per event.
 */
export class Feeds {
  constructor(
    /** The if_matched_sid list its events go on, if any (the cap may drop them from it). */
    readonly sidList: SidHistory | null,
    /** The group lists the rule feeds (whether or not its events go on them), each once... */
    readonly groupLists: readonly History[] | null,
    /** ...with how many times OSSEC files an event there (once per place the rule sits in its tree). */
    readonly groupTimes: readonly number[] | null,
    /** List slots an event takes (for the byte estimate). */
    readonly slots: number,
  ) {}
  /** Files an event (OSList_AddData): on the sid list if any (returns its entry number), else on every group list (-1). */
  file(ev: LogEvent): number {
    if (this.sidList !== null) return this.sidList.add(ev);
    const lists = this.groupLists!;
    const times = this.groupTimes!;
    for (let i = 0; i < lists.length; i++) lists[i].pushTimes(ev, times[i]);
    return -1;
  }
  /** Free_Eventinfo for the event `file` numbered `entry`: its own sid-list node if still there, else the oldest node(s) of each group list. */
  forget(entry: number): void {
    if (this.sidList !== null && this.sidList.forgetOldest(entry)) return;
    const lists = this.groupLists;
    if (lists === null) return;
    const times = this.groupTimes!;
    for (let i = 0; i < lists.length; i++) lists[i].dropOldestTimes(times[i]);
  }
}

/** Estimated bytes a remembered event holds (object, strings, list slots; measured: heap after GC over events held, bench:agents): for the memory budget. */
const EVENT_BYTES = 400;
const SLOT_BYTES = 16;
function rememberedBytes(ev: LogEvent | null, feeds: Feeds | null): number {
  if (ev === null || feeds === null) return SLOT_BYTES;
  return EVENT_BYTES + 2 * ev.fullLog.length + 8 * feeds.slots;
}
/** LastEvents `entries` value of an event on no sid list. */
const NO_ENTRY = -1;
/** The empty ring of a scope holding nothing. */
const NO_NUMBERS = new Float64Array(0);

/**
 * One scope's memory: its list of last events, oldest first (OS_AddEvent_List's list, tail
 * first), and its correlation lists. It holds no event objects (only the lists do): per event a
 * time, a size, the rule's shared Feeds and its sid-list entry number, all it takes to free it.
 */
export class LastEvents {
  /**
   * The held events, a ring oldest first from `head` (no array is reallocated or copied as events
   * come and go): per event its time, estimated size, sid-list entry number (NO_ENTRY: none) and
   * the lists its rule feeds (null: none).
   */
  private times: Float64Array = NO_NUMBERS;
  private sizes: Float64Array = NO_NUMBERS;
  private entries: Float64Array = NO_NUMBERS;
  private feedsOf: (Feeds | null)[] = [];
  private head = 0;
  private count = 0;
  /** Released events OSSEC would still count (all older than any window): freed first on overflow. */
  phantoms = 0;
  bytes = 0;
  lastTime = -Infinity;
  lastSeq = 0;
  /** Per if_matched_sid rule id: the events of that rule (rules_list.c sid_prev_matched); null until one. */
  sid: Map<number, SidHistory> | null = null;
  /** Per if_matched_group rule id: the events whose groups matched it (group_prev_matched); null until one. */
  group: Map<number, History> | null = null;
  /** Per rule id, the lists its events go on in this scope (resolved once); null until one. */
  feeds: Map<number, Feeds> | null = null;
  constructor(private readonly owner: CorrelationState) {}
  /** Events held (not counting phantoms). */
  get held(): number { return this.count; }
  add(time: number, ev: LogEvent | null, feeds: Feeds | null, entry: number): void {
    const model = this.owner.model;
    const size = rememberedBytes(ev, feeds);
    if (this.count === this.times.length) this.grow(model.memorySize + 1);
    let at = this.head + this.count;
    if (at >= this.times.length) at -= this.times.length;
    this.times[at] = time;
    this.sizes[at] = size;
    this.entries[at] = entry;
    this.feedsOf[at] = feeds;
    this.count++;
    this.bytes += size;
    this.owner.noteAdded(size);
    if (time > this.lastTime) this.lastTime = time;
    if (this.phantoms + this.count <= model.memorySize) return;
    // Phantoms are the oldest and older than the largest frequency: they go first, all of them.
    let freed = this.phantoms;
    this.phantoms = 0;
    const maxAge = this.owner.maxFrequencyMs;
    while (this.count > 0 && (freed < model.freeAtLeast || time - this.times[this.head] > maxAge)) {
      this.dropOldest();
      freed++;
    }
  }
  /** Frees the oldest held event as OSSEC frees it (Free_Eventinfo). */
  dropOldest(): void {
    const at = this.head;
    const feeds = this.feedsOf[at];
    this.feedsOf[at] = null;
    const size = this.sizes[at];
    this.bytes -= size;
    this.owner.noteFreed(size);
    if (feeds !== null) feeds.forget(this.entries[at]);
    this.head = at + 1 === this.times.length ? 0 : at + 1;
    this.count--;
  }
  /** Frees the oldest events until at most `bytes` are held; returns how many. */
  trimTo(bytes: number): number {
    let n = 0;
    while (this.bytes > bytes && this.count > 0) {
      this.dropOldest();
      n++;
    }
    return n;
  }
  /** Drops every held event without list bookkeeping (the lists go too); OSSEC would still count them. */
  release(): void {
    this.owner.noteFreed(this.bytes, this.count);
    this.phantoms += this.count;
    this.times = NO_NUMBERS;
    this.sizes = NO_NUMBERS;
    this.entries = NO_NUMBERS;
    this.feedsOf = [];
    this.head = 0;
    this.count = 0;
    this.bytes = 0;
    this.sid = null;
    this.group = null;
    this.feeds = null;
  }
  /**
   * A larger ring (twice, at most `most` unless full), the held events moved to its start. Once
   * doubling twice would pass `most` it goes straight there: with 8,192 + 1 the ring would
   * otherwise be copied at 8,192 for one more slot (every new engine's memory fills up to it).
   */
  private grow(most: number): void {
    const cap = this.times.length;
    const doubled = cap === 0 ? 16 : cap * 2;
    const next = Math.max(cap + 1, 2 * doubled > most ? most : doubled);
    const times = new Float64Array(next);
    const sizes = new Float64Array(next);
    const entries = new Float64Array(next);
    const feedsOf = new Array<Feeds | null>(next).fill(null);
    for (let i = 0, at = this.head; i < this.count; i++) {
      times[i] = this.times[at];
      sizes[i] = this.sizes[at];
      entries[i] = this.entries[at];
      feedsOf[i] = this.feedsOf[at];
      if (++at === cap) at = 0;
    }
    this.times = times;
    this.sizes = sizes;
    this.entries = entries;
    this.feedsOf = feedsOf;
    this.head = 0;
  }
}

/** How often (in remembered events) idle scopes are looked for. */
const IDLE_SWEEP_EVERY = 8192;
/** Eviction frees down to this share of the budget, so it runs seldom. */
const EVICT_TO = 0.9;

/** What the engine remembers of one rule across scopes: its fire count and ignore windows. */
export class RuleMemory {
  /** Times the rule fired (alert's firedtimes). */
  fired = 0;
  /** When its `ignore=` window started, per scope (the same map as ignoredSince's entry). */
  ignoredSince: Map<string, number> | null = null;
  constructor(readonly id: number) {}
}

export class CorrelationState {
  /** When each rule with `ignore=` started its window, per scope. */
  readonly ignoredSince = new Map<number, Map<string, number>>();
  /** `<ignore>` field tuples recorded per rule. */
  readonly ignoreLists = new Map<number, Set<string>>();
  /** Last output per rule and location for check_diff. */
  readonly lastOutput = new Map<string, string>();
  /** Per rule id: fire count and ignore windows (kept across reloads, by id). */
  private readonly rules = new Map<number, RuleMemory>();
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

  /** The memory of rule `id`, made on first use. */
  ruleMemory(id: number): RuleMemory {
    let r = this.rules.get(id);
    if (r === undefined) this.rules.set(id, (r = new RuleMemory(id)));
    return r;
  }

  /** A rule's ignore windows per scope (registered for the idle sweep). */
  ignoreWindows(r: RuleMemory): Map<string, number> {
    if (r.ignoredSince === null) {
      let perScope = this.ignoredSince.get(r.id);
      if (perScope === undefined) this.ignoredSince.set(r.id, (perScope = new Map()));
      r.ignoredSince = perScope;
    }
    return r.ignoredSince;
  }

  /**
   * The scope looked up last and its memory (lines come in runs from one agent; a scope's memory,
   * once made, stays in the map for good: release empties it in place).
   */
  private lastScope: string | null = null;
  private lastScopeMemory: LastEvents | undefined = undefined;

  /** The memory of a scope, made on first use. */
  scope(scope: string): LastEvents {
    if (scope === this.lastScope && this.lastScopeMemory !== undefined) return this.lastScopeMemory;
    let m = this.memory.get(scope);
    if (!m) this.memory.set(scope, (m = new LastEvents(this)));
    this.lastScope = scope;
    this.lastScopeMemory = m;
    return m;
  }

  /** The memory of a scope if it has one (looking does not make one). */
  findScope(scope: string): LastEvents | undefined {
    if (scope === this.lastScope) return this.lastScopeMemory;
    const m = this.memory.get(scope);
    this.lastScope = scope;
    this.lastScopeMemory = m;
    return m;
  }

  /**
   * OS_AddEvent into scope memory `m`: `ev`, `feeds` null when the event went on no correlation
   * list; `entry` its sid-list entry number (Feeds.file), else -1.
   */
  remember(m: LastEvents, time: number, ev: LogEvent | null, feeds: Feeds | null, entry = NO_ENTRY): void {
    m.lastSeq = ++this.seq;
    m.add(time, ev, feeds, entry);
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
    for (const m of this.memory.values()) {
      if (m.held === 0 || !idle(m)) continue;
      m.release();
      this.scopesReleased++;
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

  /**
   * The lists rule `ruleId`'s events go on in scope memory `m`: its if_matched_sid list when
   * `feedsSid`, and the lists of the if_matched_group rules in `groups` (once per entry).
   */
  feedsOf(m: LastEvents, ruleId: number, feedsSid: boolean, groups: readonly number[] | null): Feeds {
    const all = m.feeds ?? (m.feeds = new Map());
    let feeds = all.get(ruleId);
    if (feeds !== undefined) return feeds;
    let sidList: SidHistory | null = null;
    if (feedsSid) {
      const sid = m.sid ?? (m.sid = new Map());
      sidList = sid.get(ruleId) ?? null;
      if (sidList === null) sid.set(ruleId, (sidList = new SidHistory(this.model.sidListMax, this.keyFieldsFor('sid', ruleId))));
    }
    let lists: History[] | null = null;
    let times: number[] | null = null;
    if (groups !== null) {
      lists = [];
      times = [];
      const group = m.group ?? (m.group = new Map());
      for (const g of groups) {
        let h = group.get(g);
        if (h === undefined) group.set(g, (h = new History(this.keyFieldsFor('group', g))));
        const at = lists.indexOf(h);
        if (at >= 0) times[at]++;
        else {
          lists.push(h);
          times.push(1);
        }
      }
    }
    all.set(ruleId, (feeds = new Feeds(sidList, lists, times, sidList !== null ? 1 : groups !== null ? groups.length : 0)));
    return feeds;
  }

  /** Rule `ruleId`'s if_matched_sid list in `scope`, if any. */
  sidList(ruleId: number, scope: string): SidHistory | undefined {
    return this.memory.get(scope)?.sid?.get(ruleId);
  }

  /** If_matched_group rule `ruleId`'s list in `scope`, if any. */
  groupList(ruleId: number, scope: string): History | undefined {
    return this.memory.get(scope)?.group?.get(ruleId);
  }
}
