import type { Attribution, AttributionModel, Campaign, CampaignFunnel } from '@kehu/contracts/campaigns';
import { ATTRIBUTION_MODELS } from '@kehu/contracts/campaigns';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  DatePicker,
  Empty,
  Form,
  Input,
  InputNumber,
  Segmented,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';

const yuan = (m: number | null | undefined) => (m == null ? '–' : (m / 100).toFixed(m % 100 ? 2 : 0));

interface CostLine {
  id: string;
  item: string;
  amountMinor: number;
  spentOn: string | null;
}
interface Link {
  id: string;
  code: string;
  shortUrl: string;
  utmSource: string;
  utmMedium: string;
  utmContent: string | null;
  clicks: number;
  registrations: number;
}

/** Cost lines of a campaign: what was spent, entered as it is spent (the ROI's cost side). */
export function CostsPanel({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const q = useQuery({
    queryKey: ['campaigns', campaign.id, 'costs'],
    queryFn: () => http.get<{ items: CostLine[] }>(`/campaigns/${campaign.id}/costs`),
  });
  const add = useMutation({
    mutationFn: (body: unknown) => http.post(`/campaigns/${campaign.id}/costs`, body),
    onSuccess: () => {
      form.resetFields();
      setError(null);
      qc.invalidateQueries({ queryKey: ['campaigns'] });
    },
    onError: (e) => setError(errorMessage(e)),
  });
  if (q.error) return <ErrorResult error={q.error} onRetry={() => q.refetch()} />;
  const total = (q.data?.items ?? []).reduce((s, c) => s + c.amountMinor, 0);
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="campaign-costs">
      {campaign.canManage && (
        <Form
          form={form}
          layout="inline"
          onFinish={(v) =>
            add.mutate({
              item: v.item,
              amountMinor: Math.round(v.amount * 100),
              ...(v.spentOn ? { spentOn: v.spentOn.format('YYYY-MM-DD') } : {}),
            })
          }
        >
          <Form.Item name="item" rules={[{ required: true, message: t('campaigns.itemRequired') }]}>
            <Input placeholder={t('campaigns.item')} maxLength={100} aria-label={t('campaigns.item')} />
          </Form.Item>
          <Form.Item name="amount" rules={[{ required: true, message: t('campaigns.amountRequired') }]}>
            <InputNumber
              min={0}
              precision={2}
              placeholder={t('campaigns.amount')}
              aria-label={t('campaigns.amount')}
            />
          </Form.Item>
          <Form.Item name="spentOn">
            <DatePicker placeholder={t('campaigns.spentOn')} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={add.isPending} data-testid="campaign-add-cost">
            {t('campaigns.addCost')}
          </Button>
        </Form>
      )}
      {error && <Alert type="error" showIcon message={error} />}
      <Table<CostLine>
        rowKey="id"
        size="small"
        loading={q.isLoading}
        pagination={false}
        dataSource={q.data?.items ?? []}
        locale={{ emptyText: <Empty description={t('campaigns.noCosts')} /> }}
        columns={[
          { title: t('campaigns.item'), dataIndex: 'item' },
          { title: t('campaigns.amount'), dataIndex: 'amountMinor', align: 'right', render: yuan },
          { title: t('campaigns.spentOn'), dataIndex: 'spentOn', render: (d) => d ?? '–' },
        ]}
        summary={() =>
          total ? (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>{t('campaigns.total')}</Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right">
                {yuan(total)} / {yuan(campaign.budgetMinor)}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={2} />
            </Table.Summary.Row>
          ) : null
        }
      />
    </Space>
  );
}

