import { DatePicker, Input, InputNumber, Select, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { type FieldMeta, localize, normalizeOptions } from '../app/meta';
import { type FilterOp, MULTI_VALUE_OPS, NO_VALUE_OPS } from './filter-model';
import { LookupSelect } from './lookup-select';
import { RegionCascader } from './region-cascader';
import { UnitSelect } from './unit-select';
import { UserSelect } from './user-select';

interface Props {
  field: FieldMeta;
  op: FilterOp;
  value: unknown;
  onChange: (v: unknown) => void;
}

const toDay = (v: unknown): Dayjs | null => (v ? dayjs(String(v)) : null);

/** A region prefix ("31", "3101") for "within region" (startsWith), from a 6-digit code. */
const regionPrefix = (code: string) => code.replace(/(00)+$/, '');
const prefixToCode = (p: string) => (p ? p.padEnd(6, '0') : null);

export function FilterValueInput({ field, op, value, onChange }: Props) {
  const { t, i18n } = useTranslation();
  if (NO_VALUE_OPS.includes(op)) return null;
  const multi = MULTI_VALUE_OPS.includes(op);
  const common = { style: { width: '100%' }, 'data-testid': 'filter-value' };

  if (op === 'inLastDays' || op === 'inNextDays') {
    return (
      <InputNumber
        {...common}
        min={1}
        precision={0}
        value={value as number | null}
        onChange={(v) => onChange(v)}
        addonAfter={t('filter.days')}
      />
    );
  }

  switch (field.type) {
    case 'picklist':
    case 'multipicklist':
      return (
        <Select
          {...common}
          mode={multi || field.type === 'multipicklist' ? 'multiple' : undefined}
          value={(value as string | string[] | undefined) ?? undefined}
          onChange={onChange}
          options={normalizeOptions(field.options).map((o) => ({
            value: o.value,
            label: localize(o.label, i18n.language, o.value),
          }))}
          placeholder={t('filter.chooseValue')}
          allowClear
          maxTagCount="responsive"
        />
      );
    case 'boolean':
      return (
        <Select
          {...common}
          value={value as boolean | undefined}
          onChange={onChange}
          options={[
            { value: true, label: t('common.yes') },
            { value: false, label: t('common.no') },
          ]}
        />
      );
    case 'date':
    case 'datetime': {
      const showTime = field.type === 'datetime';
      const fmt = (d: Dayjs | null) => (d ? (showTime ? d.toISOString() : d.format('YYYY-MM-DD')) : null);
      if (op === 'between') {
        const arr = Array.isArray(value) ? value : [];
        return (
          <DatePicker.RangePicker
            style={{ width: '100%' }}
            showTime={showTime}
            value={[toDay(arr[0]), toDay(arr[1])]}
            onChange={(r) => onChange(r ? [fmt(r[0] ?? null), fmt(r[1] ?? null)] : null)}
          />
        );
      }
      return (
        <DatePicker {...common} showTime={showTime} value={toDay(value)} onChange={(d) => onChange(fmt(d))} />
      );
    }
    case 'number':
    case 'percent':
    case 'currency': {
      // Currency filters compare integer minor units; the user types yuan.
      const scale = field.type === 'currency' ? 100 : 1;
      const toUi = (v: unknown) => (v == null || v === '' ? null : Number(v) / scale);
      const fromUi = (v: number | null) => (v == null ? null : Math.round(v * scale));
      if (op === 'between') {
        const arr = Array.isArray(value) ? value : [null, null];
        return (
          <Space.Compact style={{ width: '100%' }}>
            <InputNumber
              style={{ width: '50%' }}
              value={toUi(arr[0])}
              onChange={(v) => onChange([fromUi(v), arr[1]])}
              placeholder={t('filter.from')}
            />
            <InputNumber
              style={{ width: '50%' }}
              value={toUi(arr[1])}
              onChange={(v) => onChange([arr[0], fromUi(v)])}
              placeholder={t('filter.to')}
            />
          </Space.Compact>
        );
      }
      return (
        <InputNumber
          {...common}
          value={toUi(value)}
          onChange={(v) => onChange(fromUi(v))}
          addonAfter={field.type === 'percent' ? '%' : field.type === 'currency' ? '¥' : undefined}
        />
      );
    }
    case 'user':
      return <UserSelect multiple={multi} value={value as string | string[] | null} onChange={onChange} />;
    case 'unit':
      return <UnitSelect multiple={multi} value={value as string | string[] | null} onChange={onChange} />;
    case 'lookup':
      return field.lookupObject ? (
        <LookupSelect
          object={field.lookupObject}
          multiple={multi}
          value={value as string | string[] | null}
          onChange={onChange}
        />
      ) : (
        <Input {...common} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)} />
      );
    case 'region':
      if (multi) {
        return (
          <Select
            {...common}
            mode="tags"
            value={(value as string[]) ?? []}
            onChange={onChange}
            placeholder={t('filter.regionCodes')}
            tokenSeparators={[',', ' ']}
          />
        );
      }
      if (op === 'startsWith') {
        return (
          <RegionCascader
            value={prefixToCode(String(value ?? ''))}
            onChange={(c) => onChange(c ? regionPrefix(c) : null)}
          />
        );
      }
      return <RegionCascader value={(value as string) ?? null} onChange={onChange} />;
    default:
      if (multi) {
        return (
          <Select
            {...common}
            mode="tags"
            value={(value as string[]) ?? []}
            onChange={onChange}
            tokenSeparators={[',', '，']}
            placeholder={t('filter.typeValues')}
            open={false}
          />
        );
      }
      return (
        <Input
          {...common}
          value={String(value ?? '')}
          onChange={(e) => onChange(e.target.value)}
          placeholder={t('filter.typeValue')}
          allowClear
        />
      );
  }
}
