// Micro-benchmark of the pattern dialects. Build first: npm run build
import { requireDist } from './dist.mjs';

const P = requireDist('bench/patterns', 'engine/patterns/index.js');
P.enableLinearRegexpFallback();

const line = 'Oct 15 21:07:00 linux-server sshd[29205]: Failed password for invalid user admin from 192.168.2.190 port 34292 ssh2';
const cases = [
  ['osregex prematch ^sshd[', P.compileOsRegex('^sshd['), 'sshd[29205]: Failed password'],
  ['osregex decoder regex', P.compileOsRegex('^Failed \\S+ for invalid user (\\S+) from (\\S+) port (\\d+)'), 'Failed password for invalid user admin from 192.168.2.190 port 34292 ssh2'],
  ['osregex unanchored miss', P.compileOsRegex('user (\\S+) logged out'), line],
  ['osregex unanchored hit', P.compileOsRegex('invalid user (\\S+) from (\\S+)'), line],
  ['osmatch substring', P.compileOsMatch('Failed password|authentication failure'), line],
  ['pcre2 regex', P.compilePcre2('Failed \\S+ for invalid user (\\S+) from (\\S+) port (\\d+)', { caseless: false }), line],
  ['pcre2 fast path ^sshd', P.compilePcre2('^sshd', { caseless: false }), 'sshd'],
];
for (const [name, re, s] of cases) {
  const N = 1_000_000;
  for (let i = 0; i < 50_000; i++) re.exec(s);
  const t0 = process.hrtime.bigint();
  let hits = 0;
  for (let i = 0; i < N; i++) if (re.exec(s)) hits++;
  const ns = Number(process.hrtime.bigint() - t0) / N;
  console.log(`${name.padEnd(28)} ${(1e3 / ns).toFixed(2).padStart(7)} M exec/s  (${ns.toFixed(0)} ns, hit=${hits > 0})`);
}
