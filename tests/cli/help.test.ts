/** Every `warden` command answers --help with its own options (exit 0) and refuses unknown options clearly (exit 2). */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from '../service/helpers';
import { ANALYZE } from '../../otel-processor/src/cli/analyze';
import { LOGTEST } from '../../otel-processor/src/cli/logtest';
import { TEST_RULES } from '../../otel-processor/src/cli/test-rules';
import { SERVE } from '../../otel-processor/src/cli/serve';
import { FIM } from '../../otel-processor/src/cli/fim';
import type { CommandSpec } from '../../otel-processor/src/cli/args';

const warden = (args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, 'otel-processor', 'bin', 'warden.js'), ...args], { encoding: 'utf8', timeout: 30_000, input: '' });

const COMMANDS: Array<[string, CommandSpec]> = [['logtest', LOGTEST], ['test-rules', TEST_RULES], ['analyze', ANALYZE], ['serve', SERVE], ['fim', FIM]];

describe('warden <command> --help', () => {
  test.each(COMMANDS)('%s --help: exit 0, its usage and every option on stdout', (cmd, spec) => {
    for (const flag of ['--help', '-h']) {
      const r = warden([cmd, flag]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`usage: warden ${cmd} `);
      for (const name of Object.keys(spec.options)) expect(r.stdout).toContain(`--${name}`);
      expect(r.stdout).toContain('--help');
    }
  });

  test('--help wins over other arguments, even wrong ones', () => {
    const r = warden(['fim', '--bogus', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: warden fim');
  });

  test('`warden help analyze` is `warden analyze --help`', () => {
    const r = warden(['help', 'analyze']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(warden(['analyze', '--help']).stdout);
  });

  test('top-level --help lists every command, exit 0', () => {
    const r = warden(['--help']);
    expect(r.status).toBe(0);
    for (const [cmd] of COMMANDS) expect(r.stdout).toContain(`  ${cmd} `);
  });
});

describe('warden usage errors', () => {
  test('an unknown option is named, exit 2, no stack trace', () => {
    const r = warden(['logtest', '--rulset', 'rules']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('warden logtest: unknown option --rulset\nusage: warden logtest [options] < lines.log (--help for the options)\n');
  });

  test('a valued option without its value', () => {
    const r = warden(['analyze', 'x.log', '--ruleset']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^warden analyze: --ruleset needs a value\n/);
  });

  test('a flag given a value', () => {
    const r = warden(['analyze', '--json=yes', 'x.log']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^warden analyze: --json does not take a value\n/);
  });

  test('an unknown command: exit 2 with the command list', () => {
    const r = warden(['analyse']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^warden: unknown command 'analyse'\n\nusage: warden <command>/);
  });

  test('--name=value and --name value are the same', () => {
    const a = warden(['logtest', '--format=tsv']);
    const b = warden(['logtest', '--format', 'tsv']);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe('line_no\trule_id\tlevel\tdecoder\talert\tdescription\n');
    expect(b.stdout).toBe(a.stdout);
  });
});
