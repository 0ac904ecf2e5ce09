import * as fs from 'fs';
import * as path from 'path';
import { RulesetError } from '../../../otel-processor/src/engine/ruleset/errors';
import { catchRulesetError } from '../../support/errors';
import { parseXml, parseXmlDocument, XmlElement } from '../../../otel-processor/src/engine/ruleset/xml';

const catchError = catchRulesetError;

function xmlError(text: string, file = 'rules/t.xml'): RulesetError {
  return catchError(() => parseXml(text, file));
}

describe('RulesetError', () => {
  test('renders file:line: <element>: detail', () => {
    const e = new RulesetError('rules/a.xml', 42, 'rule', 'boom');
    expect(e.message).toBe('rules/a.xml:42: <rule>: boom');
    expect(String(e)).toBe('rules/a.xml:42: <rule>: boom');
    expect([e.file, e.line, e.element, e.detail]).toEqual(['rules/a.xml', 42, 'rule', 'boom']);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('RulesetError');
  });
  test('omits an empty element and an unknown line', () => {
    expect(new RulesetError('t.ini', 3, '', 'bad').toString()).toBe('t.ini:3: bad');
    expect(new RulesetError('t.ini', 0, 'x', 'bad').toString()).toBe('t.ini: <x>: bad');
  });
});

describe('xml reader: structure', () => {
  test('several top-level elements, attributes, children, positions', () => {
    const els = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<decoder name="a">\n  <prematch>^foo</prematch>\n</decoder>\n' +
      "<decoder name='b' status=\"x\"><parent>a</parent></decoder>\n" +
      '<group name="g,">\n  <rule id="1" level="0">\n    <same_source_ip />\n    <x/>\n  </rule>\n</group>\n',
      'etc/decoder.xml',
    );
    expect(els.map((e) => e.name)).toEqual(['decoder', 'decoder', 'group']);
    expect(els[0].attributes).toEqual({ name: 'a' });
    expect(els[0]).toMatchObject({ line: 2, column: 1, file: 'etc/decoder.xml' });
    expect(els[0].children[0]).toMatchObject({ name: 'prematch', text: '^foo', line: 3, column: 3 });
    expect(els[1].attributes).toEqual({ name: 'b', status: 'x' });
    expect(Object.keys(els[1].attributes)).toEqual(['name', 'status']);
    const rule = els[2].children[0];
    expect(rule.attributes).toEqual({ id: '1', level: '0' });
    expect(rule.children.map((c) => [c.name, c.text, c.children.length, c.line])).toEqual([
      ['same_source_ip', '', 0, 8],
      ['x', '', 0, 9],
    ]);
  });

  test('text is raw: whitespace, newlines, entities, quotes kept', () => {
    const [el] = parseXml('<regex>  a\n\tb  &lt;c&gt; &amp; "q" \'s\'\n</regex>', 't.xml');
    expect(el.text).toBe('  a\n\tb  &lt;c&gt; &amp; "q" \'s\'\n');
    const [a] = parseXml('<x v="&lt;a&amp;b" w=\'say "hi"\' y="multi\nline"/>', 't.xml');
    expect(a.attributes).toEqual({ v: '&lt;a&amp;b', w: 'say "hi"', y: 'multi\nline' });
  });

  test('\\< is a literal < and keeps its backslash', () => {
    const [d] = parseXml('<decoder name="d"><pcre2>user=\\<(\\S+)\\>, x\\<y z</pcre2></decoder>', 't.xml');
    expect(d.children).toHaveLength(1);
    expect(d.children[0].text).toBe('user=\\<(\\S+)\\>, x\\<y z');
    // an escaped backslash before < still escapes (os_xml looks at the previous character only)
    const [e] = parseXml('<regex>a\\\\<b</regex>', 't.xml');
    expect(e.text).toBe('a\\\\<b');
    // but \<! still starts a comment, as in os_xml
    const [f] = parseXml('<regex>a\\<!-- c -->b</regex>', 't.xml');
    expect(f.text).toBe('a\\b');
  });

  test('comments: between elements, inside text, os_xml terminators', () => {
    const els = parseXml(
      '<!-- header <group name="not-parsed"> -->\n<a>x<!-- inner -->y</a>\n<!-- ends with bang !>\n<b>z</b><!---->',
      't.xml',
    );
    expect(els.map((e) => [e.name, e.text])).toEqual([['a', 'xy'], ['b', 'z']]);
  });

  test('mixed content keeps all direct text in order', () => {
    const [g] = parseXml('<g>a<c/>b<d>t</d>c</g>', 't.xml');
    expect(g.text).toBe('abc');
    expect(g.children.map((c) => c.name)).toEqual(['c', 'd']);
  });

  test('attribute spacing and closing tag with trailing whitespace', () => {
    const [r] = parseXml('<rule\n  id = "5"\n  level="3"  >t</rule  >', 't.xml');
    expect(r.attributes).toEqual({ id: '5', level: '3' });
    expect(r.text).toBe('t');
  });

  test('__proto__ attribute is stored as data', () => {
    const [r] = parseXml('<r __proto__="x" a="1"/>', 't.xml');
    expect(Object.keys(r.attributes)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(r.attributes, '__proto__')?.value).toBe('x');
  });

  test('byte order mark and CRLF', () => {
    const [a] = parseXml('\ufeff<a>\r\n x\r\n</a>\r\n<b/>', 't.xml');
    expect(a.text).toBe('\r\n x\r\n');
  });

  test('stray text outside elements: ignored with a warning (os_xml), or an error', () => {
    const text = '<a>1</a>\ntype=LOG line\n<b>2</b>';
    const doc = parseXmlDocument(text, 'etc/decoder.xml');
    expect(doc.elements.map((e) => e.name)).toEqual(['a', 'b']);
    expect(doc.warnings.map(String)).toEqual([
      'etc/decoder.xml:2: text outside of any element (after </a>): "type=LOG line"',
    ]);
    const e = catchError(() => parseXml(text, 'etc/decoder.xml', { strayText: 'error' }));
    expect(e.toString()).toBe('etc/decoder.xml:2: text outside of any element (after </a>): "type=LOG line"');
    expect(e.line).toBe(2);
    // os_xml: a \< in ignored text does not open a tag
    expect(parseXml('x \\<y>\n<a/>', 't.xml').map((el) => el.name)).toEqual(['a']);
  });
});

