/**
 * The built app (grafana-app/dist/module.js) in headless Chromium, loaded the way Grafana loads
 * it: an AMD module imported with SystemJS, its React, react/jsx-runtime, react-router and
 * @grafana/* provided by the host page, once with Grafana 12's packages and React 18 and once with
 * Grafana 13's and React 19 (harness/hosts.ts), behind a Grafana sub-path. The data source calls
 * are answered by a real Elasticsearch loaded by Warden's service (seed.ts). Clicks through every
 * page and checks what it shows against Elasticsearch. With UPDATE_SCREENSHOTS=1 it saves a
 * screenshot of each page per host under docs/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { missingTools } from '../service/es-node';
import { ROOT } from '../service/helpers';
import { seed, PREFIX, type Seeded } from './seed';
import { buildHost } from './harness/build';
import { HOSTS, ensureHost, hostVersion } from './harness/hosts';
import { HarnessServer } from './harness/server';
import { launch } from './harness/chromium';

const missing = missingTools();
if (missing) throw new Error(`the app's browser tests need Java and Maven for Elasticsearch: ${missing}`);

const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const UPDATE_SHOTS = process.env.UPDATE_SCREENSHOTS === '1';
const PLUGIN_ID = (JSON.parse(fs.readFileSync(path.join(ROOT, 'grafana-app', 'src', 'plugin.json'), 'utf8')) as { id: string }).id;
const SUB = '/grafana';
const APP = `/a/${PLUGIN_ID}`;
const DATASOURCES = [
  { uid: 'warden-alerts', name: 'Warden alerts', index: `${PREFIX}-alerts-*` },
  { uid: 'warden-stats', name: 'Warden stats', index: `${PREFIX}-stats-*` },
];
const SETTINGS = { datasourceUid: 'warden-alerts', statsDatasourceUid: 'warden-stats', indexPrefix: PREFIX, disconnectAfterSeconds: 600, serviceUrl: 'http://warden:8888' };
const only = process.env.GRAFANA_HOST;

let data: Seeded;
beforeAll(async () => {
  // the artifact users install: grafana-app/dist, built now from the source
  execFileSync('npm', ['run', 'build', '-w', 'grafana-app'], { cwd: ROOT, stdio: 'pipe', timeout: 300_000 });
  data = await seed();
}, 900_000);
afterAll(async () => {
  await data?.es.destroy();
}, 120_000);

describe.each(HOSTS.filter((h) => !only || h.name === only))('the built app in $name (Grafana $grafana, React $react)', (host) => {
  let server: HarnessServer;
  let context: BrowserContext;
  let close: () => Promise<void>;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    ensureHost(host);
    const bundle = await buildHost(host);
    server = new HarnessServer({ esUrl: data.es.url, bundleDir: bundle, hostDir: host.dir, pluginDir: path.join(ROOT, 'grafana-app', 'dist'), pluginId: PLUGIN_ID, subPath: SUB, rulesDir: path.join(ROOT, 'rules'), datasources: DATASOURCES, settings: SETTINGS, role: 'Admin' });
    await server.start();
    ({ context, close } = await launch());
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error' && /act\(|Warning:/.test(m.text())) errors.push(m.text()); });
    if (UPDATE_SHOTS) fs.mkdirSync(SHOTS, { recursive: true });
  }, 1_800_000);

  afterAll(async () => {
    await close?.();
    await server?.stop();
  }, 120_000);

  afterEach(() => {
    expect(errors).toEqual([]);
  });

  const open = async (p: string, theme: 'dark' | 'light' = 'dark') => {
    const sep = p.includes('?') ? '&' : '?';
    await page.goto(`${server.url}${SUB}${p.startsWith('/plugins') ? p : `${APP}/${p}`}${sep}theme=${theme}`);
  };
  const shot = async (name: string, fullPage = true) => { if (UPDATE_SHOTS) await page.screenshot({ path: path.join(SHOTS, `${host.name}-${name}.png`), fullPage }); };
  const count = async (query: unknown) => (await data.es.search(`${PREFIX}-alerts-*`, query)).length;
  const waitTotal = async (n: number) => page.waitForFunction((x) => document.querySelector('[data-testid="search-total"]')?.textContent?.startsWith(`${x} alert`), n, { timeout: 30_000 });

  test('the host is the Grafana release it claims, and it loaded dist/module.js through SystemJS', async () => {
    await open('overview?from=now-24h&to=now');
    await page.getByTestId('overview-agents').waitFor();
    const info = await page.evaluate(() => window.__HOST__ as Record<string, string>);
    expect(info.react).toBe(host.react);
    expect(info.grafana).toBe(host.grafana);
    expect(hostVersion(host, 'react')).toBe(host.react);
    expect(info.appSubUrl).toBe(SUB);
    expect(server.requests).toContain(`/public/plugins/${PLUGIN_ID}/module.js`);
    console.log(`${host.name}: Grafana packages ${info.grafana} (@grafana/runtime ${info.grafanaRuntime}), React ${info.react}`);
  });

  test('navigation is Grafana\'s, from plugin.json: every page of the includes opens under the sub-path; unknown paths say so', async () => {
    await open('');
    await page.waitForURL(new RegExp(`${SUB}${APP}/overview`));
    const json = JSON.parse(fs.readFileSync(path.join(ROOT, 'grafana-app', 'dist', 'plugin.json'), 'utf8')) as { includes: Array<{ name: string; path: string; addToNav?: boolean }> };
    const pages: Record<string, string> = { Overview: 'overview-agents', Search: 'search-filters', Stats: 'stats-totals', Integrity: 'integrity-files', Agents: 'agents-table', Rules: 'logtest', Configuration: 'app-config' };
    for (const inc of json.includes.filter((i) => i.addToNav)) {
      await page.getByTestId(`nav-${inc.name}`).click();
      await page.waitForURL((u) => u.pathname === `${SUB}${inc.path}`);
      await page.getByTestId(pages[inc.name]).waitFor();
    }
    // the app draws no tab bar of its own
    await open('overview?from=now-24h&to=now');
    await page.getByTestId('overview-agents').waitFor();
    expect(await page.locator('[role="tablist"]').count()).toBe(0);
    await open('nope');
    await page.getByText('This page of the Warden app does not exist').waitFor();
    // links inside the app keep Grafana's sub-path
    server.settings.jsonData = { ...SETTINGS, datasourceUid: undefined };
    try {
      await open('overview');
      const href = await page.getByRole('link', { name: /Open the app's configuration/ }).getAttribute('href');
      expect(href).toBe(`${SUB}/plugins/${PLUGIN_ID}`);
    } finally {
      server.settings.jsonData = { ...SETTINGS };
    }
  });

  test('Overview: agent status counts, latest alerts coloured by level, latest modified files, charts over time', async () => {
    await open('overview?from=now-24h&to=now');
    await page.getByTestId('overview-agents').waitFor();
    expect(await page.getByTestId('agents-active').textContent()).toMatch(/^4/); // web1 fw1 db1 dc01
    expect(await page.getByTestId('agents-disconnected').textContent()).toMatch(/^1/); // legacy1
    expect(await page.getByTestId('agents-never-connected').textContent()).toMatch(/^1/); // ghost
    const rows = page.getByTestId('overview-latest').getByTestId('alert-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(12);
    // newest first: the first row is the newest alert in Elasticsearch
    const newest = (await data.es.search(`${PREFIX}-alerts-*`)).sort((a, b) => String(b._source['@timestamp']).localeCompare(String(a._source['@timestamp'])))[0];
    expect(await rows.first().getAttribute('data-rule')).toBe((newest._source as { rule: { id: string } }).rule.id);
    expect(await page.getByTestId('file-change').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('/etc/passwd')]));
    // Grafana's own time series visualisation (uPlot), its legend table carrying each series' sum
    const legend = async (id: string) => {
      await page.getByTestId(id).locator('canvas').first().waitFor();
      await page.getByTestId(id).locator('tbody tr').first().waitFor();
      return page.getByTestId(id).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
    };
    const levels = await legend('chart-levels');
    expect(levels.map((r) => (/level \d+/.test(r.join(' ')) ? 'level' : r.join('|')))).toEqual(levels.map(() => 'level'));
    expect(levels.reduce((n, r) => n + Number(r[r.length - 1]), 0)).toBe(data.alerts);
    const events = await legend('chart-events');
    expect(events.find((r) => /\balerts\b/.test(r.join(' ')))?.pop()).toBe(String(data.alerts));
    // its tooltip, as on any Grafana panel
    await page.getByTestId('chart-levels').locator('.u-over').first().hover();
    await page.getByTestId('chart-tooltip').first().waitFor({ timeout: 10_000 });
    // the time series went through /api/ds/query, the documents through the data source's _msearch resource
    expect(server.calls.some((c) => c.url === '/api/ds/query')).toBe(true);
    expect(server.calls.some((c) => c.url === '/api/datasources/uid/warden-alerts/resources/_msearch')).toBe(true);
    await shot('overview');
    await open('overview?from=now-24h&to=now', 'light');
    await page.getByTestId('overview-latest').getByTestId('alert-row').first().waitFor();
    await shot('overview-light');
  });

  test('Search: filters narrow the results and stay in the URL, paging, a row opens the whole alert, similar, CSV', async () => {
    await open('search?from=now-24h&to=now');
    await waitTotal(data.alerts);
    expect(await page.getByTestId('alert-row').count()).toBe(25);
    // paging: page 2 holds other alerts
    const page1 = await page.getByTestId('alert-row').allTextContents();
    await page.getByRole('button', { name: '2', exact: true }).click();
    await page.waitForURL(/page=2/);
    await page.waitForFunction((first) => document.querySelector('[data-testid="alert-row"]')?.textContent !== first, page1[0]);
    const page2 = await page.getByTestId('alert-row').allTextContents();
    expect(page2.length).toBe(Math.min(25, data.alerts - 25));
    expect(page2.filter((r) => page1.includes(r))).toEqual([]);

    // minimum level
    await page.getByTestId('filter-level').fill('8');
    await page.getByTestId('search-apply').click();
    const level8 = await count({ range: { 'rule.level': { gte: 8 } } });
    expect(level8).toBeGreaterThan(0);
    expect(level8).toBeLessThan(data.alerts);
    await waitTotal(level8);
    expect(page.url()).toContain('level=8');
    for (const l of await page.getByTestId('alert-row').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-level'))))) expect(l).toBeGreaterThanOrEqual(8);

    // source address block and user, on top of a cleared level
    await page.getByTestId('filter-level').fill('');
    await page.getByTestId('filter-srcip').fill('198.51.100.0/24');
    await page.getByTestId('search-apply').click();
    const fromBlock = await count({ term: { 'data.srcip': '198.51.100.0/24' } });
    await waitTotal(fromBlock);
    await page.getByTestId('filter-user').fill('root');
    await page.getByTestId('search-apply').click();
    const rootFromBlock = await count({ bool: { filter: [{ term: { 'data.srcip': '198.51.100.0/24' } }], should: [{ term: { 'data.dstuser': 'root' } }, { term: { 'data.srcuser': 'root' } }], minimum_should_match: 1 } });
    expect(rootFromBlock).toBeGreaterThan(0);
    expect(rootFromBlock).toBeLessThan(fromBlock);
    await waitTotal(rootFromBlock);
    // the state is in the URL: a reload shows the same filters and results
    await page.reload();
    await waitTotal(rootFromBlock);
    expect(await page.getByTestId('filter-user').inputValue()).toBe('root');

    // a level range, and pick-lists of what the alerts in the range hold
    await open('search?from=now-24h&to=now&level=5&maxlevel=7');
    const mid = await count({ range: { 'rule.level': { gte: 5, lte: 7 } } });
    expect(mid).toBeGreaterThan(0);
    await waitTotal(mid);
    expect(await page.getByTestId('filter-maxlevel').inputValue()).toBe('7');
    const options = async (k: string) => page.getByTestId(`pick-${k}`).evaluate((el) => [...el.querySelectorAll('option')].map((o) => o.value));
    expect(await options('agent')).toEqual(Object.keys(data.byAgent).sort());
    expect(await options('rule')).toEqual(Object.keys(data.byRule).sort());

    // rule ids, group, agent, location, free text
    await open('search?from=now-24h&to=now&rule=5710,5712');
    await waitTotal((data.byRule['5710'] ?? 0) + (data.byRule['5712'] ?? 0));
    await open('search?from=now-24h&to=now&group=syscheck');
    await waitTotal(await count({ term: { 'rule.groups': 'syscheck' } }));
    await open('search?from=now-24h&to=now&agent=dc01');
    await waitTotal(data.byAgent.dc01);
    await open('search?from=now-24h&to=now&location=/var/log/nginx/access.log');
    await waitTotal(await count({ term: { location: '/var/log/nginx/access.log' } }));
    await open('search?from=now-24h&to=now&q=passwd');
    const passwd = await count({ match: { full_log: 'passwd' } });
    expect(passwd).toBeGreaterThan(0);
    await waitTotal(passwd);

    // a row opens the whole alert: the brute-force alert with its correlated lines
    await open('search?from=now-24h&to=now&rule=5712');
    await waitTotal(1);
    await page.getByTestId('alert-row').first().click();
    const details = page.getByTestId('alert-details');
    await details.waitFor();
    const [bf] = await data.es.search(`${PREFIX}-alerts-*`, { term: { 'rule.id': '5712' } });
    const src = bf._source as { full_log: string; previous_output?: string; rule: { mitre?: { id: string[] } } };
    expect(await page.getByTestId('alert-full-log').textContent()).toBe(src.full_log);
    if (src.previous_output) expect(await page.getByTestId('alert-previous-output').textContent()).toBe(src.previous_output);
    expect(await details.textContent()).toContain('srcip');
    expect(await details.textContent()).toContain('198.51.100.23');
    for (const t of src.rule.mitre?.id ?? []) expect(await details.textContent()).toContain(t);
    await shot('search-alert');
    // search for similar: same rule, same source address
    await page.getByRole('button', { name: 'Search for similar' }).click();
    await page.waitForURL(/srcip=198\.51\.100\.23/);
    expect(page.url()).toContain('rule=5712');
    await waitTotal(await count({ bool: { filter: [{ term: { 'rule.id': '5712' } }, { term: { 'data.srcip': '198.51.100.23' } }] } }));

    // CSV export of the current results
    await open('search?from=now-24h&to=now&agent=web1');
    await waitTotal(data.byAgent.web1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('timestamp,rule_id,level,description,groups,agent,location,srcip,user,full_log,id');
    expect(csv.length - 1).toBe(data.byAgent.web1);
    expect(csv.slice(1).every((l) => l.includes(',web1,'))).toBe(true);

    await open('search?from=now-24h&to=now');
    await waitTotal(data.alerts);
    await shot('search');
  });

  test('Stats: totals, tables by level, rule, agent, users, per hour and per day, each as Elasticsearch counts them', async () => {
    await open('stats?from=now-24h&to=now');
    await page.getByTestId('stats-totals').waitFor();
    expect(Number(await page.getByTestId('stats-alerts').textContent())).toBe(data.alerts);
    const stats = (await data.es.search(`${PREFIX}-stats-*`, { term: { 'agent.id': '_total' } })).map((h) => h._source as { '@timestamp': string; events: number; alerts: number });
    const events = stats.reduce((n, h) => n + h.events, 0);
    expect(events).toBeGreaterThan(data.alerts);
    expect(Number(await page.getByTestId('stats-events').textContent())).toBe(events);
    const rowsOf = async (testId: string) => page.getByTestId(testId).getByTestId('stats-count-row').evaluateAll((els) => els.map((e) => [e.getAttribute('data-key'), Number(e.getAttribute('data-count'))] as [string, number]));
    // by level: every level, and they add up to every alert
    const alerts = (await data.es.search(`${PREFIX}-alerts-*`)).map((h) => h._source as { rule: { level: number } });
    const byLevel: Record<string, number> = {};
    for (const a of alerts) byLevel[a.rule.level] = (byLevel[a.rule.level] ?? 0) + 1;
    expect(Object.fromEntries(await rowsOf('stats-levels'))).toEqual(byLevel);
    // by agent and by rule: the counts Warden wrote
    expect(Object.fromEntries(await rowsOf('stats-agents'))).toEqual(data.byAgent);
    const rules = await rowsOf('stats-rules');
    for (const [k, n] of rules) expect([k, n]).toEqual([k, data.byRule[k]]);
    expect(rules[0][1]).toBe(Math.max(...Object.values(data.byRule)));
    expect(await page.getByTestId('stats-srcips').textContent()).toContain('198.51.100.23');
    // users: as Search counts them (destination or source user)
    const users = await rowsOf('stats-users');
    expect(users.length).toBeGreaterThan(0);
    for (const [u, n] of users) expect([u, n]).toEqual([u, await count({ bool: { should: [{ term: { 'data.dstuser': u } }, { term: { 'data.srcuser': u } }], minimum_should_match: 1 } })]);
    // per hour and per day (UTC), from the stats documents
    const bucket = (iso: string, len: number) => `${iso.slice(0, len)}${len === 13 ? ':00:00.000Z' : 'T00:00:00.000Z'}`;
    for (const [testId, len] of [['stats-hourly', 13], ['stats-daily', 10]] as const) {
      const want: Record<string, [number, number]> = {};
      for (const d of stats) {
        const k = bucket(new Date(d['@timestamp']).toISOString(), len);
        const [e, a] = want[k] ?? [0, 0];
        want[k] = [e + d.events, a + d.alerts];
      }
      const got = await page.getByTestId(testId).getByTestId('stats-time-row').evaluateAll((els) => els.map((e) => [e.getAttribute('data-t'), [...e.querySelectorAll('td')].slice(1, 3).map((td) => Number(td.textContent))] as [string, number[]]));
      // the seeded events span the last 20 hours: every stats document is in the 24-hour range
      expect(Object.fromEntries(got)).toEqual(want);
    }
    await shot('stats');
    // a rule leads to its alerts
    const [topRule, topCount] = rules[0];
    await page.getByTestId('stats-rules').getByTestId('stats-count-row').first().click();
    await page.waitForURL(new RegExp(`/search\\?.*rule=${topRule}`));
    await waitTotal(topCount);
  });

  test('Integrity: the files per agent as Warden stored them, changes in range, a file\'s history with old and new checksums, sizes, owners', async () => {
    await open('integrity?from=now-24h&to=now&agent=db1');
    await page.getByTestId('integrity-files').waitFor();
    const files = (await data.es.search(`${PREFIX}-syscheck`, { term: { 'agent.id': 'db1' } })).map((h) => h._source as { path: string; size?: number; sha256?: string });
    expect(files.length).toBeGreaterThanOrEqual(3);
    const rows = await page.getByTestId('integrity-file').evaluateAll((els) => els.map((e) => ({ path: e.getAttribute('data-path'), size: e.querySelector('[data-testid="integrity-size"]')?.textContent, changes: Number(e.querySelector('[data-testid="integrity-changes"]')?.textContent) })));
    expect(rows.map((r) => r.path).sort()).toEqual(files.map((f) => f.path).sort());
    for (const f of files) {
      const r = rows.find((x) => x.path === f.path)!;
      expect(r.size).toBe(f.size === undefined ? '' : String(f.size));
      expect(r.changes).toBe(await count({ bool: { filter: [{ term: { 'agent.id': 'db1' } }, { term: { 'syscheck.path': f.path } }] } }));
    }
    await page.locator('[data-testid="integrity-file"][data-path="/etc/passwd"]').click();
    await page.waitForURL(/file=%2Fetc%2Fpasswd/);
    const history = page.getByTestId('integrity-history');
    await history.getByTestId('integrity-change').first().waitFor();
    const changes = await data.es.search(`${PREFIX}-alerts-*`, { bool: { filter: [{ term: { 'agent.id': 'db1' } }, { term: { 'syscheck.path': '/etc/passwd' } }] } });
    expect(await history.getByTestId('integrity-change').count()).toBe(changes.length);
    const sc = (changes[0]._source as { syscheck: Record<string, string | number> }).syscheck;
    const sha = (await history.getByTestId('change-sha256').first().textContent()) ?? '';
    expect(sha).toContain(String(sc.sha256_before));
    expect(sha).toContain(String(sc.sha256_after));
    expect(await history.getByTestId('change-size').first().textContent()).toBe(`size${sc.size_before} → ${sc.size_after}`);
    expect(await history.getByTestId('change-uname').first().textContent()).toContain(String(sc.uname_after));
    await shot('integrity');
  });

  test('Agents: statuses, last seen, every address seen, counts; a click leads to the agent\'s alerts', async () => {
    await open('agents?from=now-24h&to=now');
    await page.getByTestId('agents-table').waitFor();
    const status = async (id: string) => page.locator(`[data-testid="agent-row"][data-agent="${id}"]`).getAttribute('data-status');
    expect(await status('web1')).toBe('active');
    expect(await status('dc01')).toBe('active');
    expect(await status('legacy1')).toBe('disconnected');
    expect(await status('ghost')).toBe('never connected');
    const web1 = await page.locator('[data-testid="agent-row"][data-agent="web1"]').textContent();
    expect(web1).toContain('10.0.0.11');
    expect(web1).toContain('172.16.5.11');
    expect(await page.getByTestId('count-active').textContent()).toBe('4 active');
    // every alert of an agent counts, Warden's own agent-disconnected alert too
    for (const id of ['legacy1', 'web1', 'dc01']) {
      expect([id, Number(await page.locator(`[data-testid="agent-row"][data-agent="${id}"] [data-testid="agent-alerts"]`).textContent())]).toEqual([id, data.byAgent[id]]);
    }
    expect(await count({ bool: { filter: [{ term: { 'agent.id': 'legacy1' } }, { term: { location: 'ossec-monitord' } }] } })).toBeGreaterThan(0);
    await shot('agents');
    await page.locator('[data-testid="agent-row"][data-agent="dc01"]').click();
    await page.waitForURL(/\/search\?.*agent=dc01/);
    await waitTotal(data.byAgent.dc01);
  });

  test('Rules: the loaded rules with how often each fired, filtering, and logtest\'s three phases', async () => {
    await open('rules?from=now-24h&to=now');
    await page.getByTestId('rules-table').waitFor();
    const m = /(\d+) of (\d+) rules/.exec((await page.getByTestId('rules-count').textContent()) ?? '')!;
    expect(Number(m[2])).toBeGreaterThan(100);
    const row = page.locator('[data-testid="rule-row"][data-rule="5710"]');
    expect(await row.textContent()).toContain(String(data.byRule['5710']));
    await page.getByTestId('logtest-line').fill('Oct 11 10:00:01 web9 sshd[2001]: Failed password for root from 198.51.100.23 port 40001 ssh2');
    await page.getByTestId('logtest-run').click();
    const out = page.getByTestId('logtest-result');
    await out.waitFor();
    const text = (await out.textContent()) ?? '';
    expect(text).toContain("program_name: 'sshd'");
    expect(text).toContain("hostname: 'web9'");
    expect(text).toContain("srcip: '198.51.100.23'");
    expect(text).toContain("decoder: 'sshd'");
    expect(text).toContain("Rule id: '5716'");
    expect(text).toContain('**Alert to be generated.');
    // the rule's file and its XML as written
    expect(await page.getByTestId('logtest-rule-file').textContent()).toMatch(/sshd_rules\.xml:\d+$/);
    expect(await page.getByTestId('logtest-rule-xml').textContent()).toMatch(/^\s*<rule id="5716"[\s\S]*<\/rule>$/);
    // a line no rule matches says so; the location is sent as given
    await page.getByTestId('logtest-line').fill('hello from nowhere in particular');
    await page.getByTestId('logtest-location').fill('/var/log/custom.log');
    await page.getByTestId('logtest-run').click();
    await page.getByText('No rule matched: no alert.').waitFor();
    expect(server.calls.filter((c) => c.url.endsWith('/logtest')).pop()!.body).toContain('"location":"/var/log/custom.log"');
    await shot('rules', false);
    // paged: 50 rules a page
    expect(await page.getByTestId('rule-row').count()).toBe(50);
    await page.getByTestId('rules-filter').fill('brute force');
    await page.getByTestId('rules-filter').press('Enter');
    await page.waitForURL(/rq=brute/);
    const ids = await page.getByTestId('rule-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-rule')));
    expect(ids).toContain('5712');
    expect(ids).not.toContain('5710');
  });

  test('empty states say what to do: no data source, no data in the range, service unreachable', async () => {
    const saved = { ...server.settings.jsonData };
    try {
      server.settings.jsonData = { ...saved, datasourceUid: undefined };
      await open('overview');
      await page.getByText('Choose the Elasticsearch data source that reads Warden\'s indices').waitFor();
      await shot('empty-no-datasource');
      server.settings.jsonData = { ...saved, serviceUrl: '' };
      await open('rules?from=now-24h&to=now');
      await page.getByTestId('rules-service-error').waitFor();
      // the rules that fired still show, from Elasticsearch
      await page.locator('[data-testid="rule-row"][data-rule="5712"]').waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-testid="rule-row"][data-rule="5712"]').count()).toBe(1);
    } finally {
      server.settings.jsonData = saved;
    }
    await open('search?from=now-30d&to=now-7d');
    await page.getByText('No alerts match these filters in this time range').waitFor();
  });

  test('Overview: latest alerts refresh by themselves', async () => {
    await open('overview?from=now-24h&to=now&refresh=5s');
    const first = page.getByTestId('overview-latest').getByTestId('alert-row').first();
    await first.waitFor();
    const [src] = await data.es.search(`${PREFIX}-alerts-*`, { term: { 'rule.id': '5712' } });
    const probe = { ...(src._source as Record<string, unknown>), '@timestamp': new Date().toISOString(), full_log: `auto-refresh probe ${host.name}` };
    const put = await data.es.req('POST', `/${src._index}/_doc?refresh=true`, probe);
    try {
      await page.waitForFunction((t) => document.querySelector('[data-testid="overview-latest"] [data-testid="alert-row"]')?.textContent?.includes(t), `auto-refresh probe ${host.name}`, { timeout: 20_000 });
    } finally {
      await data.es.req('DELETE', `/${src._index}/_doc/${(put.body as { _id: string })._id}?refresh=true`);
    }
  });

  test('configuration page: picks the data sources and saves the settings through Grafana\'s API', async () => {
    await open(`/plugins/${PLUGIN_ID}`);
    await page.getByTestId('app-config').waitFor();
    expect(await page.getByTestId('config-datasource').textContent()).toContain('Warden alerts');
    await page.getByTestId('config-prefix').fill('warden');
    await page.getByTestId('config-service-url').fill('http://warden:9090');
    await shot('configuration');
    await page.getByTestId('config-save').click();
    await page.getByTestId('config-saved').waitFor();
    expect(server.settings.jsonData).toMatchObject({ datasourceUid: 'warden-alerts', serviceUrl: 'http://warden:9090', indexPrefix: 'warden' });
  });
});
