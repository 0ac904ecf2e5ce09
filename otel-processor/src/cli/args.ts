/**
 * Command-line parsing on node:util's parseArgs. Each command declares its options once, with
 * their help text; `--help` / `-h` on any command prints that text and exits 0.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

/** Thrown by parseCommand when `--help` was given; main prints `text` on stdout and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly text: string) { super('help requested'); }
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** The value's name in the help text, e.g. DIR. */
  value?: string;
  description: string;
  short?: string;
}

export interface CommandSpec {
  /** e.g. `warden analyze [options] FILE...` */
  usage: string;
  /** What the command does, one or two lines. */
  summary: string;
  options: Record<string, OptionSpec>;
  /** Printed after the options (defaults, environment, examples). */
  notes?: string;
}

export interface ParsedCommand {
  /** Options given, by long name: strings for valued options, `true` for flags. */
  options: Map<string, string | true>;
  positionals: string[];
}

export function helpText(spec: CommandSpec): string {
  const rows: Array<[string, string]> = Object.entries(spec.options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
    o.description,
  ]);
  rows.push(['-h, --help', 'show this help and exit']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines = rows.map(([l, d]) => `  ${l.padEnd(width)}${d.split('\n').join(`\n  ${' '.repeat(width)}`)}`);
  return `usage: ${spec.usage}\n\n${spec.summary}\n\noptions:\n${lines.join('\n')}\n${spec.notes ? `\n${spec.notes}` : ''}`;
}

/** Parses argv against the spec; unknown options and missing values are UsageErrors. */
export function parseCommand(spec: CommandSpec, argv: string[]): ParsedCommand {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) config[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: config, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    // a --help anywhere wins over a mistake elsewhere on the line
    if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested(helpText(spec));
    throw new UsageError(`${usageMessage(e)}\nusage: ${spec.usage} (--help for the options)`);
  }
  if (parsed.values.help) throw new HelpRequested(helpText(spec));
  const options = new Map<string, string | true>();
  for (const [name, v] of Object.entries(parsed.values)) {
    if (name === 'help' || v === undefined || v === false) continue;
    options.set(name, v === true ? true : v);
  }
  return { options, positionals: parsed.positionals };
}

/** parseArgs' messages carry advice for scripts (`use "--"`); keep the first sentence. */
function usageMessage(e: unknown): string {
  const code = (e as { code?: string }).code;
  const msg = e instanceof Error ? e.message : String(e);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const m = /^Unknown option '([^']+)'/.exec(msg);
    return `unknown option ${m ? m[1] : msg}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const m = /^Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument missing/.exec(msg);
    if (m) return `${m[1]} needs a value`;
    const b = /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(msg);
    if (b) return `${b[1]} does not take a value`;
    const a = /^Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(msg);
    if (a) return `${a[1]} needs a value (to pass one starting with a dash: ${a[1]}=-VALUE)`;
  }
  return msg.split('\n')[0];
}

/** A valued option, or undefined when absent. */
export function stringOption(p: ParsedCommand, name: string): string | undefined {
  const v = p.options.get(name);
  return typeof v === 'string' ? v : undefined;
}
