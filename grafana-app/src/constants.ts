/** Grafana's `<org>-<name>-app` form; plugin.json, the provisioning and the install directory use it too. */
export const PLUGIN_ID = 'warden-hids-app';

/** The app's pages: paths relative to the app's root route (Grafana mounts the app at its app URL). */
export enum ROUTES {
  Overview = 'overview',
  Search = 'search',
  Stats = 'stats',
  Integrity = 'integrity',
  Agents = 'agents',
  Rules = 'rules',
}

/** Where the plugin's routes (plugin.json) send the service calls (relative: Grafana's <base href> adds its sub-path). */
export const SERVICE_PROXY = `api/plugin-proxy/${PLUGIN_ID}`;
