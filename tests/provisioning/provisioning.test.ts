/**
 * provisioning/grafana: every file parses, uses only the keys Grafana's provisioning reads, refers
 * only to data sources that exist, and every dashboard panel and alert rule query runs against a
 * real Elasticsearch loaded by Warden (tests/grafana-app/seed.ts) and returns the seeded alerts.
 * The queries go through es-model.ts, the stand-in for Grafana's Elasticsearch backend that the
 * browser harness uses too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { missingTools } from '../service/es-node';
import { seed, PREFIX, type Seeded } from '../grafana-app/seed';
import { runModel, type EsModel, type FrameJson } from '../grafana-app/harness/es-model';
import { evaluateRule, type Instance, type RuleQuery } from './alert-eval';

const ROOT = path.resolve(__dirname, '..', '..');
const PROV = path.join(ROOT, 'provisioning', 'grafana');
const yamlOf = (rel: string) => parse(fs.readFileSync(path.join(PROV, rel), 'utf8')) as Record<string, unknown>;
const yamlFiles = (dir: string) => fs.readdirSync(path.join(PROV, dir)).filter((f) => /\.ya?ml$/.test(f)).map((f) => `${dir}/${f}`);

function keysWithin(o: Record<string, unknown>, allowed: string[], where: string): void {
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  expect([where, extra]).toEqual([where, []]);
}

type Ds = { name: string; uid: string; type: string; access: string; url: string; jsonData: Record<string, unknown> };
const datasources = yamlFiles('datasources').flatMap((f) => (yamlOf(f).datasources as Ds[]));
const dsUids = new Set(datasources.map((d) => d.uid));
type Panel = { id: number; title: string; type: string; datasource: { uid: string; type: string }; targets: Array<EsModel & { datasource: { uid: string } }>; gridPos: { x: number; y: number; w: number; h: number } };
type Dashboard = { uid: string; title: string; panels: Panel[]; time: { from: string; to: string } };
const DASH_DIR = path.join(PROV, 'dashboards', 'warden');
const dashboards = fs.readdirSync(DASH_DIR).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(DASH_DIR, f), 'utf8')) as Dashboard);
type AlertRule = { uid: string; title: string; condition: string; data: Array<{ refId: string; datasourceUid: string; relativeTimeRange: { from: number; to: number }; model: EsModel & { type?: string; expression?: string } }>; labels: Record<string, string>; annotations: Record<string, string>; for: string; noDataState: string; execErrState: string };
const alertRules = (yamlOf('alerting/rules.yaml').groups as Array<{ rules: AlertRule[] }>).flatMap((g) => g.rules);

describe('provisioning files', () => {
  test('every YAML file parses and has apiVersion 1', () => {
    const files = ['datasources', 'plugins', 'dashboards', 'alerting'].flatMap(yamlFiles);
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const f of files) expect([f, yamlOf(f).apiVersion]).toEqual([f, 1]);
  });

  test('data sources: Elasticsearch for warden-alerts-* (time, message and level fields) and warden-stats-*', () => {
    for (const f of yamlFiles('datasources')) keysWithin(yamlOf(f), ['apiVersion', 'datasources', 'deleteDatasources', 'prune'], f);
    for (const d of datasources) keysWithin(d as unknown as Record<string, unknown>, ['name', 'uid', 'type', 'access', 'url', 'isDefault', 'editable', 'jsonData', 'secureJsonData', 'basicAuth', 'basicAuthUser', 'orgId', 'version', 'user', 'database', 'withCredentials'], d.name);
    const alerts = datasources.find((d) => d.uid === 'warden-alerts')!;
    expect(alerts).toMatchObject({ type: 'elasticsearch', access: 'proxy', jsonData: { index: `${PREFIX}-alerts-*`, timeField: '@timestamp', logMessageField: 'full_log', logLevelField: 'rule.level' } });
    expect(datasources.find((d) => d.uid === 'warden-stats')).toMatchObject({ type: 'elasticsearch', jsonData: { index: `${PREFIX}-stats-*`, timeField: '@timestamp' } });
    expect(new Set(datasources.map((d) => d.uid)).size).toBe(datasources.length);
  });

  test('plugins: the app is enabled and pointed at the provisioned data sources', () => {
    const doc = yamlOf('plugins/warden-hids-app.yaml');
    keysWithin(doc, ['apiVersion', 'apps'], 'plugins');
    const [app] = doc.apps as Array<Record<string, unknown> & { jsonData: Record<string, string> }>;
    keysWithin(app, ['type', 'org_id', 'org_name', 'disabled', 'jsonData', 'secureJsonData'], 'app');
    const pluginJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'grafana-app', 'src', 'plugin.json'), 'utf8')) as { id: string; routes: Array<{ url: string; headers: Array<{ content: string }> }> };
    expect(app.type).toBe(pluginJson.id);
    expect(app.disabled).toBe(false);
    expect(dsUids.has(app.jsonData.datasourceUid)).toBe(true);
    expect(dsUids.has(app.jsonData.statsDatasourceUid)).toBe(true);
    // the routes read what the provisioning sets
    for (const r of pluginJson.routes) {
      expect(r.url).toContain('.JsonData.serviceUrl');
      expect(r.headers[0].content).toContain('.SecureJsonData.serviceToken');
    }
    expect(app.jsonData.serviceUrl).toBeDefined();
    expect((app.secureJsonData as Record<string, string>).serviceToken).toBeDefined();
  });

  test('dashboards: the provider points at the folder mounted in the container; six dashboards, each panel on a provisioned data source', () => {
    const doc = yamlOf('dashboards/warden.yaml');
    keysWithin(doc, ['apiVersion', 'providers'], 'dashboards');
    const [p] = doc.providers as Array<Record<string, unknown> & { options: { path: string } }>;
    keysWithin(p, ['name', 'orgId', 'folder', 'folderUid', 'type', 'disableDeletion', 'allowUiUpdates', 'updateIntervalSeconds', 'options'], 'provider');
    expect(p.type).toBe('file');
    expect(p.options.path).toBe('/etc/grafana/provisioning/dashboards/warden');
    expect(dashboards.map((d) => d.uid).sort()).toEqual(['warden-authentication', 'warden-file-integrity', 'warden-firewall', 'warden-overview', 'warden-web', 'warden-windows']);
    for (const d of dashboards) {
      expect(d.panels.length).toBeGreaterThanOrEqual(6);
      const ids = d.panels.map((x) => x.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of d.panels) {
        expect([d.uid, panel.title, dsUids.has(panel.datasource.uid)]).toEqual([d.uid, panel.title, true]);
        for (const t of panel.targets) expect(dsUids.has(t.datasource.uid)).toBe(true);
        expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      }
    }
  });

  test('alerting: contact point, policy and template refer to each other; rules use provisioned data sources and expressions', () => {
    const cp = yamlOf('alerting/contact-points.yaml');
    const pol = yamlOf('alerting/policies.yaml');
    const tpl = yamlOf('alerting/templates.yaml');
    keysWithin(cp, ['apiVersion', 'contactPoints', 'deleteContactPoints'], 'contact points');
    keysWithin(pol, ['apiVersion', 'policies', 'resetPolicies'], 'policies');
    keysWithin(tpl, ['apiVersion', 'templates', 'deleteTemplates'], 'templates');
    const [point] = cp.contactPoints as Array<{ name: string; receivers: Array<{ type: string; settings: { addresses: string; message: string; subject: string } }> }>;
    expect(point.receivers[0].type).toBe('email');
    const [policy] = pol.policies as Array<{ receiver: string; routes: Array<{ receiver: string; group_by: string[]; object_matchers: string[][] }> }>;
    expect(policy.receiver).toBe(point.name);
    expect(policy.routes[0].receiver).toBe(point.name);
    // a burst of the same rule on the same agent is one notification
    expect(policy.routes[0].group_by).toEqual(expect.arrayContaining(['agent.name', 'rule.id']));
    const text = (tpl.templates as Array<{ template: string }>)[0].template;
    const defined = [...text.matchAll(/define "([^"]+)"/g)].map((m) => m[1]);
    for (const used of [...`${point.receivers[0].settings.message}${point.receivers[0].settings.subject}`.matchAll(/template "([^"]+)"/g)].map((m) => m[1])) expect(defined).toContain(used);
    // reads like OSSEC's mail
    expect(text).toContain('OSSEC HIDS Notification.');
    expect(text).toContain('Received From: (');
    expect(text).toContain('fired (level');
    expect(text).toContain('Portion of the log(s):');
    expect(text).toContain('--END OF NOTIFICATION');
    // every label the template prints is one the rules' queries produce (terms fields)
    const printed = new Set([...text.matchAll(/index \.Labels "([^"]+)"/g)].map((m) => m[1]));
    for (const r of alertRules) {
      const fields = new Set((r.data[0].model.bucketAggs ?? []).filter((b) => b.type === 'terms').map((b) => b.field!));
      for (const l of printed) expect([r.uid, l, fields.has(l)]).toEqual([r.uid, l, true]);
      expect(r.labels.warden).toBe('true');
      const refs = new Set(r.data.map((x) => x.refId));
      expect(refs.has(r.condition)).toBe(true);
      for (const q of r.data) {
        keysWithin(q as unknown as Record<string, unknown>, ['refId', 'queryType', 'relativeTimeRange', 'datasourceUid', 'model'], `${r.uid}/${q.refId}`);
        expect(q.datasourceUid === '__expr__' || dsUids.has(q.datasourceUid)).toBe(true);
        if (q.model.expression) expect(refs.has(q.model.expression)).toBe(true);
      }
    }
    expect(alertRules.map((r) => r.uid).sort()).toEqual(['warden-agent-disconnected', 'warden-brute-force', 'warden-fim-etc', 'warden-level-10']);
  });
});

const missing = missingTools();
if (missing) throw new Error(`the provisioning queries need Java and Maven for Elasticsearch: ${missing}`);
const d = describe;

const indexOf = (uid: string) => datasources.find((x) => x.uid === uid)!.jsonData.index as string;
/** The sum of every number a query returned (a stat's value, a time series' total, a top list's counts). */
const numbers = (frames: FrameJson[]) => frames.flatMap((f) => f.schema.fields.map((fld, i) => (fld.type === 'number' ? (f.data.values[i] as Array<number | null>) : [])).flat()).reduce<number>((n, v) => n + (v ?? 0), 0);
const rows = (frames: FrameJson[]) => frames.reduce((n, f) => n + (f.data.values[0]?.length ?? 0), 0);
/** Every value of a string field (a terms bucket) or label in the frames. */
const strings = (frames: FrameJson[]) => frames.flatMap((f) => f.schema.fields.flatMap((fld, i) => [...(fld.type === 'string' ? (f.data.values[i] as string[]) : []), ...Object.values(fld.labels ?? {})]));

