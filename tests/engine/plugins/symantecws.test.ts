import { PLUGIN_DECODERS, symantecWsDecoder } from '../../../otel-processor/src/engine/decode/plugins';
import { ev, NONE, staticOf } from './helpers';

describe('SymantecWS_Decoder', () => {
  test('is registered', () => {
    expect(PLUGIN_DECODERS.SymantecWS_Decoder).toBe(symantecWsDecoder);
  });

  test('login success: id keeps the 3=/2= pair the rules match', () => {
    const e = ev('20070717,73613,1=5,11=10.1.1.3,10=userc,3=1,2=1');
    symantecWsDecoder(e, 0);
    expect(staticOf(e)).toEqual({ ...NONE, srcip: '10.1.1.3', dstuser: 'userc', id: '3=1,2=1' });
  });

  test('login failed', () => {
    const e = ev('20070717,73559,1=5,11=2.3.4.5,10=userb,3=2,2=1');
    symantecWsDecoder(e, 0);
    expect(staticOf(e)).toEqual({ ...NONE, srcip: '2.3.4.5', dstuser: 'userb', id: '3=2,2=1' });
  });

  test('web access with url', () => {
    const e = ev('20070717,73614,1=5,11=1.2.3.4,1106=News,60=http://news.bbc.co.uk/,10=userX,1000=212.58.240.42,2=27');
    symantecWsDecoder(e, 0);
    expect(staticOf(e)).toEqual({ ...NONE, srcip: '1.2.3.4', url: 'http://news.bbc.co.uk/', dstuser: 'userX', id: '2=27' });
  });

  test('logoff: user from 10=, id spans two entries', () => {
    const e = ev('20070717,73556,1=5,100=Logoff due to timeout.,11=1.2.3.4,10=usera,3=1,2=2');
    symantecWsDecoder(e, 0);
    expect(staticOf(e)).toEqual({ ...NONE, srcip: '1.2.3.4', dstuser: 'usera', id: '3=1,2=2' });
  });

  test('id copies 9 characters; entries inside them are not parsed', () => {
    const d = ev('20070717,30517,1=3,41=SWS-3.0.1.86/vendor-config,100=Version 3.0.6,3=7,2=29');
    symantecWsDecoder(d, 0);
    expect(staticOf(d)).toEqual({ ...NONE, id: '3=7,2=29' });

    const e = ev('20070717,30517,1=3,3=7,2=29,10=admin');
    symantecWsDecoder(e, 0);
    expect(e.id).toBe('3=7,2=29,');
    expect(e.dstuser).toBeNull();

    const f = ev('20070717,30517,2=27,3=1,10=skipped');
    symantecWsDecoder(f, 0);
    expect(f.id).toBe('2=27,3=1,');
    expect(f.dstuser).toBeNull();
  });

  test('first value wins; long values are cut', () => {
    const e = ev(`20070717,1,11=9.9.9.9,11=8.8.8.8,10=${'u'.repeat(200)},60=${'p'.repeat(2000)}`);
    symantecWsDecoder(e, 0);
    expect(e.srcip).toBe('9.9.9.9');
    expect(e.dstuser).toBe('u'.repeat(128));
    expect(e.url).toBe('p'.repeat(1024));
  });

  test('no comma or empty values', () => {
    const a = ev('20070717');
    symantecWsDecoder(a, 0);
    expect(staticOf(a)).toEqual(NONE);
    const b = ev('20070717,1,10=,11=');
    symantecWsDecoder(b, 0);
    expect(staticOf(b)).toEqual({ ...NONE, dstuser: '', srcip: '' });
  });
});