describe('xml reader: variables', () => {
  const vars = (body: string, file = 'rules/v.xml'): XmlElement[] => parseXml(body, file);

  test('$X replaced in later texts and attribute values', () => {
    const els = vars(
      '<var name="BAD_WORDS">core_dumped|failure| bad </var>\n<var name="FREQ">8</var>\n' +
      '<group name="g,"><rule id="1" level="2" frequency="$FREQ"><match>$BAD_WORDS</match></rule></group>',
    );
    const rule = els[2].children[0];
    expect(rule.attributes.frequency).toBe('8');
    expect(rule.children[0].text).toBe('core_dumped|failure| bad ');
    expect(els[0]).toMatchObject({ name: 'var', text: 'core_dumped|failure| bad ' });
  });

  test('names end at $ . | , space and the end; others (newline, ")") do not', () => {
    const pre = '<var name="A">x</var><var name="B">y</var>';
    const text = (t: string): string => vars(`${pre}<m>${t}</m>`)[2].text;
    expect(text('$A|$B')).toBe('x|y');
    expect(text('$A.$B,$A $B')).toBe('x.y,x y');
    expect(text('$A$B')).toBe('xy');
    expect(text('^abc$|^d$')).toBe('^abc$|^d$');
    expect(text('end$')).toBe('end$');
    expect(text('$$A')).toBe('$x');
    expect(catchError(() => text('$A-x')).detail).toContain('unknown variable $A-x'); // '-' does not end a name
    // `$` before anything but a letter or `_` is text: regex `$)`, Wazuh's `$(field)` placeholders
    expect(text('(a$)')).toBe('(a$)');
    expect(text('user $(srcuser)')).toBe('user $(srcuser)');
    const e = catchError(() => vars(`${pre}\n<m>(a$Z)</m>`));
    expect(e.toString()).toBe('rules/v.xml:2: <m>: unknown variable $Z) in text (defined variables must come before their use)');
    const nl = catchError(() => vars(`${pre}<m>$A\nmore</m>`));
    expect(nl.detail).toContain('unknown variable $A\nmore');
  });

  test('case-insensitive names, first definition wins, replacement not rescanned', () => {
    const els = vars('<var name="Foo">1</var><var name="FOO">2</var><var name="R">$FOO</var><m>$foo $r</m>');
    expect(els[3].text).toBe('1 $FOO');
  });

  test('unknown variable is an error, also with no variables defined and in attributes', () => {
    const e = catchError(() => vars('<group name="g">\n  <rule id="1" frequency="$NOPE"/>\n</group>'));
    expect(e.toString()).toBe("rules/v.xml:2: <rule>: unknown variable $NOPE in attribute 'frequency' (defined variables must come before their use)");
    expect([e.file, e.line, e.element]).toEqual(['rules/v.xml', 2, 'rule']);
  });

  test('use before definition is an error', () => {
    const e = catchError(() => vars('<m>$X and</m>\n<var name="X">1</var>'));
    expect([e.line, e.element]).toEqual([1, 'm']);
  });

  test('values of two characters or fewer are not scanned', () => {
    expect(vars('<m>$X</m><n a="$Y"/>').map((e) => [e.text, e.attributes])).toEqual([
      ['$X', {}],
      ['', { a: '$Y' }],
    ]);
  });

  test('variables: false leaves $X alone but still lists the definitions', () => {
    const doc = parseXmlDocument('<var name="X">1</var><m>$X $Y</m>', 'etc/ossec.conf', { variables: false });
    expect(doc.elements[1].text).toBe('$X $Y');
    expect(doc.variables).toEqual([{ name: 'X', value: '1', line: 1 }]);
  });

  test('malformed variables', () => {
    let e = catchError(() => vars('\n<var>1</var>'));
    expect(e.toString()).toBe('rules/v.xml:2: <var>: variable has no name attribute');
    e = catchError(() => vars('<var id="x" name="y">1</var>'));
    expect(e.toString()).toBe(`rules/v.xml:1: <var>: only "name" is allowed as an attribute of a variable (found 'id')`);
    e = catchError(() => vars(`<m>abc $${'N'.repeat(256)}</m>`));
    expect(e.detail).toContain('longer than 255');
  });
});

