import { Card, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ErrorResult } from '../../app/error-result';
import { useSession } from '../../app/session';
import { useMerges } from './cdp-api';
import { MergeList } from './merge-list';

export function MergesPage() {
  const { t } = useTranslation();
  const merges = useMerges();
  const canManage = useSession().can('cdp:manage');
  return (
    <div className="kehu-page" data-testid="cdp-merges">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('cdp.merges.title')}
        </Typography.Title>
      </div>
      {merges.error ? (
        <ErrorResult error={merges.error} onRetry={() => merges.refetch()} />
      ) : (
        <Card size="small">
          <MergeList merges={merges.data?.items ?? []} canManage={canManage} />
        </Card>
      )}
    </div>
  );
}
