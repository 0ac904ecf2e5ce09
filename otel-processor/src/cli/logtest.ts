/**
 * `warden logtest`: reads lines on stdin and prints OSSEC's three phases for each
 * (the ossec-logtest form), or one TSV row per line with `--format tsv`.
 */
import * as readline from 'node:readline';
import type { LogEvent, Verdict } from '../engine/engine';
import { runLine, TracedEvent, LOGTEST_FIELD_NAMES } from '../engine/run-line';
import { clockOption, lineEvent, newEngine, openRuleset, parseClock, parseDialect, DIALECT_OPTION, RULESET_OPTION } from './session';
import { parseCommand, stringOption, UsageError, type CommandSpec } from './args';
import { OSSEC_LOGTEST } from '../engine/correlate/state';

export const LOGTEST: CommandSpec = {
  usage: 'warden logtest [options] < lines.log',
  summary: 'Reads log lines on stdin and shows, for each, what ossec-logtest shows: pre-decoding,\ndecoding and the rule that matched; or one TSV row per line.',
  options: {
    ruleset: RULESET_OPTION,
    dialect: DIALECT_OPTION,
    format: { type: 'string', value: 'trace|tsv', description: 'trace: the three phases (default); tsv: one row per line\n(line_no, rule_id, level, decoder, alert, description)' },
    clock: clockOption('processing'),
    location: { type: 'string', value: 'NAME', description: 'the location field of every event (default: stdin)' },
  },
};

export function formatTrace(ev: TracedEvent, v: Verdict): string {
  let s = '\n\n**Phase 1: Completed pre-decoding.\n';
  s += `       full event: '${ev.fullLog}'\n`;
  s += `       hostname: '${ev.hostname}'\n`;
  s += `       program_name: '${ev.programName ?? '(null)'}'\n`;
  s += `       log: '${ev.log}'\n`;
  s += '\n**Phase 2: Completed decoding.\n';
  if (ev.decoderName === null) s += '       No decoder matched.\n';
  else {
    for (const [k, val] of ev.trace) s += `       ${LOGTEST_FIELD_NAMES[k] ?? k}: '${val}'\n`;
    s += `       decoder: '${ev.decoderName}'\n`;
  }
  if (v.rule) {
    s += '\n**Phase 3: Completed filtering (rules).\n';
    s += `       Rule id: '${v.rule.id}'\n`;
    s += `       Level: '${v.rule.level}'\n`;
    s += `       Description: '${v.rule.description}'\n`;
    if (v.alert) s += '**Alert to be generated.\n\n';
  }
  return s;
}

export const TSV_HEADER = 'line_no\trule_id\tlevel\tdecoder\talert\tdescription';

export function formatTsv(lineNo: number, ev: LogEvent, v: Verdict): string {
  const r = v.rule;
  const clean = (s: string) => s.replace(/[\t\n\r]/g, ' ');
  return `${lineNo}\t${r ? r.id : '-'}\t${r ? r.level : '-'}\t${ev.decoderName ?? '-'}\t${v.alert ? 1 : 0}\t${r ? clean(r.description) : '-'}`;
}

export async function logtestCommand(argv: string[]): Promise<number> {
  const args = parseCommand(LOGTEST, argv);
  if (args.positionals.length) throw new UsageError(`unexpected argument ${args.positionals[0]} (lines are read on stdin)\nusage: ${LOGTEST.usage}`);
  const format = stringOption(args, 'format') ?? 'trace';
  if (format !== 'trace' && format !== 'tsv') throw new UsageError('--format must be trace or tsv');
  const clock = parseClock(stringOption(args, 'clock'), 'processing');
  const location = stringOption(args, 'location') ?? 'stdin';
  const loaded = openRuleset(stringOption(args, 'ruleset'), parseDialect(stringOption(args, 'dialect')));
  const engine = newEngine(loaded, OSSEC_LOGTEST);
  const out = process.stdout;
  const chunks: string[] = [];
  const flush = () => { if (chunks.length) { out.write(chunks.join('')); chunks.length = 0; } };
  if (format === 'tsv') chunks.push(`${TSV_HEADER}\n`);
  else process.stderr.write('warden logtest: type one log per line.\n');
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    if (format === 'tsv') {
      const ev = lineEvent(line, location);
      chunks.push(`${formatTsv(n, ev, runLine(engine, ev, clock))}\n`);
      if (chunks.length >= 512) flush();
    } else {
      const ev = new TracedEvent(line, location, lineEvent('').hostname, Date.now());
      chunks.push(formatTrace(ev, runLine(engine, ev, clock)));
      flush();
    }
  }
  flush();
  return 0;
}
