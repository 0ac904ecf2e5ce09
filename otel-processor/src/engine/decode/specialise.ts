/**
 * Phase 2, specialised: for each root decoder, once at load time, the JavaScript of what
 * Decoder.decode() does after that root's prematch matched (its child chains tried in order, the
 * chosen chain's members run), with every decoder's patterns, guards, offsets, slots and field
 * names written in as constants. The generic loops read these from the chain and decoder objects
 * on every line (a few dozen loads, helper calls, polymorphic pattern calls); the generated code
 * does the same steps with the same effects and none of those reads. Decoder's generic path stays
 * the reference (`specialise: false`); tests/engine/decode-specialised.test.ts compares the two.
 */
import type { LogEvent } from '../event';
import type { CaptureBuffer, Pattern } from '../patterns';
import type { CompiledDecoder, DecoderChain, DecoderSet, RegexOffset } from '../compile/decoders';
import { headAllows, spaceRunsAllow } from '../compile/first-char';
import { prefixEnd } from '../rules/literal-filter';
import { WAZUH_EXTRA_DATA } from '../event';

/**
 * What a root's generated code does once its prematch matched (at `pmatch`; 0 without one), with
 * the Decoder's adaptive state and capture buffer: returns the decoder that claimed the event.
 */
export type RootRest = (ev: LogEvent, log: string, pmatch: number, state: Float64Array, out: CaptureBuffer) => CompiledDecoder;

/** What the code is generated from: the set, and the Decoder's slot layout and settings. */
export interface SpecialiseContext {
  readonly set: DecoderSet;
  /** Decoder.slots: per root, its chains' first regex-first slot and weaker-first slot, or -1. */
  readonly slots: Int32Array;
  readonly adaptive: boolean;
  /** Lines and threshold of the adaptive scores (Decoder's REGEX_FIRST_LINES, REGEX_FIRST_FROM). */
  readonly lines: number;
  readonly from: number;
}

/**
 * LogEvent.setField's static fields, by the name a decoder's `<order>` uses: the property it
 * writes. Other names go through setField (the map of rare fields).
 */
const FIELD_PROPERTIES = new Map<string, string>([
  ['srcip', 'srcip'], ['user', 'dstuser'], ['dstuser', 'dstuser'], ['id', 'id'], ['action', 'action'],
  ['extra_data', 'data'], ['data', 'data'], ['dstip', 'dstip'], ['srcport', 'srcport'], ['status', 'status'],
  ['protocol', 'protocol'], ['dstport', 'dstport'], ['url', 'url'], ['srcuser', 'srcuser'],
  ['system_name', 'system_name'], [WAZUH_EXTRA_DATA, 'extraData'],
]);

/** Runs `p` from `from`, captures into `out` (patterns without execInto). */
function execSlow(p: Pattern, log: string, from: number, out: CaptureBuffer): number {
  const r = p.exec(log, from);
  if (r === null) return -1;
  const caps = r.captures;
  for (let k = 0; k < caps.length; k++) out.values[k] = caps[k];
  out.count = caps.length;
  return r.end;
}

/** The same without captures (patterns without matchEnd). */
function testSlow(p: Pattern, log: string, from: number): number {
  const r = p.exec(log, from);
  return r === null ? -1 : r.end;
}

/** The generated code's constants (objects, passed in as the outer function's parameters) by name. */
class Constants {
  readonly names: string[] = [];
  readonly values: unknown[] = [];
  private readonly seen = new Map<unknown, string>();

  ref(value: unknown): string {
    let name = this.seen.get(value);
    if (name === undefined) {
      name = `k${this.names.length}`;
      this.names.push(name);
      this.values.push(value);
      this.seen.set(value, name);
    }
    return name;
  }
}

const codeOf = new WeakMap<DecoderSet, Map<string, (RootRest | null)[]>>();

/**
 * The generated code of every root (by decoder index; null for children), compiled once per
 * decoder set and slot layout: every Decoder of that set calls the same functions (its state and
 * capture buffer passed in), so V8 optimises them once, not once per Engine.
 */
export function specialiseRoots(ctx: SpecialiseContext): (RootRest | null)[] {
  const key = `${ctx.adaptive} ${ctx.lines} ${ctx.from} ${ctx.slots.join(',')}`;
  let bySlots = codeOf.get(ctx.set);
  if (bySlots === undefined) codeOf.set(ctx.set, (bySlots = new Map()));
  let code = bySlots.get(key);
  if (code === undefined) {
    code = ctx.set.decoders.map((d) => (d.parent === null ? rootCode(ctx, d) : null));
    bySlots.set(key, code);
  }
  return code;
}

