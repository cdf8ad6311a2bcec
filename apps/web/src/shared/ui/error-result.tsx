import { Button } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../api-client';

// Re-exported: pages take both from here; the login page takes the message alone (no antd Result).
export { errorMessage } from '../error-message';

// antd's Result carries its 403/404/500 pictures: fetched when an error shows, not with every page.
const Result = lazy(() => import('antd/es/result'));

/**
 * Error state with retry, used by every page that loads data. `page`: the error is the whole
 * route (not a card's content), so it also offers the way home — a 403/404 page is otherwise a
 * dead end, above all on a phone without the side menu.
 */
export function ErrorResult(props: { error: unknown; onRetry?: () => void; page?: boolean }) {
  return (
    <Suspense fallback={null}>
      <ErrorResultBody {...props} />
    </Suspense>
  );
}

function ErrorResultBody({
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