describe('xml reader: errors name file, line and element', () => {
  test('mismatched closing tag', () => {
    const text = '<group name="g,">\n' + '\n'.repeat(38) + '<rule id="1" level="2">\n  <match>x</match>\n</group>\n';
    const e = xmlError(text, 'rules/sshd_rules.xml');
    expect(e.toString()).toBe('rules/sshd_rules.xml:42: <rule>: closing tag </group> does not match <rule> opened at line 40');
    expect([e.file, e.line, e.element]).toEqual(['rules/sshd_rules.xml', 42, 'rule']);
  });

  test('unclosed element at end of file', () => {
    const e = xmlError('<group name="g">\n  <rule id="1">\n    <match>x</match>\n  </rule>\n');
    expect(e.toString()).toBe('rules/t.xml:1: <group>: element <group> opened at line 1 is not closed (end of file reached)');
    const inner = xmlError('<group>\n <rule id="1">\n <match>x');
    expect([inner.line, inner.element]).toEqual([3, 'match']);
  });

  test('closing tag without opening tag', () => {
    const e = xmlError('<a/>\n</group>');
    expect(e.toString()).toBe('rules/t.xml:2: <group>: closing tag </group> has no matching opening tag');
  });

  test('unterminated closing tag', () => {
    const e = xmlError('<a>\n<b>x</b\n</a>');
    expect([e.line, e.element]).toEqual([2, 'b']);
    expect(e.detail).toBe("closing tag </b is not terminated by '>'");
  });

  test('unterminated opening tag', () => {
    let e = xmlError('<group name="g">\n  <rule id="1"\n');
    expect(e.toString()).toBe("rules/t.xml:2: <rule>: tag <rule> is not terminated by '>' (end of file reached)");
    e = xmlError('<a>\n<rule<b>');
    expect([e.line, e.element]).toEqual([2, 'rule']);
  });

  test('empty element name', () => {
    const e = xmlError('<a>\n  < b>\n</a>');
    expect(e.toString()).toBe("rules/t.xml:2: <a>: empty element name after '<' (write \\< for a literal '<')");
  });

  test('bad attributes', () => {
    const cases: [string, number, string, string][] = [
      ['<rule\n id>', 2, 'rule', "attribute 'id' has no value"],
      ['<rule id level="1">', 1, 'rule', "attribute 'id' has no value"],
      ['<rule id=1>', 1, 'rule', `value of attribute 'id' is not quoted with " or '`],
      ['<rule\n\n id="1>\n</rule>', 3, 'rule', "value of attribute 'id' contains '>' (missing closing quote?)"],
      ['<rule id="1', 1, 'rule', "value of attribute 'id' is not terminated"],
      ['<rule id="1" level="2"\n id="3">', 2, 'rule', "duplicate attribute 'id'"],
      ['<rule id="1"level="2">', 1, 'rule', "expected whitespace, '>' or '/>' after attribute 'id'"],
      ['<rule id="1" / >', 1, 'rule', "expected '>' after '/' in tag"],
      ['<rule "x">', 1, 'rule', `unexpected character '"' in tag <rule>`],
    ];
    for (const [text, line, element, detail] of cases) {
      const e = xmlError(text);
      expect([text, e.file, e.line, e.element, e.detail]).toEqual([text, 'rules/t.xml', line, element, detail]);
    }
  });

  test('unterminated comment', () => {
    let e = xmlError('<a/>\n<!-- never closed\n<b/>');
    expect(e.toString()).toBe('rules/t.xml:2: comment is not closed (no --> before end of file)');
    e = xmlError('<group>\n  <rule>\n  <!-- oops\n</group>');
    expect(e.toString()).toBe('rules/t.xml:3: <rule>: comment is not closed (no --> before end of file)');
  });

  test('declarations', () => {
    let e = xmlError('<?xml version="1.0"\n<a/>');
    expect(e.toString()).toBe('rules/t.xml:1: XML declaration <? is not closed (no ?>)');
    e = xmlError('<a>\n x <?pi?></a>');
    expect([e.line, e.element]).toEqual([2, 'a']);
  });
});

