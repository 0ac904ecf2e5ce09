/**
 * Compiles OSSEC/Wazuh `<decoder>` blocks into decoder trees, once, at load time.
 *
 * Semantics follow OSSEC's decode-xml.c / decoders_list.c: roots go to the
 * program-name list or the plain list; a child is attached to every root of its
 * parent's name; same-name children form a chain whose members run their regexes
 * in turn (`after_regex` continues where the previous one ended).
 */
import type { XmlElement } from '../ruleset/xml';
import { Pcre2Pattern, type Pattern } from '../patterns';
import { PLUGIN_DECODERS, createJsonDecoder, type PluginDecoder } from '../decode/plugins';
import { compileElementPattern, fail, splitList, type Dialect } from './elements';
import { prefixFilter, spaceRunGuard, type PrefixFilter, type SpaceRunGuard } from './first-char';
import { INF, parseTranslated, type Node, type Ranges } from '../patterns/translated';
import { exactPrefixesOf, type Prefix } from '../rules/literal-filter';
import { STATIC_FIELDS, WAZUH_EXTRA_DATA } from '../event';

/** Field names LogEvent.setField switches on, as the constants themselves (compared by pointer per line). */
const FIELD_NAMES = new Map<string, string>([...STATIC_FIELDS, 'user', WAZUH_EXTRA_DATA].map((f) => [f, f]));

export type RegexOffset = 'none' | 'after_parent' | 'after_prematch' | 'after_regex';

export interface CompiledDecoder {
  readonly index: number;
  /** The name written in the file. */
  readonly name: string;
  /** The name events report (`decoded_as`, alerts): the parent's unless `use_own_name`. */
  readonly reportedName: string;
  readonly parent: string | null;
  readonly programName: Pattern | null;
  /** The program-name pattern's fixed start (see PrefixFilter.head), checked before it runs; null: none. */
  readonly programHead: Uint8Array | null;
  /** First characters a program name it matches can start with (129 entries), or null: any. */
  readonly programFirst: Uint8Array | null;
  readonly prematch: Pattern | null;
  /**
   * First characters the prematch can start with (129 entries: ASCII, then any other unit; null:
   * any), for the dispatch table of plain roots.
   */
  readonly prematchFirst: Uint8Array | null;
  /** The prematch's fixed-position start (see PrefixFilter.head), checked before running it; null: none. */
  readonly prematchHead: Uint8Array | null;
  /** The prematch's `^\S+ ...` runs (see SpaceRunGuard), checked before running it; null: none. */
  readonly prematchSpaceRuns: SpaceRunGuard | null;
  readonly prematchAfterParent: boolean;
  /** The texts the prematch matches when that is all it does (see exactPrefixesOf): compared in place of running it; null: run it. */
  readonly prematchExact: Prefix[] | null;
  readonly regex: Pattern | null;
  readonly regexOffset: RegexOffset;
  /** Field name per capture ('' drops the capture). */
  readonly order: readonly string[];
  readonly type: string;
  /** Wazuh: a child without its own <type>; the event keeps its root's category. */
  readonly inheritsType?: boolean;
  readonly fts: readonly string[] | null;
  readonly ftsComment: string | null;
  readonly accumulate: boolean;
  readonly plugin: PluginDecoder | null;
  readonly pluginOffset: RegexOffset;
  readonly file: string;
  readonly line: number;
}

/** Same-name children of one parent, tried as one unit. */
export interface DecoderChain {
  readonly members: CompiledDecoder[];
  /** members[0], read on every line the chain is tried (one load fewer). */
  readonly head: CompiledDecoder;
  /** Its place among its parent's chains. */
  readonly position: number;
  /**
   * The head's regex, run where its prematch is, matches only where the prematch does, and no
   * member needs where the prematch ended: the regex may run first (see regexImpliesPrematch).
   */
  regexFirst: boolean;
  /**
   * A later chain of the same parent whose head's prematch, run from the same place, matches
   * wherever this head's does (prematchImplies): where it fails this head's fails too, so the
   * decoder may run it first and skip this head (and it) on a line it fails; else null.
   */
  weaker: DecoderChain | null;
}

