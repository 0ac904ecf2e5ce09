/**
 * The per-alert output written directly (alertJson, formatAlertText: no document built, rule
 * and time pieces formatted once) is byte for byte what the document path writes
 * (JSON.stringify(buildAlert), formatAlertsLog of the document or of its JSON read back), over
 * every generated log format on the stock OSSEC ruleset and over the rarer shapes (dynamic
 * fields overriding static ones, numeric keys, syscheck records, mail / no_full_log / info /
 * mitre rules, $(field) descriptions, correlated previous output, odd times). And its
 * alerts.log text is OSSEC's: the real engine's `ossec-logtest -a` output over sample.log.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { alertJson, buildAlert } from '../../otel-processor/src/alert/alert';
import { AlertsLogWriter, formatAlertText, formatAlertsLog } from '../../otel-processor/src/alert/alerts-log';
import { isoTime } from '../../otel-processor/src/alert/output-parts';
import { Engine, LogEvent, type Verdict } from '../../otel-processor/src/engine/engine';
import type { CompiledRule } from '../../otel-processor/src/engine/compile/rules';
import { loadRuleset } from '../../otel-processor/src/loader/ruleset-loader';
import { ROOT } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generate } = require(path.join(ROOT, 'tests', 'generator', 'index.js')) as { generate: (o: { seed: number; lines: number; formats?: string[] }) => { lines: string[] } };

const OSSEC = path.join(ROOT, '..', 'shared', 'ossec-4.2.0');
const loaded = loadRuleset(OSSEC);

/** A small first buffer: the writer grows it as alerts come. */
const writer = new AlertsLogWriter(0, 64);

/** Every output form of one alert, checked against the document path. */
function expectSameOutput(ev: LogEvent, v: Verdict, receivedAt: string, agentIp: string | null, offset: number): void {
  const doc = buildAlert(ev, v, receivedAt, agentIp);
  const json = alertJson(ev, v, receivedAt, agentIp);
  expect(json).toBe(JSON.stringify(doc));
  const text = formatAlertsLog(doc, offset);
  expect(formatAlertText(ev, v, offset)).toBe(text);
  expect(formatAlertsLog(JSON.parse(json), offset)).toBe(text);
  // the byte writer: the same bytes, numbered at its position, which moves on by them
  writer.position = offset;
  expect(writer.add(ev, v)).toBe(Buffer.byteLength(text));
  expect(writer.position).toBe(offset + Buffer.byteLength(text));
  const bytes = Buffer.from(text);
  writer.flush((b) => expect(b.subarray(b.length - bytes.length).equals(bytes)).toBe(true));
}

test('ISO times: the same string as Date.toISOString, the same error for a time Date refuses', () => {
  const times = [0, -0, 1, 999, 1000, -1, -999, -1000, -1001, 0.5, -0.5, 1715940001123.7, -62198755200000, 253402300799999, 253402300800000, 8.64e15, -8.64e15];
  let x = 1;
  for (let i = 0; i < 2000; i++) { x = (x * 48271) % 2147483647; times.push((x - 1e9) * 1.7e6 + (x % 1000), Date.UTC(2024, 0, 1) + (x % 5000)); }
  for (const t of times) expect(isoTime(t)).toBe(new Date(t).toISOString());
  for (const t of [NaN, Infinity, -Infinity, 8.64e15 + 1, -8.64e15 - 1]) expect(() => isoTime(t)).toThrow(RangeError);
});

test('every generated format on the stock OSSEC ruleset: the direct forms equal the document forms, byte for byte', () => {
  const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
  const { lines } = generate({ seed: 41, lines: 12000 });
  let alerts = 0;
  let i = 0;
  for (const line of lines) {
    i++;
    // times that move within and across seconds, some before 1970
    const ev = new LogEvent(line, i % 3 ? 'stdin' : '/var/log/messages', i % 5 ? 'web1' : '', Date.UTC(2024, 4, 17, 10) + i * 137 - (i % 7 === 0 ? 2e12 : 0));
    if (i % 4 === 0) { ev.agentId = '017'; ev.agentName = 'db-2'; }
    const v = engine.process(ev);
    if (!v.alert) continue;
    alerts++;
    expectSameOutput(ev, v, `2024-05-17T10:00:0${i % 3}.000Z`, i % 2 ? '192.0.2.99' : null, alerts * 1000);
  }
  expect(alerts).toBeGreaterThan(2000);
});