// ---- the stock OSSEC 4.2.0 ruleset ------------------------------------------------------

const OSSEC = path.resolve(__dirname, '../../../../shared/ossec-4.2.0');
const haveShared = fs.existsSync(OSSEC);
const describeShared = haveShared ? describe : describe.skip;
if (!haveShared) {
  console.warn(`skipping stock-ruleset XML tests: ${OSSEC} not found`);
}

function find(els: XmlElement[], pred: (e: XmlElement) => boolean): XmlElement | undefined {
  for (const e of els) {
    if (pred(e)) return e;
    const f = find(e.children, pred);
    if (f) return f;
  }
  return undefined;
}

describeShared('xml reader on the stock OSSEC 4.2.0 ruleset', () => {
  const files = haveShared
    ? ['etc/decoder.xml', ...fs.readdirSync(path.join(OSSEC, 'rules')).filter((f) => f.endsWith('.xml')).sort().map((f) => `rules/${f}`)]
    : [];
  const texts = new Map(files.map((f) => [f, fs.readFileSync(path.join(OSSEC, f), 'utf8')]));
  const load = (f: string) => parseXmlDocument(texts.get(f) as string, f);

  test('every file parses, quickly', () => {
    expect(files.length).toBeGreaterThan(80);
    const t0 = performance.now();
    let blocks = 0;
    for (const f of files) blocks += load(f).elements.length;
    const ms = performance.now() - t0;
    expect(blocks).toBeGreaterThan(400);
    expect(ms).toBeLessThan(1000);
  });

  test('decoder.xml: top-level decoders, stray sample lines only warned about', () => {
    const doc = load('etc/decoder.xml');
    const names = new Set(doc.elements.map((e) => e.name));
    expect([...names]).toEqual(['decoder']);
    expect(doc.elements.length).toBeGreaterThan(300);
    expect(doc.warnings.length).toBeGreaterThan(0);
    for (const w of doc.warnings) expect(w.detail).toMatch(/^text outside of any element .*"type=/);
    // \< kept verbatim; $ followed by | or end of text is not a variable
    const dovecot = find(doc.elements, (e) => e.name === 'pcre2' && e.text.includes('user=\\<(\\S+)\\>, method=\\S+, rip=(\\S+), lip=(\\S+), mpid'));
    expect(dovecot?.text).toBe('^user=\\<(\\S+)\\>, method=\\S+, rip=(\\S+), lip=(\\S+), mpid=\\S+, (\\S*?)$');
    expect(dovecot?.attributes).toEqual({ offset: 'after_prematch' });
    const su = find(doc.elements, (e) => e.name === 'pcre2' && e.text.startsWith('^\\S \\S+ (\\S+)[()*+,.:;'));
    expect(su?.text).toBe('^\\S \\S+ (\\S+)[()*+,.:;\\<=>?\\[\\]!"\'#%&$|{}-](\\S+)$|^(\\S+) to (\\S+) on ');
  });

  test('rule files: groups and vars at top level; whitespace in texts kept', () => {
    const apache = load('rules/apache_rules.xml').elements;
    expect(apache.every((e) => e.name === 'group')).toBe(true);
    const err = find(apache, (e) => e.name === 'pcre2' && e.line === 28);
    expect(err?.text).toBe('^\\[error\\] '); // trailing space is part of the pattern
    const desc = find(apache, (e) => e.name === 'description' && e.line === 118);
    expect(desc?.text).toBe('Multiple Invalid URI requests from ');
    const apparmor = find(load('rules/apparmor_rules.xml').elements, (e) => e.name === 'pcre2' && e.line === 19);
    expect(apparmor?.text).toBe(' apparmor=');
  });

  test('$VAR substitution in texts and attributes', () => {
    const syslog = load('rules/syslog_rules.xml');
    expect(syslog.variables.map((v) => [v.name, v.line])).toEqual([['BAD_WORDS', 21]]);
    const r1002 = find(syslog.elements, (e) => e.name === 'rule' && e.attributes.id === '1002');
    expect(r1002?.children.find((c) => c.name === 'pcre2')?.text).toBe(syslog.variables[0].value);
    expect(syslog.variables[0].value).toBe('core_dumped|failure|error|attack| bad |illegal |denied|refused|unauthorized|fatal|failed|Segmentation Fault|Corrupted');

    const ids = load('rules/ids_rules.xml').elements;
    const r20152 = find(ids, (e) => e.name === 'rule' && e.attributes.id === '20152');
    expect(r20152?.attributes).toMatchObject({ level: '10', frequency: '8', timeframe: '120', ignore: '90' });

    const mcafee = load('rules/mcafee_av_rules.xml').elements;
    const info = find(mcafee, (e) => e.name === 'id_pcre2' && e.line === 30);
    expect(info?.text).toBe('^257$|^5000$|^5026$|^5052$|^5055$');
    const r7550 = find(mcafee, (e) => e.name === 'rule' && e.attributes.id === '7550');
    expect(r7550?.attributes.frequency).toBe('10');
    // no $NAME survives anywhere in the stock rules
    for (const f of files) {
      const leftover = find(load(f).elements, (e) => e.name !== 'var' && /\$[A-Z_]{2,}/.test(e.text + Object.values(e.attributes).join(' ')));
      expect([f, leftover?.name]).toEqual([f, undefined]);
    }
  });
});
