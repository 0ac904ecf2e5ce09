/**
 * @jest-environment jsdom
 */
/** The app's components in jsdom with the real @grafana/ui and @grafana/runtime (no data source calls here). */
import './jsdom-setup';
import { useEffect, useState, type ReactNode } from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { PluginType, type AppPluginMeta } from '@grafana/data';
import { config, locationService } from '@grafana/runtime';
// the react-router the app is built against (v6; Grafana shares it with plugins as "react-router")
import { Route, Router, Routes } from '../../grafana-app/node_modules/react-router';
import { App } from '../../grafana-app/src/components/App';
import { AlertDrawer, AlertsTable } from '../../grafana-app/src/components/Alerts';
import { PLUGIN_ID } from '../../grafana-app/src/constants';
import { timeRangeFromUrl } from '../../grafana-app/src/components/hooks';
import type { AlertHit, AppSettings } from '../../grafana-app/src/types';

const APP = `/a/${PLUGIN_ID}`;
const meta = (jsonData: AppSettings): AppPluginMeta<AppSettings> => ({ id: PLUGIN_ID, name: 'Warden', type: PluginType.app, module: '', baseUrl: '', info: { logos: { small: '', large: '' }, author: { name: 'x' }, description: '', links: [], screenshots: [], updated: '', version: '' }, jsonData } as AppPluginMeta<AppSettings>);

/** Grafana's router over locationService's history, with the app at its app URL. */
function GrafanaRouter({ children }: { children: ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useEffect(() => history.listen((l) => setLocation(l)), [history]);
  return <Router navigator={history as never} location={location}>{children}</Router>;
}
const renderApp = async (jsonData: AppSettings) => {
  await act(async () => {
    render(<GrafanaRouter><Routes><Route path="/a/:pluginId/*" element={<App meta={meta(jsonData)} basename={APP} onNavChanged={() => undefined} query={{}} path={APP} />} /></Routes></GrafanaRouter>);
  });
  await settle();
};
/** Lets what the render started (icons loading, queries failing without a backend) finish inside act(). */
const settle = () => act(() => new Promise<void>((r) => setTimeout(r, 200)));
afterEach(settle);
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
  test('the pages are routes under the app URL; the app root opens the overview; unknown paths say so', async () => {
    locationService.push(`${APP}/nope`);
    await renderApp({});
    expect(screen.getByText('This page of the Warden app does not exist')).toBeTruthy();
    await act(async () => { locationService.push(APP); });
    expect(locationService.getLocation().pathname).toBe(`${APP}/overview`);
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
  test('no data source chosen: every page says to pick one on the configuration page (a link under Grafana\'s sub-path)', async () => {
    const sub = config.appSubUrl;
    config.appSubUrl = '/grafana';
    try {
      locationService.push(`${APP}/search?from=now-7d&to=now`);
      await renderApp({});
      expect(screen.getByText("Choose the Elasticsearch data source that reads Warden's indices")).toBeTruthy();
      expect(screen.getByRole('link', { name: /Open the app's configuration/ }).getAttribute('href')).toBe(`/grafana/plugins/${PLUGIN_ID}`);
      // the time range picker is there, with the URL's range; no tab bar of the app's own
      expect(screen.getByText('Last 7 days')).toBeTruthy();
      expect(screen.queryByRole('tablist')).toBeNull();
    } finally {
      config.appSubUrl = sub;
    }
  });

  test('logtest needs the Editor role: a Viewer sees why the button is off', async () => {
    setRole('Viewer');
    locationService.push(`${APP}/rules`);
    await renderApp({ datasourceUid: 'warden-alerts' });
    expect(await screen.findByText('Needs the Editor role')).toBeTruthy();
    expect((screen.getByTestId('logtest-run') as HTMLButtonElement).disabled).toBe(true);
  });

  test('an Editor may run it once a line is typed', async () => {
    setRole('Editor');
    locationService.push(`${APP}/rules`);
    await renderApp({ datasourceUid: 'warden-alerts' });
    expect(screen.queryByText('Needs the Editor role')).toBeNull();
    const run = screen.getByTestId('logtest-run') as HTMLButtonElement;
    expect(run.disabled).toBe(true);
    await act(async () => { fireEvent.change(screen.getByTestId('logtest-line'), { target: { value: 'Oct 11 10:00:01 web1 sshd[1]: x' } }); });
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

  test('the drawer shows the whole alert and offers "search for similar"', async () => {
    const similar: string[] = [];
    await act(async () => { render(<AlertDrawer hit={hit('a', 10)} onClose={() => undefined} onSimilar={(h) => similar.push(h.id)} />); });
    await settle();
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
