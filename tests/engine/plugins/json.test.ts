import {
  applyJsonFields, createJsonDecoder, flattenObject, jsonDecoder, JsonObject, parseJsonLikeCJson, PLUGIN_DECODERS,
} from '../../../otel-processor/src/engine/decode/plugins';
import { ev, fieldsOf, NONE, staticOf } from './helpers';

function decode(line: string, dec = jsonDecoder, start = 0) {
  const e = ev(line);
  dec(e, start);
  return e;
}

const SURICATA = JSON.stringify({
  timestamp: '2016-05-02T17:46:48.515262+0000',
  flow_id: 1234,
  in_iface: 'eth0',
  event_type: 'alert',
  src_ip: '16.10.10.10',
  src_port: 5555,
  dest_ip: '16.10.10.11',
  dest_port: 80,
  proto: 'TCP',
  alert: {
    action: 'allowed', gid: 1, signature_id: 2019236, rev: 3,
    signature: 'ET WEB_SERVER Possible CVE-2014-6271 Attempt in HTTP Version Number',
    category: 'Attempted Administrator Privilege Gain', severity: 1,
  },
  payload: '21YW5kXBtgdW5zIGRlcHJY2F0QgYWI',
  payload_printable: 'this_is_an_example',
  stream: 0,
  host: 'suricata.com',
});

