import {
  Alert,
  Button,
  Card,
  Empty,
  Form,
  InputNumber,
  Modal,
  Progress,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { errorMessage } from '../../shared/error-message';
import { EChart } from '../../shared/ui/echart';
import { allocate, type Budget, fundBudget, useBudgets, useTpmMutation, yuan } from './tpm-api';

type Node = Budget & { children?: Node[] };

function toTree(items: Budget[]): Node[] {
  const byId = new Map<string, Node>(items.map((b) => [b.id, { ...b }]));
  const roots: Node[] = [];
  for (const n of byId.values()) {
    const parent = n.parentId ? byId.get(n.parentId) : undefined;
    if (!parent) roots.push(n);
    else {
      parent.children ??= [];
      parent.children.push(n);
    }
  }
  return roots;
}

const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);

/** 费用预算: the tree HQ → branch → dealer with used / committed / remaining bars; fund and allocate. */
export function BudgetsPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { can, me } = useSession();
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const q = useBudgets(year);
  const items = q.data?.items ?? [];
  const tree = useMemo(() => toTree(items), [items]);
  const [fundOpen, setFundOpen] = useState(false);
  const [source, setSource] = useState<Budget | null>(null);
  const isTop = me.units.find((u) => u.id === me.user.unitId)?.parentId === null;
  const money = (v: number) => <span style={{ whiteSpace: 'nowrap' }}>{yuan(v, lang)}</span>;
  const leafs = items.filter((b) => b.parentId !== null);
  return (
    <div className="kehu-page" data-testid="tpm-budgets-page">
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('tpm.budgets.title')}
        </Typography.Title>
        <Space wrap>
          <Select
            aria-label={t('tpm.budgets.year')}
            value={year}
            onChange={setYear}
            options={[thisYear - 1, thisYear, thisYear + 1].map((y) => ({ value: y, label: String(y) }))}
            style={{ width: 100 }}
          />
          {can('trade_promotion:fund') && isTop && (
            <Button type="primary" onClick={() => setFundOpen(true)} data-testid="tpm-fund">
              {t('tpm.budgets.fund')}
            </Button>
          )}
        </Space>
      </Space>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {t('tpm.budgets.intro')}
      </Typography.Paragraph>
      {q.error && <Alert type="error" showIcon message={errorMessage(q.error)} />}
      {!q.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('tpm.budgets.empty')} />
        </Card>
      ) : (
        <Space direction="vertical" style={{ width: '100%' }} size={12}>
          {leafs.length > 0 && (
            <Card size="small" title={t('tpm.budgets.chart')}>
              <EChart
                height={Math.max(160, leafs.length * 28 + 60)}
                option={{
                  animation: false,
                  tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
                  legend: { top: 0 },
                  grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
                  xAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${v / 1_000_000}万` } },
                  yAxis: {
                    type: 'category',
                    inverse: true,
                    data: leafs.map((b) => `${b.unitName ?? ''} · ${t(`tpm.types.${b.expenseType}`)}`),
                    axisLabel: { width: 150, overflow: 'truncate' },
                  },
                  series: (['used', 'committed', 'allocated', 'remaining'] as const).map((k, i) => ({
                    name: t(`tpm.budgets.${k}`),
                    type: 'bar',
                    stack: 'b',
                    itemStyle: { color: ['#52c41a', '#faad14', '#1677ff', '#d9d9d9'][i] },
                    data: leafs.map((b) => b[k]),
                  })),
                }}
              />
            </Card>
          )}
          <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
            <Table<Node>
              rowKey="id"
              size="small"
              loading={q.isLoading}
              dataSource={tree}
              pagination={false}
              expandable={{ defaultExpandAllRows: true }}
              key={tree.length}
              scroll={{ x: 1180 }}
              columns={[
                {
                  title: t('tpm.budgets.unit'),
                  dataIndex: 'unitName',
                  width: 280,
                  render: (v, b) => (
                    <span data-testid={`tpm-budget-${b.unitName}`}>
                      {v}
                      {b.quarter > 0 && <Tag style={{ marginLeft: 6 }}>{t(`tpm.quarter.${b.quarter}`)}</Tag>}
                    </span>
                  ),
                },
                {
                  title: t('tpm.budgets.keys'),
                  render: (_, b) => (
                    <Space size={4} wrap>
                      <Tag color="purple">{t(`tpm.types.${b.expenseType}`)}</Tag>
                      <Tag>{t(`tpm.channels.${b.channel}`)}</Tag>
                    </Space>
                  ),
                },
                { title: t('tpm.budgets.amount'), dataIndex: 'amount', align: 'right', render: money },
                { title: t('tpm.budgets.allocated'), dataIndex: 'allocated', align: 'right', render: money },
                { title: t('tpm.budgets.committed'), dataIndex: 'committed', align: 'right', render: money },
                { title: t('tpm.budgets.used'), dataIndex: 'used', align: 'right', render: money },
                {
                  title: t('tpm.budgets.remaining'),
                  dataIndex: 'remaining',
                  align: 'right',
                  render: (v) => <Typography.Text strong>{money(v)}</Typography.Text>,
                },
                {
                  title: t('tpm.budgets.usage'),
                  width: 160,
                  render: (_, b) => (
                    <Progress
                      size="small"
                      percent={pct(b.used + b.committed + b.allocated, b.amount)}
                      success={{ percent: pct(b.used, b.amount) }}
                    />
                  ),
                },
                {
                  title: '',
                  width: 80,
                  render: (_, b) =>
                    b.canAllocate && b.remaining > 0 ? (
                      <Button
                        size="small"
                        onClick={() => setSource(b)}
                        data-testid={`tpm-allocate-${b.unitName}`}
                      >
                        {t('tpm.budgets.allocate')}
                      </Button>
                    ) : null,
                },
              ]}
            />
          </Card>
        </Space>
      )}
      <FundModal open={fundOpen} year={year} onClose={() => setFundOpen(false)} />
      <AllocateModal source={source} onClose={() => setSource(null)} />
    </div>
  );
}

function FundModal({ open, year, onClose }: { open: boolean; year: number; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const m = useTpmMutation(fundBudget);
  return (
    <Modal
      open={open}
      title={t('tpm.budgets.fundTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={m.isPending}
      destroyOnHidden
    >
      {m.error && (
        <Alert type="error" showIcon message={errorMessage(m.error)} style={{ marginBottom: 12 }} />
      )}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ year, quarter: 0, channel: 'modern_trade', expenseType: 'display' }}
        onFinish={async (v) => {
          await m.mutateAsync({ ...v, amount: Math.round(v.amount * 100) });
          onClose();
        }}
      >
        <Space wrap>
          <Form.Item name="year" label={t('tpm.budgets.year')} rules={[{ required: true }]}>
            <InputNumber min={2000} max={2100} />
          </Form.Item>
          <Form.Item name="quarter" label={t('tpm.budgets.period')}>
            <Select
              style={{ width: 120 }}
              options={[0, 1, 2, 3, 4].map((q) => ({ value: q, label: t(`tpm.quarter.${q}`) }))}
            />
          </Form.Item>
        </Space>
        <Form.Item name="expenseType" label={t('tpm.budgets.expenseType')}>
          <Select
            options={['display', 'promotion', 'tasting', 'listing_fee'].map((k) => ({
              value: k,
              label: t(`tpm.types.${k}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="channel" label={t('tpm.budgets.channel')}>
          <Select
            options={['modern_trade', 'traditional', 'catering', 'ecommerce'].map((k) => ({
              value: k,
              label: t(`tpm.channels.${k}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="amount" label={t('tpm.budgets.amountYuan')} rules={[{ required: true }]}>
          <InputNumber min={0.01} precision={2} style={{ width: '100%' }} data-testid="tpm-fund-amount" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function AllocateModal({ source, onClose }: { source: Budget | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const [form] = Form.useForm();
  const m = useTpmMutation((v: { unitId: string; amount: number }) =>
    allocate(source!.id, { ...v, version: source!.version }),
  );
  const children = me.units.filter((u) => source && u.parentId === source.unitId);
  return (
    <Modal
      open={!!source}
      title={t('tpm.budgets.allocateTitle', { unit: source?.unitName ?? '' })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ disabled: children.length === 0, 'data-testid': 'tpm-allocate-ok' } as never}
      confirmLoading={m.isPending}
      destroyOnHidden
    >
      {source && (
        <Typography.Paragraph type="secondary">
          {t('tpm.budgets.allocateHint', { remaining: yuan(source.remaining, i18n.language) })}
        </Typography.Paragraph>
      )}
      {children.length === 0 && <Alert type="info" showIcon message={t('tpm.budgets.noChildren')} />}
      {m.error && (
        <Alert type="error" showIcon message={errorMessage(m.error)} style={{ marginBottom: 12 }} />
      )}
      <Form
        form={form}
        layout="vertical"
        onFinish={async (v) => {
          await m.mutateAsync({ unitId: v.unitId, amount: Math.round(v.amount * 100) });
          onClose();
        }}
      >
        <Form.Item name="unitId" label={t('tpm.budgets.allocateTo')} rules={[{ required: true }]}>
          <Select
            data-testid="tpm-allocate-unit"
            options={children.map((u) => ({ value: u.id, label: u.name }))}
          />
        </Form.Item>
        <Form.Item name="amount" label={t('tpm.budgets.amountYuan')} rules={[{ required: true }]}>
          <InputNumber
            min={0.01}
            max={source ? source.remaining / 100 : undefined}
            precision={2}
            style={{ width: '100%' }}
            data-testid="tpm-allocate-amount"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