function rootCode(ctx: SpecialiseContext, root: CompiledDecoder): RootRest {
  const k = new Constants();
  const body = new RootWriter(ctx, root, k).write();
  const source = `"use strict";\n${body}`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiled once per root at load time, from the ruleset's own objects
  return (new Function(...k.names, source) as (...a: unknown[]) => RootRest)(...k.values);
}

class RootWriter {
  private out: string[] = [];
  /** Chains of this root that some earlier chain's weaker head may have run ahead (their known-end variables). */
  private readonly targets = new Set<DecoderChain>();
  private readonly weakerOn: boolean;
  private readonly regexSlots: number;
  private readonly weakSlots: number;

  constructor(private readonly ctx: SpecialiseContext, private readonly root: CompiledDecoder, private readonly k: Constants) {
    this.regexSlots = ctx.slots[2 * root.index];
    this.weakSlots = ctx.slots[2 * root.index + 1];
    this.weakerOn = this.weakSlots >= 0;
  }

  /**
   * The generated source: functions of the root's chains (for a root without weaker chains), then
   * `return function decode_N(ev, log, pmatch, st, out) {...}`.
   */
  write(): string {
    const { root, ctx } = this;
    const o = this.out;
    const index = ctx.set.chainIndex[root.index];
    if (index === null) {
      o.push('const cmatch = pmatch;');
      this.members([root], 0, root);
      return this.rootFunction([], o);
    }
    const chains = ctx.set.chainsOf[root.index];
    // the buckets of ChainIndex (equal ones share an array)
    const buckets: DecoderChain[][] = [];
    const ids = new Uint8Array(129);
    index.byChar.forEach((b, c) => {
      let id = buckets.indexOf(b);
      if (id < 0) id = buckets.push(b) - 1;
      ids[c] = id;
    });
    if (buckets.length > 255) throw new Error('too many chain buckets');
    const prelude: string[] = [];
    const inline = this.weakerOn;
    if (inline) {
      // a weaker head run ahead of its turn tells the later chain what it found (kvN: its end,
      // -2 not run on this line): the chains are blocks of this one function
      for (const c of chains) if (c.weaker !== null) this.targets.add(c.weaker);
      o.push('let cmatch = pmatch;');
      for (const t of this.targets) o.push(`let kv${t.position} = -2;`);
    } else {
      // one function per chain, called from each bucket holding it (its code written once)
      for (const c of chains) {
        this.out = ['let cmatch = pmatch;'];
        this.chain(c);
        prelude.push(`function chain${c.position}(ev, log, pmatch, st, out) {\n${this.out.join('\n')}\n}`);
      }
      this.out = o;
      o.push('let r;');
    }
    const bucket = (b: DecoderChain[]): void => {
      for (const chain of b) {
        if (inline) {
          if (!this.chain(chain)) return;
          continue;
        }
        o.push(`r = chain${chain.position}(ev, log, pmatch, st, out); if (r !== undefined) return r;`);
        if (chain.head.prematch === null) return;
      }
    };
    if (buckets.length === 1) bucket(buckets[0]);
    else {
      o.push(`const ch = log.charCodeAt(${index.atParent ? 'pmatch' : '0'});`);
      o.push(`switch (${this.k.ref(ids)}[ch < 128 ? ch : 128]) {`);
      buckets.forEach((b, id) => {
        o.push(`case ${id}: {`);
        bucket(b);
        o.push('break; }');
      });
      o.push('}');
    }
    o.push(`return ${this.k.ref(root)};`);
    return this.rootFunction(prelude, o);
  }

  private rootFunction(prelude: string[], body: string[]): string {
    const head = this.setDecoder(this.root);
    return `${prelude.join('\n')}\nreturn function decode_${this.root.index}(ev, log, pmatch, st, out) {\n${head}\n${body.join('\n')}\n};`;
  }

