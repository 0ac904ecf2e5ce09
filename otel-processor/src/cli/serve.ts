/**
 * `warden serve [--config warden.yaml]`: runs the service until SIGTERM / SIGINT (graceful:
 * what was accepted is drained or stays spooled). SIGHUP reloads the ruleset.
 */
import { loadConfig, ConfigError } from '../service/config';
import { WardenService } from '../service/service';
import { DEFAULT_RULESET } from './session';
import { parseCommand, stringOption, UsageError, type CommandSpec } from './args';

export const SERVE: CommandSpec = {
  usage: 'warden serve [--config warden.yaml]',
  summary: 'Runs the service: OTLP logs in (HTTP 4318, gRPC 4317), alerts, agents and stats out\n(Elasticsearch, var/alerts files, OTLP). Stops on SIGTERM/SIGINT (draining what was\naccepted), reloads the ruleset on SIGHUP.',
  options: {
    config: { type: 'string', value: 'FILE', description: 'the YAML configuration (see the README\'s "Configuration");\nwithout it, defaults and WARDEN_* environment variables' },
  },
  notes: 'Every setting can also come from the environment: WARDEN_<SECTION>_<KEY>, e.g.\nWARDEN_EXPORTERS_ELASTICSEARCH_ENDPOINT=https://es:9200.\n',
};

export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseCommand(SERVE, argv);
  if (args.positionals.length) throw new UsageError(`unexpected argument ${args.positionals[0]}\nusage: ${SERVE.usage}`);
  const file = stringOption(args, 'config');
  let cfg;
  try {
    cfg = loadConfig(file ?? null, process.env, DEFAULT_RULESET);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`warden serve: configuration error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const service = await WardenService.start(cfg);
  return new Promise<number>(() => {
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`warden: ${sig}: shutting down (draining up to ${cfg.service.shutdownTimeoutSec}s)\n`);
      // exit once stopped: a request still hanging on an unreachable sink must not hold the process past its limit
      service.stop().then(() => process.exit(0), (e: Error) => { process.stderr.write(`warden: shutdown: ${e.message}\n`); process.exit(1); });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => { void service.reload(); });
  });
}
