import { engineFor, ev } from './helpers';

const DECODERS = `
<decoder name="sshd">
  <program_name>^sshd</program_name>
</decoder>
<decoder name="sshd-failed">
  <parent>sshd</parent>
  <prematch>^Failed \\S+ </prematch>
  <regex offset="after_prematch">^for (\\S+) from (\\S+) port (\\d+)</regex>
  <order>user, srcip, srcport</order>
</decoder>
<decoder name="sshd-invalid">
  <parent>sshd</parent>
  <use_own_name>true</use_own_name>
  <prematch>^Invalid user </prematch>
  <regex offset="after_prematch">^(\\S+) from (\\S+)</regex>
  <order>srcuser, srcip</order>
</decoder>

<decoder name="kv">
  <prematch>^kv: </prematch>
</decoder>
<decoder name="kv-fields">
  <parent>kv</parent>
  <regex offset="after_parent">a=(\\w+)</regex>
  <order>action</order>
</decoder>
<decoder name="kv-fields">
  <parent>kv</parent>
  <regex offset="after_regex">b=(\\w+)</regex>
  <order>status</order>
</decoder>
<decoder name="kv-fields">
  <parent>kv</parent>
  <regex>c=(\\w+)</regex>
  <order>audit.key</order>
</decoder>

<decoder name="web">
  <prematch_pcre2>^\\d+\\.\\d+\\.\\d+\\.\\d+ - </prematch_pcre2>
  <pcre2>^(\\S+) - \\S+ \\[[^\\]]+\\] "(\\w+) (\\S+)[^"]*" (\\d+) </pcre2>
  <order>srcip, action, url, id</order>
  <type>web-log</type>
</decoder>
`;

describe('phase 2: decoding', () => {
  const engine = engineFor(DECODERS, '<group name="x,"><rule id="100" level="3"><decoded_as>sshd</decoded_as><description>x</description></rule></group>');

  test('parent selected by program name, child by prematch, regex after prematch', () => {
    const e = ev('Dec 10 07:51:15 host sshd[123]: Failed password for root from 10.0.0.1 port 22 ssh2');
    engine.process(e);
    expect(e.decoderName).toBe('sshd'); // children report the parent's name
    expect(e.dstuser).toBe('root');
    expect(e.srcip).toBe('10.0.0.1');
    expect(e.srcport).toBe('22');
  });

  test('use_own_name reports the child', () => {
    const e = ev('Dec 10 07:51:15 host sshd[123]: Invalid user bob from 10.0.0.2');
    engine.process(e);
    expect(e.decoderName).toBe('sshd-invalid');
    expect(e.srcuser).toBe('bob');
  });

  test('no child matches: the event keeps the parent decoder and no fields', () => {
    const e = ev('Dec 10 07:51:15 host sshd[123]: Connection closed by 10.0.0.3');
    engine.process(e);
    expect(e.decoderName).toBe('sshd');
    expect(e.srcip).toBeNull();
  });

  test('same-name siblings chain their regexes; a failing link is skipped', () => {
    const e = ev('kv: a=open b=ok c=k1');
    engine.process(e);
    expect(e.decoderName).toBe('kv');
    expect(e.action).toBe('open');
    expect(e.status).toBe('ok');
    expect(e.getField('audit.key')).toBe('k1');
    const f = ev('kv: b=ok c=k2');
    engine.process(f);
    expect(f.action).toBeNull();
    expect(f.status).toBe('ok');
    expect(f.getField('audit.key')).toBe('k2');
  });

  test('a program-name event never tries decoders without program_name', () => {
    const e = ev('Dec 10 07:51:15 host other[1]: kv: a=open');
    engine.process(e);
    expect(e.decoderName).toBeNull();
  });

  test('pcre2 decoder with type sets the category', () => {
    const e = ev('10.1.2.3 - - [10/Oct/2000:13:55:36 -0700] "GET /index.html HTTP/1.0" 404 2326');
    engine.process(e);
    expect(e.decoderName).toBe('web');
    expect(e.category).toBe('web-log');
    expect([e.srcip, e.action, e.url, e.id]).toEqual(['10.1.2.3', 'GET', '/index.html', '404']);
  });
});
