import { PLUGIN_DECODERS, sonicWallDecoder } from '../../../otel-processor/src/engine/decode/plugins';
import { ev, NONE, staticOf } from './helpers';

const HDR = 'id=firewall sn=0017C5A1B2C3 time="2024-03-05 10:15:02" fw=198.51.100.1';

describe('SonicWall_Decoder', () => {
  test('is registered', () => {
    expect(PLUGIN_DECODERS.SonicWall_Decoder).toBe(sonicWallDecoder);
  });

  test('connection opened: firewall pass with protocol', () => {
    const e = ev('id=firewall sn=000SERIAL time="2007-01-03 14:48:06" fw=1.1.1.1 pri=6 c=262144 m=98 msg="Connection Opened" n=23419 src=2.2.2.2:36701:WAN dst=1.1.1.1:50000:WAN proto=tcp/50000');
    sonicWallDecoder(e, 0);
    expect(staticOf(e)).toEqual({
      ...NONE, status: '6', id: '98', srcip: '2.2.2.2', srcport: '36701', dstip: '1.1.1.1', dstport: '50000', protocol: 'tcp', action: 'pass',
    });
    expect(e.category).toBe('firewall');
    expect(e.fields).toBeNull();
  });

  test('administrator login denied: ids category (c=32), no proto', () => {
    const e = ev('id=firewall sn=000SERIAL time="2007-01-03 14:48:07" fw=1.1.1.1 pri=1 c=32 m=30 msg="Administrator login denied due to bad credentials" n=7 src=2.2.2.2:36701:WAN dst=1.1.1.1:50000:WAN');
    sonicWallDecoder(e, 0);
    expect(staticOf(e)).toEqual({
      ...NONE, status: '1', id: '30', srcip: '2.2.2.2', srcport: '36701', dstip: '1.1.1.1', dstport: '50000',
    });
    expect(e.category).toBe('ids');
  });

  test('tcp connection dropped', () => {
    const e = ev('id=firewall sn=00301E0526B1 time="2004-04-01 10:39:35" fw=67.32.44.2 pri=5 c=64 m=36 msg="TCP connection dropped" n=2686 src=67.101.200.27:4507:WAN dst=67.32.44.2:445:LAN rule=0');
    sonicWallDecoder(e, 0);
    expect(staticOf(e)).toEqual({
      ...NONE, status: '5', id: '36', srcip: '67.101.200.27', srcport: '4507', dstip: '67.32.44.2', dstport: '445', action: 'drop',
    });
    expect(e.category).toBe('firewall');
  });

  test('connection closed, udp', () => {
    const e = ev(`${HDR} pri=6 c=1024 m=537 msg="Connection Closed" n=8821 src=192.168.10.20:53211:X0 dst=8.8.8.8:53:X1 proto=udp/dns sent=71 rcvd=87`);
    sonicWallDecoder(e, 0);
    expect(e.action).toBe('close');
    expect(e.protocol).toBe('udp');
    expect(e.category).toBe('firewall');
  });

  test('web proxy (m=97): id becomes the HTTP result, url = dstname + arg', () => {
    const e = ev(`${HDR} pri=6 c=1024 m=97 n=51234 src=192.168.1.10:51515:LAN dst=93.184.216.34:80:WAN proto=tcp/http op=1 sent=512 rcvd=2048 result=200 dstname=www.example.com arg=/index.html`);
    sonicWallDecoder(e, 0);
    expect(staticOf(e)).toEqual({
      ...NONE, status: '6', id: '200', srcip: '192.168.1.10', srcport: '51515', dstip: '93.184.216.34', dstport: '80', protocol: 'tcp',
      url: 'www.example.com/index.html',
    });
    expect(e.category).toBe('squid');
  });

  test('web proxy without result keeps the message id', () => {
    const e = ev(`${HDR} pri=6 c=1024 m=97 n=51234 src=192.168.1.10:51515:LAN dst=93.184.216.34:80:WAN proto=tcp/http op=1`);
    sonicWallDecoder(e, 0);
    expect(e.id).toBe('97');
    expect(e.url).toBeNull();
    expect(e.category).toBe('squid');
  });

  test('protocol is at most 6 characters; other message ids leave action unset', () => {
    const e = ev(`${HDR} pri=4 c=16 m=1198 msg="x" src=10.0.0.1:1:X0 dst=10.0.0.2:2:X1 proto=icmpv6long`);
    sonicWallDecoder(e, 0);
    expect(e.protocol).toBe('icmpv6');
    expect(e.action).toBeNull();
    expect(e.status).toBe('4');
    expect(e.category).toBe('syslog');
  });

  test('literals match case-insensitively', () => {
    const e = ev(`${HDR} PRI=3 C=4 M=38 SRC=10.0.0.1:1:X0 DST=10.0.0.2:2:X1`);
    sonicWallDecoder(e, 0);
    expect(staticOf(e)).toEqual({ ...NONE, status: '3', id: '38', srcip: '10.0.0.1', srcport: '1', dstip: '10.0.0.2', dstport: '2', action: 'drop' });
  });

  test('without addresses only status and id are set', () => {
    const e = ev(`${HDR} pri=6 c=1024 m=98 msg="Connection Opened" n=1 src=fe80::1:80:LAN dst=fe80::2:81:WAN`);
    sonicWallDecoder(e, 0);
    expect(staticOf(e)).toEqual({ ...NONE, status: '6', id: '98' });
    expect(e.category).toBe('syslog');
  });

  test('non-SonicWall text sets nothing and never throws', () => {
    for (const line of ['', 'pri=', 'pri=10 c=1 m=2 ', 'src=1.2.3.4:5:x dst=1.2.3.4:5:', `pri=1 c=1 m=1 ${'src='.repeat(50000)}`]) {
      const e = ev(line);
      expect(() => sonicWallDecoder(e, 0)).not.toThrow();
      expect(e.srcip).toBeNull();
    }
  });
});