/**
 * A root's children chains by one character of the log (load order kept): a chain is left out of
 * a bucket only when its head's prematch cannot start with that character where it is tested.
 */
export interface ChainIndex {
  /** Where the character is read: false at 0, true at the end of the root's prematch. */
  readonly atParent: boolean;
  /** Index c < 128: that ASCII character; 128: any other unit, or the end of the log. */
  readonly byChar: DecoderChain[][];
}

export interface DecoderSet {
  readonly decoders: CompiledDecoder[];
  /** Roots with `<program_name>`, in load order. */
  readonly programRoots: CompiledDecoder[];
  /** Roots without it, in load order. */
  readonly plainRoots: CompiledDecoder[];
  /** Children chains by parent name (shared by every root of that name). */
  readonly children: Map<string, DecoderChain[]>;
  /** Every name a rule may use in `decoded_as`. */
  readonly reportedNames: Set<string>;
  /**
   * Plain roots that may match a log starting with ASCII character c (index c, load order kept);
   * index 128: a log that is empty or starts with any other unit (every plain root).
   */
  readonly plainByFirst: CompiledDecoder[][];
  /**
   * For a first character with many plain roots (index as plainByFirst; null: few), those roots
   * again by the log's second character (129 entries): a root is left out only when its prematch
   * head has a second position that cannot be that character.
   */
  readonly plainBySecond: (CompiledDecoder[][] | null)[];
  /**
   * A second-level list (plainBySecond) longer than DEEP_LEVEL_FROM -> the same roots split
   * further by the log's next characters (see RootIndex); lists this short are not in it.
   */
  readonly plainDeeper: Map<CompiledDecoder[], RootIndex>;
  /** The same for program-name roots, by the first character of the program name. */
  readonly programByFirst: CompiledDecoder[][];
  /** Children chains of each decoder (by index; empty for children and childless roots). */
  readonly chainsOf: DecoderChain[][];
  /** The chains of each root by a character of the log (by index; null: no chains). */
  readonly chainIndex: (ChainIndex | null)[];
  /**
   * Per decoder (by index): a root without children whose regex, run from the start of the log
   * as its prematch is, matches only where the prematch does (its regex may run first).
   */
  readonly rootRegexFirst: boolean[];
}

/**
 * Plain roots of a long second-level list by the characters at positions 2, 3...: a node either
 * lists the roots to try (in load order) or splits them by the character at `at` (129 entries, as
 * plainByFirst: index 128 any other unit or the end of the log), leaving out a root only where its
 * prematch head cannot have that character there. A list is split further while it holds more
 * than DEEP_LEVEL_FROM roots and some head has that position (squid lines met 20 roots at two
 * levels, 8 below).
 */
export interface RootIndex {
  /** The roots to try, or null: split by the character at `at`. */
  readonly roots: CompiledDecoder[] | null;
  readonly at: number;
  readonly byChar: RootIndex[] | null;
}

export interface DecoderDialect {
  /** OSSEC 4.x compiles `*_pcre2` elements case-insensitively. */
  pcre2Caseless: boolean;
  /** Wazuh 4.x pattern edges (see compilePattern). */
  wazuh?: boolean;
}

/** A first character shared by more plain roots than this gets a second-level index. */
const SECOND_LEVEL_FROM = 4;

/** Positions of a prematch's start checked inline before it runs (enough to tell most decoders apart). */
const HEAD_POSITIONS = 8;
/**
 * Space-run guards (see SpaceRunGuard) only for prematches whose fixed start is shorter than
 * this (a longer one already turns other formats away), and at most this many runs checked.
 */
const SPACE_RUNS_BELOW_HEAD = 3;
const SPACE_RUN_STEPS = 4;

const TYPES = new Set(['syslog', 'firewall', 'ids', 'web-log', 'squid', 'windows', 'host-information', 'ossec']);