describe('JSON_Decoder', () => {
  test('is registered', () => {
    expect(PLUGIN_DECODERS.JSON_Decoder).toBe(jsonDecoder);
    expect(PLUGIN_DECODERS.toString).toBeUndefined();
  });

  test('Suricata alert: dotted keys, numbers as %i, strings as-is, no static fields', () => {
    const e = decode(SURICATA);
    expect(staticOf(e)).toEqual(NONE);
    expect(fieldsOf(e)).toEqual({
      timestamp: '2016-05-02T17:46:48.515262+0000',
      flow_id: '1234',
      in_iface: 'eth0',
      event_type: 'alert',
      src_ip: '16.10.10.10',
      src_port: '5555',
      dest_ip: '16.10.10.11',
      dest_port: '80',
      proto: 'TCP',
      'alert.action': 'allowed',
      'alert.gid': '1',
      'alert.signature_id': '2019236',
      'alert.rev': '3',
      'alert.signature': 'ET WEB_SERVER Possible CVE-2014-6271 Attempt in HTTP Version Number',
      'alert.category': 'Attempted Administrator Privilege Gain',
      'alert.severity': '1',
      payload: '21YW5kXBtgdW5zIGRlcHJY2F0QgYWI',
      payload_printable: 'this_is_an_example',
      stream: '0',
      host: 'suricata.com',
    });
    expect(e.getField('ALERT.SIGNATURE_ID')).toBe('2019236');
  });

  test('top-level static names fill static fields; nested ones stay dynamic', () => {
    const e = decode(JSON.stringify({
      srcip: '203.0.113.7', dstip: '10.0.0.1', srcport: 51000, dstport: 22, protocol: 'tcp',
      action: 'blocked', id: 4625, url: '/login', data: 'payload', status: 'failure',
      systemname: 'dc01', srcuser: 'alice', dstuser: 'administrator',
      user: { name: 'bob' }, data2: { srcip: '198.51.100.1' },
    }));
    expect(staticOf(e)).toEqual({
      srcip: '203.0.113.7', dstip: '10.0.0.1', srcport: '51000', dstport: '22', protocol: 'tcp',
      action: 'blocked', id: '4625', url: '/login', data: 'payload', status: 'failure',
      system_name: 'dc01', srcuser: 'alice', dstuser: 'administrator',
    });
    expect(fieldsOf(e)).toEqual({ 'user.name': 'bob', 'data2.srcip': '198.51.100.1' });
  });

  test('user / system_name / extra_data aliases', () => {
    const e = decode('{"user":"root","system_name":"web01","extra_data":"x"}');
    expect(e.dstuser).toBe('root');
    expect(e.system_name).toBe('web01');
    expect(e.data).toBe('x');
    expect(e.fields).toBeNull();
  });

  test('number, boolean and null conversions', () => {
    const e = decode('{"i":-17,"big":2147483647,"over":2147483648,"ms":1700000000123,"f":1.5,"neg0":-0,"exp":1e2,' +
      '"tiny":1e-7,"t":true,"fa":false,"n":null,"half":0.0078125}');
    expect(fieldsOf(e)).toEqual({
      i: '-17', big: '2147483647', over: '2147483648.000000', ms: '1700000000123.000000', f: '1.500000',
      neg0: '0', exp: '100', tiny: '0.000000', t: 'true', fa: 'false', half: '0.007812',
    });
  });

  test('json_null_field: discard (default), string, empty', () => {
    const line = '{"a":null,"b":{"c":null},"d":1}';
    expect(fieldsOf(decode(line))).toEqual({ d: '1' });
    expect(fieldsOf(decode(line, createJsonDecoder({ nullField: 'string' })))).toEqual({ a: 'null', 'b.c': 'null', d: '1' });
    expect(fieldsOf(decode(line, createJsonDecoder({ nullField: 'empty' })))).toEqual({ a: '', 'b.c': '', d: '1' });
    expect(decode('{"srcip":null}', createJsonDecoder({ nullField: 'string' })).srcip).toBe('null');
  });

  test('arrays as CSV (default)', () => {
    const e = decode('{"tags":["web","attack"],"ports":[80,443,8.5],"mixed":["a",true,false,null,1],' +
      '"nested":["x",["y"],{"z":1}],"objs":[{"a":1}],"empty":[],"tailobj":["a",{"b":2}],"srcip":["1.1.1.1","2.2.2.2"]}');
    expect(fieldsOf(e)).toEqual({
      tags: 'web,attack',
      ports: '80,443,8.500000',
      mixed: 'a,true,false,null,1',
      nested: 'x,', // skipped elements leave the comma of the element before them
      tailobj: 'a,',
    });
    expect(e.srcip).toBe('1.1.1.1,2.2.2.2');
  });

  test('CSV arrays reaching 64 KiB are dropped', () => {
    const big = JSON.stringify({ ok: ['a'.repeat(65000)], over: ['a'.repeat(60000), 'b'.repeat(6000)], utf: ['é'.repeat(33000)] });
    const e = decode(big);
    expect(fieldsOf(e)).toEqual({ ok: 'a'.repeat(65000) });
  });

  test('json_array_structure=array prints like cJSON_Print', () => {
    const dec = createJsonDecoder({ arrayStructure: 'array' });
    const e = decode('{"a":["x",1,1.5,true,null,"q\\"\\n\\u0001"],"b":[{"k":"v","n":[1,2]}],"c":[],"d":[{}],"e":[[1,[2]]]}', dec);
    expect(fieldsOf(e)).toEqual({
      a: '["x", 1, 1.5, true, null, "q\\"\\n\\u0001"]',
      b: '[{\n\t\t"k":\t"v",\n\t\t"n":\t[1, 2]\n\t}]',
      c: '[]',
      d: '[{\n\t}]',
      e: '[[1, [2]]]',
    });
  });

  test('document order and duplicate keys (dynamic: first wins, static: last wins)', () => {
    const e = decode('{"b":1,"2":2,"a":3,"b":4,"srcip":"1.1.1.1","srcip":"2.2.2.2"}');
    expect([...e.fields!.keys()]).toEqual(['b', '2', 'a']);
    expect(e.getField('b')).toBe('1');
    expect(e.srcip).toBe('2.2.2.2');
  });

  test('fields already set by a parent decoder are kept', () => {
    const e = ev('{"program":"json","k":"v"}');
    e.setField('program', 'parent');
    jsonDecoder(e, 0);
    expect(fieldsOf(e)).toEqual({ program: 'parent', k: 'v' });
  });

  test('dynamic fields are capped (decoder_order_size)', () => {
    const obj: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) obj[`k${i}`] = i;
    obj.srcip = '10.1.1.1';
    const e = decode(JSON.stringify(obj));
    expect(e.fields!.size).toBe(256);
    expect(e.getField('k255')).toBe('255');
    expect(e.getField('k256')).toBeNull();
    expect(e.srcip).toBe('10.1.1.1');
    expect(decode(JSON.stringify(obj), createJsonDecoder({ maxFields: 1000 })).fields!.size).toBe(300);
  });

  test('empty keys, odd names', () => {
    const e = decode('{"":"root","a":{"":"x","b.c":"y"},"sp ace":1}');
    expect(fieldsOf(e)).toEqual({ '': 'root', 'a.': 'x', 'a.b.c': 'y', 'sp ace': '1' });
  });

  test('offset: decode from the parent offset; text after the JSON value is ignored', () => {
    const line = 'ERAServer[5032]: {"event_type":"Threat_Event","ipv4":"192.168.1.3"} trailing text';
    const e = decode(line, jsonDecoder, line.indexOf('{'));
    expect(fieldsOf(e)).toEqual({ event_type: 'Threat_Event', ipv4: '192.168.1.3' });
    expect(decode(line).fields).toBeNull(); // from 0 it is not JSON
  });

  test('a NUL character ends the input (C string)', () => {
    expect(fieldsOf(decode('{"a":1}\0{"b":2'))).toEqual({ a: '1' });
  });

  test('whitespace, BOM, control bytes as whitespace', () => {
    expect(fieldsOf(decode('\uFEFF \t\r\n{ "a" :\x01 "b" \n}'))).toEqual({ a: 'b' });
  });

  test('string escapes as cJSON decodes them', () => {
    const e = decode('{"e":"caf\\u00e9 \\ud83d\\ude00 \\/ \\t","raw":"tab\there","nul":"ab\\u0000cd","bad":"x\\uZZZZy","k\\u0000ey":"v"}');
    expect(fieldsOf(e)).toEqual({ e: 'café 😀 / \t', raw: 'tab\there', nul: 'ab', bad: 'x', k: 'v' });
  });

  test('lenient numbers cJSON accepts', () => {
    expect(fieldsOf(decode('{"a":01,"b":1.,"c":-.5,"d":1E+2,"e":-0.0}'))).toEqual({ a: '1', b: '1', c: '-0.500000', d: '100', e: '0' });
    expect(fieldsOf(decode('{"inf":1e999}'))).toEqual({ inf: 'inf' });
  });

  test('non-object top level decodes nothing', () => {
    for (const line of ['["a","b"]', '"text"', '42', 'true', 'null']) {
      const e = decode(line);
      expect(e.fields).toBeNull();
      expect(staticOf(e)).toEqual(NONE);
    }
  });

  test('invalid JSON leaves the event undecoded', () => {
    const bad = [
      '', '   ', '{', '{"a":1', '{"a":1,', '{"srcip":"1.2.3.4","b":', '{"a":1,}', '{"a" 1}', "{'a':1}", '{a:1}',
      '{"a":[1,2}', '{"a":"unterminated}', '{"a":"x\\', '{"a":"\\x"}', '{"a":"\\udc00"}', '{"a":"\\ud800x"}',
      '{"a":"\\u12"}', '{"a":+1}', '{"a":.5}', '{"a":-}', '{"a":NaN}', '{"a":Infinity}', '{"a":tru}', '{"a":1 "b":2}',
      '{"srcip":"1.2.3.4","x":1.5.3}', '{"a":"b\0"}', '{"a":1\0}',
    ];
    for (const line of bad) {
      const e = decode(line);
      expect([line, e.fields]).toEqual([line, null]);
      expect(staticOf(e)).toEqual(NONE);
    }
  });

  test('nesting: 1000 levels decode, deeper is rejected like cJSON', () => {
    const nest = (n: number) => '{"a":'.repeat(n - 1) + '{"leaf":1}' + '}'.repeat(n);
    const ok = decode(nest(1000));
    expect(ok.fields!.size).toBe(1);
    expect([...ok.fields!.keys()][0]).toBe('a.'.repeat(999) + 'leaf');
    expect(decode(nest(1001)).fields).toBeNull();
    expect(decode('['.repeat(1000) + ']'.repeat(1000)).fields).toBeNull();
    expect(parseJsonLikeCJson('['.repeat(1000) + ']'.repeat(1000))).toBeDefined();
    expect(parseJsonLikeCJson('['.repeat(1001) + ']'.repeat(1001))).toBeUndefined();
  });

  test('10,000 levels deep: no throw, no hang, undecoded', () => {
    const t0 = Date.now();
    const objs = '{"a":'.repeat(10000) + '1' + '}'.repeat(10000);
    const arrs = '{"a":' + '['.repeat(10000) + ']'.repeat(10000) + '}';
    const open = '{"a":'.repeat(10000);
    for (const line of [objs, arrs, open]) {
      const e = ev(line);
      expect(() => jsonDecoder(e, 0)).not.toThrow();
      expect(e.fields).toBeNull();
    }
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  test('5 MB lines: one huge value, many keys, truncated', () => {
    const t0 = Date.now();
    const hugeValue = '{"srcip":"10.0.0.1","blob":"' + 'A'.repeat(5 * 1024 * 1024) + '"}';
    const e1 = decode(hugeValue);
    expect(e1.srcip).toBe('10.0.0.1');
    expect(e1.getField('blob')!.length).toBe(5 * 1024 * 1024);

    const parts: string[] = [];
    for (let i = 0, len = 0; len < 5 * 1024 * 1024; i++) {
      const p = `"key_${i}":{"n":${i},"s":"v${i}\\n","l":[1,"x",null]}`;
      parts.push(p);
      len += p.length + 1;
    }
    const manyKeys = '{' + parts.join(',') + '}';
    const e2 = decode(manyKeys);
    expect(e2.fields!.size).toBe(256);
    expect(e2.getField('key_0.s')).toBe('v0\n');

    const e3 = decode(manyKeys.slice(0, manyKeys.length - 3));
    expect(e3.fields).toBeNull();

    const escapes = '{"e":"' + '\\u00e9\\n'.repeat(500000) + '"}';
    expect(decode(escapes).getField('e')!.length).toBe(1000000);
    expect(Date.now() - t0).toBeLessThan(10000);
  });

  test('random mutations of valid JSON never throw', () => {
    let seed = 12345;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    const alphabet = '{}[]":,.-+eE0123456789 \\untrfalsx\u00e9\0';
    for (let i = 0; i < 3000; i++) {
      const chars = SURICATA.split('');
      for (let k = 0; k < 1 + rnd(5); k++) {
        const pos = rnd(chars.length);
        const op = rnd(3);
        if (op === 0) chars.splice(pos, 1);
        else if (op === 1) chars.splice(pos, 0, alphabet[rnd(alphabet.length)]);
        else chars[pos] = alphabet[rnd(alphabet.length)];
      }
      const e = ev(chars.join(''));
      expect(() => jsonDecoder(e, 0)).not.toThrow();
    }
  });
});

describe('flattenObject', () => {
  test('flattens parsed objects like the decoder', () => {
    expect(flattenObject({ a: { b: { c: 'x' } }, n: 2.25, i: 7, t: false, z: null, arr: ['p', 3] })).toEqual([
      ['a.b.c', 'x'], ['n', '2.250000'], ['i', '7'], ['t', 'false'], ['arr', 'p,3'],
    ]);
    expect(flattenObject({ z: null, arr: [1, { x: 1 }] }, { nullField: 'string', arrayStructure: 'array' })).toEqual([
      ['z', 'null'], ['arr', '[1, {\n\t\t"x":\t1\n\t}]'],
    ]);
  });

  test('OpenTelemetry-style map bodies: Map, bigint, Date, undefined', () => {
    const body = new Map<string, unknown>([
      ['http', { method: 'GET', status_code: 404 }],
      ['bytes', 12345678901234567890n],
      ['when', new Date(Date.UTC(2024, 0, 2, 3, 4, 5))],
      ['missing', undefined],
      ['attrs', new Map([['k', 'v']])],
    ]);
    expect(flattenObject(body)).toEqual([
      ['http.method', 'GET'], ['http.status_code', '404'], ['bytes', '12345678901234567890'],
      ['when', '2024-01-02T03:04:05.000Z'], ['attrs.k', 'v'],
    ]);
  });

  test('non-objects give no pairs', () => {
    for (const v of [null, undefined, 'x', 1, true, [1, 2]]) expect(flattenObject(v)).toEqual([]);
  });

  test('JsonObject keeps order; pairs apply to an event like the decoder', () => {
    const root = parseJsonLikeCJson('{"b":1,"1":2,"srcuser":"eve"}');
    expect(root).toBeInstanceOf(JsonObject);
    const pairs = flattenObject(root);
    expect(pairs).toEqual([['b', '1'], ['1', '2'], ['srcuser', 'eve']]);
    const e = ev('');
    applyJsonFields(e, pairs);
    expect(e.srcuser).toBe('eve');
    expect(fieldsOf(e)).toEqual({ b: '1', 1: '2' });
  });

  test('cycles, 10,000-deep objects and maxPairs do not throw or hang', () => {
    const cyc: Record<string, unknown> = { name: 'n' };
    cyc.self = cyc;
    cyc.other = { back: cyc, v: 1 };
    expect(flattenObject(cyc)).toEqual([['name', 'n'], ['other.v', '1']]);

    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 10000; i++) deep = { d: deep };
    expect(() => flattenObject(deep)).not.toThrow();
    expect(flattenObject(deep)).toEqual([]);
    expect(flattenObject(deep, { maxDepth: 20000 })).toEqual([]); // clamped to 1000
    let shallow: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 998; i++) shallow = { d: shallow };
    expect(flattenObject(shallow)).toEqual([['d.'.repeat(998) + 'leaf', '1']]);
    expect(flattenObject(shallow, { maxDepth: 10 })).toEqual([]);

    const wide: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) wide[`k${i}`] = i;
    expect(flattenObject(wide, { maxPairs: 10 }).length).toBe(10);
  });
});
