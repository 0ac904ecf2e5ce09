/** The `warden` command line. */
import { RulesetError } from '../engine/ruleset/errors';
import { HelpRequested, UsageError } from './args';

const USAGE = `usage: warden <command> [options]

commands:
  logtest    --ruleset DIR [--format trace|tsv] [--clock processing|event] [--dialect ossec|wazuh]
             read log lines on stdin and show the three phases (or one TSV row per line)
  test-rules --ruleset DIR [--runner ossec|wazuh] [--geoip] FILES_OR_DIRS...
             run rule unit tests (.ini) as OSSEC's runner, or as Wazuh's runtests.py
  analyze    --ruleset DIR [--json] FILE...
             run log files and print alerts (alerts.log form, or JSON lines)
  serve      [--config warden.yaml]
             run the service: OTLP logs in (HTTP 4318, gRPC 4317), alerts, agents and
             stats out (Elasticsearch, var/alerts files, OTLP); settings also from WARDEN_*
  fim        --config fim.yaml [--once]
             file-integrity monitor: scan directories (and registry keys) on a schedule,
             watch realtime ones, send added/modified/deleted events to Warden over OTLP

\`warden <command> --help\` (or \`warden help <command>\`) shows its options.

DIR is an OSSEC install root (etc/ossec.conf, etc/decoder.xml, rules/), a Wazuh tree,
or a Warden ruleset (decoders/, rules/). Without --ruleset, Warden's own ruleset is used.
--dialect wazuh runs a ruleset with Wazuh 4.x semantics where they differ from OSSEC 4.2's
(the default for a Wazuh tree or an ossec.conf with <ruleset>; e.g. Wazuh's ruleset/ folder).
`;

// Each command loads its own modules only (logtest must not pay for the service's exporters).
/* eslint-disable @typescript-eslint/no-require-imports */
const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  logtest: (argv) => (require('./logtest') as typeof import('./logtest')).logtestCommand(argv),
  'test-rules': (argv) => (require('./test-rules') as typeof import('./test-rules')).testRulesCommand(argv),
  analyze: (argv) => (require('./analyze') as typeof import('./analyze')).analyzeCommand(argv),
  serve: (argv) => (require('./serve') as typeof import('./serve')).serveCommand(argv),
  fim: (argv) => (require('./fim') as typeof import('./fim')).fimCommand(argv),
};
/* eslint-enable @typescript-eslint/no-require-imports */

export function main(argv: string[]): void {
  const [cmd, ...rest] = argv;
  if (cmd === 'help' && rest.length === 1 && Object.hasOwn(COMMANDS, rest[0])) return main([rest[0], '--help']);
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    process.exitCode = cmd ? 0 : 2;
    return;
  }
  const run = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!run) {
    process.stderr.write(`warden: unknown command '${cmd}'\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  run(rest).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => {
      if (e instanceof HelpRequested) {
        process.stdout.write(e.text);
        process.exitCode = 0;
        return;
      }
      if (e instanceof UsageError) process.stderr.write(`warden ${cmd}: ${e.message}\n`);
      else if (e instanceof RulesetError) process.stderr.write(`warden ${cmd}: ruleset error: ${e.message}\n`);
      // the system's own errors (a port in use, a folder not writable) say all there is to say
      else if (e instanceof Error && /^E[A-Z]+$/.test(String((e as NodeJS.ErrnoException).code))) process.stderr.write(`warden ${cmd}: ${e.message}\n`);
      else process.stderr.write(`warden ${cmd}: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
