import { DeleteOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Input, InputNumber, Select, Space, Table, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { type QuoteLine, yuan } from './sales-api';

// Below antd's `sm` breakpoint seven columns cannot fit: each line becomes a card.
const NARROW = '(max-width: 575.98px)';
const subscribe = (cb: () => void) => {
  const mql = window.matchMedia(NARROW);
  mql.addEventListener('change', cb);
  return () => mql.removeEventListener('change', cb);
};
const useNarrow = () =>
  useSyncExternalStore(
    subscribe,
    () => window.matchMedia(NARROW).matches,
    () => false,
  );

export interface QuoteLinesProps {
  lines: QuoteLine[];
  editable: boolean;
  currency: string;
  productOptions: { value: string; label: string }[];
  /** The server's pricing of line `i` (live preview), when it has one. */
  priced: (i: number) => QuoteLine | undefined;
  onChange: (i: number, patch: Partial<QuoteLine>) => void;
  onRemove: (i: number) => void;
}

/** The quote's lines: a table on wide screens, stacked cards on a phone (no sideways scrolling). */
export function QuoteLines(props: QuoteLinesProps) {
  const { lines, editable, currency, priced, onChange: set, onRemove } = props;
  const { t } = useTranslation();
  const narrow = useNarrow();

  // One editor per field, shared by both layouts so the test ids and behaviour are the same.
  const product = (l: QuoteLine, i: number) => (
    <Space direction="vertical" size={2} style={{ width: '100%' }}>
      <Select
        showSearch
        allowClear
        disabled={!editable}
        style={{ width: '100%' }}
        placeholder={t('sales.quote.pickProduct')}
        optionFilterProp="label"
        value={l.productId ?? undefined}
        options={props.productOptions}
        onChange={(v) =>
          set(i, { productId: v ?? null, productName: v ? '' : l.productName, unitPrice: NaN })
        }
        data-testid={`line-product-${i}`}
      />
      {!l.productId && (
        <Input
          disabled={!editable}
          placeholder={t('sales.quote.freeText')}
          value={l.productName}
          onChange={(e) => set(i, { productName: e.target.value })}
          data-testid={`line-name-${i}`}
        />
      )}
    </Space>
  );
  const qty = (l: QuoteLine, i: number) => (
    <InputNumber
      disabled={!editable}
      min={0.0001}
      value={l.quantity}
      onChange={(v) => set(i, { quantity: Number(v) || 0 })}
      data-testid={`line-qty-${i}`}
      inputMode="decimal"
      style={{ width: '100%' }}
    />
  );
  const price = (l: QuoteLine, i: number) => (
    <InputNumber
      disabled={!editable}
      min={0}
      precision={2}
      style={{ width: '100%' }}
      inputMode="decimal"
      placeholder={priced(i) ? ((priced(i)!.unitPrice ?? 0) / 100).toFixed(2) : t('sales.quote.catalogue')}
      value={Number.isNaN(l.unitPrice) || l.unitPrice === null ? null : l.unitPrice / 100}
      onChange={(v) => set(i, { unitPrice: v === null ? NaN : Math.round(Number(v) * 100) })}
      data-testid={`line-price-${i}`}
    />
  );
  const discount = (l: QuoteLine, i: number) => (
    <InputNumber
      disabled={!editable}
      min={0}
      max={100}
      value={l.discountPercent}
      onChange={(v) => set(i, { discountPercent: Number(v) || 0 })}
      data-testid={`line-discount-${i}`}
      inputMode="decimal"
      style={{ width: '100%' }}
    />
  );
  const tax = (l: QuoteLine, i: number) => (
    <InputNumber
      disabled={!editable}
      min={0}
      max={100}
      value={l.taxRate}
      onChange={(v) => set(i, { taxRate: Number(v) || 0 })}
      data-testid={`line-tax-${i}`}
      inputMode="decimal"
      style={{ width: '100%' }}
    />
  );
  const total = (i: number) => (
    <span data-testid={`line-total-${i}`}>{yuan(priced(i)?.total, currency)}</span>
  );
  const remove = (i: number) =>
    editable && (
      <Button
        type="text"
        icon={<DeleteOutlined />}
        onClick={() => onRemove(i)}
        aria-label={t('sales.quote.removeLine')}
        title={t('sales.quote.removeLine')}
        data-testid={`line-remove-${i}`}
      />
    );
  const empty = <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sales.quote.noLines')} />;

  if (narrow) {
    if (lines.length === 0) return empty;
    const cell = (label: string, editor: ReactNode) => (
      <div style={{ minWidth: 0 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {label}
        </Typography.Text>
        {editor}
      </div>
    );
    return (
      <Space direction="vertical" size={8} style={{ width: '100%' }} data-testid="quote-line-cards">
        {lines.map((l, i) => (
          <Card
            // biome-ignore lint/suspicious/noArrayIndexKey: unsaved lines have no id; position is the identity
            key={i}
            size="small"
            type="inner"
            title={t('sales.quote.lineNo', { n: i + 1 })}
            extra={remove(i)}
            data-testid={`line-card-${i}`}
            styles={{ body: { display: 'grid', gap: 8, gridTemplateColumns: '1fr 1fr' } }}
          >
            <div style={{ gridColumn: '1 / -1' }}>{cell(t('sales.quote.product'), product(l, i))}</div>
            {cell(t('sales.quote.qty'), qty(l, i))}
            {cell(t('sales.quote.unitPrice'), price(l, i))}
            {cell(t('sales.quote.discount'), discount(l, i))}
            {cell(t('sales.quote.tax'), tax(l, i))}
            <div style={{ gridColumn: '1 / -1', display: 'flex', justifyContent: 'space-between' }}>
              <Typography.Text type="secondary">{t('sales.quote.lineTotal')}</Typography.Text>
              <Typography.Text strong>{total(i)}</Typography.Text>
            </div>
          </Card>
        ))}
      </Space>
    );
  }

  const columns = [
    {
      title: t('sales.quote.product'),
      key: 'product',
      width: 220,
      render: (_: unknown, l: QuoteLine, i: number) => product(l, i),
    },
    {
      title: t('sales.quote.qty'),
      key: 'qty',
      width: 90,
      render: (_: unknown, l: QuoteLine, i: number) => qty(l, i),
    },
    {
      title: t('sales.quote.unitPrice'),
      key: 'price',
      width: 130,
      render: (_: unknown, l: QuoteLine, i: number) => price(l, i),
    },
    {
      title: t('sales.quote.discount'),
      key: 'disc',
      width: 90,
      render: (_: unknown, l: QuoteLine, i: number) => discount(l, i),
    },
    {
      title: t('sales.quote.tax'),
      key: 'tax',
      width: 80,
      render: (_: unknown, l: QuoteLine, i: number) => tax(l, i),
    },
    {
      title: t('sales.quote.lineTotal'),
      key: 'total',
      width: 120,
      align: 'right' as const,
      render: (_: unknown, _l: QuoteLine, i: number) => total(i),
    },
    { key: 'x', width: 40, render: (_: unknown, _l: QuoteLine, i: number) => remove(i) },
  ];
  return (
    <Table
      size="small"
      rowKey={(_l, i) => String(i)}
      columns={columns}
      dataSource={lines}
      pagination={false}
      scroll={{ x: 760 }}
      locale={{ emptyText: empty }}
    />
  );
}
