import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Empty,
  Form,
  InputNumber,
  Modal,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import {
  applyFieldErrors,
  editOrder,
  type Order,
  orderAction,
  problemLines,
  STATUS_COLOR,
  useCatalogue,
  useDealersMutation,
  useOrders,
  yuan,
} from './dealers-api';

const FILTERS = ['all', 'draft', 'pending', 'approved', 'shipped', 'received'] as const;

/** 订货单: the dealer's own orders (submit, cancel, 签收) and, for HQ, orders to ship (发货). */
export function OrdersPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const [filter, setFilter] = useState<(typeof FILTERS)[number]>('all');
  const q = useOrders(filter === 'all' ? undefined : filter);
  const money = (v: number) => yuan(v, i18n.language);
  const act = useDealersMutation((v: { o: Order; action: 'submit' | 'cancel' | 'ship' | 'receive' }) =>
    orderAction(v.o.id, v.action, v.o.version),
  );
  const run = (o: Order, action: 'submit' | 'cancel' | 'ship' | 'receive') =>
    act.mutate({ o, action }, { onError: (e) => message.error(problemLines(e).join('；')) });
  const items = q.data?.items ?? [];
  const [editing, setEditing] = useState<Order | null>(null);
  return (
    <div className="kehu-page" data-testid="dms-orders-page">
      <Typography.Title level={4}>{t('dms.orders.title')}</Typography.Title>
      <div style={{ overflowX: 'auto', marginBottom: 12 }}>
        <Segmented
          value={filter}
          onChange={(v) => setFilter(v as (typeof FILTERS)[number])}
          options={FILTERS.map((f) => ({
            value: f,
            label: f === 'all' ? t('dms.orders.all') : t(`dms.statuses.${f}`),
          }))}
        />
      </div>
      {q.error && <Alert type="error" showIcon message={problemLines(q.error).join('；')} />}
      {!q.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('dms.orders.empty')} />
        </Card>
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <Table
            rowKey="id"
            size="small"
            loading={q.isLoading}
            dataSource={items}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            expandable={{
              expandedRowRender: (o) => (
                <Table
                  rowKey="lineNo"
                  size="small"
                  pagination={false}
                  dataSource={o.lines}
                  columns={[
                    {
                      title: t('dms.orders.lines'),
                      dataIndex: 'productName',
                      render: (v, l) => (
                        <Space>
                          {v}
                          {l.isGift && <Tag color="magenta">{t('dms.orders.gift')}</Tag>}
                        </Space>
                      ),
                    },
                    { title: '×', dataIndex: 'quantity', align: 'right' },
                    { title: t('dms.orders.amount'), dataIndex: 'amount', align: 'right', render: money },
                  ]}
                />
              ),
            }}
            columns={[
              { title: t('dms.orders.no'), dataIndex: 'orderNo' },
              { title: t('dms.orders.dealer'), dataIndex: 'dealerName', responsive: ['md'] },
              {
                title: t('dms.orders.status'),
                dataIndex: 'status',
                render: (s) => <Tag color={STATUS_COLOR[s]}>{t(`dms.statuses.${s}`)}</Tag>,
              },
              {
                title: t('dms.orders.amount'),
                dataIndex: 'subtotal',
                align: 'right',
                render: money,
                responsive: ['sm'],
              },
              {
                title: t('dms.orders.discount'),
                dataIndex: 'discount',
                align: 'right',
                render: money,
                responsive: ['lg'],
              },
              {
                title: t('dms.orders.pool'),
                dataIndex: 'poolDeduction',
                align: 'right',
                render: money,
                responsive: ['lg'],
              },
              { title: t('dms.orders.total'), dataIndex: 'total', align: 'right', render: money },
              {
                title: t('dms.orders.at'),
                dataIndex: 'createdAt',
                render: (v) => new Date(v).toLocaleDateString(i18n.language),
                responsive: ['md'],
              },
              {
                key: 'actions',
                render: (_, o) => (
                  <Space wrap>
                    {o.status === 'draft' && can('dealers:order') && (
                      <>
                        <Button size="small" type="primary" onClick={() => run(o, 'submit')}>
                          {t('dms.orders.submit')}
                        </Button>
                        <Button size="small" onClick={() => setEditing(o)} data-testid="dms-order-edit">
                          {t('dms.orders.edit')}
                        </Button>
                        <Button size="small" onClick={() => run(o, 'cancel')}>
                          {t('dms.orders.cancel')}
                        </Button>
                      </>
                    )}
                    {o.status === 'approved' && can('dealers:ship') && (
                      <Button size="small" type="primary" onClick={() => run(o, 'ship')}>
                        {t('dms.orders.ship')}
                      </Button>
                    )}
                    {o.status === 'shipped' && can('dealers:order') && (
                      <Button size="small" type="primary" onClick={() => run(o, 'receive')}>
                        {t('dms.orders.receive')}
                      </Button>
                    )}
                  </Space>
                ),
              },
            ]}
          />
        </div>
      )}
      {editing && <EditDraft o={editing} onClose={() => setEditing(null)} />}
    </div>
  );
}