export class DecoderSetBuilder {
  private readonly decoders: CompiledDecoder[] = [];
  private readonly programRoots: CompiledDecoder[] = [];
  private readonly plainRoots: CompiledDecoder[] = [];
  private readonly children = new Map<string, DecoderChain[]>();
  private readonly rootNames = new Set<string>();
  private readonly reportedNames = new Set<string>();

  constructor(private readonly dialect: DecoderDialect = { pcre2Caseless: true }) {}

  /** Adds every `<decoder>` of one file's top-level elements, in order. */
  addFile(elements: XmlElement[]): void {
    for (const el of elements) {
      if (el.name === 'decoder') this.add(el);
      else if (el.name === 'var') continue;
      else fail(el, `unexpected element <${el.name}> in a decoder file (expected <decoder>)`);
    }
  }

  add(el: XmlElement): void {
    const name = el.attributes.name;
    if (!name) fail(el, 'missing name attribute');
    let d = this.compile(el, name);
    if (d.parent !== null && this.dialect.wazuh && !el.children.some((c) => c.name === 'type')) {
      // Wazuh: a child without <type> keeps the category of the root that matched (the
      // squid-accesslog children are squid events; pfSense's pf children stay syslog).
      d = { ...d, inheritsType: true };
    }
    if (d.parent === null) {
      if (!d.programName && !d.prematch) fail(el, `root decoder '${name}' needs <prematch> or <program_name>`);
      (d.programName ? this.programRoots : this.plainRoots).push(d);
      this.rootNames.add(name);
    } else {
      if (!this.rootNames.has(d.parent)) {
        fail(el, `parent decoder '${d.parent}' is not defined (a parent must be a root decoder loaded earlier)`);
      }
      let chains = this.children.get(d.parent);
      if (!chains) this.children.set(d.parent, (chains = []));
      const chain = chains.find((c) => c.members[0].name === name);
      if (chain) {
        if (d.prematch) fail(el, `decoder '${name}' repeats a sibling's name, so it continues that sibling and cannot have <prematch>`);
        if (d.fts || d.accumulate) fail(el, `decoder '${name}' repeats a sibling's name and cannot have <fts> or <accumulate>`);
        // Wazuh: the siblings are one decoder, so the head's <fts> holds whichever member decoded last.
        const head = chain.members[0];
        if (this.dialect.wazuh && d.fts === null && head.fts !== null) d = { ...d, fts: head.fts, ftsComment: head.ftsComment };
        chain.members.push(d);
      } else {
        if (d.regexOffset === 'after_regex') fail(el, `offset="after_regex" needs an earlier decoder of the same name '${name}'`);
        chains.push({ members: [d], head: d, position: chains.length, regexFirst: false, weaker: null });
      }
    }
    this.decoders.push(d);
    this.reportedNames.add(d.reportedName);
  }

  build(): DecoderSet {
    const plainByFirst = byFirst(this.plainRoots, (d) => d.prematchFirst);
    const plainBySecond = plainByFirst.map((roots, c) => (c < 128 && roots.length > SECOND_LEVEL_FROM ? bySecond(roots) : null));
    const programByFirst = byFirst(this.programRoots, (d) => d.programFirst);
    const chainsOf = this.decoders.map((d) => (d.parent === null ? this.children.get(d.name) ?? [] : []));
    const chainIndex = this.decoders.map((d, i) => (chainsOf[i].length === 0 ? null : indexChains(d, chainsOf[i])));
    for (const chains of this.children.values()) {
      for (const c of chains) c.regexFirst = chainRegexFirst(c);
      chains.forEach((c, k) => (c.weaker = chains.slice(k + 1).find((w) => chainImplies(c, w)) ?? null));
    }
    const rootRegexFirst = this.decoders.map((d, i) => d.parent === null && chainsOf[i].length === 0 && d.plugin === null &&
      d.regexOffset === 'none' && d.prematch !== null && d.regex !== null && regexImpliesPrematch(d.prematch, d.regex));
    return {
      decoders: this.decoders,
      programRoots: this.programRoots,
      plainRoots: this.plainRoots,
      children: this.children,
      reportedNames: this.reportedNames,
      plainByFirst,
      plainBySecond,
      plainDeeper: deeperIndex(plainBySecond),
      programByFirst,
      chainsOf,
      chainIndex,
      rootRegexFirst,
    };
  }

