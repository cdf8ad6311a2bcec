import { EditOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  List,
  Row,
  Skeleton,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { type FieldMeta, useLabel, useObjectMeta } from '../../app/meta';
import { useSession } from '../../app/session';
import { slotsOf, useWebModules } from '../../app/web-modules';
import { DetailPage, layoutSections } from '../../records/detail-page';
import { FieldValue } from '../../records/field-value';
import type { RecordData } from '../../records/record-api';
import { http } from '../../shared/api-client';
import { PageError } from '../../shared/ui/error-result';
import { PersonLayout, type PersonSection, SectionSkeleton } from '../../shared/ui/person-layout';
import { useIsMobile } from '../../shared/use-is-mobile';
import {
  cdpKeys,
  type Profile360,
  ProfileTimeline,
  useCustomerProfiles,
  usePersonText,
  useProfileSections,
  useUnmaskedProfile,
} from '../cdp/index';
import { type Customer360, salesApi, salesKeys, shortMoney } from '../sales/index';
import { OrderTrend } from './order-trend';

const TAG_COLOR: Record<string, string> = { high: 'red', mid: 'orange', low: 'blue', none: 'default' };

function MiniTable({ object, rows, columns }: { object: string; rows: RecordData[]; columns: string[] }) {
  const meta = useObjectMeta(object);
  const label = useLabel();
  if (!meta.data) return <SectionSkeleton />;
  const fields = columns
    .map((c) => meta.data!.fields.find((f) => f.apiName === c))
    .filter((f): f is FieldMeta => !!f);
  return (
    <Table<RecordData>
      size="small"
      rowKey="id"
      pagination={rows.length > 10 ? { pageSize: 10, size: 'small', showSizeChanger: false } : false}
      scroll={{ x: 520 }}
      dataSource={rows}
      columns={fields.map((f, i) => ({
        title: label(f.label, f.apiName),
        key: f.apiName,
        render: (_: unknown, r: RecordData) =>
          i === 0 ? (
            <Link to={`/o/${object}/${r.id}`}>{String(r[f.apiName] ?? '') || '—'}</Link>
          ) : (
            <FieldValue object={object} record={r} field={f} />
          ),
      }))}
    />
  );
}

/** The customer's fields, laid out as the object's layout says (masked values as the server sent them). */
function Fields({ record }: { record: RecordData }) {
  const meta = useObjectMeta('customer');
  const label = useLabel();
  const isMobile = useIsMobile();
  if (!meta.data) return <SectionSkeleton rows={4} />;
  const sections = layoutSections(meta.data);
  return (
    <Space direction="vertical" size={8} style={{ width: '100%' }} data-testid="customer-fields">
      {sections.map((s) => (
        <Descriptions
          key={s.key}
          size="small"
          title={sections.length > 1 ? label(s.label, s.key) || undefined : undefined}
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
                <FieldValue object="customer" record={record} field={f} />
              </span>
            </Descriptions.Item>
          ))}
        </Descriptions>
      ))}
    </Space>
  );
}

/**
 * The customer's business, one list at a time. The switch is a row of buttons that wraps (tabs
 * would hide the last ones behind "…" in a column this narrow, and on a phone), each with its count.
 */
function RelatedLists({ d }: { d: Customer360 }) {
  const { t } = useTranslation();
  const parts = (
    [
      [
        'opportunities',
        'opportunity',
        d.opportunities,
        ['name', 'stage', 'amount', 'expectedCloseDate', 'ownerId'],
      ],
      ['contacts', 'contact', d.contacts, ['name', 'title', 'phone', 'email']],
      ['orders', 'order', d.orders, ['name', 'status', 'amount', 'orderDate', 'paymentStatus']],
      ['quotes', 'quote', d.quotes, ['name', 'status', 'total', 'discountPercent']],
      ['contracts', 'contract', d.contracts, ['name', 'contractNo', 'status', 'amount']],
      ['payments', 'payment', d.payments, ['name', 'amount', 'paidAt', 'method']],
      ['activities', 'activity', d.activities, ['subject', 'type', 'occurredAt', 'ownerId']],
    ] as const
  ).filter(([, , part]) => part.available);
  const [active, setActive] = useState<string | null>(null);
  const current =
    parts.find(([key]) => key === active) ?? parts.find(([, , part]) => part.total > 0) ?? parts[0];
  if (!current) return null;
  const [, object, part, cols] = current;
  return (
    <div>
      <Space wrap size={[6, 6]} style={{ marginBottom: 12 }}>
        {parts.map(([key, , p]) => (
          <Button
            key={key}
            size="small"
            type={key === current[0] ? 'primary' : 'default'}
            onClick={() => setActive(key)}
            data-testid={`related-${key}`}
          >
            {`${t(`customers.related.${key}`)} (${p.total})`}
          </Button>
        ))}
      </Space>
      {part.items.length ? (
        <MiniTable object={object} rows={part.items as RecordData[]} columns={[...cols]} />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
      )}
    </div>
  );
}

