import { DatePicker, Input, InputNumber, Select, Switch } from 'antd';
import type { Rule } from 'antd/es/form';
import dayjs from 'dayjs';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { type FieldMeta, localize, normalizeOptions } from '../app/meta';
import { CurrencyInput, type Money } from './currency-input';
import { LookupSelect } from './lookup-select';
import { RegionCascader } from './region-cascader';
import { UnitSelect } from './unit-select';
import { UserSelect } from './user-select';

interface Props {
  field: FieldMeta;
  value?: unknown;
  onChange?: (v: unknown) => void;
  id?: string;
  displayLabel?: string | null;
  disabled?: boolean;
}

/**
 * One input per field type. Form values equal API values except `json`, which is edited as text.
 * Simple inputs carry `data-testid="field-<apiName>"` themselves; composite widgets sit in a wrapper with it.
 */
export function FieldInput({ field, value, onChange, id, displayLabel, disabled }: Props) {
  const { t, i18n } = useTranslation();
  const testId = `field-${field.apiName}`;
  const v = field.validation ?? {};
  const labels = displayLabel && typeof value === 'string' ? { [value]: displayLabel } : undefined;
  const wrap = (node: React.ReactNode) => <div data-testid={testId}>{node}</div>;
  switch (field.type) {
    case 'longtext':
      return (
        <Input.TextArea
          id={id}
          data-testid={testId}
          value={(value as string) ?? ''}
          onChange={(e) => onChange?.(e.target.value)}
          autoSize={{ minRows: 3, maxRows: 10 }}
          maxLength={v.maxLength ?? undefined}
          showCount={!!v.maxLength}
          disabled={disabled}
        />
      );
    case 'json':
      return (
        <Input.TextArea
          id={id}
          data-testid={testId}
          className="kehu-mono"
          value={(value as string) ?? ''}
          onChange={(e) => onChange?.(e.target.value)}
          autoSize={{ minRows: 3, maxRows: 12 }}
          placeholder='{"key": "value"}'
          disabled={disabled}
        />
      );
    case 'number':
    case 'percent':
      return (
        <InputNumber
          id={id}
          data-testid={testId}
          style={{ width: '100%' }}
          value={value as number | null}
          onChange={(n) => onChange?.(n)}
          min={v.min ?? undefined}
          max={v.max ?? undefined}
          addonAfter={field.type === 'percent' ? '%' : undefined}
          disabled={disabled}
        />
      );
    case 'currency':
      return wrap(
        <CurrencyInput
          testId={testId}
          id={id}
          value={value as Money | null}
          onChange={onChange}
          disabled={disabled}
          min={v.min}
          max={v.max}
        />,
      );
    case 'date':
      return wrap(
        <DatePicker
          id={id}
          style={{ width: '100%' }}
          value={value ? dayjs(String(value)) : null}
          onChange={(d) => onChange?.(d ? d.format('YYYY-MM-DD') : null)}
          disabled={disabled}
        />,
      );
    case 'datetime':
      return wrap(
        <DatePicker
          id={id}
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          style={{ width: '100%' }}
          value={value ? dayjs(String(value)) : null}
          onChange={(d) => onChange?.(d ? d.toISOString() : null)}
          disabled={disabled}
        />,
      );
    case 'boolean':
      return (
        <Switch
          id={id}
          data-testid={testId}
          checked={!!value}
          onChange={(c) => onChange?.(c)}
          disabled={disabled}
        />
      );
    case 'picklist':
    case 'multipicklist': {
      const opts = normalizeOptions(field.options).filter(
        (o) => o.active !== false || (Array.isArray(value) ? value.includes(o.value) : value === o.value),
      );
      return wrap(
        <Select
          id={id}
          mode={field.type === 'multipicklist' ? 'multiple' : undefined}
          allowClear
          showSearch
          optionFilterProp="label"
          value={(value as string | string[] | null) ?? undefined}
          onChange={(x) => onChange?.(x ?? null)}
          options={opts.map((o) => ({ value: o.value, label: localize(o.label, i18n.language, o.value) }))}
          placeholder={t('common.pleaseSelect')}
          disabled={disabled}
        />,
      );
    }
    case 'lookup':
      return wrap(
        field.lookupObject ? (
          <LookupSelect
            id={id}
            object={field.lookupObject}
            value={value as string | null}
            onChange={onChange}
            initialLabels={labels}
            disabled={disabled}
          />
        ) : (
          <Input
            id={id}
            value={(value as string) ?? ''}
            onChange={(e) => onChange?.(e.target.value)}
            disabled={disabled}
          />
        ),
      );
    case 'user':
      return wrap(
        <UserSelect
          id={id}
          value={value as string | null}
          onChange={onChange}
          initialLabels={labels}
          disabled={disabled}
        />,
      );
    case 'unit':
      return wrap(
        <UnitSelect
          id={id}
          value={value as string | null}
          onChange={onChange}
          initialLabels={labels}
          disabled={disabled}
        />,
      );
    case 'region':
      return wrap(
        <RegionCascader id={id} value={value as string | null} onChange={onChange} disabled={disabled} />,
      );
    default:
      return (
        <Input
          id={id}
          data-testid={testId}
          value={(value as string) ?? ''}
          onChange={(e) => onChange?.(e.target.value === '' ? null : e.target.value)}
          maxLength={v.maxLength ?? undefined}
          inputMode={
            field.type === 'phone'
              ? 'tel'
              : field.type === 'email'
                ? 'email'
                : field.type === 'url'
                  ? 'url'
                  : undefined
          }
          type={field.type === 'email' ? 'email' : field.type === 'phone' ? 'tel' : 'text'}
          autoComplete="off"
          disabled={disabled}
        />
      );
  }
}

