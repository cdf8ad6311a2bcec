import { PlusOutlined } from '@ant-design/icons';
import type { TicketInput } from '@kehu/contracts/service';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Drawer,
  Empty,
  Form,
  Input,
  Row,
  Segmented,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { CategoryFieldItems } from './category-fields';
import { type Category, type TicketDetail, type TicketSummary, useCategories, useStats } from './service-api';
import { SlaBadge } from './sla-badge';

const PRIORITY_COLOR: Record<string, string> = {
  low: 'default',
  normal: 'blue',
  high: 'orange',
  urgent: 'red',
};

/** The ticket list: filters, the SLA badge in business time, and filing a ticket. */
export function TicketsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const [view, setView] = useState<'open' | 'mine' | 'breached' | 'all'>('open');
  const [q, setQ] = useState('');
  const [category, setCategory] = useState<string | undefined>();
  const [priority, setPriority] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const categories = useCategories();
  const stats = useStats();
  const params = new URLSearchParams();
  if (view === 'open' || view === 'breached') params.set('status', 'open');
  if (view === 'mine') params.set('assignee', 'me');
  if (view === 'breached') params.set('breached', 'true');
  if (q) params.set('q', q);
  if (category) params.set('categoryKey', category);
  if (priority) params.set('priority', priority);
  const list = useInfiniteQuery({
    queryKey: ['service', 'tickets', params.toString()],
    queryFn: ({ pageParam }) =>
      http.get<{ items: TicketSummary[]; nextCursor: string | null }>(
        `/service/tickets?${params.toString()}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`,
      ),
    initialPageParam: '',
    getNextPageParam: (p) => p.nextCursor ?? undefined,
    refetchInterval: 60_000,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = !!(q || category || priority || view !== 'all');
  const s = stats.data;
  return (
    <div className="kehu-page" data-testid="service-tickets-page">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('service.title')}
        </Typography.Title>
        {can('service:handle') && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="ticket-new"
          >
            {t('service.new')}
          </Button>
        )}
      </div>
      <Typography.Paragraph type="secondary">{t('service.intro')}</Typography.Paragraph>
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
        <Col xs={8} md={4}>
          <Card size="small">
            <Statistic title={t('service.stats.open')} value={s?.open ?? '–'} />
          </Card>
        </Col>
        <Col xs={8} md={4}>
          <Card size="small">
            <Statistic
              title={t('service.stats.breached')}
              value={s?.breached ?? '–'}
              valueStyle={s?.breached ? { color: '#cf1322' } : undefined}
            />
          </Card>
        </Col>
        <Col xs={8} md={4}>
          <Card size="small">
            <Statistic title={t('service.stats.mine')} value={s?.mine ?? '–'} />
          </Card>
        </Col>
        {!!s?.byCategory.length && (
          <Col xs={24} md={12}>
            <Card size="small" title={t('service.byCategory')} styles={{ body: { padding: 4 } }}>
              <EChart
                height={110}
                option={{
                  grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
                  xAxis: { type: 'value', minInterval: 1 },
                  yAxis: { type: 'category', data: s.byCategory.map((c) => c.name ?? c.categoryKey) },
                  series: [{ type: 'bar', data: s.byCategory.map((c) => c.n), barMaxWidth: 14 }],
                  tooltip: {},
                }}
              />
            </Card>
          </Col>
        )}
      </Row>
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented
          value={view}
          onChange={(v) => setView(v as typeof view)}
          options={[
            { value: 'open', label: t('service.open') },
            { value: 'mine', label: t('service.mine') },
            { value: 'breached', label: t('service.breachedOnly') },
            { value: 'all', label: t('service.all') },
          ]}
        />
        <Input.Search
          allowClear
          placeholder={t('service.search')}
          onSearch={(v) => setQ(v.trim())}
          style={{ width: mobile ? '100%' : 220 }}
          aria-label={t('service.search')}
        />
        <Select
          allowClear
          placeholder={t('service.columns.category')}
          style={{ width: 130 }}
          value={category}
          onChange={setCategory}
          options={(categories.data?.items ?? []).map((c) => ({ value: c.key, label: c.name }))}
        />
        <Select
          allowClear
          placeholder={t('service.columns.priority')}
          style={{ width: 110 }}
          value={priority}
          onChange={setPriority}
          options={['urgent', 'high', 'normal', 'low'].map((p) => ({
            value: p,
            label: t(`service.priorities.${p}`),
          }))}
        />
      </Space>
      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Table<TicketSummary>
          rowKey="id"
          loading={list.isLoading}
          dataSource={items}
          size={mobile ? 'small' : 'middle'}
          scroll={{ x: true }}
          pagination={false}
          onRow={(r) => ({
            onClick: () => navigate(`/service/tickets/${r.id}`),
            style: { cursor: 'pointer' },
          })}
          locale={{
            emptyText: <Empty description={filtered ? t('service.emptyFiltered') : t('service.empty')} />,
          }}
          columns={[
            {
              title: t('service.columns.subject'),
              key: 'subject',
              render: (_: unknown, r) => (
                <div style={{ minWidth: 160 }}>
                  <Link to={`/service/tickets/${r.id}`} onClick={(e) => e.stopPropagation()}>
                    {r.subject}
                  </Link>
                  <div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {r.number} · {r.categoryName ?? r.categoryKey}
                      {r.kind === 'complaint' ? ` · ${t('service.kinds.complaint')}` : ''}
                    </Typography.Text>
                  </div>
                </div>
              ),
            },
            {
              title: t('service.columns.sla'),
              key: 'sla',
              render: (_: unknown, r) => <SlaBadge clock={r.sla} />,
            },
            {
              title: t('service.columns.status'),
              dataIndex: 'status',
              render: (v: string) => <Tag>{t(`service.statuses.${v}`)}</Tag>,
            },
            {
              title: t('service.columns.priority'),
              dataIndex: 'priority',
              render: (v: string) => <Tag color={PRIORITY_COLOR[v]}>{t(`service.priorities.${v}`)}</Tag>,
            },
            ...(mobile
              ? []
              : [
                  {
                    title: t('service.columns.assignee'),
                    key: 'as',
                    render: (_: unknown, r: TicketSummary) => r.assigneeName ?? t('service.unassigned'),
                  },
                  { title: t('service.columns.unit'), dataIndex: 'unitName' },
                  {
                    title: t('service.columns.created'),
                    dataIndex: 'createdAt',
                    render: (v: string) => new Date(v).toLocaleString(undefined, { hour12: false }),
                  },
                ]),
          ]}
        />
      )}
      {list.hasNextPage && (
        <div style={{ textAlign: 'center', marginTop: 12 }}>
          <Button onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
            {t('service.more')}
          </Button>
        </div>
      )}
      <NewTicket
        open={creating}
        categories={categories.data?.items ?? []}
        onClose={() => setCreating(false)}
        onCreated={(d) => navigate(`/service/tickets/${d.id}`)}
      />
    </div>
  );
}

