/**
 * A chain's head prematch whose match implies a later chain's (DecoderChain.weaker, from
 * prematchImplies) is skipped on lines where the later one fails (decode/decode.ts). The
 * implication is checked against the patterns themselves on random lines, and decoding with and
 * without the skip (in every regex-first mode) against the plain order.
 */
import { prematchImplies } from '../../otel-processor/src/engine/compile/decoders';
import { Decoder, type RegexFirst } from '../../otel-processor/src/engine/decode/decode';
import { compilePattern, Pcre2Pattern } from '../../otel-processor/src/engine/patterns';
import { mulberry32 as rng } from '../generator';
import { engineFor, ev } from './helpers';

const pcre2 = (source: string, caseless = true) => compilePattern('pcre2', source, { caseless });

test('a prematch implies another when the other is it with runs of characters merged into wider classes', () => {
  const yes: Array<[string, string]> = [
    ['\\[client \\S+:\\d+?\\] \\S+:', '\\[client \\S+\\] \\S+:'], // Apache error (OSSEC 4.2.0)
    ['\\[client \\S+\\] \\S+:', '\\[client'],
    ['\\[client \\S+:\\d+?\\] \\S+:', '\\[client'],
    ['abc', 'abc'],
    ['abc', 'ab'],
    ['a\\d+b', 'a\\w+'],
    ['a\\d{2}:\\d{2}z', 'a[0-9:]{5}'],
    ['a(b)c', 'abc'],
  ];
  const no: Array<[string, string]> = [
    ['\\[client \\S+\\] \\S+:', '\\[client \\S+:\\d+?\\] \\S+:'], // the other way
    ['ab', 'abc'],
    ['a\\d*b', 'a\\d+b'], // the run may be empty
    ['a\\d+ b', 'a\\S+b'], // a space is not \S
    ['a\\d{2}z', 'a\\d{3}'], // fewer than needed
    ['a\\d+z', 'a\\d{1,3}'], // more than allowed
    ['^ab', 'ab'], // anchors are left out
    ['ab', '^ab'],
    ['a|b', 'a'],
    ['a(?=b)', 'a'],
    ['(a)\\1', 'a'],
  ];
  for (const [a, b] of yes) expect([a, b, prematchImplies(pcre2(a), pcre2(b))]).toEqual([a, b, true]);
  for (const [a, b] of no) expect([a, b, prematchImplies(pcre2(a), pcre2(b))]).toEqual([a, b, false]);
  expect(prematchImplies(pcre2('abc', false), pcre2('abc', true))).toBe(false);
  expect(prematchImplies(compilePattern('osregex', 'abc'), compilePattern('osregex', 'ab'))).toBe(false);
});

test('where it says so, a match of one comes with a match of the other from the same start: random patterns and lines', () => {
  const r = rng(43);
  const ATOMS = ['a', 'b', ':', '\\d', '\\S', '\\w', '[ab]', '.', ' ', '\\d+', '\\S+', '\\w*', '[a:]{2}', '\\d{1,3}'];
  const seq = (n: number) => Array.from({ length: n }, () => ATOMS[Math.floor(r() * ATOMS.length)]).join('');
  const LINE = ['a', 'b', ':', '1', '2', ' ', 'A', '\n', 'x'];
  let implied = 0;
  let matched = 0;
  const wrong: unknown[] = [];
  for (let k = 0; k < 3000; k++) {
    const a = seq(1 + Math.floor(r() * 5));
    const b = seq(1 + Math.floor(r() * 4));
    const A = pcre2(a) as Pcre2Pattern;
    const B = pcre2(b) as Pcre2Pattern;
    if (!prematchImplies(A, B)) continue;
    implied++;
    for (let j = 0; j < 60; j++) {
      const line = Array.from({ length: Math.floor(r() * 14) }, () => LINE[Math.floor(r() * LINE.length)]).join('');
      const from = Math.floor(r() * (line.length + 1));
      if (A.matchEnd(line, from) < 0) continue;
      matched++;
      if (B.matchEnd(line, from) < 0) wrong.push([a, b, line, from]);
    }
  }
  expect(wrong).toEqual([]);
  expect(implied).toBeGreaterThan(50);
  expect(matched).toBeGreaterThan(500);
});

