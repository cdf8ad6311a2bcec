import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, List, Skeleton, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { type RelatedList as RelatedListMeta, useLabel, useObjectMeta } from '../app/meta';
import { useSession } from '../app/session';
import { ErrorResult } from '../shared/ui/error-result';
import { useIsMobile } from '../shared/use-is-mobile';
import { FieldValue } from './field-value';
import { type RecordData, recordApi } from './record-api';

export function RelatedList({ rel, parentId }: { rel: RelatedListMeta; parentId: string }) {
  const { t } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const { can } = useSession();
  const meta = useObjectMeta(rel.object);
  const filter = { field: rel.field, op: 'eq' as const, value: parentId };
  const list = useQuery({
    queryKey: ['records', rel.object, 'related', rel.field, parentId],
    queryFn: () => recordApi.list(rel.object, { filter, limit: 20, count: true }),
  });
  const title = label(rel.label, meta.data ? label(meta.data.pluralLabel, rel.object) : rel.object);
  const total = list.data?.total ?? list.data?.items.length;
  const cols = (meta.data?.listColumns ?? [])
    .filter((c) => c !== rel.field)
    .map((c) => meta.data?.fields.find((f) => f.apiName === c))
    .filter((f) => !!f)
    .slice(0, 5);

  return (
    <Card
      size="small"
      style={{ marginBottom: 16 }}
      title={
        <span>
          {title}
          {total != null ? <Typography.Text type="secondary"> ({total})</Typography.Text> : null}
        </span>
      }
      data-testid={`related-${rel.object}`}
      extra={
        can(`${rel.object}:create`) && (
          <Button
            size="small"
            type="link"
            icon={<PlusOutlined />}
            onClick={() => navigate(`/o/${rel.object}/new?${rel.field}=${encodeURIComponent(parentId)}`)}
          >
            {t('records.new')}
          </Button>
        )
      }
    >
      {meta.isPending || list.isPending ? (
        <Skeleton active paragraph={{ rows: 2 }} />
      ) : list.error || meta.error ? (
        <ErrorResult error={list.error ?? meta.error} onRetry={() => list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('records.relatedEmpty')} />
      ) : isMobile ? (
        <List
          size="small"
          dataSource={list.data.items}
          renderItem={(r) => (
            <List.Item onClick={() => navigate(`/o/${rel.object}/${r.id}`)} style={{ cursor: 'pointer' }}>
              <Typography.Link>{String(r[meta.data!.nameField] ?? r.id)}</Typography.Link>
            </List.Item>
          )}
        />
      ) : (
        <Table<RecordData>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={list.data.items}
          scroll={{ x: 'max-content' }}
          columns={cols.map((f) => ({
            key: f!.apiName,
            title: label(f!.label, f!.apiName),
            render: (_: unknown, r) =>
              f!.apiName === meta.data!.nameField ? (
                <Link to={`/o/${rel.object}/${r.id}`}>{String(r[f!.apiName] ?? r.id)}</Link>
              ) : (
                <FieldValue object={rel.object} record={r} field={f!} />
              ),
          }))}
        />
      )}
      {list.data?.nextCursor && (
        <div style={{ textAlign: 'center', marginTop: 8 }}>
          <Link to={`/o/${rel.object}`}>{t('records.viewAll')}</Link>
        </div>
      )}
    </Card>
  );
}
