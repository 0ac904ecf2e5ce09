import { LogEvent } from '../../otel-processor/src/engine/event';

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
