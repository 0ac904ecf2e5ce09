/**
 * A matcher for "separator chains": patterns that are a sequence of literals and character-class
 * runs where every run is followed by a literal, e.g. the Windows decoder
 * `^.+: ([A-Za-z0-9@_-]+?)\((\d+?)\): (.+): (.+): .+: (\S+): ` or iptables'
 * `^(\S+) .+ SRC=(\S+) DST=(\S+) .+ PROTO=(\w+) `. A backtracking engine retries every split of
 * such `.+` chains; the sequence matcher (sequence.ts) is linear but visits every (item, position).
 *
 * Here the work follows the literals: from the last item backwards, the positions where each
 * literal occurs (found with indexOf) and from which the rest of the pattern can match; a run's
 * possible starts before each such position come from one backward scan of its class. Then one
 * forward pass makes the choices a backtracking engine would keep: for each run, the longest
 * (greedy) or shortest (lazy) length after which the rest still matches. Without back-references
 * or lookaround, whether the rest matches from a position does not depend on how it was reached,
 * so this gives the same match and the same captures as the RegExp.
 */
import { charLit, INF, type Node, type Ranges } from './translated';

interface Item {
  /** literal text (ASCII-lower-cased when `ci`), or null for a run */
  lit: string | null;
  ci: boolean;
  /** for caseless literals: index of a character without case, searched with indexOf */
  anchorAt: number;
  /** run class membership for code units < 256, and ranges above */
  low: Uint8Array;
  high: number[];
  min: number;
  max: number;
  lazy: boolean;
  /** for wide classes: the few code units outside it (as one-character strings), else null */
  outside: string[] | null;
  /** literals: the same number for the same text (their occurrences are found once per call) */
  litId: number;
}

/** From about this many splits for a backtracking engine to try, this matcher is the faster. */
const SPLITS_WORTH_IT = 64;

/** Classes missing at most this many (control) code units are scanned for those with indexOf. */
const MAX_OUTSIDE = 8;

class NotChain extends Error {}

function hasLetter(c: number): boolean {
  const l = c | 32;
  return l >= 97 && l <= 122;
}

/** Flattens a node sequence into items and capture marks; throws NotChain outside the shape. */
class Builder {
  readonly items: Item[] = [];
  /** marks[k]: capture slots (2g open, 2g+1 close) set at the boundary before item k */
  readonly marks: number[][] = [[]];
  groups = 0;
  private litText = '';
  private litCi = false;
  private litCs = false;

  add(seq: Node[]): void {
    for (const n of seq) {
      if (n.k === 'set') {
        if (n.min === 1 && n.max === 1) {
          const c = charLit(n.ranges);
          if (c !== null) {
            this.addChar(c.text, c.ci);
            continue;
          }
        }
        this.flushLit();
        const it = this.run(n.ranges, n.min, n.max, n.lazy);
        const prev = this.items[this.items.length - 1];
        if (prev !== undefined && prev.lit === null) throw new NotChain(); // two runs in a row
        this.push(it);
        continue;
      }
      if (n.k === 'group') {
        if (n.min !== 1 || n.max !== 1 || n.alts.length !== 1) throw new NotChain();
        if (!n.capture) {
          this.add(n.alts[0]);
          continue;
        }
        const g = this.groups++;
        this.flushLit();
        this.marks[this.items.length].push(2 * g);
        this.add(n.alts[0]);
        this.flushLit();
        this.marks[this.items.length].push(2 * g + 1);
        continue;
      }
      throw new NotChain(); // anchors inside, \b, lookaround, back-references
    }
  }

  private addChar(ch: string, ci: boolean): void {
    if (hasLetter(ch.charCodeAt(0))) {
      if (ci) this.litCi = true;
      else this.litCs = true;
    }
    this.litText += ch;
  }

  flushLit(): void {
    if (this.litText === '') return;
    const text = this.litText;
    if (this.litCi && this.litCs) throw new NotChain(); // mixed case modes
    let anchorAt = -1;
    if (this.litCi) {
      for (let i = 0; i < text.length && anchorAt < 0; i++) if (!hasLetter(text.charCodeAt(i))) anchorAt = i;
      if (anchorAt < 0) throw new NotChain();
    }
    this.litText = '';
    this.litCi = this.litCs = false;
    const prev = this.items[this.items.length - 1];
    if (prev !== undefined && prev.lit !== null) throw new NotChain(); // a capture boundary inside a literal
    this.push({ lit: text, ci: anchorAt >= 0, anchorAt, low: new Uint8Array(0), high: [], min: 0, max: 0, lazy: false, outside: null, litId: -1 });
  }

