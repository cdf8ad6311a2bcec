import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api-client';

/** Error state with retry, used by every page that loads data. */
export function ErrorResult({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const status = error instanceof ApiError ? error.status : 0;
  if (status === 404) {
    return (
      <Result status="404" title={t('common.notFoundTitle')} subTitle={t('common.notFoundRecordHint')} />
    );
  }
  if (status === 403) {
    return <Result status="403" title={t('common.forbiddenTitle')} subTitle={(error as ApiError).message} />;
  }
  return (
    <Result
      status="error"
      title={t('common.loadFailed')}
      subTitle={error instanceof Error ? error.message : String(error)}
      extra={
        onRetry && (
          <Button type="primary" onClick={onRetry} data-testid="retry-button">
            {t('common.retry')}
          </Button>
        )
      }
    />
  );
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
