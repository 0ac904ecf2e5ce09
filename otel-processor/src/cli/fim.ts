/**
 * `warden fim --config fim.yaml [--once]`: the file-integrity monitor. Scans on the schedule,
 * watches realtime directories, sends added/modified/deleted events to Warden over OTLP/HTTP.
 * `--once` runs one scan, delivers what it found and exits (cron-style use, tests, benchmarks).
 */
import { loadFimConfig, FimConfigError } from '../fim/config';
import { BaselineError } from '../fim/baseline';
import { FimMonitor } from '../fim/monitor';
import { parseCommand, stringOption, UsageError, type CommandSpec } from './args';

export const FIM: CommandSpec = {
  usage: 'warden fim --config fim.yaml [--once]',
  summary: 'The file-integrity monitor: scans directories (and Windows registry keys) on a schedule,\nwatches realtime ones, and sends added/modified/deleted events to Warden over OTLP/HTTP.\nSIGHUP starts a scan; SIGTERM/SIGINT stop it cleanly.',
  options: {
    config: { type: 'string', value: 'FILE', description: 'the monitor\'s YAML configuration (keys: otel-processor/src/fim/README.md)' },
    once: { type: 'boolean', description: 'run one scan, deliver what it found and exit (cron-style use);\nexit 1 if events could not be delivered (they stay in the outbox)' },
  },
};

const VERSION = '0.1.0';

export async function fimCommand(argv: string[]): Promise<number> {
  const args = parseCommand(FIM, argv);
  const file = stringOption(args, 'config');
  if (args.positionals.length || file === undefined) throw new UsageError(`usage: ${FIM.usage}`);
  let monitor: FimMonitor;
  try {
    monitor = new FimMonitor(loadFimConfig(file), { version: VERSION });
  } catch (e) {
    if (e instanceof FimConfigError) { process.stderr.write(`warden fim: configuration error: ${e.message}\n`); return 2; }
    if (e instanceof BaselineError) { process.stderr.write(`warden fim: baseline error: ${e.message}\n`); return 2; }
    throw e;
  }
  const cfg = monitor.cfg;
  process.stderr.write(`warden fim: monitoring ${cfg.directories.length} directories${cfg.registry.length ? ` and ${cfg.registry.length} registry keys` : ''}, sending to ${cfg.endpoint} (${cfg.encoding}), state in ${cfg.stateDir}\n`);
  if (args.options.has('once')) {
    const s = await monitor.scan();
    process.stderr.write(`warden fim: scan: ${s.files} files in ${(s.ms / 1000).toFixed(1)}s, ${s.events} events\n`);
    const ok = await monitor.sender.drain(cfg.timeoutMs * 3);
    await monitor.sender.stop();
    if (!ok) {
      process.stderr.write(`warden fim: ${monitor.sender.pending} events not delivered yet (kept in the outbox for the next run): ${monitor.sender.lastError ?? ''}\n`);
      return 1;
    }
    return 0;
  }
  process.stderr.write('warden fim: ready\n');
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`warden fim: ${sig}: stopping\n`);
      monitor.stop().then(() => resolve(0), (e: Error) => { process.stderr.write(`warden fim: ${e.message}\n`); resolve(1); });
    };
    // handlers first: a signal during the first scan stops it cleanly (the baseline stays consistent)
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => { monitor.scan().catch((e: Error) => process.stderr.write(`warden fim: scan failed: ${e.message}\n`)); });
    monitor.start().catch((e: Error) => { process.stderr.write(`warden fim: ${e.message}\n`); stop('error'); });
  });
}
