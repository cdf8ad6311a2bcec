import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
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
  applyFieldErrors,
  createPolicy,
  createPromotion,
  problemLines,
  useAccounts,
  useCatalogue,
  useDealersMutation,
  useHqStock,
  usePolicies,
  usePromotions,
  yuan,
} from './dealers-api';

const KINDS = ['full_reduction', 'percent_off', 'gift', 'special_price'] as const;
const KIND_COLOR: Record<string, string> = {
  full_reduction: 'volcano',
  percent_off: 'orange',
  gift: 'magenta',
  special_price: 'geekblue',
};
const fen = (v: number | null | undefined) =>
  v === null || v === undefined ? undefined : Math.round(v * 100);
const dayOf = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : undefined);

/** The product names HQ sees (its stock list) or the dealer sees (its catalogue). */
function useProductNames(manage: boolean) {
  const hq = useHqStock(manage);
  const cat = useCatalogue(undefined, !manage);
  const list = manage
    ? (hq.data?.items ?? []).map((p) => ({ value: p.productId, label: p.name }))
    : (cat.data?.items ?? []).map((p) => ({ value: p.productId, label: p.name }));
  return { options: list, name: (id: string | null) => list.find((x) => x.value === id)?.label ?? '—' };
}

/** 价格与促销: price policies per dealer / tier and ordering promotions (满减 满折 买赠 特价), each with an editor. */
export function PricingPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const manage = can('dealers:manage');
  return (
    <div className="kehu-page" data-testid="dms-pricing-page">
      <Typography.Title level={4}>{t('dms.pricing.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('dms.pricing.intro')}</Typography.Paragraph>
      {!manage && (
        <Alert type="info" showIcon message={t('dms.pricing.readOnly')} style={{ marginBottom: 12 }} />
      )}
      <Tabs
        items={[
          { key: 'policies', label: t('dms.pricing.policies'), children: <Policies manage={manage} /> },
          { key: 'promotions', label: t('dms.pricing.promotions'), children: <Promotions manage={manage} /> },
        ]}
      />
    </div>
  );
}

function Policies({ manage }: { manage: boolean }) {
  const { t, i18n } = useTranslation();
  const money = (v: number) => yuan(v, i18n.language);
  const q = usePolicies();
  const products = useProductNames(manage);
  const [open, setOpen] = useState(false);
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
          {t('dms.pricing.newPolicy')}
        </Button>
      )}
      {q.error && <Alert type="error" showIcon message={problemLines(q.error).join('；')} />}
      {!q.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('dms.pricing.noPolicies')} />
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
              { title: t('dms.pricing.name'), dataIndex: 'name' },
              {
                title: t('dms.pricing.target'),
                key: 'target',
                render: (_, p) =>
                  p.dealerUnitId ? p.dealerName : <Tag>{`${t('dms.pricing.tier')} ${p.tier}`}</Tag>,
              },
              {
                title: t('dms.pricing.rule'),
                key: 'rule',
                render: (_, p) => (
                  <Space direction="vertical" size={0}>
                    {p.discountPercent !== null && <span>{`${p.discountPercent}%`}</span>}
                    {p.lines.map((l) => (
                      <Typography.Text key={l.productId} type="secondary">
                        {products.name(l.productId)} {money(l.price)}
                      </Typography.Text>
                    ))}
                  </Space>
                ),
              },
              {
                title: t('dms.pricing.period'),
                key: 'period',
                render: (_, p) => `${p.validFrom} ~ ${p.validTo ?? t('dms.pricing.open')}`,
                responsive: ['sm'],
              },
            ]}
          />
        </div>
      )}
      {open && <PolicyEditor onClose={() => setOpen(false)} productOptions={products.options} />}
    </>
  );
}

