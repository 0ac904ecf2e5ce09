import {
  cjsonPrintNumber, formatFixed, formatGeneral, truncateUtf8, utf8Length, wazuhNumber,
} from '../../../otel-processor/src/engine/decode/plugins/cformat';

describe('C number formatting', () => {
  test('%f with round-half-even on the exact binary value', () => {
    expect(formatFixed(1.5)).toBe('1.500000');
    expect(formatFixed(-0.25)).toBe('-0.250000');
    expect(formatFixed(0.1)).toBe('0.100000');
    expect(formatFixed(1 / 128)).toBe('0.007812'); // exact tie 0.0078125 -> even
    expect(formatFixed(3 / 128)).toBe('0.023438'); // exact tie 0.0234375 -> even (8)
    expect(formatFixed(2.0000005)).toBe('2.000001'); // binary value is just above the tie
    expect(formatFixed(1e21)).toBe('1000000000000000000000.000000');
    expect(formatFixed(-1e-7)).toBe('-0.000000');
    expect(formatFixed(1e300).length).toBe(301 + 7);
    expect(formatFixed(Infinity)).toBe('inf');
  });

  test('%g', () => {
    expect(formatGeneral(0.1, 15)).toBe('0.1');
    expect(formatGeneral(0.1, 17)).toBe('0.10000000000000001');
    expect(formatGeneral(1e-5, 15)).toBe('1e-05');
    expect(formatGeneral(123456789012345680000, 15)).toBe('1.23456789012346e+20');
    expect(formatGeneral(1.5, 15)).toBe('1.5');
    expect(formatGeneral(-2.5e-300, 15)).toBe('-2.5e-300');
    expect(formatGeneral(0.0001, 15)).toBe('0.0001');
    expect(formatGeneral(999999999999999.9, 15)).toBe('1e+15');
  });

  test('Wazuh JSON number text', () => {
    expect(wazuhNumber(0)).toBe('0');
    expect(wazuhNumber(-0)).toBe('0');
    expect(wazuhNumber(42)).toBe('42');
    expect(wazuhNumber(-17)).toBe('-17');
    expect(wazuhNumber(2147483647)).toBe('2147483647');
    expect(wazuhNumber(-2147483648)).toBe('-2147483648');
    expect(wazuhNumber(2147483648)).toBe('2147483648.000000');
    expect(wazuhNumber(1700000000123)).toBe('1700000000123.000000');
    expect(wazuhNumber(3.14)).toBe('3.140000');
    expect(wazuhNumber(1e300)).toHaveLength(63);
  });

  test('cJSON_Print number text', () => {
    expect(cjsonPrintNumber(7)).toBe('7');
    expect(cjsonPrintNumber(0.1)).toBe('0.1');
    expect(cjsonPrintNumber(1 / 3)).toBe('0.33333333333333331');
    expect(cjsonPrintNumber(3000000000)).toBe('3000000000');
    expect(cjsonPrintNumber(1e300)).toBe('1e+300');
  });

  test('UTF-8 lengths and truncation', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
    expect(truncateUtf8('aé€😀', 6)).toBe('aé€');
    expect(truncateUtf8('aé€😀', 9)).toBe('aé€');
    expect(truncateUtf8('aé€😀', 10)).toBe('aé€😀');
    expect(truncateUtf8('abc', 2)).toBe('ab');
  });
});
