/**
 * Phase 3 walks per-key plans of the rule tree (rules/plan.ts): the same answers as OSSEC's walk
 * as written (`ruleWalk: 'tree'`), line by line, correlation included. A plan that left out a
 * rule some event should have tried shows up here as a different verdict.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { engineFor, ev } from './helpers';
import { Engine, LogEvent, type Verdict } from '../../otel-processor/src/engine/engine';
import type { CompiledRuleset } from '../../otel-processor/src/engine/ruleset';
import { MAX_VALUES, RENEW_AFTER_MISSES, plannerFor } from '../../otel-processor/src/engine/rules/plan';
import { FewLiterals } from '../../otel-processor/src/engine/rules/literal-filter';
import { OSSEC_LOGTEST } from '../../otel-processor/src/engine/correlate/state';
import { loadRuleset } from '../../otel-processor/src/loader/ruleset-loader';
import { collectIniFiles, collectWazuhIniFiles, loadWazuhTestRuleset } from '../../otel-processor/src/cli/test-rules';
import { parseIniTests, parseWazuhIniTests } from '../../otel-processor/src/engine/ruleset/ini-tests';
import { enableLinearRegexpFallback } from '../../otel-processor/src/engine/patterns/regexp-guard';
import { describeShared, OSSEC_ROOT, SHARED } from '../support/shared-data';
import { generate, FORMATS } from '../generator';

const T0 = 1_700_000_000_000;

/** What a verdict decides, and what the event carries out of phase 3. */
function summary(e: LogEvent, v: Verdict): string {
  return [
    v.rule?.id ?? '-', v.alert, v.suppressed ?? '-', v.firedTimes, e.matched, e.ftsNew ?? '-',
    v.previousOutput === null ? '-' : v.previousOutput.join('\u0001'),
  ].join('|');
}

interface Line { line: string; time: number; agent?: string; location?: string }

/** Both walks over the same lines; returns the lines they disagree on and the rules that fired. */
function compareWalks(ruleset: CompiledRuleset, lines: Iterable<Line>, logAlertLevel = 1) {
  const opts = { logAlertLevel, model: OSSEC_LOGTEST };
  const plans = new Engine(ruleset, opts);
  const tree = new Engine(ruleset, { ...opts, ruleWalk: 'tree' });
  const disagreements: string[] = [];
  const fired = new Set<number>();
  let n = 0;
  for (const l of lines) {
    const make = () => {
      const e = new LogEvent(l.line, l.location ?? 'stdin', 'testhost', l.time);
      if (l.agent !== undefined) e.agentId = l.agent;
      return e;
    };
    const a = make();
    const b = make();
    const sa = summary(a, plans.process(a));
    const sb = summary(b, tree.process(b));
    if (sa !== sb && disagreements.length < 20) disagreements.push(`${l.line}\n  plans: ${sa}\n  tree:  ${sb}`);
    const id = Number(sa.split('|')[0]);
    if (!Number.isNaN(id)) fired.add(id);
    n++;
  }
  expect(plans.errors + tree.errors).toBe(0);
  return { disagreements, fired, lines: n };
}

