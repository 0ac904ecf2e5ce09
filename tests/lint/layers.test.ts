/**
 * The layer rule in eslint.config.mjs: an import against the data flow fails `npm run lint`,
 * one along it passes. Runs the real eslint on source given on stdin, as if it were the file.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const ESLINT = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

function lint(file: string, source: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [ESLINT, '--stdin', '--stdin-filename', file], { cwd: ROOT, input: source, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

test.each([
  ['otel-processor/src/processor/x.ts', "import type { Spool } from '../spool/spool';\nexport type X = Spool;\n", 'processor/ may import only from'],
  ['otel-processor/src/receiver/otlp/x.ts', "import type { ProcessorHost } from '../../processor/host';\nexport type X = ProcessorHost;\n", 'receiver/ may import only from'],
  ['otel-processor/src/engine/decode/x.ts', "import type { AlertDoc } from '../../alert/alert';\nexport type X = AlertDoc;\n", 'engine/ may import only from itself'],
  ['otel-processor/src/exporters/file/x.ts', "import type { WardenConfig } from '../../service/config';\nexport type X = WardenConfig;\n", 'exporters/ may import only from'],
  ['otel-processor/src/service/x.ts', "export { logtestCommand } from '../cli/logtest';\n", 'service/ may import only from'],
  ['otel-processor/src/config/x.ts', "import type { WardenConfig } from '../service/config';\nexport type X = WardenConfig;\n", 'config/ may import only from itself'],
])('%s: an import against the flow fails', (file, source, message) => {
  const r = lint(file, source);
  expect(r.out).toContain(message);
  expect(r.code).toBe(1);
});

test('a component may import the setting row shape from config/', () => {
  const r = lint('otel-processor/src/spool/x.ts', "import type { Setting } from '../config/setting';\nexport type X = Setting;\n");
  expect(r.out).toBe('');
  expect(r.code).toBe(0);
});

test('imports along the flow pass', () => {
  const r = lint('otel-processor/src/exporters/file/x.ts', "import type { SpoolConsumer } from '../../spool/spool';\nimport type { AlertRecord } from '../../alert/alert';\nexport type X = [SpoolConsumer, AlertRecord];\n");
  expect(r.out).toBe('');
  expect(r.code).toBe(0);
});
