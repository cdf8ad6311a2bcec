import { PlusOutlined } from '@ant-design/icons';
import type { CouponTemplateInput } from '@kehu/contracts/coupons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
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
  Progress,
  Radio,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import {
  type BulkIssue,
  bulkProgress,
  type CouponTemplate,
  issueOne,
  issueToSegment,
  useSaveTemplate,
  useStats,
  useTemplates,
} from './coupons-api';

const yuan = (minor: number | null | undefined) =>
  minor == null ? '' : (minor / 100).toFixed(minor % 100 ? 2 : 0);

/** Coupon templates: list, editor, stats and the issue dialog. */
export function CouponTemplatesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const mobile = useIsMobile();
  const list = useTemplates();
  const [creating, setCreating] = useState(false);
  const [statsOf, setStatsOf] = useState<CouponTemplate | null>(null);
  const [issuing, setIssuing] = useState<CouponTemplate | null>(null);
  const save = useSaveTemplate();
  const items = list.data?.items ?? [];
  const validity = (r: CouponTemplate) =>
    r.validity === 'relative'
      ? t('coupons.daysFromIssue', { days: r.validDays })
      : `${r.validFrom?.slice(0, 10)} – ${r.validTo?.slice(0, 10)}`;
  return (
    <div className="kehu-page" data-testid="coupon-templates-page">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('coupons.title')}
        </Typography.Title>
        {can('coupons:manage') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('coupons.new')}
          </Button>
        )}
      </div>
      <Typography.Paragraph type="secondary">{t('coupons.intro')}</Typography.Paragraph>
      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Table<CouponTemplate>
          rowKey="id"
          loading={list.isLoading}
          dataSource={items}
          size={mobile ? 'small' : 'middle'}
          scroll={{ x: true }}
          pagination={false}
          locale={{ emptyText: <Empty description={t('coupons.empty')} /> }}
          columns={[
            { title: t('coupons.columns.name'), dataIndex: 'name' },
            {
              title: t('coupons.columns.kind'),
              dataIndex: 'kind',
              render: (k: string) => <Tag>{t(`coupons.kinds.${k}`)}</Tag>,
            },
            ...(mobile
              ? []
              : [
                  {
                    title: t('coupons.columns.validity'),
                    key: 'v',
                    render: (_: unknown, r: CouponTemplate) => validity(r),
                  },
                ]),
            {
              title: t('coupons.columns.issued'),
              key: 'i',
              render: (_: unknown, r: CouponTemplate) =>
                `${r.issuedCount} / ${r.totalStock ?? t('coupons.unlimited')}`,
            },
            {
              title: t('coupons.columns.status'),
              dataIndex: 'status',
              render: (s: string) => (
                <Tag color={s === 'active' ? 'green' : 'default'}>{t(`coupons.statuses.${s}`)}</Tag>
              ),
            },
            {
              title: t('coupons.columns.actions'),
              key: 'a',
              render: (_: unknown, r: CouponTemplate) => (
                <Space wrap size={4}>
                  {r.canManage && (
                    <Button size="small" onClick={() => setStatsOf(r)}>
                      {t('coupons.stats')}
                    </Button>
                  )}
                  {can('coupons:issue') && r.status === 'active' && (
                    <Button size="small" onClick={() => setIssuing(r)}>
                      {t('coupons.issue')}
                    </Button>
                  )}
                  {r.canManage && (
                    <Button
                      size="small"
                      type="text"
                      onClick={() =>
                        save.mutate({
                          id: r.id,
                          input: { status: r.status === 'active' ? 'paused' : 'active' },
                        })
                      }
                    >
                      {r.status === 'active' ? t('coupons.pause') : t('coupons.resume')}
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      )}
      {creating && <TemplateEditor onClose={() => setCreating(false)} />}
      <Drawer
        open={!!statsOf}
        onClose={() => setStatsOf(null)}
        width={mobile ? '100%' : 640}
        title={statsOf?.name}
        destroyOnClose
      >
        {statsOf && <StatsPanel id={statsOf.id} />}
      </Drawer>
      {issuing && <IssueDialog template={issuing} onClose={() => setIssuing(null)} />}
    </div>
  );
}

function TemplateEditor({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const save = useSaveTemplate();
  const kind = Form.useWatch('kind', form) ?? 'amount_off';
  const validity = Form.useWatch('validity', form) ?? 'relative';
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: any) => {
    const minor = (x: number | undefined) => (x == null ? undefined : Math.round(x * 100));
    const input: CouponTemplateInput = {
      name: v.name,
      kind: v.kind,
      thresholdMinor: minor(v.threshold),
      amountMinor: minor(v.amount),
      percentOff: v.percentOff ?? undefined,
      maxDiscountMinor: minor(v.maxDiscount),
      giftText: v.giftText || undefined,
      validity: v.validity,
      validFrom: v.validity === 'fixed' ? v.range?.[0]?.toDate().toISOString() : undefined,
      validTo: v.validity === 'fixed' ? v.range?.[1]?.toDate().toISOString() : undefined,
      validDays: v.validity === 'relative' ? v.validDays : undefined,
      perProfileLimit: v.perProfileLimit ?? 1,
      totalStock: v.totalStock ?? null,
      returnOnRefund: !!v.returnOnRefund,
      pointsCost: v.pointsCost ?? null,
    };
    try {
      await save.mutateAsync({ input });
      message.success(t('coupons.save'));
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <Modal
      open
      title={t('coupons.new')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      okText={t('coupons.save')}
      cancelText={t('coupons.cancel')}
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ kind: 'amount_off', validity: 'relative', validDays: 30, perProfileLimit: 1 }}
      >
        <Form.Item name="name" label={t('coupons.fields.name')} rules={[{ required: true }]}>
          <Input maxLength={80} />
        </Form.Item>
        <Form.Item name="kind" label={t('coupons.fields.kind')}>
          <Radio.Group
            optionType="button"
            options={(['amount_off', 'percent_off', 'exchange', 'gift'] as const).map((k) => ({
              value: k,
              label: t(`coupons.kinds.${k}`),
            }))}
          />
        </Form.Item>
        {kind === 'amount_off' && (
          <Space wrap>
            <Form.Item name="threshold" label={t('coupons.fields.threshold')}>
              <InputNumber min={0} precision={2} />
            </Form.Item>
            <Form.Item name="amount" label={t('coupons.fields.amount')} rules={[{ required: true }]}>
              <InputNumber min={0.01} precision={2} />
            </Form.Item>
          </Space>
        )}
        {kind === 'percent_off' && (
          <Space wrap>
            <Form.Item name="percentOff" label={t('coupons.fields.percent')} rules={[{ required: true }]}>
              <InputNumber min={1} max={99} />
            </Form.Item>
            <Form.Item name="maxDiscount" label={t('coupons.fields.maxDiscount')}>
              <InputNumber min={0} precision={2} />
            </Form.Item>
          </Space>
        )}
        {(kind === 'exchange' || kind === 'gift') && (
          <Form.Item name="giftText" label={t('coupons.fields.giftText')} rules={[{ required: true }]}>
            <Input maxLength={200} />
          </Form.Item>
        )}
        <Form.Item name="validity" label={t('coupons.fields.validity')}>
          <Radio.Group
            options={[
              { value: 'relative', label: t('coupons.fields.relative') },
              { value: 'fixed', label: t('coupons.fields.fixed') },
            ]}
          />
        </Form.Item>
        {validity === 'fixed' ? (
          <Form.Item name="range" label={t('coupons.fields.range')} rules={[{ required: true }]}>
            <DatePicker.RangePicker showTime style={{ width: '100%' }} />
          </Form.Item>
        ) : (
          <Form.Item name="validDays" label={t('coupons.fields.days')} rules={[{ required: true }]}>
            <InputNumber min={1} max={3650} />
          </Form.Item>
        )}
        <Space wrap>
          <Form.Item name="perProfileLimit" label={t('coupons.fields.perProfile')}>
            <InputNumber min={1} max={1000} />
          </Form.Item>
          <Form.Item name="totalStock" label={t('coupons.fields.stock')}>
            <InputNumber min={1} />
          </Form.Item>
        </Space>
        <Form.Item name="pointsCost" label={t('coupons.fields.pointsCost')}>
          <InputNumber min={1} />
        </Form.Item>
        <Form.Item name="returnOnRefund" valuePropName="checked">
          <Checkbox>{t('coupons.fields.returnOnRefund')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}

function StatsPanel({ id }: { id: string }) {
  const { t } = useTranslation();
  const s = useStats(id);
  if (s.error) return <ErrorResult error={s.error} onRetry={() => s.refetch()} />;
  const d = s.data;
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="coupon-stats">
      <Space wrap size="large">
        <Statistic title={t('coupons.statIssued')} value={d?.issued ?? 0} loading={s.isLoading} />
        <Statistic title={t('coupons.statRedeemed')} value={d?.redeemed ?? 0} loading={s.isLoading} />
        <Statistic
          title={t('coupons.statRate')}
          value={((d?.redemptionRate ?? 0) * 100).toFixed(1)}
          suffix="%"
          loading={s.isLoading}
        />
        <Statistic
          title={t('coupons.statDiscount')}
          value={yuan(d?.discountMinor ?? 0)}
          loading={s.isLoading}
        />
        <Statistic
          title={t('coupons.statOrders')}
          value={yuan(d?.orderValueMinor ?? 0)}
          loading={s.isLoading}
        />
      </Space>
      <Card size="small" title={t('coupons.byDay')}>
        <EChart
          height={240}
          option={{
            tooltip: { trigger: 'axis' },
            legend: { data: [t('coupons.statIssued'), t('coupons.statRedeemed')] },
            grid: { left: 36, right: 12, top: 32, bottom: 24 },
            xAxis: { type: 'category', data: (d?.byDay ?? []).map((x) => x.day.slice(5)) },
            yAxis: { type: 'value', minInterval: 1 },
            series: [
              { name: t('coupons.statIssued'), type: 'bar', data: (d?.byDay ?? []).map((x) => x.issued) },
              {
                name: t('coupons.statRedeemed'),
                type: 'line',
                data: (d?.byDay ?? []).map((x) => x.redeemed),
              },
            ],
          }}
        />
      </Card>
    </Space>
  );
}

function IssueDialog({ template, onClose }: { template: CouponTemplate; onClose: () => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'single' | 'bulk'>('single');
  const [profileId, setProfileId] = useState('');
  const [segmentId, setSegmentId] = useState<string | undefined>();
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [bulk, setBulk] = useState<BulkIssue | null>(null);
  const [busy, setBusy] = useState(false);
  const segments = useQuery({
    queryKey: ['coupons', 'segments'],
    queryFn: () => http.get<{ items: Array<{ id: string; name: string }> }>('/cdp/segments'),
    enabled: mode === 'bulk',
  });
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      if (mode === 'single') {
        const r = await issueOne(template.id, profileId.trim());
        setResult(t('coupons.issued', { code: r.code }));
      } else if (segmentId) {
        let b = await issueToSegment(template.id, segmentId);
        setBulk(b);
        const deadline = Date.now() + 10 * 60_000;
        while ((b.status === 'queued' || b.status === 'running') && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 1000));
          b = await bulkProgress(b.id);
          setBulk(b);
        }
      }
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('coupons.issueTitle', { name: template.name })}
      onCancel={onClose}
      onOk={go}
      confirmLoading={busy}
      okText={t('coupons.issue')}
      cancelText={t('coupons.cancel')}
    >
      <Tabs
        activeKey={mode}
        onChange={(k) => setMode(k as 'single' | 'bulk')}
        items={[
          {
            key: 'single',
            label: t('coupons.single'),
            children: (
              <Form layout="vertical">
                <Form.Item label={t('coupons.profileId')}>
                  <Input value={profileId} onChange={(e) => setProfileId(e.target.value)} />
                </Form.Item>
              </Form>
            ),
          },
          {
            key: 'bulk',
            label: t('coupons.bulk'),
            children: (
              <Form layout="vertical">
                <Form.Item label={t('coupons.segment')}>
                  <Select
                    showSearch
                    optionFilterProp="label"
                    loading={segments.isLoading}
                    value={segmentId}
                    onChange={setSegmentId}
                    options={(segments.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
                  />
                </Form.Item>
              </Form>
            ),
          },
        ]}
      />
      {error && <Alert type="error" showIcon message={error} />}
      {result && <Alert type="success" showIcon message={result} />}
      {bulk && (
        <div>
          <Progress
            percent={
              bulk.total
                ? Math.round(((bulk.issued + bulk.skipped) / bulk.total) * 100)
                : bulk.status === 'done'
                  ? 100
                  : 0
            }
          />
          <Typography.Text type="secondary">
            {t('coupons.bulkProgress', {
              issued: bulk.issued,
              skipped: bulk.skipped,
              total: bulk.total ?? '…',
            })}
          </Typography.Text>
        </div>
      )}
    </Modal>
  );
}
