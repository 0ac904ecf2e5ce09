/**
 * First-time-seen (`<fts>` + `<if_fts/>`) as OSSEC 4.2 keeps it (analysisd/fts.c FTS()): a set of
 * keys, remembered across restarts by the store, plus, for IDS decoders, a short list of recent
 * keys that folds near-duplicates into one.
 */
import type { LogEvent } from '../event';

export interface FtsStore {
  /** True if the key was seen before. */
  has(key: string): boolean;
  /** Records a new key (the store decides how it is persisted). */
  add(key: string, comment: string | null, decoder?: string | null): void;
}

export class MemoryFtsStore implements FtsStore {
  private readonly keys = new Set<string>();
  constructor(initial: Iterable<string> = []) {
    for (const k of initial) this.keys.add(k);
  }
  has(key: string): boolean { return this.keys.has(key); }
  add(key: string): void { this.keys.add(key); }
  get size(): number { return this.keys.size; }
}

/** Keys are built in a buffer of OS_FLSIZE (256) bytes (headers/defs.h): longer ones are cut. */
const KEY_MAX = 255;
/** Recent IDS keys compared with a new one: internal_options.conf analysisd.fts_list_size. */
export const FTS_LIST_SIZE = 32;
/** A recent key is similar when it shares more than this many leading characters: analysisd.fts_min_size_for_str. */
export const FTS_MIN_SIZE_FOR_STR = 14;
/** More than this many similar recent keys: the new key is cut to FTS_MIN_SIZE_FOR_STR characters (fts.c). */
const SIMILAR_MAX = 2;

const ID = 1;
const DSTUSER = 2;
const SRCUSER = 4;
const SRCIP = 8;
const DSTIP = 16;
const DATA = 32;
const SYSTEM_NAME = 64;
const LOCATION = 128;

/**
 * The key slots an `<fts>` list turns on, matched as decode-xml.c does: each entry is tested
 * for the substrings below in this order, so `srcuser` (which contains "user") selects the
 * destination user and the source-user slot is never set.
 */
export function ftsFlags(fields: readonly string[]): number {
  let flags = 0;
  for (const f of fields) {
    if (f.includes('dstuser')) flags |= DSTUSER;
    if (f.includes('user')) flags |= DSTUSER;
    else if (f.includes('srcuser')) flags |= SRCUSER;
    else if (f.includes('srcip')) flags |= SRCIP;
    else if (f.includes('dstip')) flags |= DSTIP;
    else if (f.includes('id')) flags |= ID;
    else if (f.includes('location')) flags |= LOCATION;
    else if (f.includes('data')) flags |= DATA;
    else if (f.includes('system_name')) flags |= SYSTEM_NAME;
  }
  return flags;
}

/**
 * Per `<fts>` list: its key slots, and the last key made with them and its parts. Lines of one
 * decoder often repeat a key (pam's is the same on every line): handing out the same string again
 * saves building a new one that the store must flatten and hash before each lookup.
 */
class KeyMemo {
  key = '';
  private readonly parts: string[] = ['', '', '', '', '', '', '', '', ''];
  constructor(readonly flags: number) {}
  /** The key of these parts (the decoder name, then the eight slots). */
  keyOf(p0: string, p1: string, p2: string, p3: string, p4: string, p5: string, p6: string, p7: string, p8: string): string {
    const parts = this.parts;
    if (this.key !== '' && p0 === parts[0] && p1 === parts[1] && p2 === parts[2] && p3 === parts[3] && p4 === parts[4] &&
        p5 === parts[5] && p6 === parts[6] && p7 === parts[7] && p8 === parts[8]) return this.key;
    parts[0] = p0; parts[1] = p1; parts[2] = p2; parts[3] = p3; parts[4] = p4;
    parts[5] = p5; parts[6] = p6; parts[7] = p7; parts[8] = p8;
    const key = `${p0} ${p1} ${p2} ${p3} ${p4} ${p5} ${p6} ${p7} ${p8}`;
    return (this.key = key.length > KEY_MAX ? key.slice(0, KEY_MAX) : key);
  }
}

const keyMemos = new WeakMap<readonly string[], KeyMemo>();

/**
 * OSSEC's key: the decoder name, then id, destination user, source user, source and destination
 * address, extra data, system name and location (an agent's location names the agent, so
 * `location` makes a key per host), each empty unless the decoder's `<fts>` names it, joined by
 * spaces.
 */
export function ftsKey(ev: LogEvent, fields: readonly string[]): string {
  let memo = keyMemos.get(fields);
  if (memo === undefined) keyMemos.set(fields, (memo = new KeyMemo(ftsFlags(fields))));
  const f = memo.flags;
  return memo.keyOf(ev.decoderName ?? '', slot(f, ID, ev.id), slot(f, DSTUSER, ev.dstuser), slot(f, SRCUSER, ev.srcuser), slot(f, SRCIP, ev.srcip),
    slot(f, DSTIP, ev.dstip), slot(f, DATA, ev.data), slot(f, SYSTEM_NAME, ev.system_name), (f & LOCATION) !== 0 ? ossecLocation(ev) : '');
}

/** A key slot's text: the value when the `<fts>` list turns the slot on, else empty. */
function slot(flags: number, flag: number, v: string | null): string {
  return (flags & flag) !== 0 && v !== null ? v : '';
}

/** The location as analysisd has it: an agent's records arrive as `(agent) ip->path` (remoted). */
function ossecLocation(ev: LogEvent): string {
  return ev.remoteOrigin === null ? ev.location : `${ev.remoteOrigin}->${ev.location}`;
}

/** Length of the common prefix (os_regex_str.c OS_StrHowClosedMatch). */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * Whether the event is seen for the first time, recording it if so (fts.c FTS()). Every call
 * asks afresh, as OSSEC does for each `<if_fts/>` rule it tries. `recent` is the IDS list.
 */
export function firstTimeSeen(store: FtsStore, recent: string[], key: string, ids: boolean, comment: string | null, decoder: string | null): boolean {
  if (store.has(key)) return false;
  if (ids) {
    let similar = 0;
    for (let i = recent.length - 1; i >= 0; i--) {
      if (commonPrefix(recent[i], key) > FTS_MIN_SIZE_FOR_STR && ++similar > SIMILAR_MAX) {
        key = key.slice(0, FTS_MIN_SIZE_FOR_STR);
        break;
      }
    }
    recent.push(key);
    if (recent.length > FTS_LIST_SIZE) recent.shift();
    if (store.has(key)) return false;
  }
  store.add(key, comment, decoder);
  return true;
}
