/**
 * The processor on its own: the spool payload it writes (documents serialised once, read back
 * as the same documents), the alert document and its alerts.log text,
 * first-time-seen documents carrying the decoder the engine names, and a ruleset reload that
 * keeps the correlation memory (fired counts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildAlert } from '../../otel-processor/src/alert/alert';
import { Engine, LogEvent } from '../../otel-processor/src/engine/engine';
import { formatAlertsLog } from '../../otel-processor/src/alert/alerts-log';
import { openRuleset } from '../../otel-processor/src/cli/session';
import { Processor } from '../../otel-processor/src/processor/processor';
import { WardenFtsStore } from '../../otel-processor/src/processor/fts-store';
import { ProcessorCore } from '../../otel-processor/src/processor/host';
import { decodeProtobuf } from '../../otel-processor/src/receiver/otlp/decode';
import { SpoolBatch, encodeBody } from '../../otel-processor/src/processor/batch';
import { ROOT, protobufBody, sshFail, tmpDir, writeRuleset } from './helpers';

const ctx = { boundAgent: null, peerIp: '127.0.0.1', userAgent: 'test' };

function processor(rules: string, state = tmpDir('proc')): Processor {
  return new Processor(openRuleset(rules), new WardenFtsStore(state), {
    indexPrefix: 'warden', mapping: { maxLogBytes: 65536, maxFields: 256 }, correlationScope: 'agent', logAlertLevel: null, disconnectAfterSec: 0, stateDir: state,
  });
}

// Recorded from the two builders this one replaced (alertDocOf, and buildAlert + toAlertDoc, which
// agreed byte for byte): the document every exporter gets, and its alerts.log text (UTC).
test('the alert document of a line, and its alerts.log text, byte for byte', () => {
  const loaded = openRuleset(path.join(ROOT, 'rules'));
  const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
  const cases: Array<[string, string, string]> = [
    [
      "Oct 11 10:00:00 web1 sshd[123]: Failed password for root from 192.0.2.1 port 22 ssh2",
      "{\"@timestamp\":\"2024-05-17T10:00:01.000Z\",\"received_at\":\"2024-05-17T10:00:09.000Z\",\"rule\":{\"id\":\"5716\",\"level\":5,\"description\":\"sshd: authentication failed for an existing user.\",\"groups\":[\"syslog\",\"sshd\",\"authentication_failed\"],\"firedtimes\":1,\"mail\":false,\"mitre\":{\"id\":[\"T1110\"]}},\"agent\":{\"id\":\"a1\",\"name\":\"web1\",\"ip\":\"192.0.2.99\"},\"location\":\"/var/log/x\",\"data\":{\"srcip\":\"192.0.2.1\",\"srcport\":\"22\",\"extra_data\":\"password\",\"dstuser\":\"root\"},\"full_log\":\"Oct 11 10:00:00 web1 sshd[123]: Failed password for root from 192.0.2.1 port 22 ssh2\",\"decoder\":{\"name\":\"sshd\"},\"predecoder\":{\"program_name\":\"sshd\",\"timestamp\":\"Oct 11 10:00:00\",\"hostname\":\"web1\"}}",
      "** Alert 1715940001.1234: - syslog,sshd,authentication_failed,\n2024 May 17 10:00:01 web1->/var/log/x\nRule: 5716 (level 5) -> 'sshd: authentication failed for an existing user.'\nSrc IP: 192.0.2.1\nSrc Port: 22\nUser: root\nOct 11 10:00:00 web1 sshd[123]: Failed password for root from 192.0.2.1 port 22 ssh2\n\n",
    ],
    [
      "Oct 11 10:00:00 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash",
      "{\"@timestamp\":\"2024-05-17T10:00:01.000Z\",\"received_at\":\"2024-05-17T10:00:09.000Z\",\"rule\":{\"id\":\"5403\",\"level\":4,\"description\":\"sudo: first time this user runs sudo on this host.\",\"groups\":[\"syslog\",\"sudo\"],\"firedtimes\":1,\"mail\":false,\"mitre\":{\"id\":[\"T1548.003\"]}},\"agent\":{\"id\":\"a1\",\"name\":\"web1\",\"ip\":\"192.0.2.99\"},\"location\":\"/var/log/x\",\"data\":{\"srcuser\":\"alice\",\"dstuser\":\"root\",\"command\":\"/bin/bash\"},\"full_log\":\"Oct 11 10:00:00 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash\",\"decoder\":{\"name\":\"sudo\"},\"predecoder\":{\"program_name\":\"sudo\",\"timestamp\":\"Oct 11 10:00:00\",\"hostname\":\"web1\"}}",
      "** Alert 1715940001.1234: - syslog,sudo,\n2024 May 17 10:00:01 web1->/var/log/x\nRule: 5403 (level 4) -> 'sudo: first time this user runs sudo on this host.'\nUser: root\nOct 11 10:00:00 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash\n\n",
    ],
    [
      "192.0.2.9 - - [11/Oct/2024:10:00:00 +0000] \"GET /etc/passwd HTTP/1.1\" 404 12 \"-\" \"Nikto\"",
      "{\"@timestamp\":\"2024-05-17T10:00:01.000Z\",\"received_at\":\"2024-05-17T10:00:09.000Z\",\"rule\":{\"id\":\"31104\",\"level\":6,\"description\":\"Common web attack: path traversal, file inclusion or command injection.\",\"groups\":[\"web\",\"accesslog\",\"attack\"],\"firedtimes\":1,\"mail\":false,\"mitre\":{\"id\":[\"T1190\"]}},\"agent\":{\"id\":\"a1\",\"name\":\"web1\",\"ip\":\"192.0.2.99\"},\"location\":\"/var/log/x\",\"data\":{\"srcip\":\"192.0.2.9\",\"protocol\":\"GET\",\"id\":\"404\",\"url\":\"/etc/passwd\",\"srcuser\":\"-\"},\"full_log\":\"192.0.2.9 - - [11/Oct/2024:10:00:00 +0000] \\\"GET /etc/passwd HTTP/1.1\\\" 404 12 \\\"-\\\" \\\"Nikto\\\"\",\"decoder\":{\"name\":\"web-accesslog\"},\"predecoder\":{\"hostname\":\"web1\"}}",
      "** Alert 1715940001.1234: - web,accesslog,attack,\n2024 May 17 10:00:01 web1->/var/log/x\nRule: 31104 (level 6) -> 'Common web attack: path traversal, file inclusion or command injection.'\nSrc IP: 192.0.2.9\n192.0.2.9 - - [11/Oct/2024:10:00:00 +0000] \"GET /etc/passwd HTTP/1.1\" 404 12 \"-\" \"Nikto\"\n\n",
    ],
  ];
  for (const [line, docJson, text] of cases) {
    const ev = new LogEvent(line, '/var/log/x', 'web1', Date.UTC(2024, 4, 17, 10, 0, 1));
    ev.agentId = 'a1';
    ev.agentName = 'web1';
    const v = engine.process(ev);
    expect(v.alert).toBe(true);
    const doc = buildAlert(ev, v, '2024-05-17T10:00:09.000Z', '192.0.2.99');
    expect(JSON.stringify(doc)).toBe(docJson);
    expect(formatAlertsLog(doc, 1234)).toBe(text);
    // alerts.log is in UTC whatever the machine's zone (Node reads TZ when it changes)
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try { expect(formatAlertsLog(doc, 1234)).toBe(text); } finally { if (tz === undefined) delete process.env.TZ; else process.env.TZ = tz; }
    expect(buildAlert(ev, v, '2024-05-17T10:00:09.000Z').agent).toEqual({ id: 'a1', name: 'web1' });
  }
});

test('the spool payload carries each document once and reads back as the same documents', () => {
  const p = processor(writeRuleset(tmpDir('rules')));
  const req = protobufBody([{ attrs: { 'host.name': 'web1' }, records: [{ body: sshFail('al', '192.0.2.1', 1) }, { body: sshFail('al', '192.0.2.1', 2) }, { body: 'nothing to see' }] }]);
  const r = p.process(decodeProtobuf(req), ctx);
  expect(r).toMatchObject({ accepted: 3, rejected: 0 });
  const b = SpoolBatch.decode(7, r.payload!);
  expect(b.seq).toBe(7);
  expect(b.alertCount).toBe(2);
  expect(b.doc(0).rule.id).toBe('100102');
  expect(b.doc(1).rule.id).toBe('100101');
  expect(b.alertIndex(0)).toMatch(/^warden-alerts-\d{4}\.\d{2}\.\d{2}$/);
  expect(b.agents).toEqual([expect.objectContaining({ id: 'web1', events: 3, alerts: 2 })]);
  expect(r.levels[8]).toBe(1);
  expect(r.levels[5]).toBe(1);
  // the old form (one JSON object) still reads, and encodeBody round-trips
  const v1 = Buffer.from(JSON.stringify({ at: b.at, alerts: [b.alert(0), b.alert(1)], fts: b.fts, agents: b.agents, stats: b.stats }));
  const old = SpoolBatch.decode(8, v1);
  expect(old.alert(1)).toEqual(b.alert(1));
  const again = SpoolBatch.decode(9, encodeBody({ at: b.at, alerts: [b.alert(0), b.alert(1)], fts: b.fts, agents: b.agents, stats: b.stats })!);
  expect(again.docs.map(String)).toEqual(b.docs.map(String));
});

test('first-time-seen documents name the decoder the engine reports, not the first word of the key', () => {
  const rules = writeRuleset(tmpDir('rules'));
  // a first-time-seen key of one field (OSSEC's key form: decoder name and nine slots)
  const dec = path.join(rules, 'decoders', 'test.xml');
  fs.writeFileSync(dec, fs.readFileSync(dec, 'utf8').replace('<fts>name, user</fts>', '<fts>srcip</fts>'));
  const p = processor(rules);
  const r = p.process(decodeProtobuf(protobufBody([{ attrs: { 'host.name': 'web1' }, records: [{ body: sshFail('bo', '203.0.113.5', 1) }] }])), ctx);
  const b = SpoolBatch.decode(1, r.payload!);
  expect(b.fts).toEqual([expect.objectContaining({ key: 'sshd    203.0.113.5    ', decoder: 'sshd' })]);
});

test('a first-time-seen key with `location` names the agent, as OSSEC\'s `(agent) ip->path` location does: the same line is new on each host', () => {
  const rules = writeRuleset(tmpDir('rules'));
  const dec = path.join(rules, 'decoders', 'test.xml');
  fs.writeFileSync(dec, fs.readFileSync(dec, 'utf8').replace('<fts>name, user</fts>', '<fts>name, user, location</fts>'));
  const p = processor(rules);
  const auth = { 'log.file.path': '/var/log/auth.log' };
  const send = (hostName: string, n: number) => {
    const r = p.process(decodeProtobuf(protobufBody([{ attrs: { 'host.name': hostName }, records: [{ body: sshFail('zoe', '192.0.2.8', n), attrs: auth }] }])), ctx);
    const b = SpoolBatch.decode(n, r.payload!);
    return { rules: Array.from({ length: b.alertCount }, (_, i) => b.doc(i).rule.id), keys: b.fts.map((k) => k.key) };
  };
  expect(send('web1', 1)).toEqual({ rules: ['100102'], keys: ['sshd  zoe      (web1) any->/var/log/auth.log'] });
  expect(send('web2', 2)).toEqual({ rules: ['100102'], keys: ['sshd  zoe      (web2) any->/var/log/auth.log'] });
  expect(send('web1', 3)).toEqual({ rules: ['100101'], keys: [] });
});

test('a ruleset reload keeps the correlation memory: fired counts continue', () => {
  const rules = writeRuleset(tmpDir('rules'));
  const state = tmpDir('proc');
  const core = new ProcessorCore({ ruleset: rules, stateDir: state, options: { indexPrefix: 'warden', mapping: { maxLogBytes: 65536, maxFields: 256 }, correlationScope: 'agent', logAlertLevel: null, disconnectAfterSec: 0, stateDir: state } });
  const fired = (n: number) => {
    const r = core.process({ format: 'protobuf', body: protobufBody([{ attrs: { 'host.name': 'web1' }, records: [{ body: sshFail('cy', '192.0.2.3', n) }] }]) }, ctx);
    if (r.kind !== 'ok') throw new Error('malformed');
    const b = SpoolBatch.decode(n, r.result.payload!);
    return b.doc(b.alertCount - 1).rule.firedtimes;
  };
  fired(1);
  expect(fired(2)).toBe(1); // 100101: first time for this rule (the first was 100102, first-time-seen)
  expect(fired(3)).toBe(2);
  expect(core.reload()).toMatchObject({ ok: true });
  expect(fired(4)).toBe(3);
  core.close();
});
