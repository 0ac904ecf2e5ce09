/**
 * The decoder's dispatch index (roots by the first character of the log or program name, head
 * checks before each prematch and program-name test)
 * must never skip a decoder that would have matched: on generated lines of every format, the
 * rulesets' own test lines and mutations of them, decoding gives exactly what the plain walk of
 * OSSEC's DecodeEvent gives (every root in load order, every prematch run).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRuleset, type LoadedRuleset } from '../../otel-processor/src/loader/ruleset-loader';
import { Engine, LogEvent } from '../../otel-processor/src/engine/engine';
import { Decoder } from '../../otel-processor/src/engine/decode/decode';
import type { CompiledDecoder, DecoderChain, DecoderSet, RegexOffset } from '../../otel-processor/src/engine/compile/decoders';
import { headAllows, prefixFilter } from '../../otel-processor/src/engine/compile/first-char';
import { compilePattern } from '../../otel-processor/src/engine/patterns';
import { loadWazuhTestRuleset } from '../../otel-processor/src/cli/test-rules';
import { parseWazuhIniTests } from '../../otel-processor/src/engine/ruleset/ini-tests';
import { enableLinearRegexpFallback } from '../../otel-processor/src/engine/patterns/regexp-guard';
import { decoderExamples, generate, iniTemplates, mulberry32 as mulberry } from '../generator';
import { describeShared, OSSEC_ROOT, SHARED } from '../support/shared-data';
import { rulesetPatterns } from './perf/ruleset-patterns';

// ---- the reference: OSSEC's walk without any index (what decode.ts did before it had one)

function offsetFor(offset: RegexOffset, pmatch: number, cmatch: number, prev: number): number {
  switch (offset) {
    case 'none': return 0;
    case 'after_parent': return pmatch;
    case 'after_prematch': return cmatch;
    case 'after_regex': return prev >= 0 ? prev : cmatch;
  }
}

function setDecoder(ev: LogEvent, d: CompiledDecoder): void {
  ev.decoderIndex = d.index;
  ev.decoderName = d.reportedName;
  ev.decoderParent = d.parent ?? d.name;
  if (d.inheritsType !== true) ev.category = d.type;
}

function prematchEnd(d: CompiledDecoder, log: string, from: number): number {
  const r = d.prematch!.exec(log, from);
  return r === null ? -1 : r.end;
}

function linearDecode(set: DecoderSet, ev: LogEvent): void {
  const log = ev.log;
  const roots = ev.programName !== null ? set.programRoots.filter((d) => d.programName!.test(ev.programName!)) : set.plainRoots;
  for (const root of roots) {
    let pmatch = 0;
    if (root.prematch !== null) {
      pmatch = prematchEnd(root, log, 0);
      if (pmatch < 0) continue;
    }
    setDecoder(ev, root);
    const chains: DecoderChain[] = set.children.get(root.name) ?? [];
    let members = [root];
    let cmatch = pmatch;
    if (chains.length > 0) {
      let selected: DecoderChain | null = null;
      for (const chain of chains) {
        const head = chain.members[0];
        if (head.prematch === null) { selected = chain; break; }
        const end = prematchEnd(head, log, head.prematchAfterParent ? pmatch : 0);
        if (end >= 0) { cmatch = end; setDecoder(ev, head); selected = chain; break; }
      }
      if (selected === null) return;
      members = selected.members;
    }
    if (members[0].plugin !== null) {
      members[0].plugin(ev, offsetFor(members[0].pluginOffset, pmatch, cmatch, -1));
      return;
    }
    let prev = -1;
    for (let i = 0; i < members.length; i++) {
      const d = members[i];
      if (d.regex === null) return;
      const r = d.regex.exec(log, offsetFor(d.regexOffset, pmatch, cmatch, prev));
      if (r === null) { if (i < members.length - 1) continue; return; }
      prev = r.end;
      setDecoder(ev, d);
      for (let k = 0; k < Math.min(r.captures.length, d.order.length); k++) if (d.order[k] !== '') ev.setField(d.order[k], r.captures[k]);
    }
    return;
  }
}

/** Everything phase 2 writes. */
function decoded(ev: LogEvent): string {
  const fields = ev.fields ? [...ev.fields].sort() : [];
  return JSON.stringify([ev.decoderIndex, ev.decoderName, ev.decoderParent, ev.category, ev.srcip, ev.dstip, ev.srcport, ev.dstport,
    ev.protocol, ev.action, ev.id, ev.url, ev.data, ev.extraData, ev.status, ev.system_name, ev.srcuser, ev.dstuser, fields]);
}

// ---- lines: every format, the rulesets' test lines, and near misses of each

const NOISE = ['', ' ', '-', ':', '[', ']', '"', '1', 'a', 'Z', '%', '/', '.', '\t', 'é', '\u4e16'];

/** The line, and variants that change it near where decoders look (header, program name, message start). */
function variants(line: string, rnd: () => number): string[] {
  const out = [line];
  for (let k = 0; k < 3; k++) {
    const at = Math.floor(rnd() * Math.min(line.length + 1, 60));
    const noise = NOISE[Math.floor(rnd() * NOISE.length)];
    const cut = rnd() < 0.5 ? 1 : 0;
    out.push(line.slice(0, at) + noise + line.slice(at + cut));
  }
  out.push(line.slice(0, Math.floor(rnd() * line.length)));
  out.push(line.replace(/[a-z]/, (c) => c.toUpperCase()));
  return out;
}

