import { InputNumber, Select, Space } from 'antd';

export const CURRENCIES = ['CNY', 'USD', 'EUR', 'HKD'];

export interface Money {
  amount: number | null;
  currency: string;
}

interface Props {
  value?: Money | null;
  onChange?: (v: Money | null) => void;
  id?: string;
  disabled?: boolean;
  min?: number | null;
  max?: number | null;
  testId?: string;
}

/** Amount typed in major units (yuan, 2 decimals); stored as integer minor units (fen) per the contract. */
export function CurrencyInput({ value, onChange, id, disabled, min, max, testId }: Props) {
  const currency = value?.currency ?? 'CNY';
  const major = value?.amount == null ? null : value.amount / 100;
  return (
    <Space.Compact style={{ width: '100%' }}>
      <Select
        value={currency}
        onChange={(c) => onChange?.({ amount: value?.amount ?? null, currency: c })}
        options={CURRENCIES.map((c) => ({ value: c, label: c }))}
        style={{ width: 96 }}
        disabled={disabled}
        data-testid={testId ? `${testId}-currency` : undefined}
      />
      <InputNumber<number>
        id={id}
        style={{ width: '100%' }}
        precision={2}
        step={100}
        min={min ?? undefined}
        max={max ?? undefined}
        value={major}
        disabled={disabled}
        formatter={(v) =>
          v === undefined || v === null || `${v}` === '' ? '' : `${v}`.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
        }
        parser={(v) => Number((v ?? '').replace(/,/g, ''))}
        onChange={(v) => onChange?.(v == null ? null : { amount: Math.round(v * 100), currency })}
        data-testid={testId ? `${testId}-amount` : undefined}
      />
    </Space.Compact>
  );
}
