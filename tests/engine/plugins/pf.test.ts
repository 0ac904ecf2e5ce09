import { pfDecoder, PLUGIN_DECODERS } from '../../../otel-processor/src/engine/decode/plugins';
import { ev, NONE, staticOf } from './helpers';

describe('PF_Decoder', () => {
  test('is registered', () => {
    expect(PLUGIN_DECODERS.PF_Decoder).toBe(pfDecoder);
  });

  test('tcp pass in with ports', () => {
    const e = ev('Mar 30 15:32:33.483712 rule 2/(match) pass in on xl0: 140.211.166.3.6667 > 192.168.2.10.16290: P 7408:7677(269) ack 1773 win 2520 <nop,nop,timestamp 3960674784 2860123562> (DF)');
    pfDecoder(e, 0);
    expect(staticOf(e)).toEqual({
      ...NONE, action: 'pass', srcip: '140.211.166.3', srcport: '6667', dstip: '192.168.2.10', dstport: '16290', protocol: 'TCP',
    });
    expect(e.fields).toBeNull();
  });

  test('block on loopback', () => {
    const e = ev('Mar 30 15:47:05.522341 rule 4/(match) block in on lo0: 127.0.0.1.48784 > 127.0.0.1.23: S 1381529123:1381529123(0) win 16384 <mss 33184,nop,nop,sackOK,nop,wscale 0,[|tcp]> (DF) [tos 0x10]');
    pfDecoder(e, 0);
    expect(staticOf(e)).toEqual({
      ...NONE, action: 'block', srcip: '127.0.0.1', srcport: '48784', dstip: '127.0.0.1', dstport: '23', protocol: 'TCP',
    });
  });

  test('udp (two spaces before the protocol)', () => {
    const e = ev('Mar 30 15:54:22.171929 rule 3/(match) pass out on xl0: 192.168.2.10.1514 > 192.168.2.190.1030:  udp 73');
    pfDecoder(e, 0);
    expect(staticOf(e)).toEqual({
      ...NONE, action: 'pass', srcip: '192.168.2.10', srcport: '1514', dstip: '192.168.2.190', dstport: '1030', protocol: 'UDP',
    });
  });

  test('icmp without ports', () => {
    const e = ev('Mar 30 17:47:41.400075 rule 3/(match) pass out on lo0: 127.0.0.1 > 127.0.0.1: icmp: echo request');
    pfDecoder(e, 0);
    expect(staticOf(e)).toEqual({ ...NONE, action: 'pass', srcip: '127.0.0.1', dstip: '127.0.0.1', protocol: 'ICMP' });
  });

  test('start offset skips a prefix', () => {
    const line = 'pf: Mar 30 15:54:22.174412 rule 3/(match) pass out on xl0: 192.168.2.10.1514 > 192.168.2.190.1030:  udp 89';
    const e = ev(line);
    pfDecoder(e, 4);
    expect(e.srcport).toBe('1514');
    expect(e.protocol).toBe('UDP');
  });

  test('unknown action sets nothing', () => {
    const e = ev('Mar 30 15:54:22.171929 rule 3/(match) nat out on xl0: 192.168.2.10.1514 > 192.168.2.190.1030:  udp 73');
    pfDecoder(e, 0);
    expect(staticOf(e)).toEqual(NONE);
  });

  test('truncated lines keep what was decoded before the break', () => {
    const a = ev('Mar 30 15:54:22.171929 rule 3/(match) pass out on xl0: 192.168.2.10.1514');
    pfDecoder(a, 0);
    expect(staticOf(a)).toEqual({ ...NONE, action: 'pass' });

    const b = ev('Mar 30 15:54:22.171929 rule 3/(match) block out on xl0: 192.168.2.10.1514 < 10.0.0.1.53: udp');
    pfDecoder(b, 0);
    expect(staticOf(b)).toEqual({ ...NONE, action: 'block', srcip: '192.168.2.10', srcport: '1514' });

    const c = ev('Mar 30 15:54:22.171929 rule 3/(match) pass out on xl0: 10.1.1.1.80 > 10.2.2.2.8080:');
    pfDecoder(c, 0);
    expect(staticOf(c)).toEqual({ ...NONE, action: 'pass', srcip: '10.1.1.1', srcport: '80', dstip: '10.2.2.2', dstport: '8080' });
  });

  test('no parenthesis, empty log, garbage', () => {
    for (const line of ['', ')', ') ', 'rule 1/(match)', 'x'.repeat(100000), ') p: a > b:']) {
      const e = ev(line);
      expect(() => pfDecoder(e, 0)).not.toThrow();
    }
    const e = ev(') p: a > b:');
    pfDecoder(e, 0);
    expect(staticOf(e)).toEqual({ ...NONE, action: 'pass', srcip: 'a', dstip: 'b' });
  });
});
