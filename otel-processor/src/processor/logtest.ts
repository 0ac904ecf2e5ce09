/**
 * What the service's API answers about a loaded ruleset: its rules, and OSSEC's three logtest
 * phases for one line. Runs where the processor runs (its thread or a worker).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../engine/engine';
import { runLine, TracedEvent, LOGTEST_FIELD_NAMES } from '../engine/run-line';
import type { LoadedRuleset } from '../loader/ruleset-loader';

export interface ApiRule { id: string; level: number; description: string; groups: string[]; file?: string }

export interface LogtestAnswer {
  phase1: { full_event: string; hostname: string; program_name: string | null; log: string; timestamp: string | null };
  phase2: { decoder: string | null; parent: string | null; fields: Array<{ name: string; value: string }> };
  phase3: { rule: { id: string; level: number; description: string; groups: string[]; file?: string; line?: number; xml?: string } | null; alert: boolean };
}

/** A rule's XML as written in its file: from its `<rule` line to its `</rule>` (null when unreadable). */
export function ruleXml(root: string, file: string, line: number): string | null {
  let text: string;
  try { text = fs.readFileSync(path.resolve(root, file), 'utf8'); } catch { return null; }
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = line - 1; i >= 0 && i < lines.length && out.length < 300; i++) {
    out.push(lines[i]);
    if (lines[i].includes('</rule>') || (i === line - 1 && /<rule\b[^>]*\/>/.test(lines[i]))) return out.join('\n');
  }
  return null;
}

/** The rules of a loaded ruleset, by id. */
export function listRules(loaded: LoadedRuleset): ApiRule[] {
  return [...loaded.ruleset.rulesById.values()]
    .sort((a, b) => a.id - b.id)
    .map((r) => ({ id: String(r.id), level: r.level, description: r.description, groups: r.groups, ...(r.file ? { file: r.file } : {}) }));
}

/** OSSEC's three phases for one line, on a fresh engine over `loaded` (processing clock). */
export function logtestLine(loaded: LoadedRuleset, line: string, location = 'stdin', logAlertLevel: number | null = null, hostname = 'warden', rulesRoot: string | null = null): LogtestAnswer {
  const engine = new Engine(loaded.ruleset, { logAlertLevel: logAlertLevel ?? loaded.logAlertLevel });
  const ev = new TracedEvent(line, location, hostname, Date.now());
  const v = runLine(engine, ev, 'processing');
  return {
    phase1: { full_event: ev.fullLog, hostname: ev.hostname, program_name: ev.programName, log: ev.log, timestamp: ev.headerTimestamp },
    phase2: { decoder: ev.decoderName, parent: ev.decoderParent, fields: ev.trace.map(([name, value]) => ({ name: LOGTEST_FIELD_NAMES[name] ?? name, value })) },
    phase3: { rule: v.rule ? ruleAnswer(v.rule, rulesRoot) : null, alert: v.alert },
  };
}

function ruleAnswer(r: { id: number; level: number; description: string; groups: string[]; file?: string; line?: number }, root: string | null): NonNullable<LogtestAnswer['phase3']['rule']> {
  const out: NonNullable<LogtestAnswer['phase3']['rule']> = { id: String(r.id), level: r.level, description: r.description, groups: r.groups };
  if (r.file) {
    out.file = r.file;
    if (r.line) out.line = r.line;
    const xml = root && r.line ? ruleXml(root, r.file, r.line) : null;
    if (xml) out.xml = xml;
  }
  return out;
}