  /** One chain's turn; false when it ends the loop whatever the line (a head without prematch). */
  private chain(chain: DecoderChain): boolean {
    const o = this.out;
    const head = chain.head;
    if (head.prematch === null) {
      // selected as it stands: the decoder stays the root until a member's regex matches
      o.push('{');
      this.members(chain.members, 0, this.root);
      o.push('}');
      return false;
    }
    const p = chain.position;
    const label = `c${p}`;
    const from = head.prematchAfterParent ? 'pmatch' : '0';
    o.push(`${label}: {`);
    o.push('let pre = -2;');
    if (this.targets.has(chain)) o.push(`if (kv${p} !== -2) { if (kv${p} < 0) break ${label}; pre = kv${p}; }`);
    o.push(...this.guards(head, from, `break ${label};`));
    const slot = chain.regexFirst && this.regexSlots >= 0 ? this.regexSlots + p : -1;
    const st = 'st';
    if (slot >= 0) o.push(`const regexNow = ${st}[${4 * slot + 1}] === 1;`);
    // Each pattern has one call site below, whichever order the scores choose: a site first
    // reached after V8 optimised this function would throw the optimised code away.
    if (chain.weaker !== null && this.weakerOn) {
      const w = chain.weaker;
      const ws = this.weakSlots + p;
      o.push(`if (pre === -2${slot >= 0 ? ' && !regexNow' : ''}) {`);
      // the weaker head first (step 0) or after this one, as the slot's score says (see Decoder.state)
      o.push(`let outcome = 0, skip = false, done = false; const weakFirst = st[${4 * ws + 3}] === 1;`);
      // both steps always run (a step ending the loop would leave `step++` unreached, and V8
      // deoptimises the function the first time it is): `done` makes the second a no-op
      o.push('for (let step = 0; step < 2; step++) { if (done) continue;');
      o.push(`if ((step === 0) === weakFirst) { kv${w.position} = ${this.headEnd(w.head, from)};`);
      // this head's prematch implies the weaker one's: it fails too
      o.push(`if (kv${w.position} < 0) { outcome = 1; skip = true; done = true; } }`);
      o.push(`else { pre = ${this.prematchEnd(head, from)}; if (pre >= 0) { outcome = -1; done = true; } }`);
      o.push('}');
      if (this.ctx.adaptive) o.push(this.score(4 * ws + 2, 'outcome'));
      o.push(`if (skip) break ${label};`);
      o.push('}');
    }
    if (slot >= 0) {
      // the head's regex may run before its prematch (DecoderChain.regexFirst)
      o.push('let end = -1, matched = false;');
      o.push(`if (pre !== -2) { if (pre < 0) break ${label}; matched = true; }`);
      o.push('const regexAhead = pre === -2 && regexNow;');
      o.push('let done = false;');
      o.push('for (let step = 0; step < 2; step++) { if (done) continue;');
      o.push(`if ((step === 0) === regexAhead) { if (!regexAhead && !matched) done = true; else { end = ${this.exec(head, from)}; if (end >= 0) { matched = true; done = true; } } }`);
      o.push(`else if (pre === -2) { matched = ${this.prematchEnd(head, from)} >= 0; if (!matched && !regexAhead) done = true; }`);
      o.push('}');
      // as claim() scores it: +1 the regex alone would have answered, -1 both ran and failed
      if (this.ctx.adaptive) o.push(this.score(4 * slot, 'end >= 0 ? 1 : matched ? 0 : -1'));
      o.push(`if (!matched) break ${label};`);
      o.push(this.setDecoder(head));
      o.push(`if (end >= 0) { ${this.storeFields(head)} }`);
      // no member of such a chain reads where the prematch ended (chainRegexFirst)
      o.push('cmatch = pmatch;');
      this.members(chain.members, 1, head);
      o.push('}');
      return true;
    }
    o.push(`const e = pre !== -2 ? pre : ${this.prematchEnd(head, from)};`);
    o.push(`if (e >= 0) { cmatch = e; ${this.setDecoder(head)}`);
    this.members(chain.members, 0, head);
    o.push('}');
    o.push('}');
    return true;
  }

  /** A running score updated as Decoder's are: averaged over `lines`, its flag set past `from` and cleared below its negative. */
  private score(at: number, value: string): string {
    const st = 'st';
    const { lines, from } = this.ctx;
    // one store on every line (a store first reached late would deoptimise, see chain())
    return `{ const s = (${st}[${at}] += ((${value}) - ${st}[${at}]) / ${lines}); ${st}[${at + 1}] = s > ${from} ? 1 : s < ${-from} ? 0 : ${st}[${at + 1}]; }`;
  }

  /**
   * The chosen chain's members from `first`, as runRegexChain runs them (a plugin first member
   * in their place), then the return of the decoder that claimed the event (cmatch in scope).
   */
  private members(members: CompiledDecoder[], first: number, current: CompiledDecoder): void {
    const o = this.out;
    if (first === 0 && members[0].plugin !== null) {
      const d = members[0];
      o.push(`${this.k.ref(d.plugin)}(ev, ${offsetExpr(d.pluginOffset, '-1')});`);
      o.push(`return ${this.k.ref(d)};`);
      return;
    }
    // the decoder set so far, when the same whatever matched (null: read it back from the event)
    let known: CompiledDecoder | null = current;
    o.push('{ let prev = -1, end = -1;');
    for (let i = first; i < members.length; i++) {
      const d = members[i];
      if (d.regex === null) break;
      const start = offsetExpr(d.regexOffset, 'prev');
      o.push(`end = ${this.exec(d, start)};`);
      o.push(`if (end >= 0) { prev = end; ${known === d ? '' : this.setDecoder(d)} ${this.storeFields(d)} }`);
      if (known !== d) {
        if (i === members.length - 1 && known !== null) {
          o.push(`return end >= 0 ? ${this.k.ref(d)} : ${this.k.ref(known)}; }`);
          return;
        }
        known = null;
      }
    }
    o.push(known !== null ? `return ${this.k.ref(known)}; }` : `return ${this.k.ref(this.ctx.set.decoders)}[ev.decoderIndex]; }`);
  }

