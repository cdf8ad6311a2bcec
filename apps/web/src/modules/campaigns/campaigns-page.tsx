import { PlusOutlined } from '@ant-design/icons';
import type { Campaign, CampaignReport } from '@kehu/contracts/campaigns';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { AttributionCard, CostsPanel, FunnelCard, LinksPanel } from './campaign-panels';

const yuan = (m: number | null | undefined) => (m == null ? '–' : (m / 100).toFixed(m % 100 ? 2 : 0));
const FIELDS = ['name', 'email', 'company', 'city', 'note'] as const;

/** Campaigns: list, editor with the registration form builder, and the report drawer. */
export function CampaignsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const mobile = useIsMobile();
  const nav = useNavigate();
  const list = useQuery({
    queryKey: ['campaigns'],
    queryFn: () => http.get<{ items: Campaign[] }>('/campaigns'),
  });
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<Campaign | null>(null);
  const [editing, setEditing] = useState<Campaign | null>(null);
  return (
    <div className="kehu-page" data-testid="campaigns-page">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('campaigns.title')}
        </Typography.Title>
        {can('campaigns:manage') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('campaigns.new')}
          </Button>
        )}
      </div>
      <Typography.Paragraph type="secondary">{t('campaigns.intro')}</Typography.Paragraph>
      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Table<Campaign>
          rowKey="id"
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          size={mobile ? 'small' : 'middle'}
          scroll={{ x: true }}
          pagination={false}
          locale={{ emptyText: <Empty description={t('campaigns.empty')} /> }}
          columns={[
            { title: t('campaigns.columns.name'), dataIndex: 'name' },
            {
              title: t('campaigns.columns.kind'),
              dataIndex: 'kind',
              render: (k: string) => <Tag>{t(`campaigns.kinds.${k}`)}</Tag>,
            },
            ...(mobile
              ? []
              : [
                  {
                    title: t('campaigns.columns.period'),
                    key: 'p',
                    render: (_: unknown, r: Campaign) =>
                      `${r.startsAt.slice(0, 10)} – ${r.endsAt.slice(0, 10)}`,
                  },
                ]),
            {
              title: t('campaigns.columns.registrations'),
              key: 'r',
              render: (_: unknown, r: Campaign) => `${r.registrations} / ${r.checkedIn}`,
            },
            {
              title: t('campaigns.columns.status'),
              dataIndex: 'status',
              render: (s: string) => (
                <Tag color={s === 'published' ? 'green' : 'default'}>{t(`campaigns.statuses.${s}`)}</Tag>
              ),
            },
            {
              title: t('campaigns.columns.actions'),
              key: 'a',
              render: (_: unknown, r: Campaign) => (
                <Space wrap size={4}>
                  <Button size="small" onClick={() => setOpen(r)}>
                    {t('campaigns.report')}
                  </Button>
                  {r.canManage && (
                    <Button size="small" onClick={() => setEditing(r)} data-testid="campaign-edit">
                      {t('campaigns.edit')}
                    </Button>
                  )}
                  {can('campaigns:check_in') && (
                    <Button size="small" onClick={() => nav(`/campaigns/${r.id}/check-in`)}>
                      {t('campaigns.checkIn')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      )}
      {creating && <CampaignEditor onClose={() => setCreating(false)} />}
      {editing && <CampaignEditor key={editing.id} campaign={editing} onClose={() => setEditing(null)} />}
      {!!list.data?.items.length && <AttributionCard />}
      <Drawer
        open={!!open}
        onClose={() => setOpen(null)}
        width={mobile ? '100%' : 720}
        title={open?.name}
        destroyOnClose
      >
        {open && (
          <Tabs
            items={[
              { key: 'report', label: t('campaigns.report'), children: <ReportPanel campaign={open} /> },
              { key: 'costs', label: t('campaigns.costs'), children: <CostsPanel campaign={open} /> },
              { key: 'links', label: t('campaigns.links'), children: <LinksPanel campaign={open} /> },
            ]}
          />
        )}
      </Drawer>
    </div>
  );
}

function CampaignEditor({ onClose, campaign }: { onClose: () => void; campaign?: Campaign }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const templates = useQuery({
    queryKey: ['coupons', 'templates'],
    queryFn: () => http.get<{ items: Array<{ id: string; name: string }> }>('/coupon-templates'),
  });
  const journeys = useQuery({
    queryKey: ['journeys'],
    queryFn: () =>
      http.get<{ items: Array<{ id: string; name: string }> }>('/journeys').catch(() => ({ items: [] })),
  });
  const save = useMutation({
    mutationFn: (body: unknown) =>
      campaign
        ? http.patch<Campaign>(`/campaigns/${campaign.id}`, body)
        : http.post<Campaign>('/campaigns', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['campaigns'] }),
  });
  const submit = async (v: any) => {
    try {
      await save.mutateAsync({
        name: v.name,
        kind: v.kind,
        startsAt: v.period[0].toDate().toISOString(),
        endsAt: v.period[1].toDate().toISOString(),
        budgetMinor: Math.round((v.budget ?? 0) * 100),
        venue: v.venue || undefined,
        formFields: (v.fields ?? []).map((k: (typeof FIELDS)[number]) => ({
          key: k,
          label: t(`campaigns.formFields.${k}`),
          required: (v.required ?? []).includes(k),
        })),
        consentPurposes: v.consents ?? [],
        couponTemplateId: v.coupon ?? null,
        journeyId: v.journey ?? null,
        status: v.publish ? (campaign?.status === 'ended' ? 'ended' : 'published') : 'draft',
      });
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const fieldOptions = FIELDS.map((k) => ({ value: k, label: t(`campaigns.formFields.${k}`) }));
  return (
    <Modal
      open
      title={campaign ? t('campaigns.edit') : t('campaigns.new')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      okText={t('campaigns.save')}
      cancelText={t('campaigns.cancel')}
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={
          campaign
            ? {
                name: campaign.name,
                kind: campaign.kind,
                period: [dayjs(campaign.startsAt), dayjs(campaign.endsAt)],
                budget: campaign.budgetMinor / 100,
                venue: campaign.venue ?? undefined,
                fields: campaign.formFields.map((f) => f.key),
                required: campaign.formFields.filter((f) => f.required).map((f) => f.key),
                consents: campaign.consentPurposes,
                coupon: campaign.couponTemplateId ?? undefined,
                journey: campaign.journeyId ?? undefined,
                publish: campaign.status !== 'draft',
              }
            : {
                kind: 'store_event',
                fields: ['name'],
                required: ['name'],
                consents: ['marketing'],
                publish: true,
              }
        }
      >
        <Form.Item name="name" label={t('campaigns.fields.name')} rules={[{ required: true }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="kind" label={t('campaigns.fields.kind')}>
          <Select
            options={(['expo', 'store_event', 'live', 'tasting'] as const).map((k) => ({
              value: k,
              label: t(`campaigns.kinds.${k}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="period" label={t('campaigns.fields.period')} rules={[{ required: true }]}>
          <DatePicker.RangePicker showTime style={{ width: '100%' }} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="budget" label={t('campaigns.fields.budget')}>
            <InputNumber min={0} precision={2} />
          </Form.Item>
          <Form.Item name="venue" label={t('campaigns.fields.venue')}>
            <Input maxLength={200} />
          </Form.Item>
        </Space>
        <Form.Item name="fields" label={t('campaigns.fields.form')}>
          <Checkbox.Group options={fieldOptions} />
        </Form.Item>
        <Form.Item name="required" label={t('campaigns.fields.required')}>
          <Checkbox.Group options={fieldOptions} />
        </Form.Item>
        <Form.Item name="consents" label={t('campaigns.fields.consents')}>
          <Checkbox.Group
            options={(['marketing', 'service'] as const).map((k) => ({
              value: k,
              label: t(`campaigns.consents.${k}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="coupon" label={t('campaigns.fields.coupon')}>
          <Select
            allowClear
            options={(templates.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))}
          />
        </Form.Item>
        <Form.Item
          name="journey"
          label={t('campaigns.fields.journey')}
          extra={t('campaigns.fields.journeyHint')}
        >
          <Select
            allowClear
            options={(journeys.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))}
          />
        </Form.Item>
        <Form.Item name="publish" valuePropName="checked">
          <Checkbox>{t('campaigns.fields.publish')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ReportPanel({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const r = useQuery({
    queryKey: ['campaigns', campaign.id, 'report'],
    queryFn: () => http.get<CampaignReport>(`/campaigns/${campaign.id}/report`),
  });
  if (r.error) return <ErrorResult error={r.error} onRetry={() => r.refetch()} />;
  const d = r.data;
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="campaign-report">
      <Typography.Text copyable={{ text: campaign.registrationUrl }}>
        {t('campaigns.copyLink')}: {campaign.registrationUrl}
      </Typography.Text>
      <Space wrap size="large">
        <Statistic title={t('campaigns.registrations')} value={d?.registrations ?? 0} loading={r.isLoading} />
        <Statistic title={t('campaigns.checkedIn')} value={d?.checkedIn ?? 0} loading={r.isLoading} />
        <Statistic title={t('campaigns.leads')} value={d?.leads ?? 0} loading={r.isLoading} />
        <Statistic title={t('campaigns.opportunities')} value={d?.opportunities ?? 0} loading={r.isLoading} />
        <Statistic title={t('campaigns.orders')} value={d?.orders ?? 0} loading={r.isLoading} />
        <Statistic title={t('campaigns.cost')} value={yuan(d?.costMinor)} loading={r.isLoading} />
        <Statistic
          title={t('campaigns.costPerLead')}
          value={yuan(d?.costPerLeadMinor)}
          loading={r.isLoading}
        />
        <Statistic
          title={t('campaigns.roi')}
          value={d?.roi == null ? '–' : `${(d.roi * 100).toFixed(0)}%`}
          loading={r.isLoading}
        />
      </Space>
      <FunnelCard campaignId={campaign.id} />
      <Card size="small" title={t('campaigns.byDay')}>
        <EChart
          height={220}
          option={{
            tooltip: { trigger: 'axis' },
            grid: { left: 36, right: 12, top: 16, bottom: 24 },
            xAxis: { type: 'category', data: (d?.byDay ?? []).map((x) => x.day.slice(5)) },
            yAxis: { type: 'value', minInterval: 1 },
            series: [
              {
                type: 'bar',
                name: t('campaigns.registrations'),
                data: (d?.byDay ?? []).map((x) => x.registrations),
              },
            ],
          }}
        />
      </Card>
      <Card size="small" title={t('campaigns.byChannel')}>
        <EChart
          height={220}
          option={{
            tooltip: { trigger: 'item' },
            series: [
              {
                type: 'pie',
                radius: ['40%', '70%'],
                data: (d?.byChannel ?? []).map((x) => ({ name: x.source || '—', value: x.registrations })),
              },
            ],
          }}
        />
      </Card>
    </Space>
  );
}
