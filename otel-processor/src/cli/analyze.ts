/**
 * `warden analyze`: runs whole log files through the engine and prints alerts in
 * OSSEC's alerts.log form, or as JSON lines with `--json`. Shows progress on a terminal.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { alertJson } from '../alert/alert';
import { formatAlertText } from '../alert/alerts-log';
import { clockOption, lineEvent, newEngine, openRuleset, parseClock, parseDialect, DIALECT_OPTION, RULESET_OPTION } from './session';
import { runLine } from '../engine/run-line';
import { parseCommand, stringOption, UsageError, type CommandSpec } from './args';

export const ANALYZE: CommandSpec = {
  usage: 'warden analyze [options] FILE...',
  summary: 'Runs log files (one event per line) through the ruleset and prints the alerts in\nOSSEC\'s alerts.log form, or as JSON lines (the documents the service writes).',
  options: {
    ruleset: RULESET_OPTION,
    dialect: DIALECT_OPTION,
    json: { type: 'boolean', description: 'print alerts as JSON lines instead of alerts.log text' },
    clock: clockOption('event'),
    location: { type: 'string', value: 'NAME', description: 'the location field of every event (default: the file name)' },
    'no-progress': { type: 'boolean', description: 'no progress bar on a terminal' },
  },
};

export async function analyzeCommand(argv: string[]): Promise<number> {
  const args = parseCommand(ANALYZE, argv);
  if (args.positionals.length === 0) throw new UsageError(`no FILE given\nusage: ${ANALYZE.usage} (--help for the options)`);
  const clock = parseClock(stringOption(args, 'clock'), 'event');
  const json = args.options.has('json');
  const loaded = openRuleset(stringOption(args, 'ruleset'), parseDialect(stringOption(args, 'dialect')));
  const engine = newEngine(loaded);
  const out = process.stdout;
  const progress = process.stderr.isTTY && !args.options.has('no-progress');
  let offset = 0;
  let alerts = 0;
  let lines = 0;
  const buf: string[] = [];
  const flush = () => { if (buf.length) { out.write(buf.join('')); buf.length = 0; } };
  for (const file of args.positionals) {
    if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
    const size = fs.statSync(file).size;
    let read = 0;
    let lastDraw = 0;
    const location = stringOption(args, 'location') ?? file;
    const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
    for await (const line of rl) {
      lines++;
      read += line.length + 1;
      if (line.length === 0) continue;
      const ev = lineEvent(line, location);
      const v = runLine(engine, ev, clock);
      if (v.alert) {
        alerts++;
        // the same documents the service writes (alerts.json, Elasticsearch, alerts.log)
        const text = json ? `${alertJson(ev, v, new Date().toISOString())}\n` : formatAlertText(ev, v, offset);
        offset += Buffer.byteLength(text);
        buf.push(text);
        if (buf.length >= 256) flush();
      }
      if (progress && lines % 2000 === 0) {
        const now = Date.now();
        if (now - lastDraw > 100) {
          lastDraw = now;
          const pct = Math.min(100, Math.floor((read / Math.max(1, size)) * 100));
          const bar = '#'.repeat(Math.floor(pct / 4)).padEnd(25, '.');
          process.stderr.write(`\r${file} [${bar}] ${pct}% ${lines} lines, ${alerts} alerts`);
        }
      }
    }
  }
  flush();
  if (progress) process.stderr.write(`\r\x1b[K`);
  process.stderr.write(`warden analyze: ${lines} lines, ${alerts} alerts\n`);
  return 0;
}