  private compile(el: XmlElement, name: string): CompiledDecoder {
    let parent: string | null = null;
    let programName = '';
    let programNameEl: XmlElement | null = null;
    let programNamePcre2 = false;
    let prematch = '';
    let prematchEl: XmlElement | null = null;
    let prematchPcre2 = false;
    let prematchAfterParent = false;
    let regex = '';
    let regexEl: XmlElement | null = null;
    let regexPcre2 = false;
    let regexOffset: RegexOffset = 'none';
    let order: string[] = [];
    let type = 'syslog';
    let fts: string[] | null = null;
    let ftsComment: string | null = null;
    let accumulate = false;
    let plugin: PluginDecoder | null = null;
    let pluginOffset: RegexOffset = 'none';
    let useOwnName = false;
    let pluginName = '';
    let jsonNull: 'discard' | 'string' | 'empty' | undefined;
    let jsonArrays: 'csv' | 'array' | undefined;

    for (const c of el.children) {
      const text = c.text;
      switch (c.name) {
        case 'parent': parent = text.trim(); break;
        case 'program_name': programName += text; programNameEl = c; break;
        case 'program_name_pcre2': programName += text; programNameEl = c; programNamePcre2 = true; break;
        case 'prematch':
        case 'prematch_pcre2':
          prematch += text; prematchEl = c; prematchPcre2 ||= c.name === 'prematch_pcre2';
          if (c.attributes.offset !== undefined) {
            if (c.attributes.offset !== 'after_parent') fail(c, `invalid offset="${c.attributes.offset}" (prematch only allows after_parent)`);
            prematchAfterParent = true;
          }
          break;
        case 'regex':
        case 'pcre2':
          regex += text; regexEl = c; regexPcre2 ||= c.name === 'pcre2';
          if (c.attributes.offset !== undefined) regexOffset = parseOffset(c, c.attributes.offset);
          break;
        case 'order':
          order = text.split(',').map((s) => s.trim());
          // Wazuh keeps extra_data apart from data.
          if (this.dialect.wazuh) order = order.map((o) => (o === 'extra_data' ? WAZUH_EXTRA_DATA : o));
          order = order.map((o) => FIELD_NAMES.get(o) ?? o);
          break;
        case 'type': {
          type = text.trim().toLowerCase();
          if (!TYPES.has(type)) fail(c, `unknown decoder type '${text.trim()}' (expected one of ${[...TYPES].join(', ')})`);
          break;
        }
        case 'fts': fts = splitList(text).map(normalizeFtsField); break;
        case 'ftscomment': ftsComment = text.trim(); break;
        case 'accumulate': accumulate = true; break;
        case 'use_own_name': useOwnName = text.trim().toLowerCase() === 'true'; break;
        case 'plugin_decoder': {
          const p = PLUGIN_DECODERS[text.trim()];
          if (!p) fail(c, `unknown plugin decoder '${text.trim()}' (known: ${Object.keys(PLUGIN_DECODERS).join(', ')})`);
          plugin = p;
          pluginName = text.trim();
          if (c.attributes.offset !== undefined) pluginOffset = parseOffset(c, c.attributes.offset);
          break;
        }
        case 'json_null_field': {
          const v = text.trim().toLowerCase();
          if (v !== 'discard' && v !== 'string' && v !== 'empty') fail(c, `invalid json_null_field '${text.trim()}' (expected discard, string or empty)`);
          jsonNull = v;
          break;
        }
        case 'json_array_structure': {
          const v = text.trim().toLowerCase();
          if (v !== 'csv' && v !== 'array') fail(c, `invalid json_array_structure '${text.trim()}' (expected csv or array)`);
          jsonArrays = v;
          break;
        }
        case 'var': break;
        default: fail(c, `unknown decoder element <${c.name}>`);
      }
    }
    if (pluginName === 'JSON_Decoder' && this.dialect.wazuh) {
      // Wazuh 4.x keeps nulls as "null" unless told otherwise, and arrays it cannot join as text.
      plugin = createJsonDecoder({ nullField: jsonNull ?? 'string', arrayStructure: jsonArrays, keepUnjoinableArrays: true });
    } else if (pluginName === 'JSON_Decoder' && (jsonNull !== undefined || jsonArrays !== undefined)) {
      plugin = createJsonDecoder({ nullField: jsonNull, arrayStructure: jsonArrays });
    }
    if (regexEl && order.length === 0) fail(regexEl, `decoder '${name}' has a regex but no <order>`);
    if (regexOffset === 'after_parent' && parent === null && !prematchEl) {
      // OSSEC treats after_parent on a root like after_prematch.
      regexOffset = 'after_prematch';
    }
    const dialect = this.dialect;
    const prematchFilter = prematchEl ? filterOf(prematchEl, prematch, prematchPcre2 ? 'pcre2' : 'osregex', dialect.pcre2Caseless) : null;
    const prematchPattern = prematchEl
      ? compileElementPattern(prematchEl, prematch, prematchPcre2 ? 'pcre2' : 'osregex', { pcre2Caseless: dialect.pcre2Caseless, wazuh: dialect.wazuh })
      : null;
    const prematchHead = prematchFilter?.head(HEAD_POSITIONS) ?? null;
    const programFilter = programNameEl ? filterOf(programNameEl, programName, programNamePcre2 ? 'pcre2' : 'osmatch', dialect.pcre2Caseless) : null;
    return {
      index: this.decoders.length,
      name,
      reportedName: parent !== null && !useOwnName ? parent : name,
      parent,
      programName: programNameEl
        ? compileElementPattern(programNameEl, programName, programNamePcre2 ? 'pcre2' : 'osmatch', { pcre2Caseless: dialect.pcre2Caseless, wazuh: dialect.wazuh })
        : null,
      programHead: programFilter?.head(HEAD_POSITIONS) ?? null,
      programFirst: programFilter?.firstChars() ?? null,
      prematch: prematchPattern,
      prematchFirst: prematchFilter?.firstChars() ?? null,
      prematchHead,
      prematchSpaceRuns: prematchHead === null || prematchHead.length < SPACE_RUNS_BELOW_HEAD * 129 ? spaceRunGuard(prematchPattern, SPACE_RUN_STEPS) : null,
      prematchAfterParent,
      prematchExact: prematchPattern === null ? null : exactPrefixesOf(prematchPattern),
      regex: regexEl
        ? compileElementPattern(regexEl, regex, regexPcre2 ? 'pcre2' : 'osregex', { pcre2Caseless: dialect.pcre2Caseless, wazuh: dialect.wazuh })
        : null,
      regexOffset,
      order,
      type,
      fts,
      ftsComment,
      accumulate,
      plugin,
      pluginOffset,
      file: el.file,
      line: el.line,
    };
  }
}

