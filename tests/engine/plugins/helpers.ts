import { LogEvent } from '../../../otel-processor/src/engine/event';

export function ev(log: string, location = 'stdin', hostname = 'warden-host'): LogEvent {
  return new LogEvent(log, location, hostname, 0);
}

export function fieldsOf(e: LogEvent): Record<string, string> {
  return Object.fromEntries(e.fields ?? []);
}

export function staticOf(e: LogEvent): Record<string, string | null> {
  return {
    srcip: e.srcip, dstip: e.dstip, srcport: e.srcport, dstport: e.dstport, protocol: e.protocol,
    action: e.action, id: e.id, url: e.url, data: e.data, status: e.status,
    system_name: e.system_name, srcuser: e.srcuser, dstuser: e.dstuser,
  };
}

export const NONE = {
  srcip: null, dstip: null, srcport: null, dstport: null, protocol: null, action: null, id: null,
  url: null, data: null, status: null, system_name: null, srcuser: null, dstuser: null,
};
