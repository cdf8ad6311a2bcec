import { useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Spin } from 'antd';
import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { normalizeLanguage } from '../i18n';
import { ApiError, setUnauthenticatedHandler } from '../shared/api-client';
import { ErrorResult } from '../shared/ui/error-result';
import { useChangeLanguage } from './locale';
import { SessionProvider, useMe } from './session';
import { LoadedModules, useLoadWebModules } from './web-modules';

/** The signed-in part of the app: waits for the session and the modules, or sends to the login page. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const me = useMe();
  const modules = useLoadWebModules();
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const changeLanguage = useChangeLanguage();

  // Any 401 from any request (session expired, logged out elsewhere) → login page.
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      qc.clear();
      const next = window.location.pathname + window.location.search;
      navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
    });
    return () => setUnauthenticatedHandler(null);
  }, [navigate, qc]);

  // The user's saved locale wins over the browser's on first load — once per saved value: a switch in the
  // shell changes the language before the saved value catches up, and must not be undone in between.
  const savedLocale = normalizeLanguage(me.data?.user.locale);
  const appliedLocale = useRef<string | null>(null);
  useEffect(() => {
    if (!savedLocale || appliedLocale.current === savedLocale) return;
    appliedLocale.current = savedLocale;
    if (savedLocale !== i18n.language) void changeLanguage(savedLocale);
  }, [savedLocale, i18n.language, changeLanguage]);

  const loading = (
    <div style={{ height: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
      <Spin size="large" />
    </div>
  );
  if (me.isPending) return loading;
  if (me.error) {
    if (me.error instanceof ApiError && me.error.status === 401) {
      const next = location.pathname + location.search;
      return (
        <Navigate to={next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login'} replace />
      );
    }
    return <ErrorResult error={me.error} onRetry={() => me.refetch()} />;
  }
  if (modules.error) {
    return <ErrorResult error={modules.error} onRetry={() => modules.refetch()} />;
  }
  if (!modules.data) return loading;
  // antd's App (message, modal, notification hooks) only where pages use it: not on the login page.
  return (
    <AntApp>
      <SessionProvider me={me.data}>
        <LoadedModules modules={modules.data}>{children}</LoadedModules>
      </SessionProvider>
    </AntApp>
  );
}