/** The prefix filter of an element's pattern, with the dialect and case rules of compileElementPattern. */
function filterOf(el: XmlElement, source: string, dflt: Dialect, pcre2Caseless: boolean): PrefixFilter | null {
  const t = el.attributes.type?.toLowerCase();
  if (t === undefined) return prefixFilter(dflt, source, dflt === 'pcre2' && pcre2Caseless);
  if (t === 'pcre2' || t === 'osregex' || t === 'osmatch') return prefixFilter(t, source, false);
  return null;
}

/** Roots by the first character of what they test (index 128: empty or non-ASCII start: all of them), load order kept. */
function byFirst(roots: CompiledDecoder[], first: (d: CompiledDecoder) => Uint8Array | null): CompiledDecoder[][] {
  const firsts = roots.map(first);
  const out: CompiledDecoder[][] = [];
  for (let c = 0; c <= 128; c++) out.push(roots.filter((_, i) => c === 128 || firsts[i] === null || firsts[i]![c] === 1));
  return out;
}

/**
 * The chains of `root` by the character where their heads' prematches start: at 0, or at the end
 * of the root's prematch (`offset="after_parent"` under a root with a prematch), whichever more
 * heads use; a head tested at the other place, or without a known first character, is in every bucket.
 */
function indexChains(root: CompiledDecoder, chains: DecoderChain[]): ChainIndex {
  const atParentOf = (c: DecoderChain): boolean => c.members[0].prematchAfterParent && root.prematch !== null;
  const keyed = chains.filter((c) => c.members[0].prematch !== null && c.members[0].prematchFirst !== null);
  const atParent = keyed.filter(atParentOf).length * 2 > keyed.length;
  const byChar: DecoderChain[][] = [];
  const shared = new Map<string, DecoderChain[]>(); // equal buckets are one array
  const always = chains.map((c) => {
    const head = c.members[0];
    return head.prematch === null || head.prematchFirst === null || atParentOf(c) !== atParent;
  });
  for (let ch = 0; ch <= 128; ch++) {
    let key = '';
    for (let i = 0; i < chains.length; i++) key += always[i] || chains[i].members[0].prematchFirst![ch] === 1 ? '1' : '0';
    let bucket = shared.get(key);
    if (bucket === undefined) shared.set(key, (bucket = chains.filter((_, i) => key.charCodeAt(i) === 49)));
    byChar.push(bucket);
  }
  return { atParent, byChar };
}