function NewTicket(props: {
  open: boolean;
  categories: Category[];
  onClose: () => void;
  onCreated: (t: TicketDetail) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const mobile = useIsMobile();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const catKey = Form.useWatch('categoryKey', form);
  const cat = props.categories.find((c) => c.key === catKey);
  const submit = async (v: any) => {
    setSaving(true);
    setError(null);
    try {
      const body: TicketInput = {
        subject: v.subject,
        description: v.description ?? '',
        categoryKey: v.categoryKey,
        priority: v.priority,
        channel: v.channel,
        kind: v.kind,
        form: v.form ?? {},
        ...(v.contactId ? { contactId: v.contactId } : {}),
      } as TicketInput;
      const d = await http.post<TicketDetail>('/service/tickets', body);
      message.success(t('service.created', { number: d.number }));
      qc.invalidateQueries({ queryKey: ['service'] });
      form.resetFields();
      props.onCreated(d);
    } catch (e) {
      setError(errorMessage(e));
      const fe = (e as any)?.problem?.errors as { field: string; message?: string }[] | undefined;
      if (fe) form.setFields(fe.map((x) => ({ name: x.field.split('.'), errors: [x.message ?? x.field] })));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Drawer
      open={props.open}
      onClose={props.onClose}
      title={t('service.new')}
      width={mobile ? '100%' : 520}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ priority: 'normal', channel: 'phone', kind: 'request' }}
      >
        <Form.Item name="categoryKey" label={t('service.fields.category')} rules={[{ required: true }]}>
          <Select
            data-testid="ticket-category"
            options={props.categories.filter((c) => c.active).map((c) => ({ value: c.key, label: c.name }))}
          />
        </Form.Item>
        <Form.Item name="subject" label={t('service.fields.subject')} rules={[{ required: true, max: 200 }]}>
          <Input data-testid="ticket-subject" />
        </Form.Item>
        <Form.Item name="description" label={t('service.fields.description')}>
          <Input.TextArea rows={4} maxLength={10000} />
        </Form.Item>
        <CategoryFieldItems category={cat} />
        <Space wrap>
          <Form.Item name="priority" label={t('service.fields.priority')}>
            <Select
              style={{ width: 120 }}
              options={['low', 'normal', 'high', 'urgent'].map((p) => ({
                value: p,
                label: t(`service.priorities.${p}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="channel" label={t('service.fields.channel')}>
            <Select
              style={{ width: 140 }}
              options={['phone', 'form', 'email', 'sidebar', 'api'].map((c) => ({
                value: c,
                label: t(`service.channels.${c}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="kind" label={t('service.fields.kind')}>
            <Select
              style={{ width: 120 }}
              options={['request', 'complaint'].map((k) => ({ value: k, label: t(`service.kinds.${k}`) }))}
            />
          </Form.Item>
        </Space>
        <Form.Item name="contactId" label={t('service.fields.contactId')}>
          <Input />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={saving} block data-testid="ticket-submit">
          {t('service.create')}
        </Button>
      </Form>
    </Drawer>
  );
}
