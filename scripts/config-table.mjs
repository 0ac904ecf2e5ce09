#!/usr/bin/env node
// Prints the configuration reference generated from otel-processor/src/service/config.ts's
// SETTINGS; with --write, puts it in README.md under "## Configuration reference".
// Usage: npm run build && npm run docs:config [-- --print]
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'otel-processor', 'dist', 'service', 'config.js');
if (!fs.existsSync(built)) {
  console.error('docs:config: build first (npm run build)');
  process.exit(2);
}
const table = createRequire(import.meta.url)(built).configurationTable();
if (process.argv.includes('--print')) {
  process.stdout.write(`${table}\n`);
  process.exit(0);
}
const readmePath = path.join(root, 'README.md');
const readme = fs.readFileSync(readmePath, 'utf8');
const head = '## Configuration reference\n\n';
const start = readme.indexOf(head);
if (start < 0) {
  console.error('docs:config: README.md has no "## Configuration reference" section');
  process.exit(1);
}
const from = start + head.length;
const end = readme.indexOf('\n\n', from);
fs.writeFileSync(readmePath, `${readme.slice(0, from)}${table}${readme.slice(end < 0 ? readme.length : end)}`);
console.log(`docs:config: README.md configuration reference written (${table.split('\n').length - 2} settings)`);
