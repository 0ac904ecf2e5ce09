/** The app's settings (plugin jsonData) and the reader-side shapes of Warden's documents (docs/elasticsearch-documents.md). */

export interface AppSettings {
  /** Uid of the Grafana Elasticsearch data source that reads `warden-*` indices. */
  datasourceUid?: string;
  /** Uid of the Elasticsearch data source for `warden-stats-*` (events per hour), for `/api/ds/query`. */
  statsDatasourceUid?: string;
  /** Index names (defaults: Warden's prefix `warden`). */
  indexPrefix?: string;
  /** Seconds without events after which an agent counts as disconnected (the service's `agents.disconnect_after_seconds`). */
  disconnectAfterSeconds?: number;
  /** Warden service URL for the plugin routes (logtest, rules); the token is a secure setting. */
  serviceUrl?: string;
}

export interface AppSecureSettings {
  serviceToken?: string;
}

export interface AlertDoc {
  '@timestamp': string;
  received_at?: string;
  rule: { id: string; level: number; description: string; groups: string[]; firedtimes?: number; mitre?: { id: string[] }; mail?: boolean };
  agent: { id: string; name: string; ip?: string };
  location: string;
  full_log?: string;
  decoder?: { name: string; parent?: string };
  predecoder?: { hostname?: string; program_name?: string; timestamp?: string };
  data?: Record<string, string>;
  previous_output?: string;
  syscheck?: Record<string, string | number>;
}

export interface AlertHit { id: string; index: string; doc: AlertDoc }

export interface AgentDoc {
  agent: { id: string; name: string };
  ips: Array<{ ip: string; first_seen: string; last_seen: string }>;
  collector?: { version: string | null };
  first_seen: string | null;
  last_seen: string | null;
  events: number;
  alerts: number;
}

export type AgentStatus = 'active' | 'disconnected' | 'never connected';

export interface SyscheckDoc {
  agent: { id: string; name: string };
  path: string;
  event: string;
  '@timestamp': string;
  size?: number;
  perm?: string;
  uid?: string;
  gid?: string;
  uname?: string;
  gname?: string;
  md5?: string;
  sha1?: string;
  sha256?: string;
}

/** Time range in epoch milliseconds. */
export interface Range { from: number; to: number }
