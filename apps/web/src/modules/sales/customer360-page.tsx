import { ArrowLeftOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Input,
  List,
  Row,
  Skeleton,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { type ObjectMeta, useLabel, useObjectMeta } from '../../app/meta';
import { FieldValue, formatPlain } from '../../records/field-value';
import { type RecordData, recordApi } from '../../records/record-api';
import { PageError } from '../../shared/ui/error-result';
import { salesApi, shortMoney } from './sales-api';
import { salesKeys } from './sales-keys';

const TAG_COLOR: Record<string, string> = { high: 'red', mid: 'orange', low: 'blue', none: 'default' };
const KIND_COLOR: Record<string, string> = {
  stage_change: 'blue',
  activity: 'green',
  approval: 'orange',
  status_change: 'purple',
  audit: 'gray',
};

/** Customer picker for the 360 view. */
export function CustomersPage() {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const list = useQuery({
    queryKey: ['records', 'customer', 'pick', q],
    queryFn: () => recordApi.list('customer', { q, limit: 30, sort: '-updatedAt' }),
  });
  return (
    <div className="kehu-page">
      <Typography.Title level={4}>{t('sales.c360.title')}</Typography.Title>
      <Input.Search
        allowClear
        placeholder={t('sales.c360.search')}
        onSearch={setQ}
        style={{ maxWidth: 360, marginBottom: 12 }}
      />
      <List
        loading={list.isPending}
        dataSource={list.data?.items ?? []}
        renderItem={(c) => (
          <List.Item>
            <Link to={`/sales/customers/${c.id}`}>{String(c.name)}</Link>
            <Typography.Text type="secondary">{c._display?.ownerId}</Typography.Text>
          </List.Item>
        )}
      />
    </div>
  );
}

function MiniTable({ object, rows, columns }: { object: string; rows: RecordData[]; columns: string[] }) {
  const meta = useObjectMeta(object);
  const label = useLabel();
  if (!meta.data) return <Skeleton active />;
  const fields = columns.map((c) => meta.data!.fields.find((f) => f.apiName === c)).filter((f) => !!f);
  return (
    <Table<RecordData>
      size="small"
      rowKey="id"
      pagination={false}
      scroll={{ x: 560 }}
      dataSource={rows}
      columns={fields.map((f, i) => ({
        title: label(f!.label, f!.apiName),
        key: f!.apiName,
        render: (_: unknown, r: RecordData) =>
          i === 0 ? (
            <Link to={`/o/${object}/${r.id}`}>{String(r[f!.apiName] ?? r.id)}</Link>
          ) : (
            <FieldValue object={object} record={r} field={f!} />
          ),
      }))}
    />
  );
}

/** R1.3/R4.1 customer 360: profile, everything linked to the customer, one merged timeline. */
export function Customer360Page() {
  const { id } = useParams();
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const data = useQuery({ queryKey: salesKeys.customer360(id), queryFn: () => salesApi.customer360(id!) });
  const meta = useObjectMeta('customer');
  const label = useLabel();
  // Stage, status and activity-type keys in the timeline read as the labels of their definitions.
  const oppMeta = useObjectMeta('opportunity');
  const activityMeta = useObjectMeta('activity');
  const quoteMeta = useObjectMeta('quote');
  const contractMeta = useObjectMeta('contract');
  const orderMeta = useObjectMeta('order');
  const paymentMeta = useObjectMeta('payment');
  const contactMeta = useObjectMeta('contact');
  const pipelines = useQuery({ queryKey: salesKeys.pipelines(), queryFn: salesApi.pipelines });
  if (data.error)
    return (
      <div className="kehu-page">
        <PageError error={data.error} onRetry={() => data.refetch()} />
      </div>
    );
  if (data.isPending || meta.isPending)
    return (
      <div className="kehu-page">
        <Skeleton active paragraph={{ rows: 12 }} />
      </div>
    );
  const d = data.data;
  const c = d.customer as RecordData;
  const pv = d.pipelineValue;
  const profileFields = ['kind', 'level', 'industry', 'source', 'phone', 'email', 'region', 'ownerId']
    .map((n) => meta.data!.fields.find((f) => f.apiName === n))
    .filter((f) => !!f);
  // Changed fields read as their labels (an object whose metadata is not readable keeps names).
  const fieldLabel = (object: string, field: string) => {
    const m = object === 'customer' ? meta.data : metaOf[object];
    const f = m?.fields.find((x) => x.apiName === field);
    return f ? label(f.label, field) : field;
  };
  const metaOf: Record<string, ObjectMeta | undefined> = {
    opportunity: oppMeta.data,
    activity: activityMeta.data,
    quote: quoteMeta.data,
    contract: contractMeta.data,
    order: orderMeta.data,
    payment: paymentMeta.data,
    contact: contactMeta.data,
  };
  const valueLabel = (object: string, recordId: string, field: string, v: unknown): string => {
    if (v === null || v === undefined || v === '') return '—';
    if (object === 'opportunity' && field === 'stage') {
      const opp = d.opportunities.items.find((o: RecordData) => o.id === recordId);
      const pipeline =
        pipelines.data?.find((p) => p.id === opp?.pipelineId) ?? pipelines.data?.find((p) => p.isDefault);
      const stage = pipeline?.stages.find((st) => st.key === v);
      if (stage) return label(stage.label, String(v));
    }
    return formatPlain(
      metaOf[object]?.fields.find((f) => f.apiName === field),
      v,
      i18n.language,
    );
  };
  const section = (key: string, object: string, part: any, cols: string[]) => ({
    key,
    label: `${t(`sales.c360.${key}`)} (${part.total})`,
    children: part.items.length ? (
      <MiniTable object={object} rows={part.items} columns={cols} />
    ) : (
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
    ),
  });
  return (
    <div className="kehu-page" data-testid="customer-360">
      <Space style={{ marginBottom: 8 }} wrap>
        <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label={t('common.back')} />
        <Typography.Title level={4} style={{ margin: 0 }}>
          {String(c.name)}
        </Typography.Title>
        <Tag color={TAG_COLOR[pv.tag]} data-testid="pipeline-value-tag">
          {t('sales.c360.valueTag')}: {t(`sales.c360.tag.${pv.tag}`)}
        </Tag>
        <Link to={`/o/customer/${c.id}`}>{t('sales.c360.openRecord')}</Link>
      </Space>
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('sales.c360.openOpps')} value={d.stats.openOpportunities} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t('sales.c360.weighted')}
              value={shortMoney(pv.weightedAmount, i18n.language)}
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t('sales.c360.orders')}
              value={shortMoney(d.stats.orderAmount, i18n.language)}
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('sales.c360.paid')} value={shortMoney(d.stats.paidAmount, i18n.language)} />
          </Card>
        </Col>
      </Row>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={15}>
          <Card size="small" title={t('sales.c360.profile')} style={{ marginBottom: 12 }}>
            <Descriptions size="small" column={{ xs: 1, md: 2 }}>
              {profileFields.map((f) => (
                <Descriptions.Item key={f!.apiName} label={label(f!.label)}>
                  <FieldValue object="customer" record={c} field={f!} />
                </Descriptions.Item>
              ))}
            </Descriptions>
          </Card>
          <Card size="small">
            <Tabs
              items={[
                section('opportunities', 'opportunity', d.opportunities, [
                  'name',
                  'stage',
                  'amount',
                  'expectedCloseDate',
                  'ownerId',
                ]),
                section('contacts', 'contact', d.contacts, ['name', 'title', 'phone', 'email']),
                section('quotes', 'quote', d.quotes, ['name', 'status', 'total', 'discountPercent']),
                section('contracts', 'contract', d.contracts, ['name', 'contractNo', 'status', 'amount']),
                section('orderList', 'order', d.orders, [
                  'name',
                  'status',
                  'amount',
                  'paymentStatus',
                  'paidAmount',
                ]),
                section('payments', 'payment', d.payments, ['name', 'amount', 'paidAt', 'method']),
                ...(d.activities.available
                  ? [
                      section('activities', 'activity', d.activities, [
                        'subject',
                        'type',
                        'occurredAt',
                        'ownerId',
                      ]),
                    ]
                  : []),
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={9}>
          <Card size="small" title={t('sales.c360.timeline')} data-testid="c360-timeline">
            <Timeline
              items={d.timeline.slice(0, 60).map((e: any) => ({
                color: KIND_COLOR[e.kind] ?? 'gray',
                children: (
                  <div>
                    <Typography.Text strong>{t(`sales.c360.kind.${e.kind}`)}</Typography.Text>{' '}
                    <Link to={`/o/${e.object}/${e.recordId}`}>
                      {e.recordName ?? t(`sales.objects.${e.object}`, { defaultValue: e.object })}
                    </Link>
                    <div style={{ fontSize: 12, color: '#8c8c8c' }}>
                      {dayjs(e.at).format('YYYY-MM-DD HH:mm')} · {e.actor ?? t('sales.c360.system')} ·{' '}
                      {describe(e, t, fieldLabel, valueLabel)}
                    </div>
                  </div>
                ),
              }))}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}

function describe(
  e: any,
  t: any,
  fieldLabel: (object: string, field: string) => string,
  valueLabel: (object: string, recordId: string, field: string, v: unknown) => string,
): string {
  if (e.kind === 'stage_change' || e.kind === 'status_change') {
    const ch = e.summary.changes?.[0];
    return ch
      ? `${valueLabel(e.object, e.recordId, ch.field, ch.from)} → ${valueLabel(e.object, e.recordId, ch.field, ch.to)}`
      : e.action;
  }
  if (e.kind === 'activity') return valueLabel('activity', e.recordId, 'type', e.summary.type);
  if (e.kind === 'approval')
    return `${t(`sales.approval.action.${e.action.replace('approval_', '')}`)}${e.summary.comment ? `：${e.summary.comment}` : ''}`;
  return `${t(`sales.c360.action.${e.action}`, { defaultValue: e.action })}${
    e.summary.fields?.length
      ? ` (${e.summary.fields
          .slice(0, 4)
          .map((f: string) => fieldLabel(e.object, f))
          .join(', ')})`
      : ''
  }`;
}