function isBlank(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

/** antd rules derived from field metadata (the server re-validates; these give instant feedback). */
export function rulesFor(field: FieldMeta, t: TFunction, fieldLabel: string): Rule[] {
  const rules: Rule[] = [];
  const v = field.validation ?? {};
  if (field.required && field.type !== 'boolean') {
    rules.push({
      validator: (_, value) => {
        const empty = field.type === 'currency' ? !value || (value as Money).amount == null : isBlank(value);
        return empty
          ? Promise.reject(new Error(t('form.required', { field: fieldLabel })))
          : Promise.resolve();
      },
    });
  }
  if (v.maxLength && ['text', 'longtext', 'phone', 'email', 'url'].includes(field.type)) {
    rules.push({ max: v.maxLength, message: t('form.maxLength', { max: v.maxLength }) });
  }
  if (v.pattern) {
    try {
      rules.push({ pattern: new RegExp(v.pattern), message: t('form.pattern') });
    } catch {
      /* an invalid server regex must not break the form */
    }
  }
  if (['number', 'percent'].includes(field.type) && (v.min != null || v.max != null)) {
    rules.push({
      type: 'number',
      min: v.min ?? undefined,
      max: v.max ?? undefined,
      message: t('form.range', { min: v.min ?? '-∞', max: v.max ?? '∞' }),
    });
  }
  if (field.type === 'email') rules.push({ type: 'email', message: t('form.email') });
  if (field.type === 'url') rules.push({ type: 'url', message: t('form.url') });
  if (field.type === 'phone' && !v.pattern) {
    rules.push({ pattern: /^[+\d][\d\s-]{4,19}$/, message: t('form.phone') });
  }
  if (field.type === 'json') {
    rules.push({
      validator: (_, value) => {
        if (isBlank(value)) return Promise.resolve();
        try {
          JSON.parse(String(value));
          return Promise.resolve();
        } catch {
          return Promise.reject(new Error(t('form.json')));
        }
      },
    });
  }
  return rules;
}
