import type { Me } from '@kehu/contracts/auth';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { http, setCsrfToken } from '../shared/api-client';

export type { Me } from '@kehu/contracts/auth';
export type SessionUser = Me['user'];
export type SessionUnit = Me['units'][number];

export const ME_KEY = ['auth', 'me'] as const;

export async function fetchMe(): Promise<Me> {
  const me = await http.get<Me>('/auth/me', undefined, { skipAuthRedirect: true });
  setCsrfToken(me.csrfToken);
  return me;
}

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000, retry: false });
}

export function hasPermission(perms: string[] | undefined, perm: string): boolean {
  if (!perms) return false;
  if (perms.includes('*') || perms.includes(perm)) return true;
  const [obj, action] = perm.split(':');
  return perms.includes(`${obj}:*`) || perms.includes(`*:${action}`);
}

interface SessionContextValue {
  me: Me;
  can: (perm: string) => boolean;
  unitId: string | null;
  setUnitId: (id: string | null) => void;
}

const SessionContext = createContext<SessionContextValue | null>(null);
const UNIT_KEY = 'kehu.unit';

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const qc = useQueryClient();
  const [unitId, setUnitState] = useState<string | null>(() => {
    const saved = localStorage.getItem(UNIT_KEY);
    return saved && me.units.some((u) => u.id === saved) ? saved : null;
  });
  const setUnitId = useCallback(
    (id: string | null) => {
      setUnitState(id);
      if (id) localStorage.setItem(UNIT_KEY, id);
      else localStorage.removeItem(UNIT_KEY);
      qc.invalidateQueries({ queryKey: ['records'] });
    },
    [qc],
  );
  const value = useMemo<SessionContextValue>(
    () => ({ me, can: (p) => hasPermission(me.permissions, p), unitId, setUnitId }),
    [me, unitId, setUnitId],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}
