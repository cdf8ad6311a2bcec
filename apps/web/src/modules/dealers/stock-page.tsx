import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Empty,
  Form,
  InputNumber,
  List,
  Modal,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { useIsMobile } from '../../shared/use-is-mobile';
import {
  applyFieldErrors,
  type ChannelStockItem,
  type HqStockItem,
  problemLines,
  reportStock,
  saveThreshold,
  useCatalogue,
  useChannelStock,
  useDealersMutation,
  useHqStock,
} from './dealers-api';

/**
 * 渠道库存: dealer and store stock by product (counted or derived), low-stock marks, the dealer's
 * count / sell-out report (phone-first: a card list on small screens), and for HQ its own stock
 * with the per-product thresholds.
 */
export function StockPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const manage = can('dealers:manage');
  return (
    <div className="kehu-page" data-testid="dms-stock-page">
      <Typography.Title level={4}>{t('dms.stock.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('dms.stock.intro')}</Typography.Paragraph>
      {manage ? (
        <Tabs
          items={[
            { key: 'channel', label: t('dms.stock.channel'), children: <Channel /> },
            { key: 'hq', label: t('dms.stock.hq'), children: <HqStock /> },
          ]}
        />
      ) : (
        <Channel />
      )}
    </div>
  );
}

function Channel() {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const mobile = useIsMobile();
  const q = useChannelStock();
  const [lowOnly, setLowOnly] = useState(false);
  const [reporting, setReporting] = useState(false);
  const items = (q.data?.items ?? []).filter((x) => !lowOnly || x.low);
  const src = (x: ChannelStockItem) => (
    <Tag color={x.source === 'reported' ? 'blue' : 'default'}>{t(`dms.stock.${x.source}`)}</Tag>
  );
  const state = (x: ChannelStockItem) =>
    x.minQty === null ? null : x.low ? (
      <Tag color="red">{t('dms.stock.low')}</Tag>
    ) : (
      <Tag color="green">{t('dms.stock.ok')}</Tag>
    );
  return (
    <>
      <Space wrap style={{ marginBottom: 12 }}>
        {can('dealers:order') && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setReporting(true)}
            data-testid="dms-stock-report"
          >
            {t('dms.stock.report')}
          </Button>
        )}
        <Checkbox checked={lowOnly} onChange={(e) => setLowOnly(e.target.checked)}>
          {t('dms.stock.lowOnly')}
        </Checkbox>
      </Space>
      {q.error && <Alert type="error" showIcon message={problemLines(q.error).join('；')} />}
      {!q.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('dms.stock.empty')} />
        </Card>
      ) : mobile ? (
        <List
          loading={q.isLoading}
          dataSource={items}
          renderItem={(x) => (
            <List.Item data-testid="dms-stock-row">
              <List.Item.Meta
                title={
                  <Space wrap>
                    {x.productName}
                    {state(x)}
                  </Space>
                }
                description={
                  <Space wrap size={4}>
                    <span>{x.unitName}</span>
                    {src(x)}
                    {x.minQty !== null && <span>{`${t('dms.stock.minQty')} ${x.minQty}`}</span>}
                  </Space>
                }
              />
              <Typography.Text strong style={{ fontSize: 18 }}>
                {x.quantity}
              </Typography.Text>
            </List.Item>
          )}
        />
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <Table
            rowKey={(x) => `${x.unitId}:${x.productId}`}
            size="small"
            loading={q.isLoading}
            dataSource={items}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            onRow={() => ({ 'data-testid': 'dms-stock-row' }) as any}
            columns={[
              { title: t('dms.stock.unit'), dataIndex: 'unitName' },
              { title: t('dms.stock.product'), dataIndex: 'productName' },
              { title: t('dms.stock.quantity'), dataIndex: 'quantity', align: 'right' },
              { title: t('dms.stock.minQty'), dataIndex: 'minQty', align: 'right', render: (v) => v ?? '—' },
              { title: '', key: 'state', render: (_, x) => state(x) },
              { title: t('dms.stock.source'), key: 'source', render: (_, x) => src(x) },
              {
                title: t('dms.stock.reportedAt'),
                dataIndex: 'reportedAt',
                render: (v) => (v ? new Date(v).toLocaleString(i18n.language) : '—'),
              },
              { title: t('dms.stock.soldOut'), dataIndex: 'soldOut', align: 'right' },
            ]}
          />
        </div>
      )}
      {reporting && <ReportModal units={q.data?.items ?? []} onClose={() => setReporting(false)} />}
    </>
  );
}

