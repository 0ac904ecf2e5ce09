#!/usr/bin/env node
/**
 * Packs the built Grafana app (grafana-app/dist) into the zip Grafana's plugin installer takes:
 * one top-level folder named after the plugin id (read from dist/plugin.json) holding
 * plugin.json, module.js and the rest, e.g.
 *
 *   grafana cli --pluginUrl ./dist-app/warden-hids-app-0.1.0.zip plugins install warden-hids-app
 *
 * Output: dist-app/<id>-<version>.zip (path printed on stdout). Run `npm run build` first.
 * Written with node:zlib (deflate, crc32): no zip tool needed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'grafana-app', 'dist');
const OUT = path.join(ROOT, 'dist-app');

function fail(msg) {
  process.stderr.write(`package-app: ${msg}\n`);
  process.exit(2);
}

if (!fs.existsSync(path.join(DIST, 'plugin.json'))) fail(`${path.relative(ROOT, DIST)}/plugin.json not found: run \`npm run build\` first`);
const plugin = JSON.parse(fs.readFileSync(path.join(DIST, 'plugin.json'), 'utf8'));
const id = plugin.id;
const version = plugin.info?.version;
if (typeof id !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) fail(`plugin.json: id ${JSON.stringify(id)} is not a plugin id`);
if (typeof version !== 'string' || version.includes('%')) fail(`plugin.json: info.version ${JSON.stringify(version)} was not filled in by the build`);
if (!fs.existsSync(path.join(DIST, 'module.js'))) fail('module.js missing from the build');

function listFiles(dir, base = '') {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

/** DOS date/time of the build (zip's own format). */
function dosTime(d) {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

const entries = [];
const chunks = [];
let offset = 0;
const { time, date } = dosTime(new Date());
const add = (name, data, isDir) => {
  const nameBuf = Buffer.from(name, 'utf8');
  const deflated = isDir ? Buffer.alloc(0) : zlib.deflateRawSync(data, { level: 9 });
  const stored = isDir || deflated.length >= data.length;
  const body = isDir ? Buffer.alloc(0) : stored ? data : deflated;
  const crc = isDir ? 0 : zlib.crc32(data);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4); // version needed
  header.writeUInt16LE(0x0800, 6); // UTF-8 names
  header.writeUInt16LE(stored ? 0 : 8, 8);
  header.writeUInt16LE(time, 10);
  header.writeUInt16LE(date, 12);
  header.writeUInt32LE(crc, 14);
  header.writeUInt32LE(body.length, 18);
  header.writeUInt32LE(isDir ? 0 : data.length, 22);
  header.writeUInt16LE(nameBuf.length, 26);
  header.writeUInt16LE(0, 28);
  chunks.push(header, nameBuf, body);
  entries.push({ nameBuf, crc, method: stored ? 0 : 8, csize: body.length, size: isDir ? 0 : data.length, offset, isDir });
  offset += header.length + nameBuf.length + body.length;
};

add(`${id}/`, null, true);
const dirs = new Set();
for (const rel of listFiles(DIST)) {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    const d = `${id}/${parts.slice(0, i).join('/')}/`;
    if (!dirs.has(d)) { dirs.add(d); add(d, null, true); }
  }
  add(`${id}/${rel}`, fs.readFileSync(path.join(DIST, rel)), false);
}

const central = [];
for (const e of entries) {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix
  h.writeUInt16LE(20, 6);
  h.writeUInt16LE(0x0800, 8);
  h.writeUInt16LE(e.method, 10);
  h.writeUInt16LE(time, 12);
  h.writeUInt16LE(date, 14);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(e.csize, 20);
  h.writeUInt32LE(e.size, 24);
  h.writeUInt16LE(e.nameBuf.length, 28);
  h.writeUInt32LE((e.isDir ? 0o40755 : 0o100644) * 0x10000 + (e.isDir ? 0x10 : 0), 38); // Unix mode, MS-DOS directory bit
  h.writeUInt32LE(e.offset, 42);
  central.push(h, e.nameBuf);
}
const centralBuf = Buffer.concat(central);
const end = Buffer.alloc(22);
end.writeUInt32LE(0x06054b50, 0);
end.writeUInt16LE(entries.length, 8);
end.writeUInt16LE(entries.length, 10);
end.writeUInt32LE(centralBuf.length, 12);
end.writeUInt32LE(offset, 16);

fs.mkdirSync(OUT, { recursive: true });
const file = path.join(OUT, `${id}-${version}.zip`);
fs.writeFileSync(file, Buffer.concat([...chunks, centralBuf, end]));
process.stdout.write(`${file}\n`);
