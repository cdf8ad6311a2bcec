import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Empty,
  Input,
  InputNumber,
  List,
  Row,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  createOrder,
  orderAction,
  problemLines,
  useAccounts,
  useCatalogue,
  useDealersMutation,
  usePromotions,
  yuan,
} from './dealers-api';

/** 经销商订货: the catalogue at my prices → cart → submit (checks shown as the server words them). */
export function PortalPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const money = (v: number) => yuan(v, i18n.language);
  const cat = useCatalogue();
  const promos = usePromotions();
  const accounts = useAccounts();
  const account = accounts.data?.items[0];
  const [q, setQ] = useState('');
  const [cart, setCart] = useState<Record<string, number>>({});
  const [chosen, setChosen] = useState<string[]>([]);
  const [pool, setPool] = useState<number | null>(null);
  const [note, setNote] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const items = cat.data?.items ?? [];
  const shown = items.filter(
    (p) => !q || `${p.name} ${p.code ?? ''}`.toLowerCase().includes(q.toLowerCase()),
  );
  const inCart = items.filter((p) => cart[p.productId]);
  const subtotal = useMemo(
    () => inCart.reduce((s, p) => s + (p.price ?? 0) * (cart[p.productId] ?? 0), 0),
    [inCart, cart],
  );
  const submit = useDealersMutation(async () => {
    const draft = await createOrder({
      lines: inCart.map((p) => ({ productId: p.productId, quantity: cart[p.productId]! })),
      promotionIds: chosen,
      poolDeduction: Math.round((pool ?? 0) * 100),
      note: note || undefined,
    });
    try {
      return await orderAction(draft.id, 'submit');
    } catch (e) {
      throw Object.assign(e as Error, { draftKept: true });
    }
  });

  if (cat.error)
    return (
      <div className="kehu-page" data-testid="dms-portal-page">
        <Typography.Title level={4}>{t('dms.portal.title')}</Typography.Title>
        <Alert type="info" showIcon message={t('dms.portal.notDealer')} />
      </div>
    );

  return (
    <div className="kehu-page" data-testid="dms-portal-page">
      <Typography.Title level={4}>{t('dms.portal.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('dms.portal.intro')}</Typography.Paragraph>
      <Row gutter={[12, 12]}>
        <Col xs={24} md={14}>
          <Card size="small">
            <Input.Search
              allowClear
              placeholder={t('dms.portal.search')}
              onChange={(e) => setQ(e.target.value)}
              style={{ marginBottom: 8 }}
            />
            <List
              loading={cat.isLoading}
              dataSource={shown}
              locale={{ emptyText: <Empty description={t('dms.portal.empty')} /> }}
              renderItem={(p) => (
                <List.Item
                  data-testid="dms-catalogue-item"
                  actions={[
                    <Space key="qty" wrap>
                      <InputNumber
                        min={0}
                        max={1_000_000}
                        value={cart[p.productId] ?? null}
                        placeholder={String(p.minOrderQty)}
                        onChange={(v) => setCart((c) => ({ ...c, [p.productId]: Number(v ?? 0) }))}
                        style={{ width: 90 }}
                        aria-label={p.name}
                      />
                      <Button
                        size="small"
                        onClick={() =>
                          setCart((c) => ({ ...c, [p.productId]: (c[p.productId] ?? 0) + p.minOrderQty }))
                        }
                      >
                        {t('dms.portal.add')}
                      </Button>
                    </Space>,
                  ]}
                >
                  <List.Item.Meta
                    title={p.name}
                    description={
                      <Space size={4} wrap>
                        {p.price !== null && <Typography.Text strong>{money(p.price)}</Typography.Text>}
                        {p.listPrice !== null && p.price !== p.listPrice && (
                          <Typography.Text delete type="secondary">
                            {money(p.listPrice)}
                          </Typography.Text>
                        )}
                        {p.policyName && <Tag>{p.policyName}</Tag>}
                        <Tag>{t('dms.portal.moq', { n: p.minOrderQty })}</Tag>
                        <Tag color={p.available > 0 ? 'green' : 'red'}>
                          {t('dms.portal.available', { n: p.available })}
                        </Tag>
                      </Space>
                    }
                  />
                </List.Item>
              )}
            />
          </Card>
        </Col>
        <Col xs={24} md={10}>
          <Card size="small" title={t('dms.portal.cart')} data-testid="dms-cart">
            {account && (
              <Space wrap style={{ marginBottom: 8 }}>
                <Tag color="blue">{t('dms.portal.credit', { amount: money(account.available) })}</Tag>
                <Tag color="cyan">{t('dms.portal.poolBalance', { amount: money(account.poolBalance) })}</Tag>
              </Space>
            )}
            {inCart.length === 0 ? (
              <Empty description={t('dms.portal.cartEmpty')} />
            ) : (
              <>
                <List
                  size="small"
                  dataSource={inCart}
                  renderItem={(p) => (
                    <List.Item>
                      <span>
                        {p.name} × {cart[p.productId]}
                      </span>
                      <span>{money((p.price ?? 0) * (cart[p.productId] ?? 0))}</span>
                    </List.Item>
                  )}
                />
                <Typography.Paragraph strong style={{ textAlign: 'right' }}>
                  {t('dms.portal.subtotal')} {money(subtotal)}
                </Typography.Paragraph>
                <Typography.Text type="secondary">{t('dms.portal.promotions')}</Typography.Text>
                {(promos.data?.items ?? []).length === 0 ? (
                  <Typography.Paragraph type="secondary">{t('dms.portal.noPromotions')}</Typography.Paragraph>
                ) : (
                  <Checkbox.Group
                    style={{ display: 'flex', flexDirection: 'column', margin: '4px 0 8px' }}
                    value={chosen}
                    onChange={(v) => setChosen(v as string[])}
                    options={(promos.data?.items ?? []).map((x) => ({ label: x.name, value: x.id }))}
                  />
                )}
                <Space direction="vertical" style={{ width: '100%' }}>
                  <InputNumber
                    min={0}
                    precision={2}
                    value={pool}
                    onChange={(v) => setPool(v)}
                    addonBefore={t('dms.portal.pool')}
                    style={{ width: '100%' }}
                    data-testid="dms-pool"
                  />
                  <Input
                    placeholder={t('dms.portal.note')}
                    value={note}
                    onChange={(e) => setNote(e.target.value)}
                  />
                  {problems.length > 0 && (
                    <Alert
                      type="error"
                      showIcon
                      message={t('dms.portal.failed')}
                      description={
                        <ul style={{ margin: 0, paddingLeft: 16 }} data-testid="dms-submit-problems">
                          {problems.map((m) => (
                            <li key={m}>{m}</li>
                          ))}
                          <li>{t('dms.portal.draftKept')}</li>
                        </ul>
                      }
                    />
                  )}
                  <Button
                    type="primary"
                    block
                    loading={submit.isPending}
                    data-testid="dms-submit"
                    onClick={() =>
                      submit.mutate(undefined, {
                        onSuccess: (o) => {
                          setProblems([]);
                          setCart({});
                          setChosen([]);
                          setPool(null);
                          setNote('');
                          message.success(t('dms.portal.submitted', { no: o.orderNo }));
                        },
                        onError: (e) => setProblems(problemLines(e)),
                      })
                    }
                  >
                    {t('dms.portal.submit')}
                  </Button>
                </Space>
              </>
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