  private run(ranges: Ranges, min: number, max: number, lazy: boolean): Item {
    const low = new Uint8Array(256);
    const high: number[] = [];
    for (const [lo, hi] of ranges) {
      for (let c = lo; c <= Math.min(hi, 255); c++) low[c] = 1;
      if (hi >= 256) high.push(Math.max(lo, 256), hi);
    }
    // the code units outside the class: the gaps between its sorted ranges
    const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
    let outside: string[] | null = [];
    let next = 0;
    for (const [lo, hi] of [...sorted, [0x10000, 0x10000] as [number, number]]) {
      for (let c = next; c < lo && outside !== null; c++) {
        // only for characters rare in log lines (controls); others (a space for \S) are found
        // sooner by scanning back from each point
        if (c >= 32 || outside.length === MAX_OUTSIDE) outside = null;
        else outside.push(String.fromCharCode(c));
      }
      next = Math.max(next, hi + 1);
    }
    return { lit: null, ci: false, anchorAt: -1, low, high, min, max, lazy, outside, litId: -1 };
  }

  private push(it: Item): void {
    this.items.push(it);
    this.marks.push([]);
  }
}

// Work arrays shared by all chains (one line is matched at a time), grown on demand.
let pts = new Int32Array(1024);
let rsv = new Int32Array(1024);
/** occurrences of each distinct literal of the running chain: count at [id * stride], then positions */
let occ = new Int32Array(1024);
const nextOut = new Int32Array(MAX_OUTSIDE + 1);

export class ChainMatcher {
  /** After a match: caps[2g], caps[2g+1] = bounds of JavaScript group g+1 (all groups take part). */
  readonly caps: Int32Array;
  /**
   * Runs that a backtracking engine splits in every way: unbounded over a wide class that crosses
   * spaces (`.+`, `[^"]+`) and contains the first character of the literal after it. Two of them
   * cost a RegExp time quadratic in the line; `\S+:` backtracks within one word only.
   */
  readonly ambiguousRuns: number;

  private readonly distinctLits: number;

  constructor(
    private readonly items: Item[],
    private readonly marks: number[][],
    private readonly anchored: boolean,
    groups: number,
  ) {
    this.caps = new Int32Array(2 * groups);
    const ids = new Map<string, number>();
    for (const it of items) {
      if (it.lit === null) continue;
      const key = (it.ci ? 'i' : 's') + it.lit;
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      it.litId = id;
    }
    this.distinctLits = ids.size;
    let amb = 0;
    const probes: string[] = [];
    for (let k = 0; k + 1 < items.length; k++) {
      const it = items[k];
      const next = items[k + 1].lit;
      if (it.lit !== null || it.max !== INF || next === null || it.low[32] !== 1) continue;
      let members = 0;
      for (let c = 0; c < 256; c++) members += it.low[c];
      if (members < 128) continue;
      const c = next.charCodeAt(0);
      if (inClass(it, c) || (items[k + 1].ci && hasLetter(c) && inClass(it, c - 32))) {
        amb++;
        probes.push(next, items[k + 1].ci ? next.toUpperCase() : '');
      }
    }
    this.ambiguousRuns = amb;
    const pairs: [string, string][] = [];
    for (let i = 0; i < probes.length; i += 2) pairs.push([probes[i], probes[i + 1]]);
    pairs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    this.splitProbes = pairs.flat();
  }

  /**
   * For each ambiguous run, the literal after it, then its upper-case form if caseless, else ''
   * (see worthIt); sorted, so that equal literals are next to each other.
   */
  private readonly splitProbes: string[];

