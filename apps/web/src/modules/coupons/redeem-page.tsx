import { Alert, Button, Card, Descriptions, Form, Input, InputNumber, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../shared/ui/error-result';
import { type Coupon, lookup, redeem } from './coupons-api';

const STATUS_COLOR: Record<Coupon['status'], string> = {
  active: 'green',
  redeemed: 'default',
  expired: 'orange',
  voided: 'red',
};

/** The store's redeem page, phone first: type or scan a code, see the benefit, redeem once. */
export function RedeemPage() {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const [amount, setAmount] = useState<number | null>(null);
  const [coupon, setCoupon] = useState<Coupon | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await fn();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const find = () => run(async () => setCoupon(await lookup(code)));
  const doRedeem = () =>
    run(async () => {
      const r = await redeem(code, amount === null ? undefined : Math.round(amount * 100));
      setCoupon(r);
      setDone(t('coupons.redeemed', { amount: ((r.discountMinor ?? 0) / 100).toFixed(2) }));
    });
  return (
    <div className="kehu-page" data-testid="coupon-redeem-page" style={{ maxWidth: 560 }}>
      <Typography.Title level={4}>{t('coupons.redeemTitle')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('coupons.redeemIntro')}</Typography.Paragraph>
      <Card>
        <Form layout="vertical" onFinish={find}>
          <Form.Item label={t('coupons.code')} extra={t('coupons.scanHint')}>
            <Input.Search
              size="large"
              autoFocus
              autoComplete="off"
              aria-label={t('coupons.code')}
              placeholder={t('coupons.codePlaceholder')}
              value={code}
              onChange={(e) => {
                setCode(e.target.value);
                setCoupon(null);
              }}
              onSearch={find}
              enterButton={t('coupons.lookup')}
              loading={busy && !coupon}
              data-testid="coupon-code"
            />
          </Form.Item>
        </Form>
        {error && (
          <Alert
            type="error"
            showIcon
            message={error}
            data-testid="redeem-error"
            style={{ marginBottom: 16 }}
          />
        )}
        {done && (
          <Alert
            type="success"
            showIcon
            message={done}
            data-testid="redeem-done"
            style={{ marginBottom: 16 }}
          />
        )}
        {coupon && (
          <>
            <Descriptions column={1} size="small" bordered style={{ marginBottom: 16 }}>
              <Descriptions.Item label={t('coupons.columns.name')}>{coupon.templateName}</Descriptions.Item>
              <Descriptions.Item label={t('coupons.columns.kind')}>
                <Typography.Text strong>{coupon.benefit}</Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t('coupons.columns.status')}>
                <Tag color={STATUS_COLOR[coupon.status]}>{t(`coupons.couponStatus.${coupon.status}`)}</Tag>
              </Descriptions.Item>
              {coupon.expiresAt && (
                <Descriptions.Item label={t('coupons.expires')}>
                  {new Date(coupon.expiresAt).toLocaleString()}
                </Descriptions.Item>
              )}
            </Descriptions>
            {coupon.status === 'active' && (
              <Form layout="vertical" onFinish={doRedeem}>
                <Form.Item label={t('coupons.orderAmount')}>
                  <InputNumber
                    size="large"
                    min={0}
                    precision={2}
                    style={{ width: '100%' }}
                    inputMode="decimal"
                    value={amount}
                    onChange={(v) => setAmount(v)}
                    data-testid="order-amount"
                  />
                </Form.Item>
                <Button
                  type="primary"
                  size="large"
                  block
                  htmlType="submit"
                  loading={busy}
                  data-testid="redeem"
                >
                  {t('coupons.redeem')}
                </Button>
              </Form>
            )}
          </>
        )}
      </Card>
    </div>
  );
}
