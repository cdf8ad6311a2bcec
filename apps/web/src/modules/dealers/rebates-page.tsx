import { PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import {
  accrueRebates,
  applyFieldErrors,
  createRebateRule,
  problemLines,
  type RebateAccrual,
  settleRebate,
  toggleRebateRule,
  useAccounts,
  useDealersMutation,
  useHqStock,
  useRebateRules,
  useRebates,
  yuan,
} from './dealers-api';

const dayOf = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : undefined);

/** 返利: rules (HQ), accruals per dealer and period, settlement as account credit or goods. */
export function RebatesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const manage = can('dealers:manage');
  return (
    <div className="kehu-page" data-testid="dms-rebates-page">
      <Typography.Title level={4}>{t('dms.rebates.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('dms.rebates.intro')}</Typography.Paragraph>
      <Tabs
        items={[
          { key: 'accruals', label: t('dms.rebates.accruals'), children: <Accruals manage={manage} /> },
          { key: 'rules', label: t('dms.rebates.rules'), children: <Rules manage={manage} /> },
        ]}
      />
    </div>
  );
}

function Accruals({ manage }: { manage: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const money = (v: number) => yuan(v, i18n.language);
  const q = useRebates();
  const accrue = useDealersMutation(accrueRebates);
  const [settling, setSettling] = useState<RebateAccrual | null>(null);
  const items = q.data?.items ?? [];
  return (
    <>
      {manage && (
        <Button
          style={{ marginBottom: 12 }}
          loading={accrue.isPending}
          onClick={() =>
            accrue.mutate(undefined, {
              onSuccess: (r) => message.success(t('dms.rebates.accrued', { n: r.accruals })),
              onError: (e) => message.error(problemLines(e).join('；')),
            })
          }
        >
          {t('dms.rebates.accrueNow')}
        </Button>
      )}
      {q.error && <Alert type="error" showIcon message={problemLines(q.error).join('；')} />}
      {!q.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('dms.rebates.noAccruals')} />
        </Card>
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <Table
            rowKey="id"
            size="small"
            loading={q.isLoading}
            dataSource={items}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            columns={[
              { title: t('dms.rebates.dealer'), dataIndex: 'dealerName', responsive: ['sm'] },
              { title: t('dms.rebates.rule'), dataIndex: 'ruleName' },
              { title: t('dms.rebates.period'), dataIndex: 'period' },
              { title: t('dms.rebates.amount'), dataIndex: 'amount', align: 'right', render: money },
              {
                title: t('dms.rebates.status'),
                key: 'status',
                render: (_, a) => (
                  <Space size={4} wrap>
                    <Tag color={a.status === 'settled' ? 'green' : 'gold'}>
                      {t(`dms.rebates.st_${a.status}`)}
                    </Tag>
                    {a.settledAs && <Tag>{t(`dms.rebates.as_${a.settledAs}`)}</Tag>}
                  </Space>
                ),
              },
              {
                key: 'actions',
                render: (_, a) =>
                  manage && a.status === 'accrued' && a.amount > 0 ? (
                    <Button size="small" type="primary" onClick={() => setSettling(a)}>
                      {t('dms.rebates.settle')}
                    </Button>
                  ) : null,
              },
            ]}
          />
        </div>
      )}
      {settling && <SettleModal a={settling} onClose={() => setSettling(null)} />}
    </>
  );
}

function SettleModal({ a, onClose }: { a: RebateAccrual; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const as = Form.useWatch('as', form) ?? 'credit';
  const stock = useHqStock(true);
  const [problems, setProblems] = useState<string[]>([]);
  const save = useDealersMutation((v: any) => settleRebate(a.id, { version: a.version, ...v }));
  return (
    <Modal
      open
      title={t('dms.rebates.settleTitle', { amount: yuan(a.amount, i18n.language) })}
      onCancel={onClose}
      okButtonProps={{ loading: save.isPending }}
      onOk={async () => {
        const v = await form.validateFields();
        setProblems([]);
        save.mutate(v, {
          onSuccess: () => {
            message.success(t('dms.rebates.settled'));
            onClose();
          },
          onError: (e) => setProblems(applyFieldErrors(form, e, ['productId', 'quantity'])),
        });
      }}
    >
      <Form form={form} layout="vertical" initialValues={{ as: 'credit' }}>
        <Form.Item name="as" label={t('dms.rebates.settleAs')}>
          <Radio.Group
            options={[
              { value: 'credit', label: t('dms.rebates.as_credit') },
              { value: 'goods', label: t('dms.rebates.as_goods') },
            ]}
          />
        </Form.Item>
        {as === 'goods' && (
          <Space wrap style={{ display: 'flex' }}>
            <Form.Item name="productId" label={t('dms.rebates.goodsProduct')} style={{ minWidth: 220 }}>
              <Select
                showSearch
                optionFilterProp="label"
                options={(stock.data?.items ?? []).map((p) => ({
                  value: p.productId,
                  label: `${p.name} (${p.available})`,
                }))}
              />
            </Form.Item>
            <Form.Item name="quantity" label={t('dms.rebates.goodsQty')}>
              <InputNumber min={1} />
            </Form.Item>
          </Space>
        )}
        {problems.length > 0 && <Alert type="error" showIcon message={problems.join('；')} />}
      </Form>
    </Modal>
  );
}

function Rules({ manage }: { manage: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const money = (v: number) => yuan(v, i18n.language);
  const q = useRebateRules();
  const [open, setOpen] = useState(false);
  const toggle = useDealersMutation((v: { id: string; version: number; active: boolean }) =>
    toggleRebateRule(v.id, v.version, v.active),
  );
  const items = q.data?.items ?? [];
  return (
    <>
      {manage && (
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setOpen(true)}
          style={{ marginBottom: 12 }}
        >
          {t('dms.rebates.newRule')}
        </Button>
      )}
      {!q.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('dms.rebates.noRules')} />
        </Card>
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <Table
            rowKey="id"
            size="small"
            loading={q.isLoading}
            dataSource={items}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            columns={[
              { title: t('dms.rebates.name'), dataIndex: 'name' },
              {
                title: t('dms.rebates.basis'),
                key: 'basis',
                render: (_, r) =>
                  r.basis === 'volume'
                    ? `${t(`dms.rebates.${r.periodKind}`)} ≥ ${money(r.threshold)} → ${r.percent}%`
                    : `${t(`dms.rebates.${r.periodKind}`)} · ${money(r.perUnit ?? 0)} / ${t('dms.rebates.product')}`,
              },
              {
                title: t('dms.rebates.period'),
                key: 'dates',
                render: (_, r) => `${r.startsOn} ~ ${r.endsOn ?? ''}`,
                responsive: ['md'],
              },
              {
                title: t('dms.rebates.active'),
                dataIndex: 'active',
                render: (v, r) => (
                  <Switch
                    checked={v}
                    disabled={!manage}
                    size="small"
                    onChange={(active) =>
                      toggle.mutate(
                        { id: r.id, version: r.version, active },
                        { onError: (e) => message.error(problemLines(e).join('；')) },
                      )
                    }
                  />
                ),
              },
            ]}
          />
        </div>
      )}
      {open && <RuleEditor onClose={() => setOpen(false)} />}
    </>
  );
}

