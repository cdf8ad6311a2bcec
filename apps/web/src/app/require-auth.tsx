import { useQueryClient } from '@tanstack/react-query';
import { Button, Result, Spin } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { normalizeLanguage } from '../i18n';
import { ApiError, setUnauthenticatedHandler } from './api-client';
import { useChangeLanguage } from './locale';
import { SessionProvider, useMe } from './session';

export function RequireAuth() {
  const { t, i18n } = useTranslation();
  const me = useMe();
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

  // The user's saved locale wins over the browser's on first load.
  const savedLocale = normalizeLanguage(me.data?.user.locale);
  useEffect(() => {
    if (savedLocale && savedLocale !== i18n.language) void changeLanguage(savedLocale);
  }, [savedLocale, i18n.language, changeLanguage]);

  if (me.isPending) {
    return (
      <div style={{ height: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
        <Spin size="large" />
      </div>
    );
  }
  if (me.error) {
    if (me.error instanceof ApiError && me.error.status === 401) {
      const next = location.pathname + location.search;
      return (
        <Navigate to={next && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login'} replace />
      );
    }
    return (
      <Result
        status="error"
        title={t('common.loadFailed')}
        subTitle={me.error.message}
        extra={
          <Button type="primary" onClick={() => me.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  }
  return (
    <SessionProvider me={me.data}>
      <Outlet />
    </SessionProvider>
  );
}