test('the rarer shapes: dynamic fields, syscheck records, mail / no_full_log / info / mitre rules, $(field) descriptions, previous output', () => {
  const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
  const ev = new LogEvent('Oct 11 10:00:00 web1 sshd[123]: Failed password for root from 192.0.2.1 port 22 ssh2', '/var/log/auth.log', 'web1', Date.UTC(2024, 4, 17, 10, 0, 1, 7));
  const v = engine.process(ev);
  expect(v.alert).toBe(true);
  const base = v.rule!;
  const shaped: CompiledRule = {
    ...base,
    options: new Set(['alert_by_email', 'no_full_log']),
    info: [{ type: 'link', value: 'https://example.org/"x"' }] as CompiledRule['info'],
    mitre: ['T1110', 'T1021'],
    dynamicDescription: true,
    description: 'User $(dstuser) from $(srcip) via $(win.system.eventID) ($(missing))',
    groups: ['a', 'b "quoted"'],
  };
  const fieldSets: Array<Map<string, string> | null> = [
    null,
    new Map([['srcip', '198.51.100.7'], ['dstuser', ''], ['0', 'numeric key first'], ['data', 'never in data'], ['win.system.eventID', '4625'], ['srcport', '2222']]),
    new Map([['warden.event.kind', 'syscheck'], ['syscheck.path', '/etc/passwd'], ['syscheck.event', 'modified'], ['syscheck.size_after', '1024'], ['syscheck.md5_after', 'abc']]),
    new Map([['emoji', '\u{1F600} \u2028 "q" \\ \u0001'], ['lone', '\uD800x']]),
    // the byte writer encodes short values char by char: 1, 2 and 3 byte chars, pairs, lone surrogates, at the start and mid-value, short and long
    new Map([['srcip', 'ab\u00e9\u00ff\u0080\u07ff'], ['dstuser', 'x\u0800\u20acy\u{1F600}z\uDC00'], ['srcport', '\uD800x'], ['dstip', 'caf\u00e9 '.repeat(9)], ['dstport', '\u{1F600}']]),
  ];
  const rules = [base, shaped];
  const prevs: Array<string[] | null> = [null, [], [''], ['', ''], ['last', ''], ['first line', 'second "line"', '\u00e9t\u00e9 \u{1F600}']];
  let n = 0;
  for (const fields of fieldSets) {
    for (const rule of rules) {
      for (const previousOutput of prevs) {
        ev.fields = fields;
        ev.decoderParent = n % 2 ? 'sshd-parent' : ev.decoderName;
        ev.agentName = n % 3 ? null : 'named agent';
        ev.dstip = n % 4 ? null : '203.0.113.4';
        ev.dstport = n % 4 ? null : '443';
        const verdict: Verdict = { ...v, rule, previousOutput, firedTimes: n + 1 };
        expectSameOutput(ev, verdict, '2024-05-17T10:00:09.000Z', n % 2 ? '192.0.2.99' : '', 100 + n);
        n++;
      }
    }
  }
  // the shaped rule's pieces really are in the output
  ev.fields = fieldSets[2];
  const json = alertJson(ev, { ...v, rule: shaped, previousOutput: null, firedTimes: 3 }, 'x');
  expect(JSON.parse(json)).toMatchObject({ rule: { mail: true, mitre: { id: ['T1110', 'T1021'] } }, syscheck: { path: '/etc/passwd' } });
  expect(json).not.toContain('full_log');
  expect(formatAlertText(ev, { ...v, rule: shaped, previousOutput: null, firedTimes: 3 }, 5)).toMatch(/^\*\* Alert 1715940001\.5: mail {2}- a,b "quoted",\n/);
});

