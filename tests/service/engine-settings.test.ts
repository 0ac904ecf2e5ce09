/**
 * The engine's service settings: `engine.clock` (which time correlation runs on), and the
 * engine's internal errors reported with each request's result (the service exports them in
 * /metrics as warden_engine_errors).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig, ConfigError, envName } from '../../otel-processor/src/service/config';
import { openRuleset } from '../../otel-processor/src/cli/session';
import { Processor } from '../../otel-processor/src/processor/processor';
import { WardenFtsStore } from '../../otel-processor/src/processor/fts-store';
import { decodeProtobuf } from '../../otel-processor/src/receiver/otlp/decode';
import { SpoolBatch } from '../../otel-processor/src/processor/batch';
import { protobufBody, tmpDir } from './helpers';

const ctx = { boundAgent: null, peerIp: '127.0.0.1', userAgent: 'test' };

function rulesDir(): string {
  const dir = tmpDir('clock-rules');
  fs.mkdirSync(path.join(dir, 'decoders'));
  fs.mkdirSync(path.join(dir, 'rules'));
  fs.writeFileSync(path.join(dir, 'decoders', 'd.xml'), `<decoder name="app"><program_name>^app$</program_name><regex>^fail from (\\S+)</regex><order>srcip</order></decoder>`);
  fs.writeFileSync(path.join(dir, 'rules', 'r.xml'), `
<group name="syslog,"><rule id="1" level="0" noalert="1"><category>syslog</category><description>root</description></rule></group>
<group name="app,">
  <rule id="100" level="5"><decoded_as>app</decoded_as><description>failure</description></rule>
  <rule id="101" level="10" frequency="2" timeframe="60"><if_matched_sid>100</if_matched_sid><same_source_ip /><description>repeated failures</description></rule>
</group>`);
  return dir;
}

function processor(clock: 'event' | 'processing' | undefined): Processor {
  const state = tmpDir('clock-state');
  return new Processor(openRuleset(rulesDir()), new WardenFtsStore(state), {
    indexPrefix: 'warden', mapping: { maxLogBytes: 65536, maxFields: 256 }, correlationScope: 'agent', clock, logAlertLevel: null, disconnectAfterSec: 0, stateDir: state,
  });
}

/** Four failures from one address, record times an hour apart, all received at once. */
function ruleIdsOf(p: Processor): number[] {
  const t0 = Date.UTC(2026, 0, 1);
  const records = [0, 1, 2, 3].map((i) => ({ body: 'Jan  1 00:00:00 h app: fail from 192.0.2.5', timeMs: t0 + i * 3600_000 }));
  const r = p.process(decodeProtobuf(protobufBody([{ attrs: { 'host.name': 'h' }, records }])), ctx, t0 + 5 * 3600_000);
  expect(r.errors.engine).toBe(0);
  const b = SpoolBatch.decode(1, r.payload!);
  const ids: number[] = [];
  for (let i = 0; i < b.alertCount; i++) ids.push(Number(b.doc(i).rule.id));
  return ids;
}

test('engine.clock: event (default) correlates on record times, processing on the time of receipt', () => {
  expect(ruleIdsOf(processor(undefined))).toEqual([100, 100, 100, 100]);
  expect(ruleIdsOf(processor('event'))).toEqual([100, 100, 100, 100]);
  expect(ruleIdsOf(processor('processing'))).toEqual([100, 100, 100, 101]);
});

test('engine.clock is read from the file and the environment, and checked', () => {
  const dir = tmpDir('clock-cfg');
  const file = path.join(dir, 'warden.yaml');
  fs.writeFileSync(file, 'engine:\n  clock: processing\n');
  expect(loadConfig(null, {}).engine.clock).toBe('event');
  expect(loadConfig(file, {}).engine.clock).toBe('processing');
  expect(loadConfig(file, { [envName('engine.clock')]: 'event' }).engine.clock).toBe('event');
  expect(() => loadConfig(null, { [envName('engine.clock')]: 'wall' })).toThrow(ConfigError);
  expect(() => loadConfig(null, { [envName('engine.clock')]: 'wall' })).toThrow(/engine\.clock/);
});

test('engine.memory_budget_mb: default 256, checked, and handed to the engine', () => {
  expect(loadConfig(null, {}).engine.memoryBudgetMb).toBe(256);
  expect(loadConfig(null, { [envName('engine.memory_budget_mb')]: '64' }).engine.memoryBudgetMb).toBe(64);
  expect(() => loadConfig(null, { [envName('engine.memory_budget_mb')]: '-1' })).toThrow(/engine\.memory_budget_mb/);
  const state = tmpDir('budget-state');
  const p = new Processor(openRuleset(rulesDir()), new WardenFtsStore(state), {
    indexPrefix: 'warden', mapping: { maxLogBytes: 65536, maxFields: 256 }, correlationScope: 'agent', memoryBudgetMb: 1, logAlertLevel: null, disconnectAfterSec: 0, stateDir: state,
  });
  expect((p as unknown as { engine: { state: { budgetBytes: number } } }).engine.state.budgetBytes).toBe(1 << 20);
  const r = p.process(decodeProtobuf(protobufBody([{ attrs: { 'host.name': 'h' }, records: [{ body: 'Jan  1 00:00:00 h app: fail from 192.0.2.5' }] }])), ctx);
  expect(r.correlation).toEqual({ events: 1, bytes: expect.any(Number), agents: 1, evictions: 0 });
});

test('internal engine errors are reported with the request result, not swallowed', () => {
  const p = processor('event');
  // a broken correlation list stands in for an engine bug: the engine must count it and go on
  const engine = (p as unknown as { engine: { state: { keyFieldsFor: unknown } } }).engine;
  engine.state.keyFieldsFor = null;
  const t0 = Date.UTC(2026, 0, 1);
  const records = [0, 1].map((i) => ({ body: 'Jan  1 00:00:00 h app: fail from 192.0.2.5', timeMs: t0 + i }));
  const r = p.process(decodeProtobuf(protobufBody([{ attrs: { 'host.name': 'h' }, records }])), ctx, t0);
  expect(r.accepted).toBe(2);
  expect(r.errors.engine).toBe(2);
});