/**
 * Second-level lists split further only past this many roots: a step costs about what a head test
 * of a root does, and a line tries roots only up to the first match (Apache error's 8-9 match
 * early; squid's 20 all fail but the last).
 */
export const DEEP_LEVEL_FROM = 12;

/** See DecoderSet.plainDeeper. */
function deeperIndex(bySecondOf: (CompiledDecoder[][] | null)[]): Map<CompiledDecoder[], RootIndex> {
  // equal lists at one position are one node
  const nodes = new Map<string, RootIndex>();
  const nodeOf = (roots: CompiledDecoder[], at: number): RootIndex => {
    const key = `${at}:${roots.map((d) => d.index).join(',')}`;
    let node = nodes.get(key);
    if (node === undefined) nodes.set(key, (node = split(roots, at)));
    return node;
  };
  const split = (roots: CompiledDecoder[], at: number): RootIndex => {
    // roots whose head has a position `at`: only they can be left out there
    const picky = roots.filter((d) => d.prematchHead !== null && d.prematchHead.length > at * 129);
    if (roots.length <= DEEP_LEVEL_FROM || at >= HEAD_POSITIONS || picky.length === 0) return { roots, at, byChar: null };
    const byChar: RootIndex[] = [];
    const byKey = new Map<string, RootIndex>(); // characters leaving out the same roots share a node
    for (let c = 0; c <= 128; c++) {
      let key = '';
      for (let i = 0; i < picky.length; i++) key += picky[i].prematchHead![at * 129 + c] === 1 ? '1' : '0';
      let node = byKey.get(key);
      if (node === undefined) {
        const left = new Set(picky.filter((d) => d.prematchHead![at * 129 + c] === 0));
        byKey.set(key, (node = nodeOf(left.size === 0 ? roots : roots.filter((d) => !left.has(d)), at + 1)));
      }
      byChar.push(node);
    }
    return { roots: null, at, byChar };
  };
  const out = new Map<CompiledDecoder[], RootIndex>();
  for (const second of bySecondOf) {
    if (second === null) continue;
    for (const roots of second) if (roots.length > DEEP_LEVEL_FROM && !out.has(roots)) out.set(roots, nodeOf(roots, 2));
  }
  return out;
}