function PolicyEditor({
  onClose,
  productOptions,
}: {
  onClose: () => void;
  productOptions: { value: string; label: string }[];
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const accounts = useAccounts();
  const target = Form.useWatch('target', form) ?? 'tier';
  const [problems, setProblems] = useState<string[]>([]);
  const save = useDealersMutation(createPolicy);
  const submit = async () => {
    const v = await form.validateFields();
    setProblems([]);
    save.mutate(
      {
        name: v.name,
        dealerUnitId: v.target === 'dealer' ? v.dealerUnitId : undefined,
        tier: v.target === 'tier' ? v.tier : undefined,
        discountPercent: v.discountPercent ?? undefined,
        validFrom: dayOf(v.validFrom)!,
        validTo: dayOf(v.validTo),
        lines: (v.lines ?? [])
          .filter((l: any) => l?.productId)
          .map((l: any) => ({ productId: l.productId, price: fen(l.price)! })),
      },
      {
        onSuccess: () => {
          message.success(t('dms.pricing.saved'));
          onClose();
        },
        onError: (e) =>
          setProblems(
            applyFieldErrors(form, e, [
              'name',
              'dealerUnitId',
              'tier',
              'discountPercent',
              'validFrom',
              'validTo',
              'lines',
            ]),
          ),
      },
    );
  };
  return (
    <Modal
      open
      title={t('dms.pricing.newPolicy')}
      onCancel={onClose}
      onOk={submit}
      okText={t('dms.pricing.save')}
      okButtonProps={{ loading: save.isPending, 'data-testid': 'dms-policy-save' } as any}
      width={560}
    >
      <Form form={form} layout="vertical" initialValues={{ target: 'tier', validFrom: dayjs() }}>
        <Form.Item name="name" label={t('dms.pricing.name')} rules={[{ required: true }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="target" label={t('dms.pricing.target')}>
          <Radio.Group
            options={[
              { value: 'tier', label: t('dms.pricing.targetTier') },
              { value: 'dealer', label: t('dms.pricing.targetDealer') },
            ]}
          />
        </Form.Item>
        {target === 'dealer' ? (
          <Form.Item name="dealerUnitId" label={t('dms.pricing.dealer')} rules={[{ required: true }]}>
            <Select
              showSearch
              optionFilterProp="label"
              options={(accounts.data?.items ?? []).map((a) => ({
                value: a.dealerUnitId,
                label: a.dealerName,
              }))}
            />
          </Form.Item>
        ) : (
          <Form.Item name="tier" label={t('dms.pricing.tier')} rules={[{ required: true }]}>
            <Input maxLength={40} placeholder="A" />
          </Form.Item>
        )}
        <Form.Item name="discountPercent" label={t('dms.pricing.discountPercent')}>
          <InputNumber min={1} max={100} style={{ width: '100%' }} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="validFrom" label={t('dms.pricing.validFrom')} rules={[{ required: true }]}>
            <DatePicker />
          </Form.Item>
          <Form.Item name="validTo" label={t('dms.pricing.validTo')}>
            <DatePicker />
          </Form.Item>
        </Space>
        <Typography.Paragraph strong style={{ marginBottom: 8 }}>
          {t('dms.pricing.fixedPrices')}
        </Typography.Paragraph>
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
                      placeholder={t('dms.pricing.product')}
                      options={productOptions}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'price']} rules={[{ required: true }]}>
                    <InputNumber
                      min={0.01}
                      precision={2}
                      placeholder={t('dms.pricing.price')}
                      style={{ width: 110 }}
                    />
                  </Form.Item>
                  <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label="remove" />
                </div>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add()} block>
                {t('dms.pricing.addPrice')}
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

function Promotions({ manage }: { manage: boolean }) {
  const { t, i18n } = useTranslation();
  const money = (v: number) => yuan(v, i18n.language);
  const q = usePromotions();
  const products = useProductNames(manage);
  const [open, setOpen] = useState(false);
  const items = q.data?.items ?? [];
  const rule = (p: (typeof items)[number]) => {
    switch (p.kind) {
      case 'full_reduction':
        return `≥ ${money(p.threshold)} − ${money(p.reduction ?? 0)}`;
      case 'percent_off':
        return `≥ ${money(p.threshold)} × ${p.percent}%`;
      case 'gift':
        return `${products.name(p.productId)} ≥ ${p.threshold} → ${products.name(p.giftProductId)} × ${p.giftQty}`;
      default:
        return `${products.name(p.productId)} ≥ ${p.threshold} @ ${money(p.specialPrice ?? 0)}`;
    }
  };
  return (
    <>
      {manage && (
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setOpen(true)}
          style={{ marginBottom: 12 }}
        >
          {t('dms.pricing.newPromotion')}
        </Button>
      )}
      {!q.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('dms.pricing.noPromotions')} />
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
              { title: t('dms.pricing.name'), dataIndex: 'name' },
              {
                title: t('dms.pricing.kind'),
                dataIndex: 'kind',
                render: (k) => <Tag color={KIND_COLOR[k]}>{t(`dms.promoKinds.${k}`)}</Tag>,
              },
              { title: t('dms.pricing.rule'), key: 'rule', render: (_, p) => rule(p) },
              {
                title: t('dms.pricing.period'),
                key: 'period',
                render: (_, p) => `${p.startsOn} ~ ${p.endsOn}`,
                responsive: ['sm'],
              },
            ]}
          />
        </div>
      )}
      {open && <PromotionEditor onClose={() => setOpen(false)} productOptions={products.options} />}
    </>
  );
}

