/**
 * A decoder whose regex matching implies its prematch matching (from the same place) may run the
 * regex first (decode/decode.ts, Decoder `regexFirst`): the implication (regexImpliesPrematch) is
 * checked here against the patterns themselves on random lines, and decoding in every mode
 * against the plain order.
 */
import { regexImpliesPrematch } from '../../otel-processor/src/engine/compile/decoders';
import { Decoder, type RegexFirst } from '../../otel-processor/src/engine/decode/decode';
import { compilePattern, Pcre2Pattern } from '../../otel-processor/src/engine/patterns';
import { mulberry32 as rng } from '../generator';
import { engineFor, ev } from './helpers';

const pcre2 = (source: string, caseless = true) => compilePattern('pcre2', source, { caseless });

test('a regex implies its prematch when the prematch is how it starts (capture groups aside)', () => {
  const yes: Array<[string, string]> = [
    ['\\[client \\S+:\\d+?\\] \\S+:', '\\[client (\\S+):(\\d+?)\\] (\\S+): '], // Apache 2.4 error (OSSEC 4.2.0)
    ['^\\d+? \\S+ ', '^\\d+? (\\S+) ([A-Za-z0-9@_-]+?)/(\\d+?) \\d+? [A-Za-z0-9@_-]+? (\\S+) '], // squid
    ['abc', 'abc'],
    ['a(b)c', 'a(bc)d'],
    ['a(?:x|y)+', 'a(?:x|y)+(z)'],
    ['^x[0-9]{2}', '^(x)([0-9]{2})(.*)'],
  ];
  const no: Array<[string, string]> = [
    ['ab', 'ab?'], // the regex's b is optional
    ['ab', 'a'], // shorter
    ['abc', 'abd'],
    ['a|b', 'a|bc'], // alternatives
    ['a', 'a|b'],
    ['a', 'a(?=b)c'], // lookaround: its text is not kept
    ['a\\b', 'a\\bc'],
    ['a$', 'a$'],
    ['(a)\\1', '(a)\\1b'],
    ['(ab)+', 'ab(ab)*c'], // a quantified group is compared as it is
    ['\\d+', '\\d+?x'], // lazy and greedy differ in the tree (kept apart though the language is the same)
    ['^abc', 'abc'], // anchored and not
  ];
  for (const [p, r] of yes) expect([p, r, regexImpliesPrematch(pcre2(p), pcre2(r))]).toEqual([p, r, true]);
  for (const [p, r] of no) expect([p, r, regexImpliesPrematch(pcre2(p), pcre2(r))]).toEqual([p, r, false]);
  // other dialects, or case rules that differ: no
  expect(regexImpliesPrematch(pcre2('abc', false), pcre2('abc', true))).toBe(false);
  expect(regexImpliesPrematch(compilePattern('osregex', '^abc'), compilePattern('osregex', '^abc(\\d+)'))).toBe(false);
});

