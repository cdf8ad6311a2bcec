import { Input, InputNumber, Select } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { type FieldMeta, normalizeOptions, useLabel } from '../../app/meta';
import type { Scalar } from './cdp-api';
import {
  DATE_OPS,
  DATE_TYPES,
  type FieldLeaf,
  isDateOp,
  NO_VALUE,
  OPS,
  parseScalar,
  withOp,
} from './rule-model';

// The inputs one condition is made of: operator, value or days, and a field picked from metadata.

/** The days box of a relative-date condition: whole days, 0 to 3650. */
export function DaysBox({ days, onChange }: { days?: number; onChange: (d: number) => void }) {
  const { t } = useTranslation();
  return (
    <InputNumber
      style={{ width: 120 }}
      min={0}
      max={3650}
      precision={0}
      value={days}
      addonBefore="N"
      addonAfter={t('cdp.rule.daysUnit')}
      title={t('cdp.rule.daysHint')}
      onChange={(v) => onChange(Math.max(0, Math.min(3650, Math.round(Number(v ?? 0)))))}
      data-testid="rule-days"
    />
  );
}

/** Operator, then the value or the days box, for a trait, CRM field or record field. */
export function FieldCondition<T extends FieldLeaf>({
  rule,
  onChange,
  dates,
  valueBox,
}: {
  rule: T;
  onChange: (r: T) => void;
  /** Offer relative-date operators (date fields, and traits whose type is unknown). */
  dates: boolean;
  valueBox: ReactNode;
}) {
  return (
    <>
      <OpSelect
        op={rule.op}
        onChange={(op) => onChange(withOp(rule, op))}
        ops={dates || isDateOp(rule.op) ? [...OPS, ...DATE_OPS] : OPS}
      />
      {isDateOp(rule.op) ? (
        <DaysBox days={rule.days} onChange={(days) => onChange({ ...rule, days })} />
      ) : (
        !NO_VALUE.includes(rule.op) && valueBox
      )}
    </>
  );
}

export function OpSelect({
  op,
  onChange,
  ops = OPS,
}: {
  op: string;
  onChange: (o: string) => void;
  ops?: string[];
}) {
  const { t } = useTranslation();
  return (
    <Select
      style={{ width: isDateOp(op) ? 130 : 96 }}
      value={op}
      onChange={onChange}
      popupMatchSelectWidth={false}
      options={ops.map((o) => ({ value: o, label: t(`cdp.op.${o}`) }))}
    />
  );
}

export function ValueBox({
  value,
  onChange,
  testId = 'rule-value',
  asText,
}: {
  value: unknown;
  onChange: (v: Scalar) => void;
  testId?: string;
  /** Keep what was typed as a string (for properties only ever seen as strings). */
  asText?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Input
      style={{ width: 110 }}
      value={value === undefined ? '' : String(value)}
      placeholder={t('cdp.rule.value')}
      onChange={(e) => onChange(asText ? e.target.value : parseScalar(e.target.value))}
      data-testid={testId}
    />
  );
}

/**
 * A field from metadata (typed by hand while there is none) and its condition;
 * a picklist offers its values. Changing the field keeps a days value, clears any other.
 */
export function MetaFieldCondition<T extends FieldLeaf>({
  rule,
  onChange,
  fields,
  name,
  width,
  placeholder,
  testId,
  typed,
}: {
  rule: T;
  onChange: (r: T) => void;
  fields: FieldMeta[];
  /** The rule key that holds the field's api name. */
  name: 'field' | 'trait';
  width: number;
  placeholder?: string;
  testId: string;
  /** Field types whose value box reads numbers and booleans; other fields keep text as typed. */
  typed: string[];
}) {
  const label = useLabel();
  const current = (rule as Record<string, unknown>)[name] as string | undefined;
  const field: FieldMeta | undefined = fields.find((f) => f.apiName === current);
  const options = field?.type === 'picklist' ? normalizeOptions(field.options) : [];
  return (
    <>
      {fields.length ? (
        <Select
          style={{ width }}
          value={current}
          showSearch
          optionFilterProp="label"
          popupMatchSelectWidth={false}
          placeholder={placeholder}
          onChange={(f) =>
            onChange((isDateOp(rule.op) ? { ...rule, [name]: f } : { ...rule, [name]: f, value: '' }) as T)
          }
          options={fields.map((f) => ({ value: f.apiName, label: label(f.label, f.apiName) }))}
          data-testid={testId}
        />
      ) : (
        <Input
          style={{ width: 120 }}
          value={current}
          onChange={(e) => onChange({ ...rule, [name]: e.target.value } as T)}
          data-testid={testId}
        />
      )}
      <FieldCondition
        rule={rule}
        onChange={onChange}
        dates={!!field && DATE_TYPES.has(field.type)}
        valueBox={
          options.length ? (
            <Select
              style={{ width: 120 }}
              value={rule.value as string}
              onChange={(value) => onChange({ ...rule, value })}
              options={options.map((o) => ({ value: o.value, label: label(o.label, o.value) }))}
            />
          ) : (
            <ValueBox
              value={rule.value}
              asText={!!field && !typed.includes(field.type)}
              onChange={(value) => onChange({ ...rule, value })}
            />
          )
        }
      />
    </>
  );
}
