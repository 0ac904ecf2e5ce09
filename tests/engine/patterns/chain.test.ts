/**
 * The PCRE2 matchers of our own (chain.ts: separator chains, reading the translation back with
 * translated.ts) against the plain translated RegExp, on many random patterns and subjects built
 * from the patterns' own pieces (so that matches, near misses and case variants are frequent).
 * Any wrong choice of split or capture shows up as a different answer.
 */
import { compilePcre2, enableLinearRegexpFallback, type Pcre2Pattern } from '../../../otel-processor/src/engine/patterns';
import { parseTranslated } from '../../../otel-processor/src/engine/patterns/translated';
import { compileChain } from '../../../otel-processor/src/engine/patterns/chain';
import { mulberry32 as rng } from '../../generator';

enableLinearRegexpFallback();


interface Internals {
  re: RegExp;
  reExact?: RegExp;
  nlSens: number;
  ctxSens: boolean;
  jsIndex: number[];
  keepUnset: boolean;
  chain: unknown;
}

/** What the pattern answers with only its RegExp (the path every fast path must agree with). */
function reference(p: Pcre2Pattern, s: string, start: number): { captures: string[]; end: number } | null {
  const x = p as unknown as Internals;
  const exact = x.nlSens === 2 ? s.lastIndexOf('\n') >= start : x.nlSens === 1 && s.charCodeAt(s.length - 1) === 10;
  const re = (exact ? x.reExact : x.re) as RegExp;
  let m: RegExpExecArray | null;
  if (start > 0 && x.ctxSens) {
    re.lastIndex = 0;
    m = re.exec(s.slice(start));
    if (m) m.index += start;
  } else {
    re.lastIndex = start;
    m = re.exec(s);
  }
  if (m === null) return null;
  const captures: string[] = [];
  if (x.keepUnset) {
    let last = x.jsIndex.length - 1;
    while (last >= 0 && m[x.jsIndex[last]] === undefined) last--;
    for (let j = 0; j <= last; j++) captures.push(m[x.jsIndex[j]] ?? '');
  } else {
    for (const j of x.jsIndex) if (m[j] !== undefined) captures.push(m[j]);
  }
  return { captures, end: m.index + m[0].length };
}

const WORDS = ['Installed', 'updated', 'ERASED', 'telnetd', 'sshd', 'Failed', 'user', 'root', 'SRC=', 'DST=', 'PROTO=', 'a', 'ab', 'AB', 'x', '42', '0x1f'];
const PUNCT = [': ', ' ', ':', '(', ')', '[', ']', '=', '-', '/', '.', ',', '"', "'", '@', '_', '\t'];

/** A random PCRE2 pattern in the style of OSSEC rules and decoders. */
function randomPattern(r: () => number, depth = 0): string {
  const pick = <T,>(a: T[]): T => a[Math.floor(r() * a.length)];
  const atom = (): string => {
    const k = r();
    if (k < 0.35) return pick(WORDS).replace(/[()[\].=/]/g, (c) => '\\' + c);
    if (k < 0.5) return pick(PUNCT).replace(/[()[\].=/]/g, (c) => '\\' + c).replace('\t', '\\t');
    if (k < 0.75) return pick(['\\S', '\\d', '\\w', '.', '[A-Za-z0-9@_-]', '[^:]', '\\s', '[aB]', '[xX]', '[0-9a-f]']) + pick(['+', '+?', '*', '?', '', '{2}', '{1,3}', '+', '*?']);
    if (k < 0.85 && depth < 2) {
      const inner = randomPattern(r, depth + 1);
      return pick(['(', '(?:', '(?i)(?:', '(?:']) + inner + ')' + pick(['', '', '?', '+', '{2}']);
    }
    if (k < 0.9) return pick(['\\b', '\\B', '(?=a)', '(?!:)', '(?<= )']);
    return pick(WORDS);
  };
  if (depth === 0 && r() < 0.2) {
    // alternations of literals sharing prefixes: ties and overlaps decide the match end
    const words: string[] = [];
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      const w = pick(WORDS).replace(/[()[\].=/]/g, (c) => '\\' + c);
      words.push((r() < 0.3 ? '^' : '') + (r() < 0.5 ? w.slice(0, 1 + Math.floor(r() * w.length)) : w));
    }
    return words.join('|');
  }
  const alts: string[] = [];
  const nAlts = r() < 0.3 ? 2 + Math.floor(r() * 3) : 1;
  for (let a = 0; a < nAlts; a++) {
    let s = depth === 0 && r() < 0.45 ? '^' : '';
    const n = 1 + Math.floor(r() * 5);
    for (let i = 0; i < n; i++) s += atom();
    if (depth === 0 && r() < 0.15) s += '$';
    alts.push(s);
  }
  return (depth === 0 && r() < 0.1 ? '(?m)' : '') + alts.join('|');
}

