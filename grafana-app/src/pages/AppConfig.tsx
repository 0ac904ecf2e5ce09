/** The app's configuration page: the Elasticsearch data sources, index prefix, disconnect threshold, and Warden's service (URL and token). */
import { useState } from 'react';
import { css } from '@emotion/css';
import type { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps } from '@grafana/data';
import { DataSourcePicker, getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, SecretInput, useStyles2 } from '@grafana/ui';
import { lastValueFrom } from 'rxjs';
import { PLUGIN_ID } from '../constants';
import type { AppSettings } from '../types';

export type AppConfigProps = PluginConfigPageProps<AppPluginMeta<AppSettings>>;

export function AppConfig({ plugin }: AppConfigProps) {
  const styles = useStyles2(getStyles);
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [s, setS] = useState<AppSettings>({ indexPrefix: 'warden', disconnectAfterSeconds: 600, ...(jsonData ?? {}) });
  const [token, setToken] = useState('');
  const [tokenSet, setTokenSet] = useState(Boolean(secureJsonFields?.serviceToken));
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    setError(null);
    try {
      await lastValueFrom(getBackendSrv().fetch({
        url: `/api/plugins/${PLUGIN_ID}/settings`,
        method: 'POST',
        data: { enabled: true, pinned: pinned ?? true, jsonData: s, ...(token ? { secureJsonData: { serviceToken: token } } : {}) },
        showErrorAlert: false,
      }));
      setSaved('Settings saved. Reload the app pages to use them.');
      if (token) { setTokenSet(true); setToken(''); }
    } catch (e) {
      const fe = e as { status?: number; data?: { message?: string } };
      setError(fe.data?.message ?? `could not save (HTTP ${fe.status ?? '?'})`);
    }
  };

  return (
    <div data-testid="app-config">
      {!enabled && <Alert severity="info" title="The app is not enabled yet">Saving the settings enables it.</Alert>}
      <FieldSet label="Elasticsearch">
        <Field label="Alerts data source" description="An Elasticsearch data source for warden-alerts-* (time field @timestamp). The app queries it through Grafana, so no Elasticsearch credentials reach the browser.">
          <div className={styles.picker} data-testid="config-datasource">
            <DataSourcePicker type="elasticsearch" current={s.datasourceUid ?? null} noDefault onChange={(ds) => setS({ ...s, datasourceUid: ds.uid })} />
          </div>
        </Field>
        <Field label="Stats data source" description="An Elasticsearch data source for warden-stats-* (events per hour on the Overview).">
          <div className={styles.picker}>
            <DataSourcePicker type="elasticsearch" current={s.statsDatasourceUid ?? null} noDefault onChange={(ds) => setS({ ...s, statsDatasourceUid: ds.uid })} />
          </div>
        </Field>
        <Field label="Index prefix" description="Warden's exporters.elasticsearch.index_prefix">
          <Input width={30} value={s.indexPrefix ?? ''} onChange={(e) => setS({ ...s, indexPrefix: e.currentTarget.value })} data-testid="config-prefix" />
        </Field>
        <Field label="Disconnected after (seconds)" description="Warden's agents.disconnect_after_seconds">
          <Input width={30} type="number" value={s.disconnectAfterSeconds ?? 600} onChange={(e) => setS({ ...s, disconnectAfterSeconds: Number(e.currentTarget.value) || 600 })} />
        </Field>
      </FieldSet>
      <FieldSet label="Warden service (rules and logtest)">
        <Field label="Service URL" description="Warden's service address as Grafana's server reaches it, e.g. http://warden:8888">
          <Input width={50} value={s.serviceUrl ?? ''} placeholder="http://warden:8888" onChange={(e) => setS({ ...s, serviceUrl: e.currentTarget.value })} data-testid="config-service-url" />
        </Field>
        <Field label="Service token" description="Sent by Grafana's plugin route as a bearer token; stored encrypted, never sent back to the browser.">
          <SecretInput width={50} isConfigured={tokenSet} value={token} onChange={(e) => setToken(e.currentTarget.value)} onReset={() => { setTokenSet(false); setToken(''); }} />
        </Field>
      </FieldSet>
      <Button onClick={save} data-testid="config-save">Save settings</Button>
      {saved && <div className={styles.ok} data-testid="config-saved">{saved}</div>}
      {error && <Alert severity="error" title="Saving failed">{error}</Alert>}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  picker: css({ width: 400 }),
  ok: css({ color: theme.colors.success.text, marginTop: theme.spacing(1) }),
});
