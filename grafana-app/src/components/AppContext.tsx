import { createContext, useContext } from 'react';
import type { AppSettings } from '../types';
import { indices, type Indices } from '../api/queries';

export interface AppCtx { settings: AppSettings; uid: string | null; statsUid: string | null; idx: Indices; disconnectAfterSec: number; canEdit: boolean }

export const DEFAULT_DISCONNECT_SEC = 600;

export function makeCtx(settings: AppSettings | undefined, canEdit: boolean): AppCtx {
  const s = settings ?? {};
  return { settings: s, uid: s.datasourceUid || null, statsUid: s.statsDatasourceUid || null, idx: indices(s), disconnectAfterSec: s.disconnectAfterSeconds || DEFAULT_DISCONNECT_SEC, canEdit };
}

export const AppContext = createContext<AppCtx>(makeCtx({}, false));
export const useApp = () => useContext(AppContext);
