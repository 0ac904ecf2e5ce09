/**
 * The service's `ruleset_dialect` setting: Wazuh's bare `ruleset/` folder looks like a Warden
 * ruleset on disk, so the service loads it with Wazuh's semantics only when told to; `auto`
 * refuses it at start with the file, line and element, as `warden logtest` does.
 */
import * as path from 'node:path';
import { ConfigError, envName, loadConfig } from '../../otel-processor/src/service/config';
import { RulesetError } from '../../otel-processor/src/engine/ruleset/errors';
import type { WardenService } from '../../otel-processor/src/service/service';
import { post, protobufBody, readJsonLines, startService, tmpDir, until } from './helpers';
import { describeShared, SHARED } from '../support/shared-data';

const WAZUH_RULESET = path.join(SHARED, 'wazuh-4.14.7', 'ruleset');

test('ruleset_dialect: auto by default, ossec or wazuh when set, anything else refused naming the setting', () => {
  expect(loadConfig(null, {}).rulesetDialect).toBeUndefined();
  expect(loadConfig(null, { [envName('ruleset_dialect')]: 'wazuh' }).rulesetDialect).toBe('wazuh');
  expect(loadConfig(null, { [envName('ruleset_dialect')]: 'ossec' }).rulesetDialect).toBe('ossec');
  expect(() => loadConfig(null, { [envName('ruleset_dialect')]: 'splunk' })).toThrow(ConfigError);
  expect(() => loadConfig(null, { [envName('ruleset_dialect')]: 'splunk' })).toThrow(/ruleset_dialect/);
});

describeShared("Wazuh's stock ruleset folder in the service")("Wazuh's stock ruleset folder in the service", () => {
  test('auto: refused at start with the file, line and element', async () => {
    await expect(startService(tmpDir('dialect-auto'), WAZUH_RULESET, { [envName('service.engine_thread')]: 'false' }))
      .rejects.toThrow(RulesetError);
    await expect(startService(tmpDir('dialect-auto'), WAZUH_RULESET, { [envName('service.engine_thread')]: 'false' }))
      .rejects.toThrow(/0800-sysmon_id_1\.xml:\d+: <field>/);
  });

  test('wazuh: loads unchanged and an sshd failure raises Wazuh\'s rule 5760', async () => {
    const state = tmpDir('dialect-wazuh');
    let svc: WardenService | null = null;
    try {
      svc = await startService(state, WAZUH_RULESET, { [envName('ruleset_dialect')]: 'wazuh' });
      const line = 'Oct 11 10:00:01 web1 sshd[1001]: Failed password for alice from 198.51.100.7 port 40001 ssh2';
      expect((await post(svc.ports.http!, protobufBody([{ attrs: { 'host.name': 'web1' }, records: [{ body: line }] }]))).status).toBe(200);
      const alert = await until(() => readJsonLines(path.join(state, 'alerts', 'alerts.json')).find((a) => (a.rule as { id: string }).id === '5760'), 'the Wazuh alert', 20_000);
      expect(alert.rule).toMatchObject({ id: '5760', level: 5 });
    } finally {
      await svc?.stop(0);
    }
  });
});
