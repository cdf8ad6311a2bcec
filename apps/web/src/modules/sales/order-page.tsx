import { ArrowLeftOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Form,
  InputNumber,
  Modal,
  Progress,
  Row,
  Select,
  Skeleton,
  Space,
  Steps,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { normalizeOptions, useLabel, useObjectMeta } from '../../app/meta';
import { useSession } from '../../app/session';
import { type RecordData, recordApi } from '../../records/record-api';
import { errorMessage, PageError } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { type PlanItem, salesApi, yuan } from './sales-api';
import { salesKeys } from './sales-keys';

const ORDER_FLOW = ['draft', 'confirmed', 'shipped', 'completed'];
const ORDER_NEXT: Record<string, string[]> = {
  draft: ['confirmed', 'cancelled'],
  confirmed: ['shipped', 'cancelled'],
  shipped: ['completed'],
};
const CONTRACT_NEXT: Record<string, string[]> = {
  draft: ['active', 'terminated'],
  active: ['completed', 'terminated'],
};
const PLAN_COLOR: Record<string, string> = {
  paid: 'green',
  partial: 'orange',
  unpaid: 'default',
  overdue: 'red',
};

function useStatusLabel(object: string) {
  const meta = useObjectMeta(object);
  const label = useLabel();
  return (field: string, v: string) =>
    label(
      normalizeOptions(meta.data?.fields.find((f) => f.apiName === field)?.options ?? null).find(
        (o) => o.value === v,
      )?.label,
      v,
    );
}

/** Order: guarded status transitions, payment plan and receipts (R4.3). */
export function OrderPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const { can } = useSession();
  const { message } = App.useApp();
  const status = useStatusLabel('order');
  const order = useQuery({
    queryKey: ['records', 'order', 'one', id],
    queryFn: () => recordApi.get('order', id!),
  });
  const plan = useQuery({ queryKey: salesKeys.plan(id), queryFn: () => salesApi.plan(id!) });
  const receipts = useQuery({
    queryKey: ['records', 'payment', 'for-order', id],
    queryFn: () =>
      recordApi.list('payment', {
        filter: { field: 'orderId', op: 'eq', value: id },
        sort: '-paidAt',
        limit: 100,
      }),
    enabled: can('payment:read'),
  });
  const refresh = () => {
    order.refetch();
    plan.refetch();
    receipts.refetch();
  };
  const transition = useMutation({
    mutationFn: (s: string) => salesApi.orderStatus(id!, s),
    onSuccess: refresh,
    onError: (e) => message.error(errorMessage(e)),
  });
  const [receiptOpen, setReceiptOpen] = useState(false);
  const [planOpen, setPlanOpen] = useState(false);
  if (order.error)
    return (
      <div className="kehu-page">
        <PageError error={order.error} onRetry={() => order.refetch()} />
      </div>
    );
  if (order.isPending)
    return (
      <div className="kehu-page">
        <Skeleton active />
      </div>
    );
  const o = order.data;
  const st = String(o.status);
  const amount = (o.amount as any)?.amount ?? 0;
  const paid = (o.paidAmount as any)?.amount ?? 0;
  const currency = (o.amount as any)?.currency ?? 'CNY';
  return (
    <div className="kehu-page" data-testid="order-page">
      <Space style={{ marginBottom: 8 }} wrap>
        <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label="back" />
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('sales.order.title')} {String(o.name)}
        </Typography.Title>
        <Tag color={st === 'cancelled' ? 'red' : 'blue'} data-testid="order-status">
          {status('status', st)}
        </Tag>
        <Tag
          color={o.paymentStatus === 'paid' ? 'green' : o.paymentStatus === 'partial' ? 'orange' : 'default'}
          data-testid="payment-status"
        >
          {status('paymentStatus', String(o.paymentStatus))}
        </Tag>
      </Space>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Steps
          size="small"
          direction={isMobile ? 'vertical' : 'horizontal'}
          current={st === 'cancelled' ? 0 : ORDER_FLOW.indexOf(st)}
          status={st === 'cancelled' ? 'error' : st === 'completed' ? 'finish' : 'process'}
          items={ORDER_FLOW.map((s) => ({ title: status('status', s) }))}
        />
        {can('order:update') && (
          <Space style={{ marginTop: 12 }} wrap>
            {(ORDER_NEXT[st] ?? []).map((s) => (
              <Button
                key={s}
                danger={s === 'cancelled'}
                type={s === 'cancelled' ? 'default' : 'primary'}
                loading={transition.isPending}
                onClick={() => transition.mutate(s)}
                data-testid={`order-to-${s}`}
              >
                {t(`sales.order.to.${s}`)}
              </Button>
            ))}
          </Space>
        )}
      </Card>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('sales.order.payment')}>
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={t('sales.common.customer')}>
                <Link to={`/o/customer/${o.customerId}`}>
                  {o._display?.customerId ?? String(o.customerId)}
                </Link>
              </Descriptions.Item>
              {o.contractId ? (
                <Descriptions.Item label={t('sales.objects.contract')}>
                  <Link to={`/o/contract/${o.contractId}`}>
                    {o._display?.contractId ?? String(o.contractId)}
                  </Link>
                </Descriptions.Item>
              ) : null}
              <Descriptions.Item label={t('sales.order.amount')}>{yuan(amount, currency)}</Descriptions.Item>
              <Descriptions.Item label={t('sales.order.paid')}>{yuan(paid, currency)}</Descriptions.Item>
              <Descriptions.Item label={t('sales.order.due')}>
                {yuan(amount - paid, currency)}
              </Descriptions.Item>
            </Descriptions>
            <Progress
              percent={amount ? Math.round((paid / amount) * 100) : 0}
              status={paid >= amount ? 'success' : 'active'}
            />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card
            size="small"
            title={t('sales.order.plan')}
            style={{ marginBottom: 12 }}
            extra={
              can('order:update') &&
              st !== 'cancelled' && (
                <Button size="small" onClick={() => setPlanOpen(true)}>
                  {t('sales.common.edit')}
                </Button>
              )
            }
          >
            <Table<PlanItem>
              size="small"
              rowKey="seq"
              pagination={false}
              dataSource={plan.data?.items ?? []}
              columns={[
                { title: t('sales.order.dueDate'), dataIndex: 'dueDate' },
                { title: t('sales.order.amount'), dataIndex: 'amount', render: (v) => yuan(v, currency) },
                { title: t('sales.order.paid'), dataIndex: 'paid', render: (v) => yuan(v, currency) },
                {
                  title: t('sales.order.paymentStatusCol'),
                  dataIndex: 'status',
                  render: (v) => <Tag color={PLAN_COLOR[v]}>{t(`sales.order.planStatus.${v}`)}</Tag>,
                },
              ]}
            />
          </Card>
          <Card
            size="small"
            title={t('sales.order.receipts')}
            extra={
              can('payment:create') &&
              st !== 'cancelled' &&
              paid < amount && (
                <Button
                  size="small"
                  icon={<PlusOutlined />}
                  onClick={() => setReceiptOpen(true)}
                  data-testid="add-receipt"
                >
                  {t('sales.order.addReceipt')}
                </Button>
              )
            }
          >
            <Table<RecordData>
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={receipts.data?.items ?? []}
              columns={[
                { title: t('sales.order.receiptNo'), dataIndex: 'name' },
                { title: t('sales.order.paidAt'), dataIndex: 'paidAt' },
                {
                  title: t('sales.order.amount'),
                  dataIndex: 'amount',
                  render: (v) => yuan(v?.amount, v?.currency),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <ReceiptModal
        open={receiptOpen}
        orderId={id!}
        due={amount - paid}
        currency={currency}
        onClose={() => setReceiptOpen(false)}
        onSaved={refresh}
      />
      <PlanModal
        open={planOpen}
        orderId={id!}
        total={amount}
        items={plan.data?.items ?? []}
        onClose={() => setPlanOpen(false)}
        onSaved={refresh}
      />
    </div>
  );
}

function ReceiptModal(p: {
  open: boolean;
  orderId: string;
  due: number;
  currency: string;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const save = useMutation({
    mutationFn: (v: any) =>
      recordApi.create('payment', {
        orderId: p.orderId,
        amount: { amount: Math.round(v.amount * 100), currency: p.currency },
        paidAt: v.paidAt.format('YYYY-MM-DD'),
        method: v.method,
      }),
    onSuccess: () => {
      message.success(t('sales.common.saved'));
      p.onSaved();
      p.onClose();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <Modal
      open={p.open}
      title={t('sales.order.addReceipt')}
      onCancel={p.onClose}
      onOk={() => form.validateFields().then((v) => save.mutate(v))}
      confirmLoading={save.isPending}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ amount: p.due / 100, paidAt: dayjs(), method: 'bank_transfer' }}
      >
        <Form.Item name="amount" label={t('sales.order.amount')} rules={[{ required: true }]}>
          <InputNumber
            min={0.01}
            max={p.due / 100}
            precision={2}
            style={{ width: '100%' }}
            data-testid="receipt-amount"
          />
        </Form.Item>
        <Form.Item name="paidAt" label={t('sales.order.paidAt')} rules={[{ required: true }]}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="method" label={t('sales.order.method')}>
          <Select
            options={['bank_transfer', 'wechat', 'alipay', 'cash', 'acceptance'].map((m) => ({
              value: m,
              label: t(`sales.order.methods.${m}`),
            }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function PlanModal(p: {
  open: boolean;
  orderId: string;
  total: number;
  items: PlanItem[];
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [rows, setRows] = useState<{ dueDate: string; amount: number }[]>([]);
  const save = useMutation({
    mutationFn: () => salesApi.savePlan(p.orderId, rows),
    onSuccess: () => {
      p.onSaved();
      p.onClose();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const sum = rows.reduce((s, r) => s + r.amount, 0);
  return (
    <Modal
      open={p.open}
      title={t('sales.order.plan')}
      onCancel={p.onClose}
      onOk={() => save.mutate()}
      confirmLoading={save.isPending}
      afterOpenChange={(o) =>
        o &&
        setRows(
          p.items.length
            ? p.items.map((i) => ({ dueDate: i.dueDate, amount: i.amount }))
            : [{ dueDate: dayjs().add(30, 'day').format('YYYY-MM-DD'), amount: p.total }],
        )
      }
    >
      {rows.map((r, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: installments have no id until saved; order is their identity
        <Space key={i} style={{ marginBottom: 8 }} wrap>
          <DatePicker
            value={dayjs(r.dueDate)}
            onChange={(d) =>
              setRows(
                rows.map((x, n) => (n === i ? { ...x, dueDate: (d ?? dayjs()).format('YYYY-MM-DD') } : x)),
              )
            }
          />
          <InputNumber
            min={0.01}
            precision={2}
            value={r.amount / 100}
            onChange={(v) =>
              setRows(rows.map((x, n) => (n === i ? { ...x, amount: Math.round(Number(v) * 100) } : x)))
            }
          />
          <Button type="text" onClick={() => setRows(rows.filter((_x, n) => n !== i))}>
            ×
          </Button>
        </Space>
      ))}
      <Button
        type="dashed"
        block
        onClick={() =>
          setRows([
            ...rows,
            { dueDate: dayjs().add(60, 'day').format('YYYY-MM-DD'), amount: Math.max(0, p.total - sum) },
          ])
        }
      >
        {t('sales.order.addInstallment')}
      </Button>
      <Typography.Paragraph type={sum === p.total ? 'success' : 'danger'} style={{ marginTop: 8 }}>
        {yuan(sum)} / {yuan(p.total)}
      </Typography.Paragraph>
    </Modal>
  );
}

/** Contract: sign (activate), complete or terminate, and create the order. */
export function ContractPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { can } = useSession();
  const { message } = App.useApp();
  const status = useStatusLabel('contract');
  const c = useQuery({
    queryKey: ['records', 'contract', 'one', id],
    queryFn: () => recordApi.get('contract', id!),
  });
  const orders = useQuery({
    queryKey: ['records', 'order', 'for-contract', id],
    queryFn: () =>
      recordApi.list('order', { filter: { field: 'contractId', op: 'eq', value: id }, limit: 50 }),
    enabled: can('order:read'),
  });
  const transition = useMutation({
    mutationFn: (s: string) => salesApi.contractStatus(id!, s),
    onSuccess: () => c.refetch(),
    onError: (e) => message.error(errorMessage(e)),
  });
  const toOrder = useMutation({
    mutationFn: () => salesApi.contractToOrder(id!),
    onSuccess: (o) => navigate(`/o/order/${o.id}`),
    onError: (e) => message.error(errorMessage(e)),
  });
  if (c.error)
    return (
      <div className="kehu-page">
        <PageError error={c.error} onRetry={() => c.refetch()} />
      </div>
    );
  if (c.isPending)
    return (
      <div className="kehu-page">
        <Skeleton active />
      </div>
    );
  const r = c.data;
  const st = String(r.status);
  return (
    <div className="kehu-page" data-testid="contract-page">
      <Space style={{ marginBottom: 8 }} wrap>
        <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label="back" />
        <Typography.Title level={4} style={{ margin: 0 }}>
          {String(r.name)}
        </Typography.Title>
        <Tag color={st === 'active' ? 'green' : st === 'terminated' ? 'red' : 'default'}>
          {status('status', st)}
        </Tag>
      </Space>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={t('sales.objects.contract')}>
            {String(r.contractNo ?? '—')}
          </Descriptions.Item>
          <Descriptions.Item label={t('sales.common.customer')}>
            <Link to={`/o/customer/${r.customerId}`}>{r._display?.customerId ?? String(r.customerId)}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('sales.order.amount')}>
            {yuan((r.amount as any)?.amount, (r.amount as any)?.currency)}
          </Descriptions.Item>
          {r.quoteId ? (
            <Descriptions.Item label={t('sales.objects.quote')}>
              <Link to={`/o/quote/${r.quoteId}`}>{r._display?.quoteId ?? String(r.quoteId)}</Link>
            </Descriptions.Item>
          ) : null}
          <Descriptions.Item label={t('sales.contract.signedAt')}>
            {String(r.signedAt ?? '—')}
          </Descriptions.Item>
        </Descriptions>
        <Space wrap style={{ marginTop: 8 }}>
          {can('contract:update') &&
            (CONTRACT_NEXT[st] ?? []).map((s) => (
              <Button
                key={s}
                danger={s === 'terminated'}
                onClick={() => transition.mutate(s)}
                data-testid={`contract-to-${s}`}
              >
                {t(`sales.contract.to.${s}`)}
              </Button>
            ))}
          {st === 'active' && can('order:create') && (
            <Button
              type="primary"
              onClick={() => toOrder.mutate()}
              loading={toOrder.isPending}
              data-testid="to-order"
            >
              {t('sales.contract.toOrder')}
            </Button>
          )}
        </Space>
      </Card>
      <Card size="small" title={t('sales.objects.order')}>
        <Table<RecordData>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={orders.data?.items ?? []}
          columns={[
            {
              title: t('sales.order.title'),
              dataIndex: 'name',
              render: (v, o) => <Link to={`/o/order/${o.id}`}>{v}</Link>,
            },
            {
              title: t('sales.order.amount'),
              dataIndex: 'amount',
              render: (v) => yuan(v?.amount, v?.currency),
            },
            {
              title: t('sales.order.paymentStatusCol'),
              dataIndex: 'paymentStatus',
              render: (v) => <Tag color={PLAN_COLOR[v]}>{t(`sales.order.planStatus.${v}`)}</Tag>,
            },
          ]}
        />
      </Card>
    </div>
  );
}
