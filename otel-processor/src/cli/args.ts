/** A small argument parser: `--name value`, `--flag`, `--name=value`, positionals. */
export interface ParsedArgs {
  options: Map<string, string | true>;
  positionals: string[];
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], flags: ReadonlySet<string>, valued: ReadonlySet<string>): ParsedArgs {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('--')) { positionals.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (flags.has(name)) { options.set(name, true); continue; }
    if (!valued.has(name)) throw new UsageError(`unknown option --${name}`);
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    options.set(name, value);
  }
  return { options, positionals };
}