/** The dealer's count and sell-out, one line per product (big inputs: it is typed on a phone in the store room). */
function ReportModal({ units, onClose }: { units: ChannelStockItem[]; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const cat = useCatalogue();
  const [problems, setProblems] = useState<string[]>([]);
  const [key] = useState(() => crypto.randomUUID());
  const save = useDealersMutation(reportStock);
  const unitOptions = [...new Map(units.map((u) => [u.unitId, u.unitName ?? ''])).entries()].map(
    ([value, label]) => ({
      value,
      label,
    }),
  );
  const submit = async () => {
    const v = await form.validateFields();
    const lines = (v.lines ?? []).filter((l: any) => l?.productId);
    setProblems([]);
    save.mutate(
      {
        unitId: v.unitId || undefined,
        counts: lines
          .filter((l: any) => l.count !== null && l.count !== undefined)
          .map((l: any) => ({ productId: l.productId, quantity: l.count })),
        sellOut: lines
          .filter((l: any) => l.sold)
          .map((l: any) => ({ productId: l.productId, quantity: l.sold })),
        idempotencyKey: key,
      },
      {
        onSuccess: () => {
          message.success(t('dms.stock.done'));
          onClose();
        },
        onError: (e) => setProblems(applyFieldErrors(form, e, ['unitId'])),
      },
    );
  };
  return (
    <Modal
      open
      title={t('dms.stock.reportTitle')}
      onCancel={onClose}
      onOk={submit}
      okText={t('dms.stock.submit')}
      okButtonProps={{ loading: save.isPending }}
    >
      <Form form={form} layout="vertical" initialValues={{ unitId: '', lines: [{}] }}>
        {unitOptions.length > 1 && (
          <Form.Item name="unitId" label={t('dms.stock.forUnit')}>
            <Select options={[{ value: '', label: t('dms.stock.ownDealer') }, ...unitOptions]} />
          </Form.Item>
        )}
        <Form.List name="lines">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Card size="small" key={f.key} style={{ marginBottom: 8 }}>
                  <Form.Item
                    name={[f.name, 'productId']}
                    label={t('dms.stock.product')}
                    rules={[{ required: true }]}
                  >
                    <Select
                      showSearch
                      optionFilterProp="label"
                      options={(cat.data?.items ?? []).map((p) => ({ value: p.productId, label: p.name }))}
                    />
                  </Form.Item>
                  <Space wrap align="end">
                    <Form.Item name={[f.name, 'count']} label={t('dms.stock.count')}>
                      <InputNumber min={0} inputMode="numeric" size="large" style={{ width: 120 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'sold']} label={t('dms.stock.sellOut')}>
                      <InputNumber min={0} inputMode="numeric" size="large" style={{ width: 120 }} />
                    </Form.Item>
                    <Form.Item>
                      <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label="remove" />
                    </Form.Item>
                  </Space>
                </Card>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} block>
                {t('dms.stock.addLine')}
              </Button>
            </>
          )}
        </Form.List>
        {problems.length > 0 && (
          <Alert type="error" showIcon style={{ marginTop: 12 }} message={problems.join('；')} />
        )}
      </Form>
    </Modal>
  );
}

function HqStock() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const q = useHqStock(true);
  const [editing, setEditing] = useState<HqStockItem | null>(null);
  const [value, setValue] = useState<number | null>(null);
  const save = useDealersMutation((v: { id: string; minQty: number | null }) =>
    saveThreshold(v.id, v.minQty),
  );
  const items = q.data?.items ?? [];
  return (
    <>
      {!q.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('dms.stock.hqEmpty')} />
        </Card>
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <Table
            rowKey="productId"
            size="small"
            loading={q.isLoading}
            dataSource={items}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            columns={[
              { title: t('dms.stock.product'), dataIndex: 'name' },
              { title: t('dms.stock.onHand'), dataIndex: 'onHand', align: 'right' },
              { title: t('dms.stock.reserved'), dataIndex: 'reserved', align: 'right', responsive: ['sm'] },
              { title: t('dms.stock.available'), dataIndex: 'available', align: 'right' },
              { title: t('dms.stock.moq'), dataIndex: 'minOrderQty', align: 'right', responsive: ['md'] },
              { title: t('dms.stock.minQty'), dataIndex: 'minQty', align: 'right', render: (v) => v ?? '—' },
              {
                key: 'actions',
                render: (_, p) => (
                  <Button
                    size="small"
                    onClick={() => {
                      setEditing(p);
                      setValue(p.minQty);
                    }}
                  >
                    {t('dms.stock.setThreshold')}
                  </Button>
                ),
              },
            ]}
          />
        </div>
      )}
      <Modal
        open={!!editing}
        title={`${t('dms.stock.setThreshold')} · ${editing?.name ?? ''}`}
        onCancel={() => setEditing(null)}
        okButtonProps={{ loading: save.isPending }}
        onOk={() =>
          save.mutate(
            { id: editing!.productId, minQty: value },
            {
              onSuccess: () => setEditing(null),
              onError: (e) => message.error(problemLines(e).join('；')),
            },
          )
        }
      >
        <InputNumber
          min={0}
          value={value}
          onChange={(v) => setValue(v)}
          placeholder={t('dms.stock.thresholdHint')}
          style={{ width: '100%' }}
          aria-label={t('dms.stock.minQty')}
        />
      </Modal>
    </>
  );
}