/** Roots (sharing a first character) by the log's second character, load order kept; equal buckets share one array. */
function bySecond(roots: CompiledDecoder[]): CompiledDecoder[][] | null {
  // only roots whose head has a second position can be left out of a bucket
  const picky = roots.filter((d) => d.prematchHead !== null && d.prematchHead.length >= 2 * 129);
  if (picky.length === 0) return null;
  const out: CompiledDecoder[][] = [];
  const shared = new Map<string, CompiledDecoder[]>();
  for (let c = 0; c <= 128; c++) {
    let key = '';
    for (const d of picky) key += d.prematchHead![129 + c] === 1 ? '1' : '0';
    let bucket = shared.get(key);
    if (bucket === undefined) {
      const left = new Set(picky.filter((_, i) => key.charCodeAt(i) === 48));
      shared.set(key, (bucket = roots.filter((d) => !left.has(d))));
    }
    out.push(bucket);
  }
  return out;
}

/**
 * Whether the chain's head may run its regex before its prematch: they start at the same place,
 * the regex matching implies the prematch does, and no member reads where the prematch ended
 * (after_prematch, after_regex falling back to it, a plugin's offset).
 */
function chainRegexFirst(chain: DecoderChain): boolean {
  const head = chain.members[0];
  if (head.prematch === null || head.regex === null) return false;
  const sameStart = head.prematchAfterParent ? head.regexOffset === 'after_parent' : head.regexOffset === 'none';
  if (!sameStart || !chain.members.every((d) => d.plugin === null && (d.regexOffset === 'none' || d.regexOffset === 'after_parent'))) return false;
  return regexImpliesPrematch(head.prematch, head.regex);
}

/**
 * Whether every match of `regex` implies a match of `prematch`, both run from the same place:
 * both PCRE2 (same case rule) of one alternative each, and the prematch's syntax tree (as the
 * translation reads back) the start of the regex's once their unquantified capture groups of one
 * alternative are opened. A match of the regex then begins with a match of the prematch, at the
 * same place. Lookaround, `$`, `\b` and back-references (whose text the tree does not keep) make
 * it false.
 */
export function regexImpliesPrematch(prematch: Pattern, regex: Pattern): boolean {
  const trees = openedTrees(prematch, regex);
  if (trees === null) return false;
  const [ps, rs] = trees;
  if (ps.length === 0 || ps.length > rs.length) return false;
  for (let i = 0; i < ps.length; i++) if (!sameNode(ps[i], rs[i])) return false;
  return true;
}

/**
 * The syntax trees (capture groups of one alternative opened) of two PCRE2 patterns with the same
 * case rule and one alternative each, as the implication checks compare them; else null.
 */
function openedTrees(a: Pattern, b: Pattern): [Node[], Node[]] | null {
  if (!(a instanceof Pcre2Pattern) || !(b instanceof Pcre2Pattern)) return null;
  if (a.mode !== 'regex' || b.mode !== 'regex' || a.caseless !== b.caseless) return null;
  if (a.jsSource === undefined || b.jsSource === undefined) return null;
  const pa = parseTranslated(a.jsSource);
  const pb = parseTranslated(b.jsSource);
  if (pa === null || pb === null || pa.length !== 1 || pb.length !== 1) return null;
  const as = opened(pa[0]);
  const bs = opened(pb[0]);
  return as === null || bs === null ? null : [as, bs];
}

/** Whether chain `c`'s head prematch matching implies `w`'s does, both run from the same place. */
function chainImplies(c: DecoderChain, w: DecoderChain): boolean {
  const a = c.members[0];
  const b = w.members[0];
  return a.prematch !== null && b.prematch !== null && a.prematchAfterParent === b.prematchAfterParent && prematchImplies(a.prematch, b.prematch);
}

