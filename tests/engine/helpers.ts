/** Builds engines from inline XML for unit tests. */
import { parseXml } from '../../otel-processor/src/engine/ruleset/xml';
import { compileRuleset } from '../../otel-processor/src/engine/ruleset';
import { Engine, LogEvent, type EngineOptions } from '../../otel-processor/src/engine/engine';

export const ROOTS = `
<group name="syslog,"><rule id="1" level="0" noalert="1"><category>syslog</category><description>syslog</description></rule></group>
<group name="firewall,"><rule id="2" level="0" noalert="1"><category>firewall</category><description>firewall</description></rule></group>
<group name="web-log,"><rule id="4" level="0" noalert="1"><category>web-log</category><description>web</description></rule></group>
`;

export function engineFor(decoders: string, rules: string, opts: EngineOptions = {}): Engine {
  const rs = compileRuleset({
    decoderFiles: [parseXml(decoders, 'test_decoders.xml')],
    ruleFiles: [parseXml(ROOTS, 'roots.xml'), parseXml(rules, 'test_rules.xml')],
  });
  return new Engine(rs, opts);
}

export function ev(line: string, time = 1_700_000_000_000, location = 'stdin', agent = '000'): LogEvent {
  const e = new LogEvent(line, location, 'testhost', time);
  e.agentId = agent;
  return e;
}
