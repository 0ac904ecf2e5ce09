/**
 * @jest-environment jsdom
 */
/** The app's components in jsdom with the real @grafana/ui and @grafana/runtime (no data source calls here). */
import './jsdom-setup';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { PluginType, type AppPluginMeta } from '@grafana/data';
import { config, locationService } from '@grafana/runtime';
import { App, routeOf } from '../../grafana-app/src/components/App';
import { AlertDrawer, AlertsTable } from '../../grafana-app/src/components/Alerts';
import { ROUTES } from '../../grafana-app/src/constants';
import { timeRangeFromUrl } from '../../grafana-app/src/components/hooks';
import type { AlertHit, AppSettings } from '../../grafana-app/src/types';

const meta = (jsonData: AppSettings): AppPluginMeta<AppSettings> => ({ id: 'warden-app', name: 'Warden', type: PluginType.app, module: '', baseUrl: '', info: { logos: { small: '', large: '' }, author: { name: 'x' }, description: '', links: [], screenshots: [], updated: '', version: '' }, jsonData } as AppPluginMeta<AppSettings>);
const renderApp = (jsonData: AppSettings) => render(<App meta={meta(jsonData)} basename="/a/warden-app" onNavChanged={() => undefined} query={{}} path="/a/warden-app" />);
const setRole = (orgRole: string) => { (config as unknown as { bootData: { user: Record<string, unknown> } }).bootData = { ...config.bootData, user: { isSignedIn: true, orgRole } } as never; };

const hit = (id: string, level: number, extra: Partial<AlertHit['doc']> = {}): AlertHit => ({
  id, index: 'warden-alerts-2024.05.17',
  doc: {
    '@timestamp': '2024-05-17T12:30:00.000Z', rule: { id: '5712', level, description: 'sshd: brute force', groups: ['sshd', 'authentication_failures'], mitre: { id: ['T1110.001'] } },
    agent: { id: 'web1', name: 'web1', ip: '10.0.0.11' }, location: '/var/log/auth.log', full_log: `line ${id}`, data: { srcip: '192.0.2.10', dstuser: 'root' },
    previous_output: 'earlier 1\nearlier 2', decoder: { name: 'sshd' }, ...extra,
  },
});

describe('routing and URL state', () => {
  test('the path under /a/warden-app picks the page; unknown paths show the overview', () => {
    expect(routeOf('/a/warden-app/search')).toBe(ROUTES.Search);
    expect(routeOf('/a/warden-app/agents/extra')).toBe(ROUTES.Agents);
    expect(routeOf('/a/warden-app')).toBe(ROUTES.Overview);
    expect(routeOf('/a/warden-app/nope')).toBe(ROUTES.Overview);
  });

  test('time range from the URL: relative, absolute epoch ms, and a broken value falls back to 24 hours', () => {
    const rel = timeRangeFromUrl({ from: 'now-7d', to: 'now' });
    expect(rel.raw.from).toBe('now-7d');
    expect(rel.to.valueOf() - rel.from.valueOf()).toBeCloseTo(7 * 86400e3, -4);
    const abs = timeRangeFromUrl({ from: '1700000000000', to: '1700003600000' });
    expect([abs.from.valueOf(), abs.to.valueOf()]).toEqual([1700000000000, 1700003600000]);
    const bad = timeRangeFromUrl({ from: 'yesterday-ish', to: 'now' });
    expect(bad.raw.from).toBe('now-24h');
  });
});

describe('empty states and roles', () => {
  test('no data source chosen: every page says to pick one on the configuration page', () => {
    locationService.push('/a/warden-app/search?from=now-7d&to=now');
    renderApp({});
    expect(screen.getByText("Choose the Elasticsearch data source that reads Warden's indices")).toBeTruthy();
    expect(screen.getByRole('link', { name: /Open the app's configuration/ }).getAttribute('href')).toBe('/plugins/warden-app');
    // the tabs and the time range picker are there, with the URL's range
    expect(screen.getByText('Last 7 days')).toBeTruthy();
    expect(screen.getByTestId('tab-search')).toBeTruthy();
  });

  test('a tab keeps the time range and changes the page', () => {
    locationService.push('/a/warden-app/overview?from=now-6h&to=now&level=9');
    renderApp({});
    act(() => { fireEvent.click(within(screen.getByTestId('tab-agents')).getByText('Agents')); });
    expect(locationService.getLocation().pathname).toBe('/a/warden-app/agents');
    expect(locationService.getSearchObject()).toEqual({ from: 'now-6h', to: 'now' });
  });

  test('logtest needs the Editor role: a Viewer sees why the button is off', async () => {
    setRole('Viewer');
    locationService.push('/a/warden-app/rules');
    renderApp({ datasourceUid: 'warden-alerts' });
    expect(await screen.findByText('Needs the Editor role')).toBeTruthy();
    expect((screen.getByTestId('logtest-run') as HTMLButtonElement).disabled).toBe(true);
  });

  test('an Editor may run it once a line is typed', async () => {
    setRole('Editor');
    locationService.push('/a/warden-app/rules');
    renderApp({ datasourceUid: 'warden-alerts' });
    expect(screen.queryByText('Needs the Editor role')).toBeNull();
    const run = screen.getByTestId('logtest-run') as HTMLButtonElement;
    expect(run.disabled).toBe(true);
    fireEvent.change(screen.getByTestId('logtest-line'), { target: { value: 'Oct 11 10:00:01 web1 sshd[1]: x' } });
    expect(run.disabled).toBe(false);
  });
});

describe('alerts table and details', () => {
  test('rows show the level as a coloured badge and open on click', () => {
    const opened: string[] = [];
    render(<AlertsTable hits={[hit('a', 12), hit('b', 3)]} onOpen={(h) => opened.push(h.id)} />);
    const rows = screen.getAllByTestId('alert-row');
    expect(rows.map((r) => r.getAttribute('data-level'))).toEqual(['12', '3']);
    expect(within(rows[0]).getByText('Level 12')).toBeTruthy();
    fireEvent.click(rows[1]);
    expect(opened).toEqual(['b']);
  });

  test('the drawer shows the whole alert and offers "search for similar"', () => {
    const similar: string[] = [];
    render(<AlertDrawer hit={hit('a', 10)} onClose={() => undefined} onSimilar={(h) => similar.push(h.id)} />);
    expect(screen.getByTestId('alert-full-log').textContent).toBe('line a');
    expect(screen.getByTestId('alert-previous-output').textContent).toBe('earlier 1\nearlier 2');
    const details = screen.getByTestId('alert-details');
    expect(details.textContent).toContain('T1110.001');
    expect(details.textContent).toContain('authentication_failures');
    expect(details.textContent).toContain('(web1) 10.0.0.11->/var/log/auth.log');
    expect(details.textContent).toContain('srcip192.0.2.10');
    fireEvent.click(screen.getByRole('button', { name: /Search for similar/ }));
    expect(similar).toEqual(['a']);
  });
});