  /**
   * Whether this matcher should answer for `s` rather than the RegExp: a backtracking engine
   * tries the splits of the ambiguous runs in turn, about the product of how often the literal
   * after each occurs in the line (`^.+: (.+): .+: ` on a line with twenty `: ` tries hundreds;
   * `.+ SRC=(\S+) .+ PROTO=` on an iptables line tries one, where V8 is faster than this matcher).
   * The answer is the same either way; this only picks the cheaper way.
   */
  worthIt(s: string, start: number): boolean {
    const probes = this.splitProbes;
    let product = 1;
    for (let i = 0; i < probes.length; ) {
      // the same literal after r runs counts r times: count its occurrences until product * count^r
      // is large enough; a caseless one as written in lower and in upper case (an estimate is enough)
      let r = 1;
      while (i + 2 * r < probes.length && probes[i + 2 * r] === probes[i]) r++;
      let count = 0;
      let enough = false;
      for (let v = i; v < i + 2 && !enough; v++) {
        const probe = probes[v];
        if (probe === '') continue;
        for (let at = s.indexOf(probe, start); at >= 0; at = s.indexOf(probe, at + 1)) {
          count++;
          if (product * count ** r >= SPLITS_WORTH_IT) {
            enough = true;
            break;
          }
        }
      }
      if (enough) return true;
      product *= count ** r;
      if (product === 0) return false; // no match possible: the RegExp fails as fast
      i += 2 * r;
    }
    return false;
  }

  /** Every occurrence of the item's literal at or after `start`, into occ[ob] (count) and on. */
  private findAll(s: string, start: number, it: Item, ob: number): void {
    const lit = it.lit as string;
    const len = lit.length;
    const n = s.length;
    const probe = it.ci ? lit[it.anchorAt] : lit;
    const shift = it.ci ? it.anchorAt : 0;
    let cnt = 0;
    let from = start + shift;
    for (;;) {
      const f = s.indexOf(probe, from);
      if (f < 0) break;
      from = f + 1;
      const p = f - shift;
      if (p + len > n) break;
      if (it.ci && !ciAt(s, p, lit)) continue;
      occ[ob + 1 + cnt++] = p;
    }
    occ[ob] = cnt;
  }

