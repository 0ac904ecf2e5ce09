/**
 * The alert: what Warden raises when a rule fires. Built from the event and the verdict,
 * in OSSEC's vocabulary (rule, agent, location, full_log, decoder, predecoder, data.*).
 */
import type { LogEvent } from '../engine/event';
import type { Verdict } from '../engine/engine';
import { STATIC_FIELDS } from '../engine/event';

export interface Alert {
  /** Deterministic id: the same record always yields the same alert id. */
  id: string;
  timestamp: string;
  rule: {
    id: number;
    level: number;
    description: string;
    groups: string[];
    firedtimes: number;
    mitre?: string[];
    info?: Array<{ type: string; value: string }>;
    mail: boolean;
  };
  agent: { id: string; name: string };
  location: string;
  full_log?: string;
  decoder?: { name: string; parent?: string };
  predecoder?: { hostname?: string; program_name?: string; timestamp?: string };
  data: Record<string, string>;
  previous_output?: string;
}

/** Expands Wazuh's `$(field)` placeholders in a description. */
export function expandDescription(text: string, ev: LogEvent): string {
  return text.replace(/\$\(([\w.\-@]+)\)/g, (_m, name: string) => ev.getField(name) ?? '');
}

export function buildAlert(ev: LogEvent, verdict: Verdict, id: string): Alert {
  const rule = verdict.rule!;
  const data: Record<string, string> = {};
  for (const f of STATIC_FIELDS) {
    const v = ev.getField(f);
    if (v !== null) data[f] = v;
  }
  if (ev.fields) for (const [k, v] of ev.fields) data[k] = v;
  const alert: Alert = {
    id,
    timestamp: new Date(ev.time).toISOString(),
    rule: {
      id: rule.id,
      level: rule.level,
      description: rule.dynamicDescription ? expandDescription(rule.description, ev) : rule.description,
      groups: rule.groups,
      firedtimes: verdict.firedTimes,
      mail: rule.options.has('alert_by_email'),
    },
    agent: { id: ev.agentId, name: ev.agentName ?? ev.hostname },
    location: ev.location,
    data,
  };
  if (rule.mitre.length) alert.rule.mitre = rule.mitre;
  if (rule.info.length) alert.rule.info = rule.info;
  if (!rule.options.has('no_full_log')) alert.full_log = ev.fullLog;
  if (ev.decoderName !== null) {
    alert.decoder = { name: ev.decoderName };
    if (ev.decoderParent !== null && ev.decoderParent !== ev.decoderName) alert.decoder.parent = ev.decoderParent;
  }
  const pre: Alert['predecoder'] = {};
  if (ev.programName !== null) pre.program_name = ev.programName;
  if (ev.headerTimestamp !== null) pre.timestamp = ev.headerTimestamp;
  if (ev.hostname) pre.hostname = ev.hostname;
  alert.predecoder = pre;
  if (verdict.previousOutput && verdict.previousOutput.length) alert.previous_output = verdict.previousOutput.join('\n');
  return alert;
}
