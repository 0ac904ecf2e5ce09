import { createContext, useContext } from 'react';
import type { AppSettings } from '../types';
import { indices, type Indices } from '../api/queries';
import { PLUGIN_ID } from '../constants';

export interface AppCtx { settings: AppSettings; uid: string | null; statsUid: string | null; idx: Indices; disconnectAfterSec: number; canEdit: boolean; pluginId: string }

export const DEFAULT_DISCONNECT_SEC = 600;

export function makeCtx(settings: AppSettings | undefined, canEdit: boolean, pluginId = PLUGIN_ID): AppCtx {
  const s = settings ?? {};
  return { settings: s, uid: s.datasourceUid || null, statsUid: s.statsDatasourceUid || null, idx: indices(s), disconnectAfterSec: s.disconnectAfterSeconds || DEFAULT_DISCONNECT_SEC, canEdit, pluginId };
}

export const AppContext = createContext<AppCtx>(makeCtx({}, false));
export const useApp = () => useContext(AppContext);
