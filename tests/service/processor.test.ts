/**
 * The processor on its own: the spool payload it writes (documents serialised once, read back
 * as the same documents), the direct alert-document builder against the engine's Alert form,
 * first-time-seen documents carrying the decoder the engine names, and a ruleset reload that
 * keeps the correlation memory (fired counts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildAlert } from '../../otel-processor/src/alert/alert';
import { Engine, LogEvent } from '../../otel-processor/src/engine/engine';
import { alertDocOf, toAlertDoc } from '../../otel-processor/src/alert/documents';
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

test('alert documents built directly equal toAlertDoc(buildAlert(...)), byte for byte', () => {
  const loaded = openRuleset(path.join(ROOT, 'rules'));
  const engine = new Engine(loaded.ruleset, { logAlertLevel: loaded.logAlertLevel });
  const lines = [
    sshFail('root', '192.0.2.1', 1), sshFail('root', '192.0.2.1', 2),
    'Oct 11 10:00:00 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash',
    'Oct 11 10:00:00 web1 su[12]: FAILED su for root by alice',
    '192.0.2.9 - - [11/Oct/2024:10:00:00 +0000] "GET /etc/passwd HTTP/1.1" 404 12 "-" "Nikto"',
    'Oct 11 10:00:00 fw1 kernel: [1.0] iptables: IN=eth0 OUT= SRC=192.0.2.7 DST=198.51.100.1 PROTO=TCP SPT=1 DPT=22',
  ];
  let n = 0;
  for (const line of lines) {
    for (let k = 0; k < 8; k++) {
      const ev = new LogEvent(line, '/var/log/x', 'web1', Date.UTC(2024, 4, 17, 10, 0, k));
      ev.agentId = 'a1';
      ev.agentName = 'web1';
      const v = engine.process(ev);
      if (!v.alert) continue;
      n++;
      const direct = alertDocOf(ev, v, '2024-05-17T10:00:09.000Z', k % 2 ? '192.0.2.99' : null);
      const viaAlert = toAlertDoc(buildAlert(ev, v, 'id'), { receivedAt: Date.UTC(2024, 4, 17, 10, 0, 9), agentIp: k % 2 ? '192.0.2.99' : null });
      expect(JSON.stringify(direct)).toBe(JSON.stringify(viaAlert));
    }
  }
  expect(n).toBeGreaterThan(5);
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
