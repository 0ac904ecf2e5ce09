/**
 * `warden serve [--config warden.yaml]`: runs the service until SIGTERM / SIGINT (graceful:
 * what was accepted is drained or stays spooled). SIGHUP reloads the ruleset.
 */
import { loadConfig, ConfigError } from '../service/config';
import { WardenService } from '../service/service';
import { DEFAULT_RULESET } from './session';
import { parseArgs, UsageError } from './args';

export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, new Set(), new Set(['config']));
  if (args.positionals.length) throw new UsageError('usage: warden serve [--config warden.yaml]');
  const file = args.options.get('config');
  if (file === true) throw new UsageError('--config needs a file');
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
