/**
 * Record times in milliseconds, exactly: today's nanosecond counts are past 2^53, so converting
 * through a double lost the last millisecond of about one record in two.
 */
import { decodeJson, decodeProtobuf } from '../../otel-processor/src/receiver/otlp/decode';
import { jsonBody, protobufBody } from './helpers';

// milliseconds whose nanosecond counts a double cannot hold (1796481853290 came out as ...289)
const TIMES = [1796481853290, 1764950400001, 1700000000123, 1, 18446744073709]; // the last: near 2^64 ns

test('protobuf fixed64 nanoseconds become the exact millisecond', () => {
  const res = decodeProtobuf(protobufBody([{ attrs: {}, records: TIMES.map((timeMs) => ({ body: 'x', timeMs })) }]));
  expect(res[0].records.map((r) => r.timeMs)).toEqual(TIMES);
});

test('OTLP/JSON decimal-string nanoseconds become the exact millisecond', () => {
  const res = decodeJson(jsonBody([{ attrs: {}, records: TIMES.map((timeMs) => ({ body: 'x', timeMs })) }]));
  expect(res[0].records.map((r) => r.timeMs)).toEqual(TIMES);
});