/** A draft's lines and quantities, saved with its version (someone else's change → the server's 409 shown). */
function EditDraft({ o, onClose }: { o: Order; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const cat = useCatalogue();
  const [problems, setProblems] = useState<string[]>([]);
  const save = useDealersMutation(
    (v: { lines: { productId: string; quantity: number }[]; pool: number | null }) =>
      editOrder(o.id, {
        version: o.version,
        lines: v.lines,
        promotionIds: o.promotionIds,
        poolDeduction: Math.round((v.pool ?? 0) * 100),
        note: o.note ?? undefined,
      }),
  );
  return (
    <Modal
      open
      title={t('dms.orders.editTitle', { no: o.orderNo })}
      onCancel={onClose}
      okText={t('dms.orders.save')}
      okButtonProps={{ loading: save.isPending, 'data-testid': 'dms-order-save' } as any}
      onOk={async () => {
        const v = await form.validateFields();
        setProblems([]);
        save.mutate(
          { lines: (v.lines ?? []).filter((l: any) => l?.productId), pool: v.pool },
          {
            onSuccess: () => {
              message.success(t('dms.orders.saved'));
              onClose();
            },
            onError: (e) => setProblems(applyFieldErrors(form, e, ['lines'])),
          },
        );
      }}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          lines: o.lines
            .filter((l) => !l.isGift)
            .map((l) => ({ productId: l.productId, quantity: l.quantity })),
          pool: o.poolDeduction ? o.poolDeduction / 100 : null,
        }}
      >
        <Form.List name="lines">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <div key={f.key} style={{ display: 'flex', gap: 8, alignItems: 'baseline' }}>
                  <Form.Item
                    name={[f.name, 'productId']}
                    rules={[{ required: true }]}
                    style={{ flex: 1, minWidth: 0 }}
                  >
                    <Select
                      showSearch
                      optionFilterProp="label"
                      placeholder={t('dms.orders.product')}
                      options={(cat.data?.items ?? []).map((p) => ({ value: p.productId, label: p.name }))}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'quantity']} rules={[{ required: true }]}>
                    <InputNumber
                      min={1}
                      inputMode="numeric"
                      placeholder={t('dms.orders.quantity')}
                      style={{ width: 90 }}
                    />
                  </Form.Item>
                  <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label="remove" />
                </div>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ quantity: 1 })} block>
                {t('dms.orders.addLine')}
              </Button>
            </>
          )}
        </Form.List>
        <Form.Item name="pool" label={t('dms.portal.pool')} style={{ marginTop: 12 }}>
          <InputNumber min={0} precision={2} style={{ width: '100%' }} />
        </Form.Item>
        {problems.length > 0 && <Alert type="error" showIcon message={problems.join('；')} />}
      </Form>
    </Modal>
  );
}
