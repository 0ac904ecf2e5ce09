// Long adversarial lines through PCRE2 patterns that V8's backtracking engine handles badly:
// the sequence matcher (what Pcre2Pattern runs from 2 KB on) against the same translation on V8
// (its linear engine taking over after 1,000 backtracks). Per pattern and line length: matcher
// steps, CPU nanoseconds a character for each, and the 64 KB / 8 KB growth. Build first.
// Usage: node bench/long-lines.mjs [--window-ms 300]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { option, requireDist, root } from './dist.mjs';

const P = requireDist('bench/long-lines', 'engine/patterns/index.js');
const { compileSequence, sequenceSteps } = requireDist('bench/long-lines', 'engine/patterns/sequence.js');
P.enableLinearRegexpFallback();
const windowMs = Number(option(process.argv.slice(2), 'window-ms', '300'));

// our rule 31104's url_pcre2, from the rules
const webRules = fs.readFileSync(path.join(root, 'rules', 'rules', '0300-web_rules.xml'), 'utf8');
const rule31104 = /<rule id="31104"[\s\S]*?<url_pcre2>([^<]*)<\/url_pcre2>/.exec(webRules)[1]
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
// [name, pattern, caseless, unit the line repeats]
const cases = [
  ['wazuh f5 decoder', String.raw`(?:(Illegal)\s([^\|]+)\|){2}`, false, ':Illegal ||2'],
  ['wazuh ACTION', String.raw`(?mUs)ACTION :(.*)(?:^[A-Z\s]+:)`, false, String.raw`(?mUs)ACTION :(.*)(?:^[A-Z\s]+:)`],
  ['wazuh ACTION, newlines', String.raw`(?mUs)ACTION :(.*)(?:^[A-Z\s]+:)`, false, 'ACTION :\n1'],
  ['wazuh ^(?!^$|^-$)', String.raw`^(?!^$|^-$).*`, false, '|'],
  ['wazuh base64 /d', String.raw`(?i)add.+\/d\s+(")?(?:[A-Za-z\d+\/]{4})*(?:[A-Za-z\d+\/]{3}=|[A-Za-z\d+\/]{2}==)?`, false, String.raw`(?i)add.+\/d`],
  ['wazuh powershell \\b', String.raw`(?i)powershell\.exe.+\-\b(encodedcommand|e|ea|ec|encodeda|encode|en|enco)\b`, false, 'ipowershell.exe-encodedcommandeeaecencodedaencodeenenco'],
  ['wazuh ^(?=.*a)(?=.*x)', String.raw`^(?=.*a)(?=.*x)`, false, '()'],
  ['rules/ 31104 on |', rule31104, true, '|'],
  ['rules/ 31104 on cmd=', rule31104, true, 'cmd='],
  ['rules/ 31104 on %20', rule31104, true, '%20'],
];

function lineOf(unit, length) {
  const s = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  /$/.test(s); // flatten
  return s;
}

/** CPU nanoseconds a character of `run(line)`, over calls filling the window. */
function nsPerChar(run, line) {
  for (let i = 0; i < 3; i++) run(` ${line}`.slice(1));
  const c0 = process.cpuUsage();
  let calls = 0;
  let ms = 0;
  do {
    run(` ${line}`.slice(1)); // a fresh string: V8 may cache a (RegExp, string) answer
    calls++;
    const c = process.cpuUsage(c0);
    ms = (c.user + c.system) / 1000;
  } while (ms < windowMs);
  return (ms * 1e6) / calls / line.length;
}

const rows = [];
for (const [name, source, caseless, unit] of cases) {
  const pattern = P.compilePcre2(source, { caseless });
  const exact = pattern.reExact !== undefined && unit.includes('\n');
  const jsSource = exact ? pattern.reExact.source : pattern.jsSource;
  if (compileSequence(jsSource) === null) {
    rows.push({ name, note: 'outside the sequence matcher' });
    continue;
  }
  const v8 = new RegExp(jsSource, 'g');
  const viaV8 = (s) => {
    v8.lastIndex = 0;
    return v8.exec(s);
  };
  const viaMatcher = (s) => pattern.exec(s);
  const row = { name };
  for (const kb of [8, 64]) {
    const line = lineOf(unit, kb * 1024);
    const before = sequenceSteps();
    viaMatcher(line);
    row[`steps ${kb}K`] = sequenceSteps() - before;
    row[`matcher ns/char ${kb}K`] = Number(nsPerChar(viaMatcher, line).toFixed(1));
    row[`V8 ns/char ${kb}K`] = Number(nsPerChar(viaV8, line).toFixed(1));
  }
  row['steps 64K/8K'] = Number((row['steps 64K'] / row['steps 8K']).toFixed(2));
  row['matcher time 64K/8K'] = Number(((8 * row['matcher ns/char 64K']) / row['matcher ns/char 8K']).toFixed(1));
  row['V8 time 64K/8K'] = Number(((8 * row['V8 ns/char 64K']) / row['V8 ns/char 8K']).toFixed(1));
  rows.push(row);
}
console.table(rows);