d('provisioned queries against a real Elasticsearch loaded by Warden', () => {
  let data: Seeded;
  let from: number;
  let to: number;
  const esCount = async (query: unknown) => (await data.es.search(`${PREFIX}-alerts-*`, query)).length;

  beforeAll(async () => {
    data = await seed();
    from = data.start - 3600_000;
    to = Date.now() + 60_000;
  }, 900_000);

  afterAll(async () => {
    await data?.es.destroy();
  }, 120_000);

  test('every dashboard panel runs and returns data', async () => {
    let n = 0;
    for (const dash of dashboards) {
      for (const panel of dash.panels) {
        for (const t of panel.targets) {
          const r = await runModel(data.es.url, indexOf(t.datasource.uid), t, from, to);
          const got = panel.type === 'table' ? rows(r.frames) : numbers(r.frames);
          expect([dash.uid, panel.title, got > 0]).toEqual([dash.uid, panel.title, true]);
          n++;
        }
      }
    }
    expect(n).toBeGreaterThanOrEqual(50);
  });

  test('panels count exactly what Elasticsearch holds for the seeded alerts', async () => {
    const panel = (uid: string, title: string) => {
      const p = dashboards.find((x) => x.uid === uid)!.panels.find((x) => x.title === title);
      if (!p) throw new Error(`no panel ${title} in ${uid}`);
      return p.targets[0];
    };
    const value = async (uid: string, title: string) => numbers((await runModel(data.es.url, indexOf(panel(uid, title).datasource.uid), panel(uid, title), from, to)).frames);
    expect(await value('warden-overview', 'Alerts')).toBe(data.alerts);
    expect(await value('warden-overview', 'Alerts of level 10 or more')).toBe(await esCount({ range: { 'rule.level': { gte: 10 } } }));
    const stats = await data.es.search(`${PREFIX}-stats-*`, { term: { 'agent.id': '_total' } });
    expect(await value('warden-overview', 'Events')).toBe(stats.reduce((s, h) => s + (h._source as { events: number }).events, 0));
    expect(await value('warden-overview', 'Alerts by level')).toBe(data.alerts);
    expect(await value('warden-authentication', 'Brute force in progress')).toBe(await esCount({ term: { 'rule.groups': 'authentication_failures' } }));
    expect(data.byRule['5712']).toBe(1);
    expect(await value('warden-authentication', 'First-time logins')).toBe(data.byRule['10100']);
    expect(await value('warden-web', 'Attacks answered with 200')).toBe(data.byRule['31106']);
    expect(await value('warden-firewall', 'Multiple drops from one address')).toBe(data.byRule['4151']);
    expect(await value('warden-firewall', 'Firewall events')).toBeGreaterThanOrEqual(18);
    expect(await value('warden-file-integrity', 'Changes under /etc')).toBe(2); // /etc/passwd modified, /etc/cron.d/backdoor added
    expect(await value('warden-file-integrity', 'Files deleted')).toBe(1);
    expect(await value('warden-windows', 'Windows alerts')).toBe(await esCount({ term: { 'rule.groups': 'windows' } }));
    const top = await runModel(data.es.url, indexOf('warden-alerts'), panel('warden-authentication', 'Top failing source addresses'), from, to);
    expect(strings(top.frames)[0]).toBe('198.51.100.23');
  });

  test('alert rules: each fires on the seeded alerts with the labels the OSSEC-like mail prints', async () => {
    const run = async (uid: string) => {
      const r = alertRules.find((x) => x.uid === uid)!;
      const q = r.data.find((x) => x.datasourceUid !== '__expr__')!;
      const res = await runModel(data.es.url, indexOf(q.datasourceUid), q.model, from, to);
      // the reduce (sum) and threshold (> 0) expressions: one firing instance per labelled series with a count
      return res.frames.filter((f) => (f.data.values[1] as number[]).reduce((a, b) => a + b, 0) > 0).map((f) => f.schema.fields[1].labels!);
    };
    const level10 = await run('warden-level-10');
    const high = await data.es.search(`${PREFIX}-alerts-*`, { range: { 'rule.level': { gte: 10 } } });
    expect(new Set(level10.map((l) => l['rule.id']))).toEqual(new Set(high.map((h) => (h._source as { rule: { id: string } }).rule.id)));
    for (const l of level10) {
      expect(Number(l['rule.level'])).toBeGreaterThanOrEqual(10);
      expect(l['agent.name']).toBeTruthy();
      expect(l['rule.description.keyword']).toBeTruthy();
    }
    const bf = await run('warden-brute-force');
    expect(bf.map((l) => l['rule.id'])).toContain('5712');
    expect(bf.find((l) => l['rule.id'] === '5712')!['agent.name']).toBe('web1');
    const fim = await run('warden-fim-etc');
    // /etc/passwd modified and /etc/cron.d/backdoor added (two rules), not /var/www
    expect(fim.map((l) => l['agent.name'])).toEqual(['db1', 'db1']);
    expect(fim.map((l) => l['rule.id']).sort()).toEqual((await data.es.search(`${PREFIX}-alerts-*`, { bool: { filter: [{ term: { 'rule.groups': 'syscheck' } }, { prefix: { 'syscheck.path': '/etc/' } }] } })).map((h) => (h._source as { rule: { id: string } }).rule.id).sort());
    const dis = await run('warden-agent-disconnected');
    expect(dis.map((l) => l['agent.name'])).toContain('legacy1');
    expect(dis.every((l) => l.location === 'ossec-monitord')).toBe(true);
  });

  test('alert rules count every alert: the instances\' values add up to what Elasticsearch holds for the rule\'s query', async () => {
    for (const r of alertRules) {
      const q = r.data.find((x) => x.datasourceUid !== '__expr__')!;
      const res = await runModel(data.es.url, indexOf(q.datasourceUid), q.model, from, to);
      const counted = numbers(res.frames);
      const want = (await data.es.req('POST', `/${indexOf(q.datasourceUid)}/_count`, { query: { bool: { filter: [{ range: { '@timestamp': { gte: from, lte: to, format: 'epoch_millis' } } }, { query_string: { query: q.model.query, analyze_wildcard: true } }] } } })).body.count as number;
      expect([r.uid, counted]).toEqual([r.uid, want]);
      expect([r.uid, (q.model.bucketAggs ?? []).some((b) => b.field === 'full_log.keyword')]).toEqual([r.uid, false]);
    }
  });

  test('a 5,000-character Windows event fires the provisioned level-10 rule when Grafana evaluates it', async () => {
    const [doc] = await data.es.search(`${PREFIX}-alerts-*`, { bool: { filter: [{ term: { 'agent.id': 'dc01' } }, { range: { '@timestamp': { gte: data.longLine.timeMs, lte: data.longLine.timeMs, format: 'epoch_millis' } } }] } });
    const alert = doc._source as { full_log: string; rule: { id: string; level: number } };
    expect(alert.full_log).toBe(data.longLine.text);
    expect(alert.full_log.length).toBe(5000);
    expect(alert.rule).toMatchObject({ id: '18217', level: 12 });
    const rule = alertRules.find((x) => x.uid === 'warden-level-10')!;
    const evalTime = data.longLine.timeMs + 60_000;
    const { firing, nodes } = await evaluateRule(data.es.url, indexOf, rule.data as RuleQuery[], rule.condition, evalTime);
    expect(firing.map((f) => f.labels)).toContainEqual(expect.objectContaining({ 'agent.name': 'dc01', 'rule.id': '18217', 'rule.level': '12', location: 'WinEvtLog' }));
    // B (the reduce) holds the number of Warden alerts per instance: all level >= 10 alerts of the window
    const inWindow = await data.es.search(`${PREFIX}-alerts-*`, { bool: { filter: [{ range: { 'rule.level': { gte: 10 } } }, { range: { '@timestamp': { gte: evalTime - 300_000, lte: evalTime, format: 'epoch_millis' } } }] } });
    expect((nodes.B as Instance[]).reduce((n, x) => n + x.value, 0)).toBe(inWindow.length);
    // the same rule grouped by full_log.keyword (its old form) loses this alert: the keyword stops at 1024 characters
    const old = structuredClone(rule.data) as RuleQuery[];
    old[0].model.bucketAggs!.splice(-1, 0, { id: '15', type: 'terms', field: 'full_log.keyword', settings: { size: '3', order: 'desc', orderBy: '_count', min_doc_count: '1' } });
    const before = await evaluateRule(data.es.url, indexOf, old, rule.condition, evalTime);
    expect(before.firing.filter((f) => f.labels['rule.id'] === '18217' && f.labels['agent.name'] === 'dc01')).toEqual([]);
  });
});
