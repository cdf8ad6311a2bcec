import { SyncOutlined } from '@ant-design/icons';
import type { CorpTagList, TagSyncResult } from '@kehu/contracts/wecom';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Empty, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useCorps } from './wecom-api';

type Group = CorpTagList['items'][number];
type Row = Group['tags'][number] & { groupName: string; first: boolean; span: number };

/** 企微标签: the corp's tag groups and tags as synced from WeCom, and the CDP tags they map to. */
export function CorpTagsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const corps = useCorps();
  const [picked, setPicked] = useState<string | null>(null);
  const corpRef = picked ?? corps.data?.items[0]?.id ?? null;
  const tags = useQuery({
    queryKey: ['wecom', 'corp-tags', corpRef],
    queryFn: () => http.get<CorpTagList>(`/wecom/corps/${corpRef}/tags`),
    enabled: !!corpRef,
  });
  const sync = useMutation({
    mutationFn: () => http.post<TagSyncResult>(`/wecom/corps/${corpRef}/tags/sync`),
    onSuccess: (r) => {
      message.success(t('wecom.corpTags.synced', r));
      void qc.invalidateQueries({ queryKey: ['wecom', 'corp-tags'] });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const rows: Row[] = (tags.data?.items ?? []).flatMap((g) =>
    g.tags.map((x, i) => ({ ...x, groupName: g.name, first: i === 0, span: g.tags.length })),
  );
  const cdp = can('cdp:read');
  return (
    <div className="kehu-page" data-testid="wecom-tags">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('wecom.corpTags.title')}
        </Typography.Title>
        <Space wrap>
          <Select
            aria-label={t('wecom.corpTags.corp')}
            style={{ minWidth: 180 }}
            value={corpRef ?? undefined}
            onChange={setPicked}
            options={(corps.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
          />
          {can('wecom:manage') && (
            <Button
              icon={<SyncOutlined />}
              loading={sync.isPending}
              disabled={!corpRef}
              onClick={() => sync.mutate()}
            >
              {t('wecom.corpTags.sync')}
            </Button>
          )}
        </Space>
      </div>
      <Alert type="info" showIcon message={t('wecom.corpTags.intro')} style={{ marginBottom: 16 }} />
      {corps.data && !corps.data.items.length ? (
        <Empty description={t('wecom.corpTags.noCorp')} />
      ) : tags.error ? (
        <ErrorResult error={tags.error} onRetry={() => tags.refetch()} />
      ) : (
        <Card size="small">
          <Table<Row>
            rowKey="tagId"
            size="small"
            pagination={false}
            loading={tags.isPending && !!corpRef}
            dataSource={rows}
            locale={{ emptyText: t('wecom.corpTags.empty') }}
            columns={[
              {
                title: t('wecom.corpTags.group'),
                dataIndex: 'groupName',
                onCell: (r) => ({ rowSpan: r.first ? r.span : 0 }),
              },
              { title: t('wecom.corpTags.tag'), dataIndex: 'name' },
              {
                title: t('wecom.corpTags.cdpTag'),
                render: (_: unknown, r) =>
                  r.cdpTagId ? (
                    <Space>
                      <Tag color="green">{t('wecom.corpTags.mapped')}</Tag>
                      {cdp && <Link to="/cdp/tags">{t('wecom.corpTags.open')}</Link>}
                    </Space>
                  ) : (
                    <Tag>{t('wecom.corpTags.unmapped')}</Tag>
                  ),
              },
            ]}
          />
        </Card>
      )}
    </div>
  );
}