function wazuhLines(): string[] {
  const dir = path.join(SHARED, 'wazuh-4.14.7', 'tests');
  const out: string[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ini'))) {
    for (const c of parseWazuhIniTests(fs.readFileSync(path.join(dir, f), 'utf8'), f)) out.push(...c.lines);
  }
  return out;
}

function corpus(): string[] {
  const templates = [...iniTemplates(path.join(OSSEC_ROOT, 'tests')), ...decoderExamples(path.join(OSSEC_ROOT, 'etc', 'decoder.xml'))];
  const base = [...generate({ seed: 4242, lines: 6000, templates }).lines, ...wazuhLines()];
  const rnd = mulberry(17);
  return base.flatMap((l) => variants(l, rnd));
}

describeShared('the decoder dispatch index')('decoder dispatch index against the plain walk', () => {
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
  test.each(rulesets)('%s: every line decodes as the plain walk decodes it', (_name, load) => {
    const loaded = load();
    const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
    const set = loaded.ruleset.decoders;
    // every decoder whose regex may run first runs it first (the engine's decides line by line)
    const regexFirst = new Decoder(set, { regexFirst: 'always' });
    const diffs: string[] = [];
    let claimed = 0;
    for (const line of lines) {
      const a = new LogEvent(line, 'stdin', 'host', 0);
      const b = new LogEvent(line, 'stdin', 'host', 0);
      const c = new LogEvent(line, 'stdin', 'host', 0);
      if (!engine.predecode(a) || !engine.predecode(b) || !engine.predecode(c)) continue;
      engine.decode(a);
      linearDecode(set, b);
      regexFirst.decode(c);
      if (b.decoderIndex >= 0) claimed++;
      if (decoded(a) !== decoded(b)) diffs.push(`${line}\n  indexed: ${decoded(a)}\n  plain:   ${decoded(b)}`);
      if (decoded(c) !== decoded(b)) diffs.push(`${line}\n  regex first: ${decoded(c)}\n  plain:   ${decoded(b)}`);
    }
    expect(diffs.slice(0, 5)).toEqual([]);
    expect(claimed).toBeGreaterThan(lines.length / 10); // the lines do reach decoders
  }, 300_000);

  test('the chain index leaves out the children whose prematch cannot start with the character (sshd)', () => {
    const set = loadRuleset(OSSEC_ROOT).ruleset.decoders;
    const sshd = set.decoders.find((d) => d.name === 'sshd' && d.parent === null)!;
    const index = set.chainIndex[sshd.index]!;
    const names = (c: string): string[] => index.byChar[c.charCodeAt(0)].map((ch) => ch.members[0].name);
    expect(index.atParent).toBe(false); // sshd has no prematch: every child is tested from 0
    expect(names('F')).toEqual(expect.arrayContaining(['ssh-invfailed', 'ssh-failed', 'sshd-negotiate', 'sshd-pam-host-user']));
    expect(names('F')).not.toContain('sshd-success');
    expect(names('A')).toContain('sshd-success');
    expect(names('A')).not.toContain('ssh-failed');
    // in load order, and much shorter than the whole list
    const all = set.chainsOf[sshd.index];
    const at = names('F').map((n) => all.findIndex((c) => c.members[0].name === n));
    expect(at).toEqual([...at].sort((x, y) => x - y));
    expect(names('F').length * 2).toBeLessThan(all.length);
  });

  test('the second-level index of plain roots leaves out roots by the second character (apache error lines)', () => {
    const set = loadRuleset(OSSEC_ROOT).ruleset.decoders;
    const second = set.plainBySecond['['.charCodeAt(0)]!;
    const names = (c: string): string[] => second[c.charCodeAt(0)].map((d) => d.name);
    const all = set.plainByFirst['['.charCodeAt(0)].map((d) => d.name);
    expect(names('n')).toContain('apache-errorlog'); // [notice]
    expect(names('n')).not.toContain('postgresql_log'); // ^\[\d{4}-
    expect(names('T')).not.toContain('snort'); // ^\[\*\*\]
    expect(names('n').length).toBeLessThan(all.length - 3);
    // the roots whose second position allows anything stay in every bucket, in load order
    const at = names('n').map((n) => all.indexOf(n));
    expect(at).toEqual([...at].sort((x, y) => x - y));
    expect(names('\u0000')).toContain('web-accesslog');
  });

  test('head checks of every anchored pattern of the three rulesets never reject a line the pattern matches', () => {
    // raw lines and their messages after pre-decoding (what prematches see), every 8th variant
    const ossec = loadRuleset(OSSEC_ROOT);
    const engine = new Engine(ossec.ruleset, {});
    const sample = lines.filter((_, i) => i % 8 === 0).flatMap((l) => {
      const e = new LogEvent(l, 'stdin', 'host', 0);
      return engine.predecode(e) && e.log !== l ? [l, e.log] : [l];
    });
    let filtered = 0;
    let rejected = 0;
    const wrong: string[] = [];
    for (const rs of ['ossec', 'wazuh', 'warden'] as const) {
      for (const p of rulesetPatterns(rs)) {
        const head = prefixFilter(p.dialect, p.source, p.caseless)?.head(16) ?? null;
        if (head === null) continue;
        let pattern;
        try {
          pattern = compilePattern(p.dialect, p.source, { caseless: p.caseless, wazuh: rs === 'wazuh' });
        } catch {
          continue; // patterns the loaders reject
        }
        filtered++;
        for (const line of sample) {
          if (headAllows(head, line, 0)) continue;
          rejected++;
          if (pattern.test(line, 0)) wrong.push(`${rs} ${p.element} ${p.source} :: ${line}`);
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(filtered).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(100_000);
  }, 300_000);
});