function RuleEditor({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const basis = Form.useWatch('basis', form) ?? 'volume';
  const accounts = useAccounts();
  const stock = useHqStock(true);
  const [problems, setProblems] = useState<string[]>([]);
  const save = useDealersMutation(createRebateRule);
  return (
    <Modal
      open
      title={t('dms.rebates.newRule')}
      onCancel={onClose}
      okButtonProps={{ loading: save.isPending }}
      onOk={async () => {
        const v = await form.validateFields();
        setProblems([]);
        save.mutate(
          {
            name: v.name,
            basis: v.basis,
            periodKind: v.periodKind,
            threshold: Math.round((v.threshold ?? 0) * 100),
            percent: v.basis === 'volume' ? v.percent : undefined,
            productId: v.basis === 'product' ? v.productId : undefined,
            perUnit: v.basis === 'product' && v.perUnit ? Math.round(v.perUnit * 100) : undefined,
            dealerUnitId: v.dealerUnitId || undefined,
            startsOn: dayOf(v.startsOn)!,
            endsOn: dayOf(v.endsOn),
          },
          {
            onSuccess: () => {
              message.success(t('dms.pricing.saved'));
              onClose();
            },
            onError: (e) =>
              setProblems(
                applyFieldErrors(form, e, ['name', 'threshold', 'percent', 'productId', 'perUnit', 'endsOn']),
              ),
          },
        );
      }}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          basis: 'volume',
          periodKind: 'quarter',
          dealerUnitId: '',
          startsOn: dayjs().startOf('year'),
        }}
      >
        <Form.Item name="name" label={t('dms.rebates.name')} rules={[{ required: true }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="basis" label={t('dms.rebates.basis')}>
          <Radio.Group
            options={[
              { value: 'volume', label: t('dms.rebates.volume') },
              { value: 'product', label: t('dms.rebates.product') },
            ]}
          />
        </Form.Item>
        <Form.Item name="periodKind" label={t('dms.rebates.periodKind')}>
          <Radio.Group
            options={[
              { value: 'month', label: t('dms.rebates.month') },
              { value: 'quarter', label: t('dms.rebates.quarter') },
            ]}
          />
        </Form.Item>
        {basis === 'volume' ? (
          <Space wrap style={{ display: 'flex' }}>
            <Form.Item name="threshold" label={t('dms.rebates.threshold')}>
              <InputNumber min={0} precision={2} style={{ width: 180 }} />
            </Form.Item>
            <Form.Item name="percent" label={t('dms.rebates.percent')} rules={[{ required: true }]}>
              <InputNumber min={0.01} max={100} />
            </Form.Item>
          </Space>
        ) : (
          <Space wrap style={{ display: 'flex' }}>
            <Form.Item
              name="productId"
              label={t('dms.rebates.product')}
              rules={[{ required: true }]}
              style={{ minWidth: 220 }}
            >
              <Select
                showSearch
                optionFilterProp="label"
                options={(stock.data?.items ?? []).map((p) => ({ value: p.productId, label: p.name }))}
              />
            </Form.Item>
            <Form.Item name="perUnit" label={t('dms.rebates.perUnit')} rules={[{ required: true }]}>
              <InputNumber min={0.01} precision={2} />
            </Form.Item>
          </Space>
        )}
        <Form.Item name="dealerUnitId" label={t('dms.rebates.dealer')}>
          <Select
            options={[
              { value: '', label: t('dms.rebates.allDealers') },
              ...(accounts.data?.items ?? []).map((x) => ({ value: x.dealerUnitId, label: x.dealerName })),
            ]}
          />
        </Form.Item>
        <Space wrap>
          <Form.Item name="startsOn" label={t('dms.rebates.startsOn')} rules={[{ required: true }]}>
            <DatePicker />
          </Form.Item>
          <Form.Item name="endsOn" label={t('dms.rebates.endsOn')}>
            <DatePicker />
          </Form.Item>
        </Space>
        {problems.length > 0 && <Alert type="error" showIcon message={problems.join('；')} />}
      </Form>
    </Modal>
  );
}
