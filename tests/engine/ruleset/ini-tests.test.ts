import * as fs from 'fs';
import * as path from 'path';
import { catchRulesetError } from '../../support/errors';
import { parseIni, parseIniTests } from '../../../otel-processor/src/engine/ruleset/ini-tests';

const catchError = catchRulesetError;

describe('ini test files: format quirks', () => {
  test('basic section with pass and fail lines', () => {
    const text = [
      '[SSHD configuration error]',
      'log 1 pass = Feb  9 11:44:56 someserver sshd[1234]: error: Could not stat "/x": No such file',
      'log 2 fail  = Feb  9 11:44:56 other: a=b ; c=d # not a comment   ',
      '',
      'rule = 5739',
      'alert = 4',
      'decoder = sshd',
    ].join('\n');
    expect(parseIniTests(text, 'sshd.ini')).toEqual([
      {
        file: 'sshd.ini', section: 'SSHD configuration error', name: 'log 1 pass', kind: 'pass',
        log: 'Feb  9 11:44:56 someserver sshd[1234]: error: Could not stat "/x": No such file',
        rule: '5739', level: 4, decoder: 'sshd', line: 2,
      },
      {
        file: 'sshd.ini', section: 'SSHD configuration error', name: 'log 2 fail', kind: 'fail',
        log: 'Feb  9 11:44:56 other: a=b ; c=d # not a comment',
        rule: '5739', level: 4, decoder: 'sshd', line: 3,
      },
    ]);
  });

  test('comments, blank and whitespace-only lines, empty decoder, trailing spaces', () => {
    const text = [
      '; YYYY/MM/DD comment',
      '# another',
      '[ossec: active response: add host] ',
      'log 1 pass = Sat May  7 03:17:27 CDT 2011 add - 172.16.0.1 ',
      ' ',
      '  ;[commented section]',
      ';log 9 pass = never',
      'rule = 603 ',
      'alert = 3',
      'decoder =',
    ].join('\r\n');
    expect(parseIniTests(text, 'ossec.ini')).toEqual([{
      file: 'ossec.ini', section: 'ossec: active response: add host', name: 'log 1 pass', kind: 'pass',
      log: 'Sat May  7 03:17:27 CDT 2011 add - 172.16.0.1', rule: '603', level: 3, decoder: '', line: 4,
    }]);
  });

  test('duplicate sections merge; a duplicate entry replaces the value but keeps its place', () => {
    const text = [
      '[A]', 'log 1 pass = first', 'log 2 pass = second', 'rule = 1', 'alert = 1', 'decoder = d',
      '[B]', 'log 1 fail = b', 'rule = 2', 'alert = 2', 'decoder =',
      '[A]', 'log 1 pass = replaced', 'rule = 9',
    ].join('\n');
    const cases = parseIniTests(text, 't.ini');
    expect(cases.map((c) => [c.section, c.name, c.log, c.rule, c.level, c.line])).toEqual([
      ['A', 'log 1 pass', 'replaced', '9', 1, 13],
      ['A', 'log 2 pass', 'second', '9', 1, 3],
      ['B', 'log 1 fail', 'b', '2', 2, 8],
    ]);
  });

  test('a wrapped log line: the unindented rest is a separate (ignored) entry', () => {
    const text = [
      '[Incorrect chain/target/match.]',
      "log 3 fail = Jul 18 10:51:43 localhost NetworkManager[1366]: <warn> failed: ipta",
      'bles: No chain/target/match by that name.',
      'rule = 2941', 'alert = 3', 'decoder = NetworkManager',
    ].join('\n');
    const cases = parseIniTests(text, 'syslog.ini');
    expect(cases).toHaveLength(1);
    expect(cases[0].log).toBe('Jul 18 10:51:43 localhost NetworkManager[1366]: <warn> failed: ipta');
    const [section] = parseIni(text, 'syslog.ini');
    expect(section.options.map((o) => [o.name, o.value])).toContainEqual(['bles', 'No chain/target/match by that name.']);
  });

  test('indented lines continue a value; key split at the first = or :', () => {
    const text = ['[S]', 'log 1 pass = part one', '   part two', '', '   part three', 'Key: v=1', 'rule = 1'].join('\n');
    const [s] = parseIni(text, 't.ini');
    expect(s.options).toEqual([
      { name: 'log 1 pass', value: 'part one\npart two\n\npart three', line: 2 },
      { name: 'key', value: 'v=1', line: 6 },
      { name: 'rule', value: '1', line: 7 },
    ]);
  });

  test('sections without log entries or without expectations', () => {
    const text = '[Windows Event]\nrule = 18101\nalert = 0\n[Bare]\nlog 1 pass = x\n[DEFAULT]\ndecoder = dflt\n';
    expect(parseIniTests(text, 't.ini')).toEqual([{
      file: 't.ini', section: 'Bare', name: 'log 1 pass', kind: 'pass', log: 'x',
      rule: null, level: null, decoder: 'dflt', line: 5,
    }]);
  });

  test('errors carry file and line', () => {
    let e = catchError(() => parseIniTests('log 1 pass = x\n[A]\n', 'a.ini'));
    expect(e.toString()).toBe('a.ini:1: entry before any [section]: "log 1 pass = x"');
    e = catchError(() => parseIniTests('[A]\n\njust some words\n', 'a.ini'));
    expect(e.toString()).toBe('a.ini:3: cannot parse line (expected [section] or key = value): "just some words"');
    e = catchError(() => parseIniTests('[A]\nlog 1 pass = x\nalert = high\n', 'a.ini'));
    expect(e.toString()).toBe('a.ini:3: [A]: alert must be a level number, found "high"');
  });
});

// ---- cross-check with the real engine's results -----------------------------------------

const TESTS = path.resolve(__dirname, '../../../../shared/ossec-4.2.0/tests');
const haveShared = fs.existsSync(path.join(TESTS, 'engine-results.tsv'));
const describeShared = haveShared ? describe : describe.skip;
if (!haveShared) {
  console.warn(`skipping .ini cross-check: ${TESTS}/engine-results.tsv not found`);
}

describeShared('stock OSSEC 4.2.0 tests/*.ini', () => {
  test('cases correspond one to one, in order, to engine-results.tsv', () => {
    const files = fs.readdirSync(TESTS).filter((f) => f.endsWith('.ini')).sort();
    const parsed = files.flatMap((f) => parseIniTests(fs.readFileSync(path.join(TESTS, f), 'utf8'), f));
    const lines = fs.readFileSync(path.join(TESTS, 'engine-results.tsv'), 'utf8').split('\n').filter((l) => l !== '');
    const header = lines[0].split('\t');
    expect(header.slice(0, 7)).toEqual(['file', 'section', 'name', 'exp_rule', 'exp_level', 'exp_decoder', 'kind']);
    const logCol = header.indexOf('log');
    expect(logCol).toBe(header.length - 1);
    const expected = lines.slice(1).map((l) => {
      const c = l.split('\t');
      return [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c.slice(logCol).join('\t')];
    });
    const got = parsed.map((c) => [c.file, c.section, c.name, c.rule ?? '', String(c.level ?? ''), c.decoder ?? '', c.kind, c.log]);
    expect(got.length).toBe(236);
    expect(got).toEqual(expected);
    // every case points at its source line
    for (const c of parsed) {
      const src = fs.readFileSync(path.join(TESTS, c.file), 'utf8').split('\n')[c.line - 1];
      expect(src.toLowerCase().startsWith(c.name)).toBe(true);
    }
  });
});
