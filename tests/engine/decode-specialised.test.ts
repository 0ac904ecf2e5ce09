/**
 * The decoder's generated per-root code (decode/specialise.ts) against its generic chain loops
 * (`specialise: false`, the reference): on generated lines of every format, the rulesets' own
 * test lines and near misses of them, in every regex-first mode, with and without weaker-first,
 * each line decodes to the same decoder, name, parent, category and fields, offsets included.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRuleset, type LoadedRuleset } from '../../otel-processor/src/loader/ruleset-loader';
import { Engine, LogEvent } from '../../otel-processor/src/engine/engine';
import { Decoder, type RegexFirst } from '../../otel-processor/src/engine/decode/decode';
import { specialiseRoots } from '../../otel-processor/src/engine/decode/specialise';
import { loadWazuhTestRuleset } from '../../otel-processor/src/cli/test-rules';
import { parseWazuhIniTests } from '../../otel-processor/src/engine/ruleset/ini-tests';
import { enableLinearRegexpFallback } from '../../otel-processor/src/engine/patterns/regexp-guard';
import { decoderExamples, generate, iniTemplates, mulberry32 as mulberry } from '../generator';
import { describeShared, OSSEC_ROOT, SHARED } from '../support/shared-data';
import { engineFor, ev } from './helpers';

/** Everything phase 2 writes, and the decoder decode() returned. */
function decoded(e: LogEvent, ret: { index: number } | null): string {
  const fields = e.fields ? [...e.fields].sort() : [];
  return JSON.stringify([ret?.index ?? null, e.decoderIndex, e.decoderName, e.decoderParent, e.category, e.srcip, e.dstip, e.srcport,
    e.dstport, e.protocol, e.action, e.id, e.url, e.data, e.extraData, e.status, e.system_name, e.srcuser, e.dstuser, fields]);
}

const NOISE = ['', ' ', '-', ':', '[', ']', '"', '1', 'a', '%', '.', '\t', 'é'];

function variants(line: string, rnd: () => number): string[] {
  const out = [line];
  for (let k = 0; k < 2; k++) {
    const at = Math.floor(rnd() * Math.min(line.length + 1, 80));
    out.push(line.slice(0, at) + NOISE[Math.floor(rnd() * NOISE.length)] + line.slice(at + (rnd() < 0.5 ? 1 : 0)));
  }
  out.push(line.slice(0, Math.floor(rnd() * line.length)));
  return out;
}

function corpus(): string[] {
  const templates = [...iniTemplates(path.join(OSSEC_ROOT, 'tests')), ...decoderExamples(path.join(OSSEC_ROOT, 'etc', 'decoder.xml'))];
  const dir = path.join(SHARED, 'wazuh-4.14.7', 'tests');
  const wazuh = fs.readdirSync(dir).filter((n) => n.endsWith('.ini'))
    .flatMap((f) => parseWazuhIniTests(fs.readFileSync(path.join(dir, f), 'utf8'), f).flatMap((c) => c.lines));
  const rnd = mulberry(29);
  // every format of the generator (runs of one format, as traffic comes), then templates and test lines with near misses
  const plain = generate({ seed: 8080, lines: 8000 }).lines;
  const mixed = [...generate({ seed: 8081, lines: 4000, templates }).lines, ...wazuh].flatMap((l) => variants(l, rnd));
  return [...plain, ...mixed];
}