/** Channel links with UTM: one short link per channel, its clicks and registrations. */
export function LinksPanel({ campaign }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const q = useQuery({
    queryKey: ['campaigns', campaign.id, 'links'],
    queryFn: () => http.get<{ items: Link[] }>(`/campaigns/${campaign.id}/links`),
  });
  const add = useMutation({
    mutationFn: (body: unknown) => http.post(`/campaigns/${campaign.id}/links`, body),
    onSuccess: () => {
      form.resetFields();
      setError(null);
      qc.invalidateQueries({ queryKey: ['campaigns', campaign.id, 'links'] });
    },
    onError: (e) => setError(errorMessage(e)),
  });
  if (q.error) return <ErrorResult error={q.error} onRetry={() => q.refetch()} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="campaign-links">
      {campaign.canManage && (
        <Form
          form={form}
          layout="inline"
          initialValues={{ utmMedium: 'social' }}
          onFinish={(v) =>
            add.mutate({
              utmSource: v.utmSource,
              utmMedium: v.utmMedium,
              utmContent: v.utmContent || undefined,
            })
          }
        >
          <Form.Item name="utmSource" rules={[{ required: true, message: t('campaigns.sourceRequired') }]}>
            <Select
              style={{ width: 150 }}
              showSearch
              placeholder={t('campaigns.utmSource')}
              aria-label={t('campaigns.utmSource')}
              options={['wechat', 'douyin', 'xiaohongshu', 'weibo', 'sms', 'poster', 'dealer'].map((x) => ({
                value: x,
                label: t(`campaigns.sources.${x}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="utmMedium">
            <Select
              style={{ width: 120 }}
              aria-label={t('campaigns.utmMedium')}
              options={['social', 'cpc', 'sms', 'offline', 'referral'].map((x) => ({
                value: x,
                label: t(`campaigns.mediums.${x}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="utmContent">
            <Input
              placeholder={t('campaigns.utmContent')}
              maxLength={60}
              aria-label={t('campaigns.utmContent')}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={add.isPending} data-testid="campaign-add-link">
            {t('campaigns.addLink')}
          </Button>
        </Form>
      )}
      {error && <Alert type="error" showIcon message={error} />}
      <Table<Link>
        rowKey="id"
        size="small"
        loading={q.isLoading}
        pagination={false}
        scroll={{ x: true }}
        dataSource={q.data?.items ?? []}
        locale={{ emptyText: <Empty description={t('campaigns.noLinks')} /> }}
        columns={[
          {
            title: t('campaigns.utmSource'),
            dataIndex: 'utmSource',
            render: (s: string) => t(`campaigns.sources.${s}`, { defaultValue: s }),
          },
          { title: t('campaigns.utmMedium'), dataIndex: 'utmMedium' },
          {
            title: t('campaigns.shortUrl'),
            dataIndex: 'shortUrl',
            render: (u: string) => <Typography.Text copyable>{u}</Typography.Text>,
          },
          { title: t('campaigns.clicks'), dataIndex: 'clicks', align: 'right' },
          { title: t('campaigns.registrations'), dataIndex: 'registrations', align: 'right' },
        ]}
      />
    </Space>
  );
}

/** 潜客 → 线索 → 商机 → 订单 of one campaign (R11.1). */
export function FunnelCard({ campaignId }: { campaignId: string }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ['campaigns', campaignId, 'funnel'],
    queryFn: () => http.get<CampaignFunnel>(`/campaigns/${campaignId}/funnel`),
  });
  if (q.error) return <ErrorResult error={q.error} onRetry={() => q.refetch()} />;
  const stages = q.data?.stages ?? [];
  return (
    <Card size="small" title={t('campaigns.funnel')} data-testid="campaign-funnel" loading={q.isLoading}>
      <EChart
        height={200}
        option={{
          tooltip: { trigger: 'item' },
          series: [
            {
              type: 'funnel',
              sort: 'none',
              minSize: '20%',
              label: { formatter: '{b}  {c}' },
              data: stages.map((s) => ({ name: t(`campaigns.stages.${s.key}`), value: s.count })),
            },
          ],
        }}
      />
      {!!q.data?.prospectsWithoutLead && (
        <Typography.Text type="warning">
          {t('campaigns.prospectsWithoutLead', { n: q.data.prospectsWithoutLead })}
        </Typography.Text>
      )}
    </Card>
  );
}

/** Revenue of paid orders attributed to campaigns and channels, with the model switch. */
export function AttributionCard() {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  const [model, setModel] = useState<AttributionModel>('position');
  const [windowDays, setWindowDays] = useState(30);
  const q = useQuery({
    queryKey: ['campaigns', 'attribution', model, windowDays],
    queryFn: () => http.get<Attribution>(`/campaigns/attribution?model=${model}&windowDays=${windowDays}`),
  });
  const d = q.data;
  const channels = [...new Set((d?.rows ?? []).map((r) => r.channel))];
  const camps = (d?.campaigns ?? []).filter((c) => c.revenueMinor > 0 || c.costMinor > 0);
  return (
    <Card
      style={{ marginTop: 16 }}
      title={t('campaigns.attribution.title')}
      data-testid="campaign-attribution"
      extra={
        <Space wrap>
          <Segmented<AttributionModel>
            value={model}
            onChange={setModel}
            options={ATTRIBUTION_MODELS.map((m) => ({
              value: m,
              label: t(`campaigns.attribution.models.${m}`),
            }))}
            data-testid="attribution-model"
          />
          <Select
            value={windowDays}
            onChange={setWindowDays}
            style={{ width: 120 }}
            aria-label={t('campaigns.attribution.window')}
            options={[7, 30, 90].map((n) => ({ value: n, label: t('campaigns.attribution.days', { n }) }))}
          />
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t('campaigns.attribution.intro')}</Typography.Paragraph>
      {q.error ? (
        <ErrorResult error={q.error} onRetry={() => q.refetch()} />
      ) : !q.isLoading && !camps.length ? (
        <Empty description={t('campaigns.attribution.empty')} />
      ) : (
        <>
          <Typography.Text>
            {t('campaigns.attribution.touched', {
              n: d?.ordersTouched ?? 0,
              amount: yuan(d?.revenueTouchedMinor ?? 0),
            })}
          </Typography.Text>
          <EChart
            height={mobile ? 260 : 300}
            option={{
              tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
              legend: { top: 0 },
              grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
              xAxis: { type: 'value', name: '¥' },
              yAxis: { type: 'category', data: camps.map((c) => c.campaignName) },
              series: channels.map((ch) => ({
                type: 'bar',
                stack: 'revenue',
                name: t(`campaigns.sources.${ch}`, { defaultValue: ch }),
                data: camps.map(
                  (c) =>
                    (d?.rows.find((r) => r.campaignId === c.campaignId && r.channel === ch)?.revenueMinor ??
                      0) / 100,
                ),
              })),
            }}
          />
          <Table
            rowKey="campaignId"
            size="small"
            pagination={false}
            scroll={{ x: true }}
            dataSource={camps}
            columns={[
              { title: t('campaigns.columns.name'), dataIndex: 'campaignName' },
              {
                title: t('campaigns.attribution.revenue'),
                dataIndex: 'revenueMinor',
                align: 'right',
                render: yuan,
              },
              { title: t('campaigns.attribution.orders'), dataIndex: 'orders', align: 'right' },
              { title: t('campaigns.cost'), dataIndex: 'costMinor', align: 'right', render: yuan },
              {
                title: t('campaigns.roi'),
                dataIndex: 'roi',
                align: 'right',
                render: (r: number | null) => (r == null ? '–' : `${(r * 100).toFixed(0)}%`),
              },
            ]}
          />
        </>
      )}
    </Card>
  );
}
