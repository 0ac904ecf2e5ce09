import { LogEvent, WAZUH_EXTRA_DATA } from '../../otel-processor/src/engine/event';
import { readerByName } from '../../otel-processor/src/engine/compile/rules';

test('static and dynamic fields', () => {
  const ev = new LogEvent('x', 'stdin', 'h', 0);
  ev.setField('user', 'root');
  ev.setField('extra_data', 'd');
  ev.setField('Audit.Key', 'k');
  expect(ev.dstuser).toBe('root');
  expect(ev.getField('data')).toBe('d');
  expect(ev.getField('audit.key')).toBe('k');
  expect(ev.getField('missing')).toBeNull();
});

test('rare fields live off the event until set, and read back as set', () => {
  const ev = new LogEvent('x', 'stdin', 'h', 0);
  expect([ev.url, ev.srcuser, ev.protocol, ev.dstport, ev.system_name, ev.agentName, ev.remoteOrigin, ev.generatedRuleId, ev.extraData, ev.fields])
    .toEqual([null, null, null, null, null, null, null, null, null, null]);
  const rare = () => (ev as unknown as { rare: object | null }).rare;
  ev.agentName = null;
  ev.url = null;
  expect(rare()).toBeNull(); // null writes allocate nothing
  ev.setField('srcip', '10.0.0.1');
  expect(rare()).toBeNull(); // nor do the common fields
  ev.setField('url', '/a');
  expect(rare()).toBeNull(); // url is a plain field (squid and web logs set it on every line)
  ev.setField('srcuser', 'bob');
  ev.agentName = 'web1';
  ev.fields ??= new Map([['k', 'v']]);
  expect([ev.url, ev.srcuser, ev.agentName, ev.getField('k'), ev.getField('user')]).toEqual(['/a', 'bob', 'web1', 'v', 'bob']);
  expect(rare()).not.toBeNull();
  ev.url = null;
  expect(ev.url).toBeNull();
});

test('readers by name answer what getField does, static, aliased and dynamic names alike', () => {
  const ev = new LogEvent('Jan  1 h p: m', 'loc', 'host', 0);
  ev.programName = 'p';
  ev.log = 'm';
  ev.decoderName = 'dec';
  const values = ['srcip', 'dstip', 'srcport', 'dstport', 'protocol', 'action', 'id', 'url', 'data', 'status', 'system_name', 'srcuser', 'dstuser', WAZUH_EXTRA_DATA, 'Audit.Key'];
  values.forEach((name, i) => ev.setField(name, `v${i}`));
  const names = [...values, 'extra_data', 'user', 'hostname', 'program_name', 'location', 'full_log', 'log', 'decoder', 'decoded_as', 'audit.key', 'missing'];
  expect(names.map((n) => readerByName(n)(ev))).toEqual(names.map((n) => ev.getField(n)));
  expect(readerByName('user')(ev)).toBe('v12');
  expect(readerByName('audit.key')(ev)).toBe('v14');
});
