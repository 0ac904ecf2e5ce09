/**
 * The app in headless Chromium: its pages mounted with the real @grafana/ui and @grafana/runtime
 * (harness/entry.tsx), the data source calls answered by a real Elasticsearch loaded by Warden's
 * service (seed.ts). Clicks through every page, checks what it shows against Elasticsearch, and
 * saves a screenshot of each page under docs/screenshots/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { missingTools } from '../service/es-node';
import { describeRequiring } from '../support/required';
import { ROOT } from '../service/helpers';
import { seed, PREFIX, type Seeded } from './seed';
import { buildHarness } from './harness/build';
import { HarnessServer } from './harness/server';
import { launch } from './harness/chromium';

const missing = missingTools();
if (missing) console.warn(`SKIPPED: the app's browser tests need Java and Maven for Elasticsearch: ${missing}`);
const d = describeRequiring(missing, "the app's browser tests");

const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const DATASOURCES = [
  { uid: 'warden-alerts', name: 'Warden alerts', index: `${PREFIX}-alerts-*` },
  { uid: 'warden-stats', name: 'Warden stats', index: `${PREFIX}-stats-*` },
];
const SETTINGS = { datasourceUid: 'warden-alerts', statsDatasourceUid: 'warden-stats', indexPrefix: PREFIX, disconnectAfterSeconds: 600, serviceUrl: 'http://warden:8888' };

d('the Warden app in Chromium', () => {
  let data: Seeded;
  let server: HarnessServer;
  let context: BrowserContext;
  let close: () => Promise<void>;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const [seeded, bundle] = await Promise.all([seed(), buildHarness()]);
    data = seeded;
    server = new HarnessServer({ esUrl: data.es.url, bundleDir: bundle, rulesDir: path.join(ROOT, 'rules'), datasources: DATASOURCES, settings: SETTINGS, role: 'Admin' });
    await server.start();
    ({ context, close } = await launch());
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    fs.mkdirSync(SHOTS, { recursive: true });
  }, 900_000);

  afterAll(async () => {
    await close?.();
    await server?.stop();
    await data?.es.destroy();
  }, 120_000);

  afterEach(() => {
    expect(errors).toEqual([]);
  });

  const open = async (p: string, theme: 'dark' | 'light' = 'dark') => {
    const sep = p.includes('?') ? '&' : '?';
    await page.goto(`${server.url}${p}${sep}theme=${theme}`);
  };
  const shot = (name: string, fullPage = true) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
  const count = async (query: unknown) => (await data.es.search(`${PREFIX}-alerts-*`, query)).length;
  const waitTotal = async (n: number) => page.waitForFunction((x) => document.querySelector('[data-testid="search-total"]')?.textContent?.startsWith(`${x} alert`), n, { timeout: 30_000 });

  test('Overview: agent status counts, latest alerts coloured by level, latest modified files, charts over time', async () => {
    await open('/a/warden-app/overview?from=now-24h&to=now');
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
    await page.getByTestId('chart-levels').waitFor();
    await page.getByTestId('chart-events').waitFor();
    // the chart legends carry totals: alerts by level add up to every alert; the stats series to every event
    const legend = await page.getByTestId('chart-levels').textContent();
    const sum = [...(legend ?? '').matchAll(/level \d+ \((\d+)\)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(sum).toBe(data.alerts);
    expect(await page.getByTestId('chart-events').textContent()).toContain(`alerts (${data.alerts})`);
    // the time series went through /api/ds/query, the documents through the data source's _msearch resource
    expect(server.calls.some((c) => c.url === '/api/ds/query')).toBe(true);
    expect(server.calls.some((c) => c.url === '/api/datasources/uid/warden-alerts/resources/_msearch')).toBe(true);
    await shot('overview');
    await open('/a/warden-app/overview?from=now-24h&to=now', 'light');
    await page.getByTestId('overview-latest').getByTestId('alert-row').first().waitFor();
    await shot('overview-light');
  });

  test('Search: filters narrow the results and stay in the URL, paging, a row opens the whole alert, similar, CSV', async () => {
    await open('/a/warden-app/search?from=now-24h&to=now');
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

    // rule ids, group, agent, location, free text
    await open('/a/warden-app/search?from=now-24h&to=now&rule=5710,5712');
    await waitTotal((data.byRule['5710'] ?? 0) + (data.byRule['5712'] ?? 0));
    await open('/a/warden-app/search?from=now-24h&to=now&group=syscheck');
    await waitTotal(await count({ term: { 'rule.groups': 'syscheck' } }));
    await open('/a/warden-app/search?from=now-24h&to=now&agent=dc01');
    await waitTotal(data.byAgent.dc01);
    await open('/a/warden-app/search?from=now-24h&to=now&location=/var/log/nginx/access.log');
    await waitTotal(await count({ term: { location: '/var/log/nginx/access.log' } }));
    await open('/a/warden-app/search?from=now-24h&to=now&q=passwd');
    const passwd = await count({ match: { full_log: 'passwd' } });
    expect(passwd).toBeGreaterThan(0);
    await waitTotal(passwd);

    // a row opens the whole alert: the brute-force alert with its correlated lines
    await open('/a/warden-app/search?from=now-24h&to=now&rule=5712');
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
    await open('/a/warden-app/search?from=now-24h&to=now&agent=web1');
    await waitTotal(data.byAgent.web1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('timestamp,rule_id,level,description,groups,agent,location,srcip,user,full_log,id');
    expect(csv.length - 1).toBe(data.byAgent.web1);
    expect(csv.slice(1).every((l) => l.includes(',web1,'))).toBe(true);

    await open('/a/warden-app/search?from=now-24h&to=now');
    await waitTotal(data.alerts);
    await shot('search');
  });

  test('Stats: totals, alerts by level, top rules/agents/addresses/users, per hour and per day', async () => {
    await open('/a/warden-app/stats?from=now-24h&to=now');
    await page.getByTestId('stats-totals').waitFor();
    expect(Number(await page.getByTestId('stats-alerts').textContent())).toBe(data.alerts);
    const stats = await data.es.search(`${PREFIX}-stats-*`, { term: { 'agent.id': '_total' } });
    const events = stats.reduce((n, h) => n + (h._source as { events: number }).events, 0);
    expect(events).toBeGreaterThan(data.alerts);
    expect(Number(await page.getByTestId('stats-events').textContent())).toBe(events);
    const topRule = Object.entries(data.byRule).sort((a, b) => b[1] - a[1])[0];
    const firstRule = page.getByTestId('stats-rules').getByRole('button').first();
    expect(await firstRule.textContent()).toContain(topRule[0]);
    expect(await firstRule.textContent()).toContain(String(topRule[1]));
    const topAgent = Object.entries(data.byAgent).sort((a, b) => b[1] - a[1])[0];
    expect(await page.getByTestId('stats-agents').textContent()).toContain(topAgent[0]);
    expect(await page.getByTestId('stats-srcips').textContent()).toContain('198.51.100.23');
    expect(await page.getByTestId('stats-users').textContent()).toContain('root');
    await page.getByTestId('stats-hourly').waitFor();
    await page.getByTestId('stats-daily').waitFor();
    await shot('stats');
    // a top rule leads to its alerts
    await firstRule.click();
    await page.waitForURL(new RegExp(`/search\\?.*rule=${topRule[0]}`));
    await waitTotal(topRule[1]);
  });

  test('Agents: statuses, last seen, every address seen, counts; a click leads to the agent\'s alerts', async () => {
    await open('/a/warden-app/agents?from=now-24h&to=now');
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
    await shot('agents');
    await page.locator('[data-testid="agent-row"][data-agent="dc01"]').click();
    await page.waitForURL(/\/search\?.*agent=dc01/);
    await waitTotal(data.byAgent.dc01);
  });

  test('Rules: the loaded rules with how often each fired, filtering, and logtest\'s three phases', async () => {
    await open('/a/warden-app/rules?from=now-24h&to=now');
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
      await open('/a/warden-app/overview');
      await page.getByText('Choose the Elasticsearch data source that reads Warden\'s indices').waitFor();
      await shot('empty-no-datasource');
      server.settings.jsonData = { ...saved, serviceUrl: '' };
      await open('/a/warden-app/rules?from=now-24h&to=now');
      await page.getByTestId('rules-service-error').waitFor();
      // the rules that fired still show, from Elasticsearch
      await page.locator('[data-testid="rule-row"][data-rule="5712"]').waitFor({ timeout: 30_000 });
      expect(await page.locator('[data-testid="rule-row"][data-rule="5712"]').count()).toBe(1);
    } finally {
      server.settings.jsonData = saved;
    }
    await open('/a/warden-app/search?from=now-30d&to=now-7d');
    await page.getByText('No alerts match these filters in this time range').waitFor();
  });

  test('configuration page: picks the data sources and saves the settings through Grafana\'s API', async () => {
    await open('/plugins/warden-app');
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