describe('decoding with weaker heads first gives what the plain order gives', () => {
  // OSSEC 4.2.0's Apache error children (etc/decoder.xml), under a root of its 2.2 shape
  const DECODERS = `
<decoder name="err">
  <prematch_pcre2>^\\[warn\\] |^\\[notice\\] |^\\[error\\] </prematch_pcre2>
</decoder>
<decoder name="err-port">
  <parent>err</parent>
  <prematch_pcre2 offset="after_parent">\\[client \\S+:\\d+?\\] \\S+:</prematch_pcre2>
  <pcre2 offset="after_parent">\\[client (\\S+):(\\d+?)\\] (\\S+): </pcre2>
  <order>srcip,srcport,id</order>
</decoder>
<decoder name="err-ip">
  <parent>err</parent>
  <prematch_pcre2 offset="after_parent">\\[client \\S+\\] \\S+:</prematch_pcre2>
  <pcre2 offset="after_parent">\\[client (\\S+)\\] (\\S+): </pcre2>
  <order>srcip,id</order>
</decoder>
<decoder name="err-client">
  <parent>err</parent>
  <prematch_pcre2 offset="after_parent">\\[client</prematch_pcre2>
  <pcre2 offset="after_prematch">^ (\\S+):(\\d+?)\\] |^ (\\S+)\\] </pcre2>
  <order>srcip,srcport</order>
</decoder>`;
  const LINES = [
    '[error] [client 1.2.3.4:80] AH01: denied', '[error] [client 1.2.3.4:80] AH01:denied', '[notice] [client 1.2.3.4:80] no id here',
    '[error] [client 1.2.3.4] File does not exist: /x', '[warn] [client 1.2.3.4] ModSecurity: Access denied', '[error] [client 1.2.3.4',
    '[error] nothing', '[ERROR] [CLIENT 1.2.3.4:80] AH01: x', '[error] [client a:b:1] x: y', '[error] [client ] x:', '[error] x [client 9.9.9.9] y: z',
  ];
  const decodeAll = (mode: RegexFirst, weakerFirst: boolean, lines: string[]) => {
    const e = engineFor(DECODERS, '');
    const decoder = new Decoder(e.ruleset.decoders, { regexFirst: mode, weakerFirst });
    return lines.map((line) => {
      const event = ev(line);
      e.predecode(event);
      const d = decoder.decode(event);
      return JSON.stringify([d?.name ?? null, event.decoderName, event.srcip, event.srcport, event.id]);
    });
  };

  test('the chains know their weaker ones', () => {
    const e = engineFor(DECODERS, '');
    const chains = e.ruleset.decoders.children.get('err')!;
    expect(chains.map((c) => c.weaker?.members[0].name ?? null)).toEqual(['err-ip', 'err-client', null]);
  });

  test('with and without, in every regex-first mode, line by line, in any order of the lines', () => {
    const r = rng(7);
    const lines = Array.from({ length: 800 }, (_, i) => LINES[i < 400 ? Math.floor(r() * LINES.length) : Math.floor(i / 40) % LINES.length]);
    const plain = decodeAll('never', false, lines);
    expect(new Set(plain).size).toBeGreaterThan(6);
    for (const mode of ['never', 'always', 'adaptive'] as const) expect(decodeAll(mode, true, lines)).toEqual(plain);
  });

  test('adaptive: on lines both fail, the stronger head stops running; where it matches, it runs at once again', () => {
    const e = engineFor(DECODERS, '');
    const decoder = new Decoder(e.ruleset.decoders);
    const port = e.ruleset.decoders.decoders.find((d) => d.name === 'err-port' && d.prematch !== null)!;
    const ip = e.ruleset.decoders.decoders.find((d) => d.name === 'err-ip')!;
    const portCalls = jest.spyOn(port.prematch!, 'matchEnd');
    const ipCalls = jest.spyOn(ip.prematch!, 'matchEnd');
    const run = (line: string, n: number) => {
      portCalls.mockClear();
      ipCalls.mockClear();
      for (let i = 0; i < n; i++) decoder.decode(ev(line));
      return [portCalls.mock.calls.length, ipCalls.mock.calls.length];
    };
    const [p1, i1] = run('[notice] [client 1.2.3.4] Directory index forbidden by rule: /x', 100);
    expect(i1).toBe(100); // once a line, never twice
    expect(p1).toBeLessThan(10);
    const [p2, i2] = run('[notice] [client 1.2.3.4:80] AH01: x', 100);
    expect(p2 + i2).toBeLessThan(100 + 20);
  });
});
