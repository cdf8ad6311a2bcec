import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from './api-client';

/**
 * Error state with retry, used by every page that loads data. `page`: the error is the whole
 * route (not a card's content), so it also offers the way home — a 403/404 page is otherwise a
 * dead end, above all on a phone without the side menu.
 */
export function ErrorResult({
  error,
  onRetry,
  page = false,
}: {
  error: unknown;
  onRetry?: () => void;
  page?: boolean;
}) {
  const { t } = useTranslation();
  const status = error instanceof ApiError ? error.status : 0;
  const home = page && (
    <Link to="/" key="home" data-testid="error-home">
      <Button type={status === 403 || status === 404 ? 'primary' : 'default'}>{t('common.backHome')}</Button>
    </Link>
  );
  if (status === 404) {
    return (
      <Result
        status="404"
        title={t('common.notFoundTitle')}
        subTitle={t('common.notFoundRecordHint')}
        extra={home || undefined}
      />
    );
  }
  if (status === 403) {
    return (
      <Result
        status="403"
        title={t('common.forbiddenTitle')}
        subTitle={(error as ApiError).message}
        extra={home || undefined}
      />
    );
  }
  return (
    <Result
      status="error"
      title={t('common.loadFailed')}
      subTitle={error instanceof Error ? error.message : String(error)}
      extra={[
        onRetry && (
          <Button type="primary" onClick={onRetry} data-testid="retry-button" key="retry">
            {t('common.retry')}
          </Button>
        ),
        home,
      ].filter(Boolean)}
    />
  );
}

/** The full-page variant, for errors that are the whole route. */
export function PageError(props: { error: unknown; onRetry?: () => void }) {
  return <ErrorResult {...props} page />;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const p = error.problem;
    const fieldMsgs = (p.errors ?? []).map((e) => e.message).filter(Boolean);
    const base = p.detail || p.title || error.message;
    return fieldMsgs.length && !p.detail ? `${base}: ${fieldMsgs.join('; ')}` : base;
  }
  return error instanceof Error ? error.message : String(error);
}
