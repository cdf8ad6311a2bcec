import { ArrowLeftOutlined, DeleteOutlined, EditOutlined, UndoOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Popconfirm,
  Skeleton,
  Space,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { type FieldMeta, type ObjectMeta, useLabel, useObjectMeta } from '../app/meta';
import { useSession } from '../app/session';
import { slotsOf, useWebModules } from '../app/web-modules';
import { errorMessage, PageError } from '../shared/ui/error-result';
import { useIsMobile } from '../shared/use-is-mobile';
import { FieldValue } from './field-value';
import { type RecordData, recordApi } from './record-api';
import { RelatedList } from './related-list';
import { RecordTimeline } from './timeline';

const SYSTEM_FIELDS = ['ownerId', 'unitId', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy'];

export function layoutSections(
  meta: ObjectMeta,
): Array<{ key: string; label: FieldMeta['label']; fields: FieldMeta[] }> {
  const byName = new Map(meta.fields.map((f) => [f.apiName, f]));
  const sections = (meta.layout?.sections ?? [])
    .map((s) => ({
      key: s.key,
      label: s.label,
      fields: s.fields.map((n) => byName.get(n)).filter((f): f is FieldMeta => !!f),
    }))
    .filter((s) => s.fields.length > 0);
  const placed = new Set(sections.flatMap((s) => s.fields.map((f) => f.apiName)));
  // Fields not in any section (e.g. new custom fields) still show up, in an "other" section.
  const rest = meta.fields.filter(
    (f) =>
      !placed.has(f.apiName) &&
      !f.system &&
      !SYSTEM_FIELDS.includes(f.apiName) &&
      f.apiName !== 'id' &&
      f.apiName !== 'version',
  );
  if (rest.length) sections.push({ key: '__other', label: null, fields: rest });
  return sections;
}

/** The generic record page; `object` fixes the object where the route has no `:object` (a module's own route). */
export function DetailPage(props: { object?: string } = {}) {
  const params = useParams();
  const object = props.object ?? params.object;
  const id = params.id;
  const meta = useObjectMeta(object);
  const record = useQuery({
    queryKey: ['records', object, 'one', id],
    queryFn: () => recordApi.get(object!, id!),
    enabled: !!object && !!id,
  });
  if (meta.isPending || record.isPending)
    return (
      <div className="kehu-page">
        <Skeleton active paragraph={{ rows: 12 }} />
      </div>
    );
  if (meta.error)
    return (
      <div className="kehu-page">
        <PageError error={meta.error} onRetry={() => meta.refetch()} />
      </div>
    );
  if (record.error)
    return (
      <div className="kehu-page">
        <PageError error={record.error} onRetry={() => record.refetch()} />
      </div>
    );
  return <DetailView meta={meta.data} record={record.data} />;
}

function DetailView({ meta, record }: { meta: ObjectMeta; record: RecordData }) {
  const { t } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const panels = slotsOf(useWebModules(), 'recordPanels').flat();
  const object = meta.apiName;
  const fieldByName = new Map(meta.fields.map((f) => [f.apiName, f]));
  const name = String(record[meta.nameField] ?? '') || t('records.untitled');
  const isDeleted = !!record.deletedAt;

  const invalidate = () => qc.invalidateQueries({ queryKey: ['records', object] });
  const del = useMutation({
    mutationFn: () => recordApi.remove(object, record.id),
    onSuccess: () => {
      message.success(t('records.deleted'));
      invalidate();
      navigate(`/o/${object}`);
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const restore = useMutation({
    mutationFn: () => recordApi.restore(object, record.id),
    onSuccess: () => {
      message.success(t('records.restored'));
      invalidate();
    },
    onError: (e) => message.error(errorMessage(e)),
  });

  const sections = layoutSections(meta);
  const placed = new Set(sections.flatMap((s) => s.fields.map((f) => f.apiName)));
  const sysFields = SYSTEM_FIELDS.filter((n) => !placed.has(n))
    .map((n) => fieldByName.get(n))
    .filter((f): f is FieldMeta => !!f);
  const sectionCards = (
    <>
      {/* Modules' record panels (e.g. the CDP's tags and segments); each hides itself where it does not apply. */}
      {panels.map(({ key, component: Panel }) => (
        <Suspense key={key} fallback={null}>
          <Panel object={object} id={record.id} />
        </Suspense>
      ))}
      {sections.map((s) => (
        <Card
          key={s.key}
          size="small"
          title={s.key === '__other' ? t('records.otherFields') : label(s.label, s.key)}
          style={{ marginBottom: 16 }}
        >
          <Descriptions
            size="small"
            column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 3, xxl: 3 }}
            colon={false}
            layout={isMobile ? 'horizontal' : 'vertical'}
          >
            {s.fields.map((f) => (
              <Descriptions.Item
                key={f.apiName}
                label={label(f.label, f.apiName)}
                span={f.type === 'longtext' || f.type === 'json' ? 'filled' : 1}
              >
                <span data-testid={`value-${f.apiName}`}>
                  <FieldValue object={object} record={record} field={f} />
                </span>
              </Descriptions.Item>
            ))}
          </Descriptions>
        </Card>
      ))}
      {sysFields.length > 0 && (
        <Card size="small" title={t('records.systemInfo')} style={{ marginBottom: 16 }}>
          <Descriptions size="small" column={{ xs: 1, sm: 1, md: 2, lg: 3 }} colon={false}>
            {sysFields.map((f) => (
              <Descriptions.Item key={f.apiName} label={label(f.label, f.apiName)}>
                <FieldValue object={object} record={record} field={f} />
              </Descriptions.Item>
            ))}
          </Descriptions>
        </Card>
      )}
    </>
  );

  const related = meta.relatedLists ?? [];
  const tabs = [
    { key: 'details', label: t('records.details'), children: sectionCards },
    ...(related.length
      ? [
          {
            key: 'related',
            label: t('records.related'),
            children: related.map((r) => (
              <RelatedList key={`${r.object}.${r.field}`} rel={r} parentId={record.id} />
            )),
          },
        ]
      : []),
    {
      key: 'timeline',
      label: <span data-testid="tab-timeline">{t('records.timeline')}</span>,
      children: (
        <Card size="small">
          <RecordTimeline meta={meta} id={record.id} />
        </Card>
      ),
    },
  ];

  return (
    <div className="kehu-page">
      <div className="kehu-page-header" style={{ alignItems: 'flex-start' }}>
        <div style={{ minWidth: 0 }}>
          <Button
            type="link"
            icon={<ArrowLeftOutlined />}
            onClick={() => navigate(`/o/${object}`)}
            style={{ padding: 0, height: 'auto' }}
          >
            {label(meta.pluralLabel, object)}
          </Button>
          <Typography.Title level={4} style={{ margin: '4px 0' }} data-testid="record-title">
            {name} {isDeleted && <Tag color="red">{t('records.deletedTag')}</Tag>}
          </Typography.Title>
          <Space size={[12, 4]} wrap>
            <Typography.Text type="secondary">
              {t('records.owner')}:{' '}
              {record._display?.ownerId ?? (typeof record.ownerId === 'string' ? record.ownerId : '—')}
            </Typography.Text>
            <Typography.Text type="secondary">
              {t('records.unit')}:{' '}
              {record._display?.unitId ?? (typeof record.unitId === 'string' ? record.unitId : '—')}
            </Typography.Text>
            {typeof record.updatedAt === 'string' && (
              <Typography.Text type="secondary">
                {t('records.updatedAt')}: {dayjs(record.updatedAt).format('YYYY-MM-DD HH:mm')}
              </Typography.Text>
            )}
          </Space>
        </div>
        <Space wrap>
          {isDeleted ? (
            can(`${object}:delete`) && (
              <Button
                icon={<UndoOutlined />}
                type="primary"
                loading={restore.isPending}
                onClick={() => restore.mutate()}
                data-testid="restore-button"
              >
                {t('records.restore')}
              </Button>
            )
          ) : (
            <>
              {can(`${object}:update`) && (
                <Button
                  type="primary"
                  icon={<EditOutlined />}
                  onClick={() => navigate(`/o/${object}/${record.id}/edit`)}
                  data-testid="edit-button"
                >
                  {t('common.edit')}
                </Button>
              )}
              {can(`${object}:delete`) && (
                <Popconfirm
                  title={t('records.confirmDelete', { name })}
                  description={t('records.deleteHint')}
                  okText={t('common.delete')}
                  okButtonProps={{ danger: true, 'data-testid': 'delete-confirm' }}
                  onConfirm={() => del.mutateAsync()}
                >
                  <Button
                    danger
                    icon={<DeleteOutlined />}
                    loading={del.isPending}
                    data-testid="delete-button"
                  >
                    {t('common.delete')}
                  </Button>
                </Popconfirm>
              )}
            </>
          )}
        </Space>
      </div>
      {isDeleted && (
        <Alert type="warning" showIcon message={t('records.deletedBanner')} style={{ marginBottom: 16 }} />
      )}
      <Tabs items={tabs} destroyOnHidden={false} />
    </div>
  );
}