  /** End of the leftmost match from `start` (captures in `caps`), or -1. */
  exec(s: string, start: number): number {
    const items = this.items;
    const m = items.length;
    const n = s.length;
    if (start > n) return -1;
    const stride = n + 2;
    if (pts.length < m * stride) {
      pts = new Int32Array(m * stride * 2);
      rsv = new Int32Array(m * stride * 2);
    }
    if (occ.length < this.distinctLits * stride) occ = new Int32Array(this.distinctLits * stride * 2);
    for (let id = 0; id < this.distinctLits; id++) occ[id * stride] = -1; // not searched yet
    // cnt of item k is kept in pts[k * stride]; values follow
    for (let k = m - 1; k >= 0; k--) {
      const it = items[k];
      const base = k * stride;
      let cnt = 0;
      if (it.lit !== null) {
        // occurrences p >= start from which the rest matches: p + len must start item k+1
        const lit = it.lit;
        const len = lit.length;
        const last = k + 1 === m;
        // item k+1 is a run: the run's possible starts are intervals [lo_j, hi_j] over its points
        const nb = (k + 1) * stride;
        const nextCnt = last ? 0 : pts[nb];
        const run = last ? null : items[k + 1];
        let j = 0;
        const ob = it.litId * stride;
        if (occ[ob] < 0) this.findAll(s, start, it, ob);
        const on = occ[ob];
        for (let o = 0; o < on; o++) {
          const p = occ[ob + 1 + o];
          if (!last) {
            const e = p + len;
            const r = run as Item;
            // skip points whose interval ends before e (hi_j = q_j - min grows with j)
            while (j < nextCnt && pts[nb + 1 + j] - r.min < e) j++;
            if (j === nextCnt) break;
            const q = pts[nb + 1 + j];
            const lo = Math.max(q - r.max, rsv[nb + 1 + j]);
            if (e < lo) continue;
          }
          pts[base + 1 + cnt++] = p;
        }
      } else {
        // run (always followed by a literal): for each point q of that literal, the smallest p
        // with s[p..q) in the class; the run's possible starts before q are [max(q - max, rs), q - min]
        const nb = (k + 1) * stride;
        const qn = pts[nb];
        let prevQ = -1;
        let prevRs = start;
        const out = it.outside;
        if (out !== null) {
          // wide class: look for the few characters outside it; next[e] = next one at or after prevQ
          for (let e = 0; e < out.length; e++) nextOut[e] = -2;
          for (let j = 0; j < qn; j++) {
            const q = pts[nb + 1 + j];
            const stop = prevQ >= 0 ? prevQ : start;
            let rs = prevQ >= 0 ? prevRs : start;
            for (let e = 0; e < out.length; e++) {
              let at = nextOut[e];
              if (at !== -1 && at < stop) at = nextOut[e] = s.indexOf(out[e], stop);
              if (at >= 0 && at < q) rs = Math.max(rs, s.lastIndexOf(out[e], q - 1) + 1);
            }
            rsv[base + 1 + j] = rs;
            prevQ = q;
            prevRs = rs;
          }
        } else {
          for (let j = 0; j < qn; j++) {
            const q = pts[nb + 1 + j];
            let i = q - 1;
            const stop = prevQ >= 0 ? prevQ : start;
            while (i >= stop && inClass(it, s.charCodeAt(i))) i--;
            const rs = i >= stop ? i + 1 : prevQ >= 0 ? prevRs : start;
            rsv[base + 1 + j] = rs;
            prevQ = q;
            prevRs = rs;
          }
        }
        // this run's own list: the next literal's points with their run starts, empty intervals dropped
        for (let j = 0; j < qn; j++) pts[base + 1 + j] = pts[nb + 1 + j];
        // keep only points whose interval is not empty
        let w = 0;
        for (let j = 0; j < qn; j++) {
          const q = pts[base + 1 + j];
          const lo = Math.max(q - it.max, rsv[base + 1 + j]);
          if (lo <= q - it.min) {
            pts[base + 1 + w] = q;
            rsv[base + 1 + w] = rsv[base + 1 + j];
            w++;
          }
        }
        cnt = w;
      }
      pts[base] = cnt;
      if (cnt === 0) return -1;
    }
    // where the match starts
    let p: number;
    const first = items[0];
    if (first.lit !== null) {
      p = pts[1]; // the first feasible occurrence (all are at or after `start`)
      if (this.anchored && p !== start) return -1;
    } else {
      p = -1;
      for (let j = 0; j < pts[0]; j++) {
        const q = pts[1 + j];
        const lo = Math.max(q - first.max, rsv[1 + j]);
        const hi = q - first.min;
        if (this.anchored) {
          if (start >= lo && start <= hi) {
            p = start;
            break;
          }
        } else if (lo <= hi) {
          p = p < 0 ? lo : Math.min(p, lo);
          break; // lo grows with j: the first is the smallest
        }
      }
      if (p < 0) return -1;
    }
    // forward: the choices a backtracking engine keeps
    const caps = this.caps;
    const marks = this.marks;
    for (let k = 0; k < m; k++) {
      for (const slot of marks[k]) caps[slot] = p;
      const it = items[k];
      if (it.lit !== null) {
        p += it.lit.length;
        continue;
      }
      const base = k * stride;
      const cnt = pts[base];
      let best = -1;
      for (let j = 0; j < cnt; j++) {
        const q = pts[base + 1 + j];
        if (q - p < it.min) continue;
        if (q - p > it.max || rsv[base + 1 + j] > p) break; // later points are further and their run starts later
        best = q;
        if (it.lazy) break;
      }
      p = best;
    }
    for (const slot of marks[m]) caps[slot] = p;
    return p;
  }
}

function inClass(it: Item, c: number): boolean {
  if (c < 256) return it.low[c] === 1;
  const h = it.high;
  for (let i = 0; i < h.length; i += 2) if (c >= h[i] && c <= h[i + 1]) return true;
  return false;
}

function ciAt(s: string, at: number, lit: string): boolean {
  for (let i = 0; i < lit.length; i++) {
    let c = s.charCodeAt(at + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lit.charCodeAt(i)) return false;
  }
  return true;
}

/** A chain matcher for the parsed translation (one alternative), or null outside the shape. */
export function compileChain(alts: Node[][]): ChainMatcher | null {
  if (alts.length !== 1) return null;
  let seq = alts[0];
  const anchored = seq.length > 0 && seq[0].k === 'bol';
  if (anchored) seq = seq.slice(1);
  const b = new Builder();
  try {
    b.add(seq);
    b.flushLit();
  } catch (e) {
    if (e instanceof NotChain) return null;
    throw e;
  }
  const items = b.items;
  if (items.length < 2 || items[items.length - 1].lit === null) return null;
  return new ChainMatcher(items, b.marks, anchored, b.groups);
}