/** The customer's people in the CDP: which one is shown, and the others to switch to. */
function People({
  people,
  shown,
  onPick,
}: {
  people: { id: string; label: Profile360['label']; via: 'customer' | 'contact' }[];
  shown: Profile360 | null | undefined;
  onPick: (id: string) => void;
}) {
  const { t } = useTranslation();
  const text = usePersonText();
  if (!shown) return <SectionSkeleton rows={2} />;
  return (
    <Space direction="vertical" size={4} style={{ width: '100%' }} data-testid="customer-people">
      <Space wrap size={[8, 4]}>
        <Typography.Text strong data-testid="customer-profile-label">
          {text(shown.label)}
        </Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('cdp.person.firstSeen', { date: dayjs(shown.firstSeenAt).format('YYYY-MM-DD') })}
          {shown.label.source ? ` · ${t('cdp.person.from', { source: shown.label.source })}` : ''}
        </Typography.Text>
      </Space>
      {people.length > 1 && (
        <List
          size="small"
          header={<Typography.Text type="secondary">{t('customers.people.others')}</Typography.Text>}
          dataSource={people.filter((p) => p.id !== shown.id)}
          renderItem={(p) => (
            <List.Item>
              <Button type="link" size="small" style={{ padding: 0 }} onClick={() => onPick(p.id)}>
                {text(p.label)}
              </Button>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t(`customers.people.via.${p.via}`)}
              </Typography.Text>
            </List.Item>
          )}
        />
      )}
    </Space>
  );
}

/**
 * The one customer page (issue 9 §2, R1.3/R4.1): the CRM record and everything linked to it,
 * its CDP profile as a section, one timeline of events and CRM activity, the order trend.
 * Three requests start together (the 360, the CDP people, the timeline once scrolled near);
 * every part is read as the viewer (scope and masking are the server's).
 */