describe('rule plans answer as the tree walk', () => {
  const DECODERS = `
<decoder name="app">
  <program_name>^app$|^app2$</program_name>
  <regex>^(\\S+) (\\S+) from (\\S+)</regex>
  <order>status, user, srcip</order>
</decoder>
<decoder name="web">
  <prematch>^GET </prematch>
  <regex>^GET (\\S+) (\\d+)</regex>
  <order>url, id</order>
  <type>web-log</type>
</decoder>`;
  // Program names tested at the root (plain, negated, pcre2), decoded_as at several levels,
  // a rule under several parents (if_group), noalert parents, correlation under a plan.
  const RULES = `<group name="app,">
    <rule id="100" level="0"><program_name>^cron</program_name><description>cron</description></rule>
    <rule id="101" level="3"><program_name>^app2$</program_name><match>special</match><description>app2 special</description></rule>
    <rule id="102" level="2" noalert="1"><decoded_as>app</decoded_as><description>app</description></rule>
    <rule id="103" level="5"><if_sid>102</if_sid><status>fail</status><description>fail</description><group>authentication_failed,</group></rule>
    <rule id="104" level="6"><if_sid>102</if_sid><program_name>^app$</program_name><status>deny</status><description>deny on app</description><group>authentication_failed,</group></rule>
    <rule id="105" level="7"><if_group>authentication_failed</if_group><user>root</user><description>root failure</description></rule>
    <rule id="106" level="10" frequency="2" timeframe="60"><if_matched_group>authentication_failed</if_matched_group><same_source_ip /><description>many failures</description></rule>
    <rule id="107" level="4"><program_name negate="yes">^app</program_name><match>oops</match><description>oops elsewhere</description></rule>
    <rule id="108" level="2"><program_name_pcre2>^k[a-z]+l$</program_name_pcre2><description>kernel-ish</description></rule>
    <rule id="109" level="3"><if_sid>108</if_sid><decoded_as>app</decoded_as><description>never: kernel-ish is not app</description></rule>
    <rule id="110" level="3"><category>web-log</category><decoded_as>web</decoded_as><description>web</description></rule>
    <rule id="111" level="6"><if_sid>110</if_sid><id>^500$</id><description>server error</description></rule>
    <rule id="112" level="5"><if_sid>110</if_sid><decoded_as>app</decoded_as><description>never</description></rule>
  </group>
  <group name="web,">
    <rule id="120" level="4"><category>web-log</category><decoded_as>web</decoded_as><url>admin</url><description>admin page</description></rule>
  </group>`;

  test('a small tree: program names, decoders, several parents, correlation', () => {
    const e = engineFor(DECODERS, RULES);
    const programs = ['app', 'app2', 'cron', 'crond', 'kernel', 'kerne', 'other', 'appx'];
    const rests = ['fail bob from 1.1.1.1', 'deny root from 1.1.1.2', 'deny bob from 1.1.1.3', 'ok root from 1.1.1.1', 'special oops', 'oops', 'GET /admin 500', 'GET /x 500', 'GET /x 200'];
    const lines: Line[] = [];
    let t = T0;
    for (let round = 0; round < 3; round++) {
      for (const p of programs) for (const r of rests) lines.push({ line: `Jan  1 10:00:00 h ${p}: ${r}`, time: (t += 100) });
      for (const r of rests) lines.push({ line: r, time: (t += 100) });
    }
    const { disagreements, fired } = compareWalks(e.ruleset, lines);
    expect(disagreements).toEqual([]);
    // The tree is exercised: these fire for some line (and 109 / 112 never can).
    for (const id of [100, 101, 103, 104, 105, 106, 107, 108, 111, 120]) expect(fired).toContain(id);
    expect(fired).not.toContain(109);
    expect(fired).not.toContain(112);
  });

  test('the same answers, in bounded memory, when program names keep changing (per-line numbers)', () => {
    const e = engineFor(DECODERS, RULES);
    const lines: Line[] = [];
    const n = MAX_VALUES + RENEW_AFTER_MISSES + 500;
    for (let i = 0; i < n; i++) {
      const p = i % 7 === 0 ? 'app' : i % 11 === 0 ? 'cron' : i % 13 === 0 ? 'kernel' : `${100000 + i}`;
      lines.push({ line: `Jan  1 10:00:00 h ${p}: ${i % 2 ? 'fail bob from 1.1.1.1' : 'oops'}`, time: T0 + i * 1000 });
    }
    const { disagreements, fired } = compareWalks(e.ruleset, lines);
    expect(disagreements).toEqual([]);
    for (const id of [103, 107, 100, 108]) expect(fired).toContain(id);
    // Each node remembers at most MAX_VALUES values; the root's filled up and started afresh.
    const remembered = plannerFor(e.ruleset, e.ruleset.roots).remembered;
    expect(remembered).toBeGreaterThan(0);
    expect(remembered).toBeLessThan(2 * MAX_VALUES);
  });

  test('siblings skipped by their required literals; children first reached mid-line are still found', () => {
    // The root's children need 'alpha', 'beta', 'gamma'; 200's children literals first seen on
    // the line that first reaches them (the line was scanned before they were known).
    // (enough of them for a scan of the line to be used: LITERALS_MIN)
    const letters = 'abcdefghijklmnopq';
    const words = [...letters].map((c) => `root${c}`);
    const more = [...letters].map((c) => `kid${c}`);
    const rules = `<group name="lit,">
      <rule id="200" level="3"><pcre2>alpha</pcre2><description>alpha</description></rule>
      ${words.map((w, i) => `<rule id="${300 + i}" level="3"><pcre2>${w}ish</pcre2><description>${w}</description></rule>`).join('\n')}
      <rule id="202" level="3"><pcre2>^gamma[0-9]*</pcre2><description>gamma</description></rule>
      <rule id="203" level="3"><match>delta</match><description>delta (OS_Match: not filtered)</description></rule>
      <rule id="210" level="5"><if_sid>200</if_sid><pcre2>Delta</pcre2><description>delta</description></rule>
      <rule id="211" level="6"><if_sid>200</if_sid><pcre2>epsilon [0-9]+</pcre2><description>epsilon</description></rule>
      <rule id="212" level="7"><if_sid>200</if_sid><pcre2>(?:zeta|eta)s?</pcre2><description>zeta</description></rule>
      <rule id="213" level="8"><if_sid>200</if_sid><pcre2 negate="yes">theta</pcre2><match>iota</match><description>not theta</description></rule>
      <rule id="214" level="4"><if_sid>200</if_sid><pcre2>kappa|lambda</pcre2><description>kappa</description></rule>
      ${more.map((w, i) => `<rule id="${400 + i}" level="4"><if_sid>200</if_sid><pcre2>${w}ish</pcre2><description>${w}</description></rule>`).join('\n')}
    </group>`;
    const e = engineFor(DECODERS, rules);
    const lines = ['ALPHA KAPPA', 'ALPHA ZETA', 'alpha epsilon 12', 'alpha delta', 'rootaish', 'gamma ray', 'x gamma', 'delta', 'alpha iota theta', 'alpha iota', 'alpha', 'ETA alpha', 'alpha kidfish', 'roothish']
      .map((l, i) => ({ line: l, time: T0 + i }));
    const { disagreements, fired } = compareWalks(e.ruleset, lines);
    expect(disagreements).toEqual([]);
    for (const id of [214, 212, 211, 210, 300, 307, 202, 203, 213, 405, 200]) expect(fired).toContain(id);
    const fresh = engineFor(DECODERS, rules);
    expect(fresh.process(ev('alpha lambda')).rule?.id).toBe(214);
  });

  test('a few siblings needing literals: the line searched once for all of theirs, those whose literals are absent skipped untested', () => {
    // (fewer than LITERALS_MIN: FewLiterals) literals that overlap ('abcd' / 'cdef'), one inside
    // another ('xyz' in 'wxyz'), an alternation, a child without literals between them, an
    // anchored one, one with a non-ASCII literal (not searched), and a stateful one
    const rules = `<group name="few,">
      <rule id="200" level="3"><pcre2>alpha</pcre2><description>alpha</description></rule>
      <rule id="210" level="5"><if_sid>200</if_sid><pcre2>abcd</pcre2><description>abcd</description></rule>
      <rule id="211" level="6"><if_sid>200</if_sid><pcre2>cdef [0-9]+</pcre2><description>cdef</description></rule>
      <rule id="212" level="7"><if_sid>200</if_sid><pcre2>wxyz|omega</pcre2><description>wxyz</description></rule>
      <rule id="213" level="4"><if_sid>200</if_sid><pcre2>xyz\\d</pcre2><description>xyz</description></rule>
      <rule id="214" level="4"><if_sid>200</if_sid><match>plain</match><description>plain (OS_Match: no literals taken)</description></rule>
      <rule id="215" level="4"><if_sid>200</if_sid><pcre2>^alpha beta</pcre2><description>anchored</description></rule>
      <rule id="216" level="4"><if_sid>200</if_sid><pcre2>caf\xe9s</pcre2><description>non-ASCII</description></rule>
      <rule id="217" level="8" frequency="2" timeframe="60"><if_matched_sid>210</if_matched_sid><pcre2>again</pcre2><description>abcd again</description></rule>
      <rule id="218" level="2"><if_sid>200</if_sid><pcre2>a.b|x\\(y</pcre2><description>syntax</description></rule>
    </group>`;
    const lines = ['alpha', 'alpha abcdef 12', 'ALPHA ABCD', 'alpha cdef 7', 'alpha abcdef', 'alpha wxyz1', 'alpha xyz1', 'alpha OMEGA', 'alpha plain',
      'alpha beta', 'beta alpha', 'alpha caf\u00e9s', 'alpha abcd again', 'alpha abcd again', 'alpha a.b', 'alpha X(Y', 'alpha wxyz xyz', 'alpha xyzwxyz']
      .map((l, i) => ({ line: l, time: T0 + i }));
    const e = engineFor(DECODERS, rules);
    const { disagreements, fired } = compareWalks(e.ruleset, lines);
    expect(disagreements).toEqual([]);
    for (const id of [200, 210, 211, 212, 213, 214, 215, 216, 217, 218]) expect(fired).toContain(id);
    // a fresh ruleset, plans only: 211's pattern runs only on the lines holding 'cdef ' (any case)
    const fresh = engineFor(DECODERS, rules);
    const cdef = fresh.ruleset.rulesById.get(211)!.logPatterns[0];
    const test = cdef.test.bind(cdef);
    let tested = 0;
    cdef.test = (s: string) => {
      tested++;
      return test(s);
    };
    expect(lines.map((l) => fresh.process(ev(l.line)).rule?.id)).toEqual(
      [200, 211, 210, 211, 210, 212, 213, 212, 214, 215, 200, 216, 210, 217, 218, 218, 212, 212]);
    expect(tested).toBe(2);
  });

  test('a few siblings needing literals: the search stops where it does not pay (the first child matches) and starts again where it does', () => {
    const rules = `<group name="few,">
      <rule id="200" level="3"><pcre2>alpha</pcre2><description>alpha</description></rule>
      <rule id="210" level="7"><if_sid>200</if_sid><pcre2>first one</pcre2><description>first</description></rule>
      <rule id="211" level="6"><if_sid>200</if_sid><pcre2>second one</pcre2><description>second</description></rule>
      <rule id="212" level="5"><if_sid>200</if_sid><pcre2>third one</pcre2><description>third</description></rule>
      <rule id="213" level="4"><if_sid>200</if_sid><pcre2>fourth one</pcre2><description>fourth</description></rule>
    </group>`;
    const e = engineFor(DECODERS, rules);
    const searches = jest.spyOn(FewLiterals.prototype, 'found');
    const phase = (line: string, n: number, t0: number) => Array.from({ length: n }, (_, i) => ({ line: `${line} ${i}`, time: t0 + i }));
    try {
      // lines the first child takes: the search saves nothing, the list stops searching
      const first = compareWalks(e.ruleset, phase('alpha first one', 100, T0));
      expect(first.disagreements).toEqual([]);
      const whileFirst = searches.mock.calls.length;
      expect(whileFirst).toBeGreaterThan(0);
      expect(whileFirst).toBeLessThan(30);
      // lines none of them takes: every child fails, the list searches again (and skips them all)
      const none = compareWalks(e.ruleset, phase('alpha nothing', 100, T0 + 1000));
      expect(none.disagreements).toEqual([]);
      expect(searches.mock.calls.length - whileFirst).toBeGreaterThan(70);
      const mixed = compareWalks(e.ruleset, ['alpha FOURTH ONE', 'alpha first one', 'alpha third one x', 'alpha second on', 'alpha'].map((line, i) => ({ line, time: T0 + 5000 + i })));
      expect(mixed.disagreements).toEqual([]);
      expect([...mixed.fired].sort()).toEqual([200, 210, 212, 213]);
    } finally {
      searches.mockRestore();
    }
  });

  test('a few siblings needing literals cut at a child needing none: the later ones searched only on lines that child does not take', () => {
    // 210-213 need literals, 214 none (OS_Match), then 215-218 need literals again
    const rules = `<group name="runs,">
      <rule id="200" level="3"><pcre2>alpha</pcre2><description>alpha</description></rule>
      <rule id="210" level="9"><if_sid>200</if_sid><pcre2>first one</pcre2><description>first</description></rule>
      <rule id="211" level="9"><if_sid>200</if_sid><pcre2>second one|other one</pcre2><description>second</description></rule>
      <rule id="212" level="9"><if_sid>200</if_sid><pcre2>third one</pcre2><description>third</description></rule>
      <rule id="213" level="9"><if_sid>200</if_sid><pcre2>fourth one</pcre2><description>fourth</description></rule>
      <rule id="214" level="8"><if_sid>200</if_sid><match>plain</match><description>plain</description></rule>
      <rule id="215" level="7"><if_sid>200</if_sid><pcre2>fifth one</pcre2><description>fifth</description></rule>
      <rule id="216" level="7"><if_sid>200</if_sid><pcre2>sixth one</pcre2><description>sixth</description></rule>
      <rule id="217" level="7"><if_sid>200</if_sid><pcre2>seventh one</pcre2><description>seventh</description></rule>
      <rule id="218" level="7"><if_sid>200</if_sid><pcre2>first one plain</pcre2><description>never: 210 first</description></rule>
    </group>`;
    const e = engineFor(DECODERS, rules);
    const texts = ['alpha plain', 'alpha plain sixth one', 'alpha sixth one', 'alpha FIFTH ONE', 'alpha other one plain', 'alpha first one plain', 'alpha seventh on', 'alpha', 'alpha fourth one seventh one'];
    const spy = jest.spyOn(FewLiterals.prototype, 'found');
    try {
      const { disagreements, fired } = compareWalks(e.ruleset, texts.map((line, i) => ({ line, time: T0 + i })));
      expect(disagreements).toEqual([]);
      expect([...fired].sort()).toEqual([200, 210, 211, 213, 214, 215, 216]);
      // the runs' searches: the first four children's literals, then the last four's
      const runs = new Set(spy.mock.contexts.map((f) => (f as FewLiterals).texts.join('|')));
      expect([...runs].sort()).toEqual(['fifth one|sixth one|seventh one|first one plain', 'first one|second one|other one|third one|fourth one']);
      // a fresh engine, plans only: lines 214 takes search the first run's literals only
      spy.mockClear();
      const fresh = engineFor(DECODERS, rules);
      expect(['alpha plain', 'alpha plain sixth one', 'alpha sixth one'].map((l) => fresh.process(ev(l)).rule?.id)).toEqual([214, 214, 216]);
      expect(spy.mock.contexts.map((f) => (f as FewLiterals).texts.length)).toEqual([5, 5, 5, 4]);
    } finally {
      spy.mockRestore();
    }
  });

  test('siblings whose pattern is anchored at the start: skipped untested on lines scanned anyway when their literal is absent', () => {
    // (lower levels than their siblings: tried after them, OSSEC's order, so the line has been scanned)
    const more = [...'abcdefghijklmnopq'].map((c) => `kid${c}`);
    const rules = `<group name="lit,">
      <rule id="200" level="3"><pcre2>alpha</pcre2><description>alpha</description></rule>
      ${more.map((w, i) => `<rule id="${400 + i}" level="4"><if_sid>200</if_sid><pcre2>${w}ish</pcre2><description>${w}</description></rule>`).join('\n')}
      <rule id="500" level="3"><if_sid>200</if_sid><pcre2>^omega [0-9]+</pcre2><description>omega</description></rule>
      <rule id="501" level="3"><if_sid>200</if_sid><pcre2>(?i)^sigma</pcre2><description>sigma</description></rule>
    </group>`;
    const lines = ['alpha nothing', 'omega 12 alpha', 'alpha omega 12', 'SIGMA alpha', 'Omega 1 alpha', 'alpha sigm', 'alpha kidqish', 'omega alpha']
      .map((l, i) => ({ line: l, time: T0 + i }));
    const e = engineFor(DECODERS, rules);
    const { disagreements, fired } = compareWalks(e.ruleset, lines);
    expect(disagreements).toEqual([]);
    for (const id of [500, 501, 416, 200]) expect(fired).toContain(id);
    // a fresh ruleset, plans only: the anchored pattern runs only on the lines opening with 'omega' + space (any case)
    const fresh = engineFor(DECODERS, rules);
    const omega = fresh.ruleset.rulesById.get(500)!.logPatterns[0];
    const test = omega.test.bind(omega);
    let tested = 0;
    omega.test = (s: string) => {
      tested++;
      return test(s);
    };
    expect(lines.map((l) => fresh.process(ev(l.line)).rule?.id)).toEqual([200, 500, 200, 501, 500, 200, 416, 200]); // pcre2 caseless (OSSEC dialect)
    expect(tested).toBe(3); // of the 7 lines reaching it
  });

  test('a long list on scanned lines: only the children needing no literal or whose literals the scan found are tried, in order, past 32 children too', () => {
    // 44 children of 200: needing literals (one shared by two, some overlapping), anchored ones
    // (only their literal known), ones needing none (OS_Match), with children of their own;
    // lines holding several literals, so that the first in OSSEC's order must win
    const words = Array.from({ length: 36 }, (_, i) => `w${String.fromCharCode(97 + (i % 26))}${i}x`);
    const rules = `<group name="many,">
      <rule id="200" level="2"><pcre2>alpha</pcre2><description>alpha</description></rule>
      ${words.map((w, i) => `<rule id="${400 + i}" level="${3 + (i % 5)}"><if_sid>200</if_sid><pcre2>${i % 9 === 4 ? `${w}|${words[i + 1]}` : w}</pcre2><description>${w}</description></rule>`).join('\n')}
      <rule id="450" level="3"><if_sid>200</if_sid><match>plainone</match><description>no literal known</description></rule>
      <rule id="451" level="3"><if_sid>200</if_sid><pcre2>^omega [0-9]+</pcre2><description>anchored</description></rule>
      <rule id="452" level="3"><if_sid>200</if_sid><pcre2>wq16xtail</pcre2><description>overlaps wq16x</description></rule>
      <rule id="453" level="3"><if_sid>200</if_sid><match>plaintwo</match><description>no literal known</description></rule>
      <rule id="454" level="3"><if_sid>200</if_sid><pcre2>^Zed [a-z]+ alpha</pcre2><description>anchored, capital</description></rule>
      <rule id="455" level="3"><if_sid>200</if_sid><pcre2>later [0-9]+</pcre2><description>after 32</description></rule>
      <rule id="456" level="3"><if_sid>200</if_sid><pcre2>(?:wj35y|wa0y) end</pcre2><description>the last</description></rule>
      <rule id="460" level="9"><if_sid>410</if_sid><pcre2>deep</pcre2><description>child of a candidate</description></rule>
    </group>`;
    const e = engineFor(DECODERS, rules);
    const texts = [
      'alpha nothing here', 'alpha wa0x', 'alpha wj35x end', 'alpha wa0x end', 'wq16xtail alpha', 'alpha wq16x', 'omega 12 alpha wk10x',
      'alpha omega 12', 'Zed abc alpha', 'zed abc alpha', 'alpha plaintwo wh33x 5', 'alpha wh33x 5', 'plainone alpha wz25x', 'alpha wk10x deep',
      'alpha wk10x', 'WF5X alpha', 'alpha we4x wf5x', 'alpha wn13x wo14x wi34x', 'alpha wi34x', 'plainone alpha', 'alpha plaintwo',
      'omega 7 alpha', 'alpha later 5', 'alpha wa0y end', 'alpha wj35y end later 3',
    ];
    const lines: Line[] = [];
    for (let r = 0; r < 6; r++) texts.forEach((t, i) => lines.push({ line: r % 2 ? t : `${t} wb1x`, time: T0 + (r * texts.length + i) * 1000 }));
    const { disagreements, fired } = compareWalks(e.ruleset, lines);
    expect(disagreements).toEqual([]);
    for (const id of [400, 401, 410, 416, 425, 433, 434, 435, 450, 451, 453, 454, 455, 456, 460]) expect(fired).toContain(id);
    // the plans' literal sets scanned these lines (the walk above took the candidates' path)
    const planner = plannerFor(e.ruleset, e.ruleset.roots) as unknown as { byCategory: Map<string, Map<string | null, { literals: { scans: number } }>> };
    let scans = 0;
    for (const byDecoder of planner.byCategory.values()) for (const plan of byDecoder.values()) scans += plan.literals.scans;
    expect(scans).toBeGreaterThan(lines.length / 2);
  });

  test('rules whose pattern is anchored at the start: skipped untested on lines not opening as it needs, in short lists too', () => {
    const rules = `<group name="pre,">
      <rule id="200" level="3"><pcre2>alpha</pcre2><description>alpha</description></rule>
      <rule id="500" level="3"><if_sid>200</if_sid><pcre2>^omega [0-9]+|^Psi</pcre2><description>omega</description></rule>
      <rule id="501" level="4"><if_sid>200</if_sid><pcre2>(?i)^sigma</pcre2><description>sigma</description></rule>
      <rule id="502" level="5"><if_sid>200</if_sid><match>^Kappa</match><description>kappa</description></rule>
    </group>`;
    const lines = ['alpha nothing', 'omega 12 alpha', 'alpha omega 12', 'SIGMA alpha', 'OMEGA 1 alpha', 'Psi alpha', 'psi alpha', 'kappa alpha', 'Kappa alpha', 'omega alpha']
      .map((l, i) => ({ line: l, time: T0 + i }));
    const e = engineFor(DECODERS, rules);
    const { disagreements, fired } = compareWalks(e.ruleset, lines);
    expect(disagreements).toEqual([]);
    for (const id of [500, 501, 502, 200]) expect(fired).toContain(id);
    const fresh = engineFor(DECODERS, rules);
    const counted = [500, 502].map((id) => {
      const p = fresh.ruleset.rulesById.get(id)!.logPatterns[0];
      const test = p.test.bind(p);
      const box = { tested: 0 };
      p.test = (s: string) => {
        box.tested++;
        return test(s);
      };
      return box;
    });
    expect(lines.map((l) => fresh.process(ev(l.line)).rule?.id)).toEqual([200, 500, 200, 501, 500, 500, 500, 502, 502, 200]); // pcre2 caseless (OSSEC dialect)
    // (tried by level: 502, 501, 500) 500 runs only on the 5 lines opening with 'omega ' or 'psi' (any case) of the 7 reaching it;
    // 502 (OS_Match: no prefixes taken) on all 10
    expect(counted.map((c) => c.tested)).toEqual([5, 10]);
  });

  test('a child whose pattern only matches texts the log starts with: the comparison of those texts answers for it, its pattern never runs', () => {
    const rules = `<group name="pre,">
      <rule id="200" level="3"><pcre2>alpha</pcre2><description>alpha</description></rule>
      <rule id="500" level="3"><if_sid>200</if_sid><pcre2>^\\[error\\] |^\\[warn\\] </pcre2><description>error or warn</description></rule>
      <rule id="501" level="4"><if_sid>500</if_sid><pcre2>^\\[error\\] </pcre2><pcre2>alpha x</pcre2><description>error with more</description></rule>
      <rule id="502" level="5"><if_sid>200</if_sid><pcre2>^\\[notice\\] </pcre2><match>!beta</match><description>notice, no beta</description></rule>
    </group>`;
    const lines = ['[error] alpha', '[ERROR] alpha x', '[warn] alpha', '[Warn]alpha', '[notice] alpha', '[notice] alpha beta', 'alpha [error] ', '[erro] alpha', '[error] alpha x']
      .map((l, i) => ({ line: l, time: T0 + i }));
    const e = engineFor(DECODERS, rules);
    const { disagreements, fired } = compareWalks(e.ruleset, lines);
    expect(disagreements).toEqual([]);
    for (const id of [200, 500, 502]) expect(fired).toContain(id);
    const fresh = engineFor(DECODERS, rules);
    const calls = [500, 501, 502].map((id) => {
      const p = fresh.ruleset.rulesById.get(id)!.logPatterns[0];
      return jest.spyOn(p, 'test');
    });
    // (501's two <pcre2> are one pattern, '^\\[error\\] alpha x', as OSSEC joins them)
    expect(lines.map((l) => fresh.process(ev(l.line)).rule?.id)).toEqual([500, 501, 500, 200, 502, 200, 200, 200, 501]);
    expect(calls.map((c) => c.mock.calls.length)).toEqual([0, 0, 0]);
    // a category root's pattern (nothing compared before it) still runs
    const root = engineFor(DECODERS, `<group name="r,"><rule id="6" level="3"><category>syslog</category><pcre2>^\\[error\\] </pcre2><description>root</description></rule></group>`);
    expect(['[error] x', '[warn] x'].map((l) => root.process(ev(l)).rule?.id ?? null)).toEqual([6, null]);
  });

  test('a child whose pattern is just its literals, reached because the line holds one of them: its pattern never runs, its other checks do', () => {
    // 300-316: a long list (scanned, or searched literal by literal); 220-223 a short one (one search for all)
    const letters = 'abcdefghijklmnopq';
    const rules = `<group name="settled,">
      <rule id="200" level="3"><pcre2>alpha</pcre2><description>alpha</description></rule>
      ${[...letters].map((c, i) => `<rule id="${300 + i}" level="4"><if_sid>200</if_sid><pcre2>Word ${c}: </pcre2><description>${c}</description></rule>`).join('\n')}
      <rule id="330" level="5"><if_sid>200</if_sid><pcre2>Other one|second</pcre2><program_name>^app$</program_name><description>other on app</description></rule>
      <rule id="210" level="3"><pcre2>beta</pcre2><description>beta</description></rule>
      <rule id="220" level="5"><if_sid>210</if_sid><pcre2>first thing</pcre2><description>first</description></rule>
      <rule id="221" level="6"><if_sid>210</if_sid><pcre2>second thing</pcre2><program_name>^app$</program_name><description>second on app</description></rule>
      <rule id="222" level="7"><if_sid>210</if_sid><pcre2>third thing|fourth thing</pcre2><description>third</description></rule>
      <rule id="223" level="8"><if_sid>210</if_sid><pcre2>fifth [0-9]</pcre2><description>fifth (not just literals)</description></rule>
    </group>`;
    const rests = ['alpha WORD C: x', 'alpha word q: ', 'alpha word z: ', 'alpha other one', 'alpha SECOND', 'alpha', 'word a: alpha',
      'beta FIRST THING', 'beta second thing', 'beta Fourth Thing', 'beta fifth 5', 'beta fifth x', 'beta'];
    const lines: Line[] = [];
    let t = T0;
    for (const prog of ['app', 'other']) for (const r of rests) lines.push({ line: `Jan  1 10:00:00 h ${prog}: ${r}`, time: (t += 1000) });
    const e = engineFor(DECODERS, rules);
    const { disagreements, fired } = compareWalks(e.ruleset, [...lines, ...lines, ...lines]);
    expect(disagreements).toEqual([]);
    for (const id of [200, 302, 316, 300, 330, 210, 220, 221, 222, 223]) expect(fired).toContain(id);
    // a fresh ruleset, plans only: the patterns that are just literals never run; 223's does
    const fresh = engineFor(DECODERS, rules);
    const spy = (id: number) => jest.spyOn(fresh.ruleset.rulesById.get(id)!.logPatterns[0], 'test');
    const settled = [...[...letters].map((_, i) => 300 + i), 330, 220, 221, 222].map(spy);
    const fifth = spy(223);
    const got = lines.map((l) => fresh.process(ev(l.line)).rule?.id ?? null);
    expect(got).toEqual([302, 316, 200, 330, 330, 200, 300, 220, 221, 222, 223, 210, 210, 302, 316, 200, 200, 200, 200, 300, 220, 210, 222, 223, 210, 210]);
    expect(settled.map((c) => c.mock.calls.length)).toEqual(settled.map(() => 0));
    expect(fifth).toHaveBeenCalled();
  });

  test('an engine answers as before after another engine filled the shared plans', () => {
    const first = engineFor(DECODERS, RULES);
    const second = new Engine(first.ruleset);
    const line = 'Jan  1 10:00:00 h app: deny root from 1.1.1.2';
    expect(first.process(ev(line)).rule?.id).toBe(105);
    expect(second.process(ev(line)).rule?.id).toBe(105);
    expect(second.process(ev('Jan  1 10:00:00 h app2: deny root from 1.1.1.2')).rule).toBeNull(); // 104 is app's only
    expect(second.process(ev('Jan  1 10:00:00 h app2: fail root from 1.1.1.2')).rule?.id).toBe(105);
    expect(second.process(ev('Jan  1 10:00:00 h app2: special')).rule?.id).toBe(101);
  });
});