  /** The head checks of Decoder.headEnd (first characters, space runs), each failing into `fail`. */
  private guards(d: CompiledDecoder, from: string, fail: string): string[] {
    const lines: string[] = [];
    const head = d.prematchHead;
    if (head !== null && head.length > 3 * 129) {
      lines.push(`if (!${this.k.ref(headAllows)}(${this.k.ref(head)}, log, ${from})) ${fail}`);
    } else if (head !== null) {
      const n = (head.length / 129) | 0;
      const at = (j: number): string => (from === '0' ? `${j}` : `${from} + ${j}`);
      lines.push(`if (log.length - ${from} < ${n}) ${fail}`);
      const hr = this.k.ref(head);
      for (let j = 0; j < n; j++) {
        const allowed: number[] = [];
        for (let c = 0; c <= 128; c++) if (head[129 * j + c] === 1) allowed.push(c);
        if (allowed.length === 129) continue;
        if (allowed.length === 0) {
          lines.push(fail);
          break;
        }
        if (allowed.length <= 2 && !allowed.includes(128)) {
          lines.push(`{ const c = log.charCodeAt(${at(j)}); if (${allowed.map((a) => `c !== ${a}`).join(' && ')}) ${fail} }`);
        } else {
          lines.push(`{ const c = log.charCodeAt(${at(j)}); if (${hr}[${129 * j} + (c < 128 ? c : 128)] === 0) ${fail} }`);
        }
      }
    }
    if (d.prematchSpaceRuns !== null) lines.push(`if (!${this.k.ref(spaceRunsAllow)}(${this.k.ref(d.prematchSpaceRuns)}, log, ${from})) ${fail}`);
    return lines;
  }

  /** Decoder.headEnd as an expression: the head checks, then the prematch's end (-1: no match). */
  private headEnd(d: CompiledDecoder, from: string): string {
    const checks = this.guards(d, from, 'return -1;');
    if (checks.length === 0) return this.prematchEnd(d, from);
    // an arrow called in place: V8 inlines it; keeps the checks' early exits
    return `(() => { ${checks.join(' ')} return ${this.prematchEnd(d, from)}; })()`;
  }

  private prematchEnd(d: CompiledDecoder, from: string): string {
    if (d.prematchExact !== null) return `${this.k.ref(prefixEnd)}(log, ${from}, ${this.k.ref(d.prematchExact)})`;
    const p = d.prematch!;
    if (p.matchEnd !== undefined) return `${this.k.ref(p)}.matchEnd(log, ${from})`;
    return `${this.k.ref(testSlow)}(${this.k.ref(p)}, log, ${from})`;
  }

  private exec(d: CompiledDecoder, from: string): string {
    const p = d.regex!;
    const out = 'out';
    if (p.execInto !== undefined) return `${this.k.ref(p)}.execInto(log, ${from}, ${out})`;
    return `${this.k.ref(execSlow)}(${this.k.ref(p)}, log, ${from}, ${out})`;
  }

  private setDecoder(d: CompiledDecoder): string {
    const s = `ev.decoderIndex = ${d.index}; ev.decoderName = ${this.k.ref(d.reportedName)}; ev.decoderParent = ${this.k.ref(d.parent ?? d.name)};`;
    return d.inheritsType === true ? s : `${s} ev.category = ${this.k.ref(d.type)};`;
  }

  /** storeFields(): the captures, as many as matched, into the order's fields. */
  private storeFields(d: CompiledDecoder): string {
    const out = 'out';
    const parts = [`const n = ${out}.count, v = ${out}.values;`];
    d.order.forEach((field, i) => {
      if (field === '') return;
      const prop = FIELD_PROPERTIES.get(field);
      parts.push(prop !== undefined ? `if (n > ${i}) ev.${prop} = v[${i}];` : `if (n > ${i}) ev.setField(${this.k.ref(field)}, v[${i}]);`);
    });
    return parts.join(' ');
  }
}

/** offsetFor() as an expression (pmatch, cmatch in scope; `prev` the previous member's end or -1). */
function offsetExpr(offset: RegexOffset, prev: string): string {
  switch (offset) {
    case 'none': return '0';
    case 'after_parent': return 'pmatch';
    case 'after_prematch': return 'cmatch';
    case 'after_regex': return prev === '-1' ? 'cmatch' : `(${prev} >= 0 ? ${prev} : cmatch)`;
  }
}