test('where it says so, a match of the regex comes with one of the prematch, from any start: random patterns and lines', () => {
  const r = rng(41);
  const ATOMS = ['a', 'b', 'ab', '\\d', '\\S', '\\s', '[ab]', '.', 'x'];
  const QUANT = ['', '', '+', '*', '?', '+?', '{2}', '{1,3}'];
  const piece = () => {
    const atom = ATOMS[Math.floor(r() * ATOMS.length)];
    const q = QUANT[Math.floor(r() * QUANT.length)];
    const grouped = r() < 0.3 ? `(${atom})` : r() < 0.1 ? `(?:${atom}|b)` : atom;
    return grouped + (grouped.length > 1 && !grouped.startsWith('(') && q !== '' ? '' : q);
  };
  const seq = (n: number) => Array.from({ length: n }, piece).join('');
  const LINE = ['a', 'b', 'x', '1', ' ', 'A', 'B', '\n'];
  let implied = 0;
  let checked = 0;
  const wrong: unknown[] = [];
  for (let k = 0; k < 400; k++) {
    const anchor = r() < 0.3 ? '^' : '';
    const p = anchor + seq(1 + Math.floor(r() * 3));
    // the regex: the prematch with captures put in or taken out, and more after it; or something else
    const body = p.replace(/\((?!\?)/g, '(?:');
    const rx = r() < 0.7 ? `(${body.slice(anchor.length)})${seq(Math.floor(r() * 3))}` : seq(1 + Math.floor(r() * 4));
    const rs = anchor + (rx.startsWith(anchor) ? rx.slice(anchor.length) : rx);
    let P: Pcre2Pattern;
    let R: Pcre2Pattern;
    try {
      P = pcre2(p) as Pcre2Pattern;
      R = pcre2(rs) as Pcre2Pattern;
    } catch {
      continue;
    }
    if (!regexImpliesPrematch(P, R)) continue;
    implied++;
    for (let j = 0; j < 30; j++) {
      const line = Array.from({ length: Math.floor(r() * 12) }, () => LINE[Math.floor(r() * LINE.length)]).join('');
      const from = Math.floor(r() * (line.length + 1));
      checked++;
      if (R.matchEnd(line, from) >= 0 && P.matchEnd(line, from) < 0) wrong.push([p, rs, line, from]);
    }
  }
  expect(wrong).toEqual([]);
  expect(implied).toBeGreaterThan(100);
  expect(checked).toBeGreaterThan(3000);
});

describe('decoding with the regex first gives what the plain order gives', () => {
  // a root without children (regex first), a root whose children run their regex after its
  // prematch (one a chain of two), a child reading where its prematch ended (never regex first)
  const DECODERS = `
<decoder name="acc">
  <prematch_pcre2>^\\d+ \\S+ </prematch_pcre2>
  <pcre2>^\\d+ (\\S+) (\\w+)/(\\d+) </pcre2>
  <order>srcip, action, id</order>
</decoder>
<decoder name="err">
  <prematch_pcre2>^\\[error\\] </prematch_pcre2>
</decoder>
<decoder name="err-port">
  <parent>err</parent>
  <prematch_pcre2 offset="after_parent">\\[client \\S+:\\d+\\] \\S+:</prematch_pcre2>
  <pcre2 offset="after_parent">\\[client (\\S+):(\\d+)\\] (\\S+): </pcre2>
  <order>srcip, srcport, id</order>
</decoder>
<decoder name="err-port">
  <parent>err</parent>
  <pcre2 offset="after_parent">user=(\\w+)</pcre2>
  <order>user</order>
</decoder>
<decoder name="err-client">
  <parent>err</parent>
  <prematch_pcre2 offset="after_parent">\\[client</prematch_pcre2>
  <pcre2 offset="after_prematch">^ (\\S+)\\] </pcre2>
  <order>srcip</order>
</decoder>`;
  const LINES = [
    '12 10.0.0.1 TCP_MISS/200 x', '12 10.0.0.1 TCP_MISS/abc x', '12 10.0.0.1 x', '12 10.0.0.1', 'x 12',
    '[error] [client 1.2.3.4:80] AH01: denied user=bob', '[error] [client 1.2.3.4:80] AH01:denied', '[error] [client 1.2.3.4:80] AH01: no user',
    '[error] [client 1.2.3.4] File does not exist: /x', '[error] [client 1.2.3.4', '[error] nothing', '[ERROR] [CLIENT 1.2.3.4:80] AH01: x',
  ];
  const decodeAll = (mode: RegexFirst, lines: string[]) => {
    const e = engineFor(DECODERS, '');
    const decoder = new Decoder(e.ruleset.decoders, { regexFirst: mode });
    return lines.map((line) => {
      const event = ev(line);
      e.predecode(event);
      const d = decoder.decode(event);
      return JSON.stringify([d?.name ?? null, event.decoderName, event.srcip, event.srcport, event.id, event.action, event.dstuser, event.srcuser]);
    });
  };

  test('always, adaptive and never agree, line by line, in any order of the lines', () => {
    const r = rng(5);
    const lines = Array.from({ length: 600 }, (_, i) => LINES[i < 300 ? Math.floor(r() * LINES.length) : Math.floor(i / 60) % LINES.length]);
    const plain = decodeAll('never', lines);
    expect(decodeAll('always', lines)).toEqual(plain);
    expect(decodeAll('adaptive', lines)).toEqual(plain);
    expect(new Set(plain).size).toBeGreaterThan(6);
  });

  test('adaptive: the prematch stops running where the regex answers alone, and runs first again where both fail', () => {
    const e = engineFor(DECODERS, '');
    const decoder = new Decoder(e.ruleset.decoders, { regexFirst: 'adaptive' });
    const acc = e.ruleset.decoders.decoders.find((d) => d.name === 'acc')!;
    const prematch = jest.spyOn(acc.prematch!, 'matchEnd');
    const regex = jest.spyOn(acc.regex!, 'execInto');
    const run = (line: string, n: number) => {
      prematch.mockClear();
      regex.mockClear();
      for (let i = 0; i < n; i++) decoder.decode(ev(line));
      return [prematch.mock.calls.length, regex.mock.calls.length];
    };
    const [p1, r1] = run('12 10.0.0.1 TCP_MISS/200 x', 100); // the regex matches: soon alone
    expect(r1).toBe(100);
    expect(p1).toBeLessThan(10);
    const [p2, r2] = run('12 10.0.0.1', 100); // both fail: soon the prematch alone
    expect(p2).toBe(100);
    expect(r2).toBeLessThan(20);
  });
});