describeShared('the stock rulesets')('rule plans answer as the tree walk on the stock rulesets', () => {
  enableLinearRegexpFallback();
  const ossec = loadRuleset(OSSEC_ROOT);

  test('generated lines of every format, alone and mixed (OSSEC 4.2.0 ruleset)', () => {
    const lines: Line[] = [];
    for (const format of FORMATS) {
      const g = generate({ seed: 4242, lines: 300, formats: [format] });
      g.lines.forEach((line, i) => lines.push({ line, time: g.time[i], agent: g.agent[i] }));
    }
    const mixed = generate({ seed: 4243, lines: 30_000 });
    mixed.lines.forEach((line, i) => lines.push({ line, time: mixed.time[i], agent: mixed.agent[i] }));
    const { disagreements, fired } = compareWalks(ossec.ruleset, lines, ossec.logAlertLevel);
    expect(disagreements).toEqual([]);
    expect(fired.size).toBeGreaterThan(150);
  });

  test("OSSEC 4.2.0's own rule test lines, one after another", () => {
    const lines: Line[] = [];
    let t = T0;
    for (const f of collectIniFiles([path.join(OSSEC_ROOT, 'tests')])) {
      for (const c of parseIniTests(fs.readFileSync(f, 'utf8'), f)) lines.push({ line: c.log, time: (t += 1000) });
    }
    const { disagreements, fired } = compareWalks(ossec.ruleset, lines, ossec.logAlertLevel);
    expect(disagreements).toEqual([]);
    expect(fired.size).toBeGreaterThan(150);
  });

  const WAZUH = path.join(SHARED, 'wazuh-4.14.7');
  test("Wazuh 4.14.7's rule test lines with its ruleset (Wazuh dialect)", () => {
    const wazuh = loadWazuhTestRuleset(path.join(WAZUH, 'ruleset'));
    const lines: Line[] = [];
    let t = T0;
    for (const f of collectWazuhIniFiles([path.join(WAZUH, 'tests')], false)) {
      for (const c of parseWazuhIniTests(fs.readFileSync(f, 'utf8'), f)) for (const line of c.lines) lines.push({ line, time: (t += 1000) });
    }
    const { disagreements, fired } = compareWalks(wazuh.ruleset, lines, wazuh.logAlertLevel);
    expect(disagreements).toEqual([]);
    expect(fired.size).toBeGreaterThan(500);
  });
});