/** A subject made of the pattern's own words and separators, random case changes and noise. */
function randomSubject(r: () => number, pattern: string): string {
  const pieces = pattern.split(/(\\.|[()[\]|^$?*+{}])/).filter((x) => x.length > 0 && !/^[()[\]|^$?*+{}]$/.test(x)).map((x) => x.replace(/^\\/, ''));
  const pool = [...pieces, ...WORDS, ...PUNCT, '\n', 'é', '\u212a', 'Ü', ' ', ' ', ': '];
  let s = '';
  const n = Math.floor(r() * 12);
  for (let i = 0; i < n; i++) {
    let w = pool[Math.floor(r() * pool.length)];
    if (r() < 0.2) w = r() < 0.5 ? w.toUpperCase() : w.toLowerCase();
    s += w;
  }
  return s;
}

function runs(p: Pcre2Pattern, s: string, start: number): void {
  const want = reference(p, s, start);
  const got = p.exec(s, start);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`pattern ${JSON.stringify(p.source)} caseless=${p.caseless} subject ${JSON.stringify(s)} start ${start}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  // into a buffer left over from other calls: only the first `count` values are this match's
  const out = { values: ['stale', 'stale', 'stale', 'stale', 'stale', 'stale', 'stale', 'stale'], count: 99 };
  const into = p.execInto(s, start, out);
  const written = out.values.slice(0, out.count);
  if (into !== (want === null ? -1 : want.end) || (want !== null && JSON.stringify(written) !== JSON.stringify(want.captures))) {
    throw new Error(`execInto ${JSON.stringify(p.source)} on ${JSON.stringify(s)} from ${start}: ${into} ${JSON.stringify(written)}`);
  }
  const end = p.matchEnd(s, start);
  if (end !== (want === null ? -1 : want.end)) throw new Error(`matchEnd ${JSON.stringify(p.source)} on ${JSON.stringify(s)} from ${start}: ${end}`);
  if (p.test(s, start) !== (want !== null)) throw new Error(`test ${JSON.stringify(p.source)} on ${JSON.stringify(s)}`);
}

describe('Pcre2Pattern answers as its RegExp', () => {
  test('random patterns and subjects', () => {
    const r = rng(20261205);
    let patterns = 0;
    let hits = 0;
    let calls = 0;
    for (let i = 0; i < 3000; i++) {
      const src = randomPattern(r);
      let p: Pcre2Pattern;
      try {
        p = compilePcre2(src, { caseless: r() < 0.5, keepUnsetGroups: r() < 0.3 });
      } catch {
        continue; // not a valid PCRE2 pattern (e.g. a quantified assertion)
      }
      if (p.mode !== 'regex') continue; // OSSEC's plain-string comparisons: no RegExp to compare with
      patterns++;
      for (let k = 0; k < 40; k++) {
        const s = randomSubject(r, src);
        const start = r() < 0.7 ? 0 : Math.floor(r() * (s.length + 1));
        runs(p, s, start);
        calls++;
        if (reference(p, s, start) !== null) hits++;
      }
    }
    // the generator must exercise every path, with matches and misses
    expect(patterns).toBeGreaterThan(2000);
    expect(hits / calls).toBeGreaterThan(0.1);
    expect(hits / calls).toBeLessThan(0.9);
  });
});

/** A random separator chain: runs of classes, each followed by a literal, captures around some. */
function randomChain(r: () => number): string {
  const pick = <T,>(a: T[]): T => a[Math.floor(r() * a.length)];
  let s = r() < 0.6 ? '^' : '';
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const run = pick(['.', '\\S', '\\d', '[A-Za-z0-9@_-]', '[^:]', '\\w', '[^ ]', '.']) + pick(['+', '+?', '*', '*?', '{1,3}', '{2}', '+', '+?', '?']);
    s += r() < 0.5 ? `(${run})` : run;
    s += pick([': ', ' ', '(', '): ', ' SRC=', ':', '=', 'x', ' AB ']).replace(/[()]/g, (c) => '\\' + c);
  }
  return s;
}

function randomChainSubject(r: () => number): string {
  const pick = (a: string[]): string => a[Math.floor(r() * a.length)];
  let s = '';
  const n = Math.floor(r() * 14);
  for (let i = 0; i < n; i++) s += pick(['WinEvtLog', 'Security', 'AUDIT_SUCCESS', '4624', 'a b', 'x', 'Ab', 'ab', '12', 'e:f', '', '\n', 'é', 'SRC=1.2.3.4']) + pick([': ', ' ', '(', '): ', ' SRC=', ':', '=', ' ab ', '']);
  return s;
}

describe('separator chains (chain.ts) agree with the RegExp', () => {
  test('random chains and subjects, captures and ends', () => {
    const r = rng(7);
    let chains = 0;
    let routed = 0;
    let hits = 0;
    let calls = 0;
    for (let i = 0; i < 2000; i++) {
      const src = randomChain(r);
      const caseless = r() < 0.3;
      const p = compilePcre2(src, { caseless });
      const parsed = parseTranslated(p.jsSource as string);
      const chain = parsed === null ? null : compileChain(parsed);
      if (chain === null) continue;
      chains++;
      if ((p as unknown as Internals).chain !== null) routed++; // the engine runs the chain for it
      const re = new RegExp(p.jsSource as string, 'g');
      for (let k = 0; k < 40; k++) {
        const s = randomChainSubject(r);
        const start = r() < 0.8 ? 0 : Math.floor(r() * (s.length + 1));
        // the chain itself, on every chain-shaped pattern
        const anchored = src.startsWith('^');
        let m: RegExpExecArray | null;
        if (anchored && start > 0) {
          re.lastIndex = 0;
          m = re.exec(s.slice(start));
          if (m) m.index += start;
        } else {
          re.lastIndex = start;
          m = re.exec(s);
        }
        const end = chain.exec(s, start);
        calls++;
        if (m === null) {
          if (end !== -1) throw new Error(`chain ${src} on ${JSON.stringify(s)} from ${start}: ${end}, want no match`);
          continue;
        }
        hits++;
        const want = m.index + m[0].length;
        if (end !== want) throw new Error(`chain ${src} on ${JSON.stringify(s)} from ${start}: end ${end}, want ${want}`);
        for (let g = 1; g < m.length; g++) {
          const got = s.slice(chain.caps[2 * (g - 1)], chain.caps[2 * (g - 1) + 1]);
          if (got !== m[g]) throw new Error(`chain ${src} on ${JSON.stringify(s)}: group ${g} ${JSON.stringify(got)}, want ${JSON.stringify(m[g])}`);
        }
        // and the pattern as the engine runs it
        runs(p, s, start);
      }
    }
    expect(chains).toBeGreaterThan(1000);
    expect(routed).toBeGreaterThan(100);
    expect(hits / calls).toBeGreaterThan(0.05);
  });

  test.each([
    ['^.+: ([A-Za-z0-9@_-]+?)\\((\\d+?)\\): (.+): (.+): .+: (\\S+): ', 'WinEvtLog: Security: AUDIT_SUCCESS(4672): Microsoft-Windows-Security-Auditing: rine1: CORP: MAIL: Special privileges. Subject: Security ID: S-1-5 Account Name: rine1'],
    ['^(\\S+) .+ SRC=(\\S+) DST=(\\S+) .+ PROTO=(\\w+) ', 'eth0 IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=60 TOS=0x00 PROTO=TCP SPT=1 DPT=22 '],
    ['^\\[\\d+\\.\\d+\\] (\\S+) .+ SRC=(\\S+) DST=(\\S+) .+ PROTO=(\\w+) ', '[12.5] IN=eth0 x SRC=1.1.1.1 DST=2.2.2.2 y PROTO=UDP z PROTO=ICMP '],
  ])('stock decoder shape %j uses the chain and answers as the RegExp', (src, line) => {
    for (const caseless of [false, true]) {
      const p = compilePcre2(src, { caseless });
      expect((p as unknown as Internals).chain).not.toBeNull();
      const got = p.exec(line);
      expect(got).not.toBeNull();
      runs(p, line, 0);
      runs(p, line.replace(/: /g, ':  '), 0);
      runs(p, line.slice(0, 40), 0);
    }
  });
});