test('alerts.log as OSSEC writes it: the real engine\'s `ossec-logtest -a` output over sample.log, line for line', () => {
  // examples/alerts.log: OSSEC 4.2.0 on host "vm", input on stdin, at 1795974425, alerts numbered 1, 2, ...
  const expected = fs.readFileSync(path.join(OSSEC, 'examples', 'alerts.log'), 'latin1');
  const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
  const lines = fs.readFileSync(path.join(OSSEC, 'examples', 'sample.log'), 'latin1').split('\n').filter(Boolean);
  let text = '';
  let n = 0;
  const bytes = new AlertsLogWriter(0, 64); // grows with alerts pending
  let written = '';
  for (const line of lines) {
    const ev = new LogEvent(line, 'stdin', 'vm', 1795974425_000);
    const v = engine.process(ev);
    if (!v.alert) continue;
    text += formatAlertText(ev, v, ++n);
    bytes.position = n;
    bytes.add(ev, v);
    if (n % 7 === 0) bytes.flush((b) => { written += b.toString('utf8'); });
  }
  bytes.flush((b) => { written += b.toString('utf8'); });
  expect(written).toBe(text);
  // Two known differences, both in the header line (the rest is the same, byte for byte):
  // - groups: Warden writes the rule's group list, each name followed by a comma; OSSEC writes
  //   the rule's group text as written (log.c prints rule->group), in a few stock rules
  //   without the last comma;
  // - mail: OSSEC also marks rules of level >= its email_alert_level (7 by default) as mail
  //   (rules.c sets DO_MAILALERT), Warden only rules with alert_by_email.
  const known = (s: string) => s.replace(/^(\*\* Alert [^\n]*[^,\n])$/gm, '$1,')
    .replace(/^(\*\* Alert [\d.]+:) mail ( - [^\n]*\n[^\n]*\nRule: \d+ \(level (?:[7-9]|1\d)\))/gm, '$1$2');
  expect(text).toBe(known(expected));
  expect(text).toContain(': mail  - syslog,sudo,'); // alert_by_email (rule 5403) is marked as OSSEC marks it
  expect(n).toBeGreaterThan(50);
});

test('the byte writer\'s header: any position (digits written in 32 bits, the rest as String writes them) and any time (the last second reused only inside it)', () => {
  const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
  const line = 'Oct 11 10:00:00 web1 sshd[123]: Failed password for root from 192.0.2.1 port 22 ssh2';
  const positions = [0, -0, 1, 9, 10, 99, 100, 999999999, 1e9, 4294967295, 4294967296, 2 ** 53 - 1, 2 ** 53 + 2, -1, -4294967296, 0.5, 1e21];
  // times around second boundaries, on both sides of 1970 (where truncation and floor differ)
  // (-1000.5 after -1001 and -0.5 after -1: inside the last second's span, yet truncated into the next second)
  const times = [0, -0, 0.5, -0.5, 999.9, 1000, 1000.5, 999, -1, -999.5, -1000, -1001, -1000.5, -1, -0.5, 1715940001999.9, 1715940002000, 1715940001000, 1715940001999, -2e12 + 0.3, -2e12 - 0.3, 1715940001500];
  const w = new AlertsLogWriter(0, 64);
  for (const t of times) {
    for (const p of positions) {
      const ev = new LogEvent(line, '/var/log/auth.log', 'web1', t);
      const v = engine.process(ev);
      expect(v.alert).toBe(true);
      const ms = Math.trunc(t) + 0;
      const sec = Math.floor(ms / 1000);
      const d = new Date(sec * 1000);
      const two = (n: number) => String(n).padStart(2, '0');
      const date = `${d.getUTCFullYear()} ${d.toUTCString().slice(8, 11)} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
      w.position = p;
      const n = w.add(ev, v);
      let text = '';
      w.flush((b) => { text = b.toString('utf8'); });
      const [head, second] = text.split('\n');
      expect(head.startsWith(`** Alert ${sec}.${String(p)}: - `)).toBe(true);
      expect(second).toBe(`${date} web1->/var/log/auth.log`);
      expect(text).toBe(formatAlertText(ev, v, p));
      expect(n).toBe(Buffer.byteLength(text));
    }
  }
});