function PromotionEditor({
  onClose,
  productOptions,
}: {
  onClose: () => void;
  productOptions: { value: string; label: string }[];
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const accounts = useAccounts();
  const kind: (typeof KINDS)[number] = Form.useWatch('kind', form) ?? 'full_reduction';
  const byAmount = kind === 'full_reduction' || kind === 'percent_off';
  const [problems, setProblems] = useState<string[]>([]);
  const save = useDealersMutation(createPromotion);
  const submit = async () => {
    const v = await form.validateFields();
    setProblems([]);
    save.mutate(
      {
        name: v.name,
        kind: v.kind,
        threshold: byAmount ? fen(v.threshold)! : v.threshold,
        reduction: kind === 'full_reduction' ? fen(v.reduction) : undefined,
        percent: kind === 'percent_off' ? v.percent : undefined,
        specialPrice: kind === 'special_price' ? fen(v.specialPrice) : undefined,
        productId: byAmount ? undefined : v.productId,
        giftProductId: kind === 'gift' ? v.giftProductId : undefined,
        giftQty: kind === 'gift' ? v.giftQty : undefined,
        dealerUnitId: v.dealerUnitId || undefined,
        startsOn: dayOf(v.period?.[0])!,
        endsOn: dayOf(v.period?.[1])!,
      },
      {
        onSuccess: () => {
          message.success(t('dms.pricing.saved'));
          onClose();
        },
        onError: (e) =>
          setProblems(
            applyFieldErrors(form, e, [
              'name',
              'threshold',
              'reduction',
              'percent',
              'specialPrice',
              'productId',
              'giftProductId',
              'giftQty',
              'dealerUnitId',
            ]),
          ),
      },
    );
  };
  return (
    <Modal
      open
      title={t('dms.pricing.newPromotion')}
      onCancel={onClose}
      onOk={submit}
      okText={t('dms.pricing.save')}
      okButtonProps={{ loading: save.isPending }}
      width={560}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          kind: 'full_reduction',
          period: [dayjs(), dayjs().add(1, 'month')],
          dealerUnitId: '',
        }}
      >
        <Form.Item name="name" label={t('dms.pricing.name')} rules={[{ required: true }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="kind" label={t('dms.pricing.kind')}>
          <Radio.Group
            optionType="button"
            options={KINDS.map((k) => ({ value: k, label: t(`dms.promoKinds.${k}`) }))}
          />
        </Form.Item>
        {!byAmount && (
          <Form.Item name="productId" label={t('dms.pricing.product')} rules={[{ required: true }]}>
            <Select showSearch optionFilterProp="label" options={productOptions} />
          </Form.Item>
        )}
        <Form.Item
          name="threshold"
          label={byAmount ? t('dms.pricing.thresholdAmount') : t('dms.pricing.thresholdQty')}
          rules={[{ required: true }]}
        >
          <InputNumber min={byAmount ? 0.01 : 1} precision={byAmount ? 2 : 0} style={{ width: '100%' }} />
        </Form.Item>
        {kind === 'full_reduction' && (
          <Form.Item name="reduction" label={t('dms.pricing.reduction')} rules={[{ required: true }]}>
            <InputNumber min={0.01} precision={2} style={{ width: '100%' }} />
          </Form.Item>
        )}
        {kind === 'percent_off' && (
          <Form.Item name="percent" label={t('dms.pricing.percent')} rules={[{ required: true }]}>
            <InputNumber min={1} max={99} style={{ width: '100%' }} />
          </Form.Item>
        )}
        {kind === 'special_price' && (
          <Form.Item name="specialPrice" label={t('dms.pricing.specialPrice')} rules={[{ required: true }]}>
            <InputNumber min={0.01} precision={2} style={{ width: '100%' }} />
          </Form.Item>
        )}
        {kind === 'gift' && (
          <Space wrap style={{ display: 'flex' }}>
            <Form.Item
              name="giftProductId"
              label={t('dms.pricing.giftProduct')}
              rules={[{ required: true }]}
              style={{ minWidth: 220 }}
            >
              <Select showSearch optionFilterProp="label" options={productOptions} />
            </Form.Item>
            <Form.Item name="giftQty" label={t('dms.pricing.giftQty')} rules={[{ required: true }]}>
              <InputNumber min={1} />
            </Form.Item>
          </Space>
        )}
        <Form.Item name="dealerUnitId" label={t('dms.pricing.target')}>
          <Select
            options={[
              { value: '', label: t('dms.pricing.allDealers') },
              ...(accounts.data?.items ?? []).map((a) => ({ value: a.dealerUnitId, label: a.dealerName })),
            ]}
          />
        </Form.Item>
        <Form.Item name="period" label={t('dms.pricing.period')} rules={[{ required: true }]}>
          <DatePicker.RangePicker style={{ width: '100%' }} />
        </Form.Item>
        {problems.length > 0 && <Alert type="error" showIcon message={problems.join('；')} />}
      </Form>
    </Modal>
  );
}
