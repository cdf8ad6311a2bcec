import { Card, Empty, Segmented, Skeleton, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { LoadMore } from '../../records/load-more';
import { ErrorResult } from '../../shared/ui/error-result';
import { useMergePages } from './cdp-api';
import { MergeList } from './merge-list';

type Show = 'all' | 'active' | 'split';

export function MergesPage() {
  const { t } = useTranslation();
  const [show, setShow] = useState<Show>('all');
  const merges = useMergePages({ split: show === 'all' ? undefined : show === 'split' });
  const canManage = useSession().can('cdp:manage');
  const rows = useMemo(() => merges.data?.pages.flatMap((p) => p.items) ?? [], [merges.data]);
  const first = merges.data?.pages[0];
  return (
    <div className="kehu-page" data-testid="cdp-merges">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('cdp.merges.title')}
        </Typography.Title>
        {first?.total != null && (
          <Typography.Text type="secondary" data-testid="merge-total">
            {t(first.totalExact === false ? 'cdp.merges.totalAbout' : 'cdp.merges.total', {
              count: first.total,
            })}
          </Typography.Text>
        )}
      </div>
      <Segmented<Show>
        value={show}
        onChange={setShow}
        style={{ marginBottom: 12 }}
        options={[
          { value: 'all', label: t('cdp.merges.filterAll') },
          { value: 'active', label: t('cdp.merges.filterActive') },
          { value: 'split', label: t('cdp.merges.filterSplit') },
        ]}
        data-testid="merge-filter"
      />
      {merges.error ? (
        <ErrorResult error={merges.error} onRetry={() => merges.refetch()} />
      ) : merges.isPending ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : (
        <Card size="small">
          <MergeList
            merges={rows}
            canManage={canManage}
            localPaging={false}
            empty={<Empty description={show === 'all' ? t('cdp.merges.emptyHint') : t('cdp.merges.empty')} />}
          />
          <LoadMore pages={merges} loaded={rows.length} style={{ textAlign: 'center', paddingTop: 8 }} />
        </Card>
      )}
    </div>
  );
}
