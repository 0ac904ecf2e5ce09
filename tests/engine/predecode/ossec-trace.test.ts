/**
 * Compatibility with the real OSSEC 4.2.0 engine: every "Phase 1" block of
 * ../shared/ossec-4.2.0/examples/logtest-trace.txt must be reproduced exactly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LogEvent } from '../../../otel-processor/src/engine/event';
import { createPredecoder } from '../../../otel-processor/src/engine/predecode';

const SHARED = path.resolve(__dirname, '../../../../shared');
const TRACE = path.join(SHARED, 'ossec-4.2.0/examples/logtest-trace.txt');
const INI_DIR = path.join(SHARED, 'ossec-4.2.0/tests');
const haveShared = fs.existsSync(TRACE);

interface Phase1 { fullEvent: string; hostname: string; programName: string | null; log: string }

function field(line: string | undefined, name: string): string {
  const prefix = `${name}: '`;
  const t = (line ?? '').trimStart();
  if (!t.startsWith(prefix) || !t.endsWith("'")) throw new Error(`bad ${name} line: ${line}`);
  return t.slice(prefix.length, -1);
}

function parseTrace(text: string): Phase1[] {
  const lines = text.split('\n');
  const out: Phase1[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('**Phase 1: Completed pre-decoding.')) continue;
    const prog = field(lines[i + 3], 'program_name');
    out.push({
      fullEvent: field(lines[i + 1], 'full event'),
      hostname: field(lines[i + 2], 'hostname'),
      programName: prog === '(null)' ? null : prog,
      log: field(lines[i + 4], 'log'),
    });
  }
  return out;
}

const describeShared = haveShared ? describe : describe.skip;
if (!haveShared) {
  console.warn(`predecode OSSEC trace tests skipped: ${TRACE} not found (needs ../shared next to the repo)`);
}

describeShared('OSSEC 4.2.0 logtest trace, phase 1', () => {
  const blocks = haveShared ? parseTrace(fs.readFileSync(TRACE, 'utf8')) : [];
  // OSSEC prints the machine's own name for header-less lines: take it from such a block.
  const machine = blocks.find((b) => b.programName === null && b.log === b.fullEvent)?.hostname ?? 'vm';
  const pd = createPredecoder({ dialect: 'ossec' });

  test('trace parsed', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(30);
  });

  test('every block matches exactly', () => {
    const mismatches: string[] = [];
    for (const b of blocks) {
      const ev = new LogEvent(b.fullEvent, 'stdin', machine, 0);
      expect(pd(ev)).toBe(true);
      const got = { fullEvent: ev.fullLog, hostname: ev.hostname, programName: ev.programName, log: ev.log };
      if (JSON.stringify(got) !== JSON.stringify(b)) mismatches.push(`${JSON.stringify(b)}\n  got ${JSON.stringify(got)}`);
    }
    expect(mismatches).toEqual([]);
  });
});

describeShared('OSSEC 4.2.0 rule-test lines (smoke)', () => {
  test('every .ini log line pre-decodes in both dialects; log is a slice of full_log', () => {
    const lines: string[] = [];
    for (const f of fs.readdirSync(INI_DIR).filter((n) => n.endsWith('.ini'))) {
      for (const l of fs.readFileSync(path.join(INI_DIR, f), 'utf8').split('\n')) {
        const m = /^log \d+ (?:pass|fail) = (.*)$/.exec(l);
        if (m) lines.push(m[1]);
      }
    }
    expect(lines.length).toBeGreaterThan(200);
    for (const dialect of ['ossec', 'wazuh'] as const) {
      const pd = createPredecoder({ dialect });
      for (const line of lines) {
        const ev = new LogEvent(line, 'stdin', 'm', 0);
        expect(pd(ev)).toBe(true);
        expect(ev.fullLog.includes(ev.log)).toBe(true);
        if (ev.programName !== null) expect(ev.fullLog.includes(ev.programName)).toBe(true);
      }
    }
  });
});
