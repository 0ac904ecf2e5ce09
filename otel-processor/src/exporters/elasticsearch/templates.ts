/**
 * The composable index templates Warden installs in Elasticsearch: the mappings of the documents
 * alert/documents.ts builds (described in docs/elasticsearch-documents.md).
 */

const KW = { type: 'keyword', ignore_above: 1024 } as const;
const alias = (path: string) => ({ type: 'alias', path });

export interface TemplateOptions {
  prefix: string;
  shards: number;
  replicas: string;
}

function settings(o: TemplateOptions, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { number_of_shards: o.shards, auto_expand_replicas: o.replicas, ...extra };
}

const SYSCHECK_PROPS: Record<string, unknown> = (() => {
  const p: Record<string, unknown> = { path: KW, event: KW, diff: { type: 'text' } };
  for (const side of ['before', 'after']) {
    p[`size_${side}`] = { type: 'long' };
    p[`mtime_${side}`] = { type: 'date' };
    p[`inode_${side}`] = { type: 'long' };
    for (const k of ['perm', 'uid', 'gid', 'uname', 'gname', 'md5', 'sha1', 'sha256']) p[`${k}_${side}`] = KW;
  }
  return p;
})();

/** Composable index templates Warden installs (name → body). */
/** A template whose documents Warden alone writes: fixed mapping, nothing dynamic. */
function fixedTemplate(o: TemplateOptions, pattern: string, properties: Record<string, unknown>): Record<string, unknown> {
  return {
    index_patterns: [pattern],
    priority: 200,
    template: { settings: settings(o), mappings: { dynamic: false, properties } },
  };
}

export function indexTemplates(o: TemplateOptions): Record<string, Record<string, unknown>> {
  const p = o.prefix;
  return {
    [`${p}-alerts`]: {
      index_patterns: [`${p}-alerts-*`],
      priority: 200,
      template: {
        settings: settings(o, {
          'mapping.total_fields.limit': 10000,
          'mapping.total_fields.ignore_dynamic_beyond_limit': true,
        }),
        mappings: {
          dynamic: true,
          properties: {
            '@timestamp': { type: 'date' },
            received_at: { type: 'date' },
            rule: {
              properties: {
                id: { type: 'keyword' },
                level: { type: 'integer' },
                description: { type: 'text', fields: { keyword: KW } },
                groups: { type: 'keyword' },
                firedtimes: { type: 'integer' },
                mitre: { properties: { id: { type: 'keyword' } } },
                info: { type: 'object', enabled: false },
                mail: { type: 'boolean' },
              },
            },
            agent: { properties: { id: { type: 'keyword' }, name: { type: 'keyword' }, ip: { type: 'ip', ignore_malformed: true } } },
            location: KW,
            full_log: { type: 'text', fields: { keyword: KW } },
            decoder: { properties: { name: { type: 'keyword' }, parent: { type: 'keyword' } } },
            predecoder: { properties: { program_name: KW, hostname: KW, timestamp: KW } },
            data: {
              type: 'object',
              subobjects: false,
              properties: {
                srcip: { type: 'ip', ignore_malformed: true },
                dstip: { type: 'ip', ignore_malformed: true },
                srcport: KW, dstport: KW, srcuser: KW, dstuser: KW, protocol: KW, action: KW,
                id: KW, url: KW, status: KW, system_name: KW, extra_data: KW,
              },
            },
            previous_output: { type: 'text' },
            syscheck: { properties: SYSCHECK_PROPS },
            // ECS names as aliases, so both vocabularies query
            source: { properties: { ip: alias('data.srcip'), port: alias('data.srcport'), user: { properties: { name: alias('data.srcuser') } } } },
            destination: { properties: { ip: alias('data.dstip'), port: alias('data.dstport') } },
            user: { properties: { name: alias('data.dstuser') } },
            host: { properties: { name: alias('agent.name') } },
            event: { properties: { severity: alias('rule.level') } },
            message: alias('full_log'),
            log: { properties: { file: { properties: { path: alias('location') } } } },
            process: { properties: { name: alias('predecoder.program_name') } },
            url: { properties: { original: alias('data.url') } },
          },
          dynamic_templates: [
            { data_strings: { path_match: 'data.*', mapping: KW } },
            { syscheck_rest: { path_match: 'syscheck.*', mapping: KW } },
          ],
        },
      },
    },
    [`${p}-agents`]: fixedTemplate(o, `${p}-agents`, {
      agent: { properties: { id: { type: 'keyword' }, name: { type: 'keyword' } } },
      ips: { type: 'nested', properties: { ip: { type: 'ip', ignore_malformed: true }, first_seen: { type: 'date' }, last_seen: { type: 'date' } } },
      collector: { properties: { version: KW } },
      first_seen: { type: 'date' },
      last_seen: { type: 'date' },
      events: { type: 'long' },
      alerts: { type: 'long' },
    }),
    [`${p}-stats`]: fixedTemplate(o, `${p}-stats-*`, {
      '@timestamp': { type: 'date' },
      agent: { properties: { id: { type: 'keyword' }, name: { type: 'keyword' } } },
      instance: { type: 'keyword' },
      events: { type: 'long' },
      alerts: { type: 'long' },
      alerts_by_level: { properties: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [String(i), { type: 'long' }])) },
      firewall_events: { type: 'long' },
    }),
    [`${p}-syscheck`]: fixedTemplate(o, `${p}-syscheck`, {
      '@timestamp': { type: 'date' },
      agent: { properties: { id: { type: 'keyword' }, name: { type: 'keyword' } } },
      path: KW, event: KW, size: { type: 'long' }, perm: KW, uid: KW, gid: KW, uname: KW, gname: KW,
      mtime: { type: 'date' }, inode: { type: 'long' }, md5: KW, sha1: KW, sha256: KW,
    }),
    [`${p}-fts`]: {
      index_patterns: [`${p}-fts`],
      priority: 200,
      template: {
        settings: settings(o),
        mappings: {
          dynamic: false,
          properties: { key: { type: 'keyword' }, decoder: { type: 'keyword' }, comment: { type: 'text' }, '@timestamp': { type: 'date' } },
        },
      },
    },
  };
}
