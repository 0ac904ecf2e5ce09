/** Rule references that would make the rule tree loop are caught when the ruleset loads. */
import { parseXml } from '../../../otel-processor/src/engine/ruleset/xml';
import { compileRuleset, refuseCycles } from '../../../otel-processor/src/engine/ruleset';
import { RuleTreeBuilder, type CompiledRule } from '../../../otel-processor/src/engine/compile/rules';
import { ROOTS, engineFor, ev } from '../helpers';
import { catchRulesetError } from '../../support/errors';

const DECODERS = '<decoder name="d"><program_name>^d$</program_name></decoder>';
const SELF = `<group name="t,">
  <rule id="100" level="3"><decoded_as>d</decoded_as><description>base</description></rule>
  <rule id="101" level="4"><if_sid>100, 101</if_sid><match>zip</match><description>names itself</description></rule>
</group>`;

test('an if_sid naming the rule itself is refused at load, with the file and line (OSSEC)', () => {
  const err = catchRulesetError(() => compileRuleset({ decoderFiles: [parseXml(DECODERS, 'd.xml')], ruleFiles: [parseXml(ROOTS, 'roots.xml'), parseXml(SELF, 'self.xml')] }));
  expect(err.message).toContain('self.xml:3');
  expect(err.message).toContain('if_sid names rule 101 itself');
});

test('the dialect that drops it (Wazuh) keeps the other parents and warns', () => {
  const b = new RuleTreeBuilder({ pcre2Caseless: true, defaultTimeframe: 360, selfReference: 'drop' });
  b.addFile(parseXml(ROOTS, 'roots.xml'));
  b.addFile(parseXml(SELF, 'self.xml'));
  expect(b.byId.get(101)!.ifSid).toEqual([100]);
  expect(b.byId.get(100)!.children.map((r) => r.id)).toEqual([101]);
  expect(b.warnings).toEqual(['self.xml:3: rule 101: if_sid names the rule itself; that id is ignored']);
});

test('a cycle in the tree is refused with the rules that form it', () => {
  const a = { id: 1, file: 'x.xml', line: 1, children: [] as CompiledRule[] } as unknown as CompiledRule;
  const b = { id: 200, file: 'x.xml', line: 2, children: [] as CompiledRule[] } as unknown as CompiledRule;
  const c = { id: 300, file: 'x.xml', line: 3, children: [] as CompiledRule[] } as unknown as CompiledRule;
  a.children.push(b);
  b.children.push(c);
  expect(() => refuseCycles([a])).not.toThrow();
  c.children.push(b);
  expect(() => refuseCycles([a])).toThrow('x.xml:2: <rule>: rules refer to each other in a cycle (200 -> 300 -> 200)');
});

test('a rule reachable through many parents is not a cycle, and the engine reports no internal error', () => {
  const rules = `<group name="t,">
    <rule id="100" level="3"><decoded_as>d</decoded_as><group>g1,</group><description>a</description></rule>
    <rule id="101" level="4"><if_sid>100</if_sid><group>g1,</group><description>b</description></rule>
    <rule id="102" level="5"><if_group>g1</if_group><match>x</match><description>c</description></rule>
  </group>`;
  const e = engineFor(DECODERS, rules);
  expect(e.process(ev('Jan  1 10:00:00 h d: x')).rule!.id).toBe(102);
  expect(e.errors).toBe(0);
});