describeShared('the specialised decoder')('specialised decoding against the generic chain loops', () => {
  let lines: string[];
  beforeAll(() => {
    enableLinearRegexpFallback();
    lines = corpus();
  });

  const rulesets: Array<[string, () => LoadedRuleset]> = [
    ['OSSEC 4.2.0', () => loadRuleset(OSSEC_ROOT)],
    ['Wazuh 4.14.7', () => loadWazuhTestRuleset(path.join(SHARED, 'wazuh-4.14.7', 'ruleset'))],
    ['Warden', () => loadRuleset(path.resolve(__dirname, '..', '..', 'rules'))],
  ];
  test.each(rulesets)('%s: every line, in every mode, decodes as the generic path decodes it', (_name, load) => {
    const loaded = load();
    const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
    const set = loaded.ruleset.decoders;
    const modes: Array<[RegexFirst, boolean]> = [['adaptive', true], ['always', true], ['never', true], ['adaptive', false]];
    const pairs = modes.map(([regexFirst, weakerFirst]) => [
      new Decoder(set, { regexFirst, weakerFirst, specialise: false }),
      new Decoder(set, { regexFirst, weakerFirst }),
    ]);
    const diffs: string[] = [];
    const claimedBy = new Set<string>();
    for (const line of lines) {
      for (const [generic, special] of pairs) {
        const a = new LogEvent(line, 'stdin', 'host', 0);
        const b = new LogEvent(line, 'stdin', 'host', 0);
        if (!engine.predecode(a) || !engine.predecode(b)) continue;
        const ra = generic.decode(a);
        const rb = special.decode(b);
        if (ra !== rb || decoded(a, ra) !== decoded(b, rb)) diffs.push(`${line}\n  generic:     ${decoded(a, ra)}\n  specialised: ${decoded(b, rb)}`);
        if (ra !== null) claimedBy.add(ra.name);
      }
    }
    expect(diffs.slice(0, 5)).toEqual([]);
    // the lines reach many decoders, children of chains among them
    expect(claimedBy.size).toBeGreaterThan(40);
    if (_name === 'OSSEC 4.2.0') expect(['apache24-errorlog-ip-port', 'apache-errorlog-ip', 'sshd', 'pam'].filter((n) => !claimedBy.has(n))).toEqual([]);
  }, 600_000);

  test('Decoders of one set share the generated code and keep their own adaptive state', () => {
    const loaded = loadRuleset(OSSEC_ROOT);
    const set = loaded.ruleset.decoders;
    const one = new Decoder(set);
    const two = new Decoder(set);
    const ctx = { set, slots: (one as unknown as { slots: Int32Array }).slots, adaptive: true, lines: 16, from: 0.125 };
    expect(specialiseRoots(ctx)).toBe(specialiseRoots(ctx));
    expect(specialiseRoots(ctx).filter((f) => f !== null).length).toBe(set.plainRoots.length + set.programRoots.length);
    // Apache 2.2 lines through one, 2.4 lines through the other: each learns its own order, both decode as the generic path
    const engine = new Engine(loaded.ruleset, {});
    const generic = new Decoder(set, { specialise: false });
    const l22 = '[Thu Mar 12 00:00:00 2026] [notice] [client 193.132.129.249] Directory index forbidden by rule: /var/www/html/';
    const l24 = '[Fri Mar 13 00:00:01.123456 2026] [core:info] [pid 42] [client 10.0.0.1:5050] AH00128: File does not exist: /x';
    for (let i = 0; i < 200; i++) {
      for (const [line, d] of [[l22, one], [l24, two], [i % 3 === 0 ? l24 : l22, one]] as const) {
        const a = new LogEvent(line, 'stdin', 'h', 0);
        const b = new LogEvent(line, 'stdin', 'h', 0);
        engine.predecode(a);
        engine.predecode(b);
        const ra = generic.decode(a);
        expect(decoded(b, d.decode(b))).toBe(decoded(a, ra));
      }
    }
    const state = (d: Decoder) => Array.from((d as unknown as { state: Float64Array }).state);
    expect(state(one)).not.toEqual(state(two));
  });
});

describe('specialised decoding of chain shapes the stock rulesets lack', () => {
  // plugins, a head without prematch, after_regex members, fields outside LogEvent's static ones, a child without type
  const DECODERS = `
<decoder name="root-a">
  <prematch>^A: </prematch>
</decoder>
<decoder name="a-open">
  <parent>root-a</parent>
  <regex offset="after_parent">^(\\w+) </regex>
  <order>action</order>
</decoder>
<decoder name="a-open">
  <parent>root-a</parent>
  <regex offset="after_regex">^(\\d+) (\\S+)</regex>
  <order>srcport, custom_field</order>
</decoder>
<decoder name="a-open">
  <parent>root-a</parent>
  <regex offset="after_prematch">x=(\\S+)</regex>
  <order>url</order>
</decoder>
<decoder name="root-b">
  <prematch>^B: </prematch>
  <plugin_decoder offset="after_prematch">JSON_Decoder</plugin_decoder>
</decoder>
<decoder name="root-c">
  <prematch>^C: </prematch>
</decoder>
<decoder name="c-json">
  <parent>root-c</parent>
  <prematch offset="after_parent">^{</prematch>
  <plugin_decoder offset="after_parent">JSON_Decoder</plugin_decoder>
</decoder>
<decoder name="c-user">
  <parent>root-c</parent>
  <prematch offset="after_parent">^user </prematch>
  <regex offset="after_prematch">^(\\S+) from (\\S+)</regex>
  <order>user, srcip</order>
  <type>firewall</type>
</decoder>`;
  const LINES = [
    'A: open 80 z x=/p', 'A: open', 'A: 12 q x=/r', 'A: close 7 y', 'A:', 'B: {"a": 1, "srcip": "1.2.3.4"}', 'B: nope',
    'C: {"k": "v"}', 'C: user bob from 10.0.0.1', 'C: user bob', 'C: other', 'D: none',
  ];
  test('line by line as the generic path', () => {
    const e = engineFor(DECODERS, '');
    const set = e.ruleset.decoders;
    const generic = new Decoder(set, { specialise: false });
    const special = new Decoder(set);
    let claimed = 0;
    for (const line of [...LINES, ...LINES.map((l) => `Dec 10 07:51:15 host prog: ${l}`)]) {
      const a = ev(line);
      const b = ev(line);
      e.predecode(a);
      e.predecode(b);
      const ra = generic.decode(a);
      if (ra !== null) claimed++;
      expect([line, decoded(b, special.decode(b))]).toEqual([line, decoded(a, ra)]);
    }
    expect(claimed).toBeGreaterThan(8);
  });
});