export function CustomerPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { can } = useSession();
  const label = useLabel();
  const meta = useObjectMeta('customer');
  const panels = slotsOf(useWebModules(), 'recordPanels').flat();
  const data = useQuery({ queryKey: salesKeys.customer360(id), queryFn: () => salesApi.customer360(id) });
  const cdpRead = can('cdp:read');
  const people = useCustomerProfiles(id, cdpRead);
  // ?profile=<id>: one of the customer's other people (the CDP profile page sends it here).
  const wanted = params.get('profile');
  const other =
    wanted && people.data?.profiles.some((p) => p.id === wanted) && people.data.profile?.id !== wanted
      ? wanted
      : null;
  const otherProfile = useQuery({
    queryKey: cdpKeys.profiles.detail(other ?? ''),
    queryFn: () => http.get<Profile360>(`/cdp/profiles/${other}`),
    enabled: !!other,
  });
  const shownMasked = other ? otherProfile.data : people.data?.profile;
  const { profile, canUnmask, unmask } = useUnmaskedProfile(shownMasked);
  const profileParts = useProfileSections(profile, {
    timeline: false,
    crm: false,
    ofProfile: true,
    invalidate: cdpKeys.customers.profile(id),
  });

  const error = data.error as { status?: number } | null;
  // A deleted customer (or one the 360 cannot show) still has its generic record page, with restore.
  if (error?.status === 404 && meta.data) return <DetailPage object="customer" />;
  if (data.error)
    return (
      <div className="kehu-page">
        <PageError error={data.error} onRetry={() => data.refetch()} />
      </div>
    );
  if (data.isPending)
    return (
      <div className="kehu-page" aria-busy="true" data-testid="customer-loading">
        <Skeleton active paragraph={{ rows: 3 }} />
        <Row gutter={[12, 12]}>
          {[0, 1, 2, 3].map((i) => (
            <Col key={i} xs={12} md={6}>
              <Card size="small">
                <Skeleton active title={false} paragraph={{ rows: 1 }} />
              </Card>
            </Col>
          ))}
        </Row>
        <Skeleton active paragraph={{ rows: 8 }} style={{ marginTop: 16 }} />
      </div>
    );
  const d = data.data;
  const c = d.customer as RecordData;
  const pv = d.pipelineValue;
  const money = (fen: number) => shortMoney(fen, i18n.language);
  const figure = (key: string, value: string | number) => (
    <Col xs={12} md={6}>
      <Card size="small">
        <Statistic title={t(`customers.figures.${key}`)} value={value} />
      </Card>
    </Col>
  );

  const peopleSection: PersonSection = {
    key: 'people',
    title: t('customers.sections.people'),
    extra: canUnmask ? (
      <Button size="small" onClick={unmask} data-testid="profile-unmask">
        {t('customers.people.unmask')}
      </Button>
    ) : undefined,
    content: !cdpRead ? (
      <Typography.Text type="secondary">{t('customers.people.noAccess')}</Typography.Text>
    ) : people.isPending ? (
      <SectionSkeleton rows={2} />
    ) : people.error ? (
      <PageError error={people.error} onRetry={() => people.refetch()} />
    ) : !people.data?.profiles.length ? (
      <Typography.Text type="secondary" data-testid="customer-no-profile">
        {t('customers.people.none')}
      </Typography.Text>
    ) : (
      <People
        people={people.data.profiles}
        shown={profile}
        onPick={(pid) => setParams({ profile: pid }, { replace: true })}
      />
    ),
  };

  const main: PersonSection[] = [
    { key: 'fields', title: t('customers.sections.fields'), content: <Fields record={c} /> },
    { key: 'related', title: t('customers.sections.related'), content: <RelatedLists d={d} /> },
    {
      key: 'trend',
      title: t('customers.sections.trend'),
      content: <OrderTrend points={d.orderTrend} />,
      lazy: true,
      minHeight: 280,
    },
    {
      key: 'timeline',
      title: t('customers.sections.timeline'),
      content: <ProfileTimeline customerId={c.id} />,
      lazy: true,
      minHeight: 320,
    },
    ...profileParts.main,
  ];
  const side: PersonSection[] = [
    // Modules' record panels (the CDP's tags and segments of the record); each hides itself where it does not apply.
    ...panels.map(({ key, component: Panel }) => ({
      key: `panel-${key}`,
      title: null,
      bare: true,
      content: (
        <Suspense fallback={null}>
          <Panel object="customer" id={c.id} />
        </Suspense>
      ),
    })),
    peopleSection,
    ...profileParts.side,
  ];

  return (
    <PersonLayout
      testId="one-customer"
      backLabel={meta.data ? label(meta.data.pluralLabel, 'customer') : t('customers.back')}
      onBack={() => navigate('/o/customer')}
      title={String(c.name ?? '') || t('records.untitled')}
      subtitle={
        <Space size={[12, 4]} wrap>
          <Tag color={TAG_COLOR[pv.tag]} data-testid="pipeline-value-tag">
            {t('customers.valueTag')}: {t(`customers.tag.${pv.tag}`)}
          </Tag>
          <Typography.Text type="secondary">
            {t('customers.owner')}: {c._display?.ownerId ?? '—'}
          </Typography.Text>
          <Typography.Text type="secondary">
            {t('customers.unit')}: {c._display?.unitId ?? '—'}
          </Typography.Text>
          {typeof c.updatedAt === 'string' && (
            <Typography.Text type="secondary">
              {t('customers.updatedAt')}: {dayjs(c.updatedAt).format('YYYY-MM-DD HH:mm')}
            </Typography.Text>
          )}
        </Space>
      }
      actions={
        can('customer:update') && (
          <Button
            type="primary"
            icon={<EditOutlined />}
            onClick={() => navigate(`/o/customer/${c.id}/edit`)}
            data-testid="edit-button"
          >
            {t('customers.edit')}
          </Button>
        )
      }
      figures={
        <Row gutter={[12, 12]} style={{ marginBottom: 12 }} data-testid="customer-figures">
          {figure('openOpps', d.stats.openOpportunities)}
          {figure('weighted', money(pv.weightedAmount))}
          {figure('orders', money(d.stats.orderAmount))}
          {figure('paid', money(d.stats.paidAmount))}
        </Row>
      }
      main={main}
      side={side}
    />
  );
}