/**
 * Whether every match of pattern `a` comes with a match of `b` at the same place (`b` run
 * unanchored from where `a` was then matches): both PCRE2 (same case rule) of one alternative
 * each, without anchors, lookaround or back-references, and `b`'s syntax tree is `a`'s with runs
 * of consecutive character-set nodes merged into one of `b`'s sets that takes every character
 * they take, as few and as many times (`\[client \S+:\d+?\] \S+:` implies `\[client \S+\] \S+:`:
 * `\S+:\d+?` is a run of `\S` characters), up to `a`'s end or before. `b` then matches the text
 * `a` matched (or its start), node by block.
 */
export function prematchImplies(a: Pattern, b: Pattern): boolean {
  const trees = openedTrees(a, b);
  if (trees === null) return false;
  const [as, bs] = trees;
  if (bs.length === 0 || as.length > 64) return false;
  if (as.some((n) => n.k === 'bol') || bs.some((n) => n.k === 'bol')) return false;
  return covers(as, 0, bs, 0);
}

/** Whether b[j..] matches the start of every text a[i..] matches (see prematchImplies). */
function covers(a: Node[], i: number, b: Node[], j: number): boolean {
  if (j === b.length) return true;
  if (i === a.length) return false;
  const q = b[j];
  if (sameNode(a[i], q) && covers(a, i + 1, b, j + 1)) return true;
  if (q.k !== 'set') return false;
  let min = 0;
  let max = 0;
  for (let e = i; e < a.length; e++) {
    const n = a[e];
    if (n.k !== 'set' || !rangesWithin(n.ranges, q.ranges)) return false;
    min += n.min;
    max = Math.min(max + n.max, INF);
    if (min >= q.min && max <= q.max && covers(a, e + 1, b, j + 1)) return true;
  }
  return false;
}

/** Whether every unit of `inner` is in `outer`. */
function rangesWithin(inner: Ranges, outer: Ranges): boolean {
  return inner.every(([lo, hi]) => {
    // walk the outer ranges covering lo..hi (they may touch without being merged)
    let at = lo;
    for (;;) {
      const r = outer.find(([olo, ohi]) => olo <= at && at <= ohi);
      if (r === undefined) return false;
      if (r[1] >= hi) return true;
      at = r[1] + 1;
    }
  });
}

/** The sequence with its unquantified groups of one alternative opened; null when it holds a node whose text is not kept. */
function opened(seq: Node[]): Node[] | null {
  const out: Node[] = [];
  for (const n of seq) {
    if (n.k === 'zero' || n.k === 'ref') return null;
    if (n.k === 'group') {
      for (const alt of n.alts) if (opened(alt) === null) return null;
      if (n.min === 1 && n.max === 1 && n.alts.length === 1) {
        out.push(...opened(n.alts[0])!);
        continue;
      }
    }
    out.push(n);
  }
  return out;
}

function sameNode(a: Node, b: Node): boolean {
  if (a.k !== b.k) return false;
  if (a.k === 'bol') return true;
  if (a.k === 'set' && b.k === 'set') {
    return a.min === b.min && a.max === b.max && a.lazy === b.lazy && a.ranges.length === b.ranges.length &&
      a.ranges.every(([lo, hi], i) => lo === b.ranges[i][0] && hi === b.ranges[i][1]);
  }
  if (a.k === 'group' && b.k === 'group') {
    return a.min === b.min && a.max === b.max && a.lazy === b.lazy && a.alts.length === b.alts.length &&
      a.alts.every((alt, i) => alt.length === b.alts[i].length && alt.every((n, j) => sameNode(n, b.alts[i][j])));
  }
  return false;
}

function parseOffset(el: XmlElement, v: string): RegexOffset {
  // the constants, not the attribute text: the per-line switch on them then compares pointers
  if (v === 'after_parent') return 'after_parent';
  if (v === 'after_prematch') return 'after_prematch';
  if (v === 'after_regex') return 'after_regex';
  fail(el, `invalid offset="${v}" (expected after_parent, after_prematch or after_regex)`);
}

function normalizeFtsField(f: string): string {
  const l = f.toLowerCase();
  if (l === 'user') return 'dstuser';
  if (l === 'extra_data') return 'data';
  return l;
}
