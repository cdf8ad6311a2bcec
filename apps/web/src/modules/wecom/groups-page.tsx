import { Card, Segmented, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorResult } from '../../shared/ui/error-result';
import { type GroupSummary, useGroups } from './groups-api';
import { CorpsSyncBar } from './sync-panel';

/** 客户群: the customer groups of the corps the user sees (issue 10). */
export function GroupsPage() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<string>('active');
  const groups = useGroups(status);
  return (
    <div className="kehu-page" data-testid="wecom-groups">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('wecom.groups.title')}
        </Typography.Title>
        <Segmented
          value={status}
          onChange={(v) => setStatus(String(v))}
          options={[
            { value: 'active', label: t('wecom.groups.active') },
            { value: 'dismissed', label: t('wecom.groups.dismissed') },
            { value: '', label: t('wecom.groups.all') },
          ]}
        />
      </div>
      <CorpsSyncBar />
      {groups.error ? (
        <ErrorResult error={groups.error} onRetry={() => groups.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey="id"
            size="small"
            loading={groups.isPending}
            dataSource={groups.data?.items ?? []}
            pagination={false}
            locale={{ emptyText: t('wecom.groups.empty') }}
            scroll={{ x: 'max-content' }}
            columns={[
              {
                title: t('wecom.groups.name'),
                dataIndex: 'name',
                render: (v: string, g: GroupSummary) => (
                  <Link to={`/wecom/groups/${g.id}`}>{v || g.chatId}</Link>
                ),
              },
              {
                title: t('wecom.groups.owner'),
                dataIndex: 'ownerName',
                render: (v: string | null, g: GroupSummary) => v ?? g.ownerUserid,
              },
              { title: t('wecom.groups.members'), dataIndex: 'memberCount', align: 'right' },
              {
                title: t('wecom.groups.customers'),
                dataIndex: 'externalCount',
                align: 'right',
                responsive: ['md'],
              },
              { title: t('wecom.groups.corp'), dataIndex: 'corpName', responsive: ['lg'] },
              {
                title: t('wecom.groups.status'),
                dataIndex: 'dismissedAt',
                render: (v: string | null) =>
                  v ? (
                    <Tag>{t('wecom.groups.dismissedTag')}</Tag>
                  ) : (
                    <Tag color="green">{t('wecom.groups.activeTag')}</Tag>
                  ),
              },
              {
                title: t('wecom.groups.createdAt'),
                dataIndex: 'createdInWecom',
                responsive: ['md'],
                render: (v: string | null) => (v ? new Date(v).toLocaleDateString() : '—'),
              },
            ]}
          />
        </Card>
      )}
    </div>
  );
}
