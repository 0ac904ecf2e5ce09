/**
 * Splitting of analysisd's queue framing `<q>:<location>:<log>` (not needed when the caller
 * already knows the location, e.g. the OTLP path; useful for replaying OSSEC/Wazuh queue dumps).
 */
import type { PredecodeDialect } from './predecode';

export interface QueueMessage {
  /** One-character queue id (`1` local file, `2` syslog, ...). */
  queue: string;
  location: string;
  log: string;
}

/**
 * OSSEC: the location ends at the first `:`, except for agent locations `(name) ip->path`, where
 * it ends at the first `:` after `->`. Wazuh: at the first `:` not escaped with `|`; escapes are
 * then removed from the location. Returns null on a framing error (the engine drops the message).
 */
export function splitQueueMessage(msg: string, dialect: PredecodeDialect = 'ossec'): QueueMessage | null {
  if (msg.length < 2) return null;
  const queue = msg.slice(0, 1);
  const start = 2;
  if (dialect === 'wazuh') {
    let escaped = false;
    let hasEscape = false;
    for (let i = start; i < msg.length; i++) {
      const c = msg.charCodeAt(i);
      if (c === 124 /* | */) { hasEscape = true; i++; continue; }
      if (c === 58 /* : */) {
        escaped = hasEscape;
        let location = msg.slice(start, i);
        if (escaped) location = unescapePipe(location);
        return { queue, location, log: msg.slice(i + 1) };
      }
    }
    return null;
  }
  let colon = msg.indexOf(':', start);
  if (colon < 0) return null;
  if (msg.charCodeAt(start) === 40 /* ( */) {
    const arrow = msg.indexOf('->', start);
    if (arrow < 0) return null;
    colon = msg.indexOf(':', arrow);
    if (colon < 0) return null;
  }
  return { queue, location: msg.slice(start, colon), log: msg.slice(colon + 1) };
}

function unescapePipe(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '|' && i + 1 < s.length) { out += s[i + 1]; i++; } else out += c;
  }
  return out;
}
