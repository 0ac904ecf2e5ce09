import { BlockList, isIP } from 'node:net';
import { compileIpList } from '../../otel-processor/src/engine/compile/iplist';
import { mulberry32 } from '../generator';

/** What node's BlockList answers for the list (the reference the IPv4 fast path must agree with). */
function reference(text: string): (ip: string) => boolean {
  const allow = new BlockList();
  const deny = new BlockList();
  let allowCount = 0;
  for (const raw of text.split(/[,\s]+/).filter((e) => e.length > 0)) {
    const negated = raw.startsWith('!');
    const entry = negated ? raw.slice(1) : raw;
    const [addr, mask] = entry.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    const target = negated ? deny : allow;
    if (!negated) allowCount++;
    if (mask === undefined) target.addAddress(addr, type);
    else if (/^\d+$/.test(mask)) target.addSubnet(addr, Number(mask), type);
    else target.addSubnet(addr, mask.split('.').map(Number).reduce((n, o) => n + (o.toString(2).match(/1/g)?.length ?? 0), 0), type);
  }
  return (ip) => {
    const family = isIP(ip);
    if (family === 0) return false;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (deny.check(ip, type)) return false;
    return allowCount === 0 || allow.check(ip, type);
  };
}

describe('<srcip>/<dstip> lists', () => {
  const lists = [
    '192.0.2.1',
    '10.0.0.0/8, 192.168.1.0/24, !10.1.0.0/255.255.0.0',
    '!172.16.0.0/12',
    '10.1.2.3/8 0.0.0.0/32 255.255.255.255',
    '0.0.0.0/0, !192.0.2.0/25',
    '10.0.0.0/8, 2001:db8::/32',
    '::ffff:10.0.0.0/104',
  ];
  const edge = [
    '10.0.0.1', '10.1.2.3', '10.255.255.255', '11.0.0.0', '9.255.255.255', '192.168.1.7', '192.168.2.7', '172.16.0.1',
    '172.31.255.255', '172.32.0.0', '0.0.0.0', '255.255.255.255', '192.0.2.1', '192.0.2.127', '192.0.2.128',
    '010.0.0.1', '10.0.0.01', '10.0.0', '10.0.0.1.', '.10.0.0.1', '10..0.1', '256.0.0.1', '10.0.0.1 ', ' 10.0.0.1',
    '1.2.3.4.5', '', 'x', '10.0.0.a', '::ffff:10.0.0.1', '::ffff:a00:1', '2001:db8::1', '::1', '1000.0.0.1',
  ];
  test('answer as node:net BlockList does, for edge cases and random addresses', () => {
    const next = mulberry32(11);
    const octet = () => String(Math.floor(next() * 256));
    const random = Array.from({ length: 2000 }, () => {
      const first = ['10', '172', '192', octet()][Math.floor(next() * 4)];
      return `${first}.${next() < 0.5 ? '1' : octet()}.${octet()}.${octet()}`;
    });
    for (const text of lists) {
      const fast = compileIpList(text);
      const ref = reference(text);
      for (const ip of [...edge, ...random]) expect([text, ip, fast.contains(ip)]).toEqual([text, ip, ref(ip)]);
    }
  });

  test('the list matches what it names', () => {
    const l = compileIpList('10.0.0.0/8, !10.1.0.0/16, 192.0.2.1');
    expect(['10.2.3.4', '10.1.3.4', '192.0.2.1', '192.0.2.2', 'nope'].map((ip) => l.contains(ip))).toEqual([true, false, true, false, false]);
  });
});
