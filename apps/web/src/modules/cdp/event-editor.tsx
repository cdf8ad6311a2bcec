import { DeleteOutlined, FilterOutlined, PlusOutlined } from '@ant-design/icons';
import { AutoComplete, Button, InputNumber, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type CatalogueEntry,
  EVENT_KINDS,
  pickLabel,
  useEventCatalogue,
  useEventProperties,
} from './cdp-api';
import { OpSelect } from './rule-inputs';
import {
  COUNT_OPS,
  type EventLeaf,
  FILTER_OPS,
  type Filter,
  matches,
  NO_VALUE,
  parseScalar,
} from './rule-model';

// An event condition: which event, filtered by its properties, counted or summed over N days.

/**
 * An event, picked by the name people read: every event the catalogue knows (received recently,
 * the standard e-commerce ones, the tenant's own) grouped as page views, events and CRM, with how
 * often each came; a name typed that nobody sent yet can still be used.
 */
export function EventNameInput({
  value,
  onChange,
  width,
  testId,
}: {
  value: string;
  onChange: (event: string) => void;
  width: number;
  testId: string;
}) {
  const { t, i18n } = useTranslation();
  const cat = useEventCatalogue();
  const [typed, setTyped] = useState('');
  const items = cat.data?.items ?? [];
  const known = new Set(items.map((e) => e.name));
  const label = (e: CatalogueEntry) => pickLabel(e.label, i18n.language, e.name);
  const option = (e: CatalogueEntry) => ({
    value: e.name,
    search: `${label(e)} ${e.name}`,
    title: label(e),
    label: (
      <span data-testid="event-option">
        {label(e)}
        {label(e) !== e.name && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {' '}
            {e.name}
          </Typography.Text>
        )}
        {e.count > 0 && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {' '}
            · {t('cdp.picker.times', { n: e.count })}
          </Typography.Text>
        )}
      </span>
    ),
  });
  const extra = [typed.trim(), value].filter((n) => n && !known.has(n));
  const options = [
    ...EVENT_KINDS.map((k) => ({
      label: t(`cdp.picker.${k}`),
      options: items.filter((e) => e.kind === k).map(option),
    })).filter((g) => g.options.length),
    ...[...new Set(extra)].map((n) => ({
      value: n,
      search: n,
      title: n,
      label: n === typed.trim() ? t('cdp.picker.typed', { name: n }) : n,
    })),
  ];
  /**
   * Leaving the box with text typed picks what it names exactly (an event or its display name),
   * or, when it matches nothing known, takes it as the name of an event not received yet.
   */
  const commitTyped = () => {
    const q = typed.trim();
    setTyped('');
    if (!q) return;
    const exact = items.find((e) => e.name === q || label(e) === q);
    if (exact) onChange(exact.name);
    else if (!items.some((e) => `${label(e)} ${e.name}`.toLowerCase().includes(q.toLowerCase()))) onChange(q);
  };
  return (
    <Select
      style={{ width }}
      value={value || undefined}
      onChange={(v: string) => {
        setTyped('');
        onChange(v);
      }}
      showSearch
      searchValue={typed}
      onSearch={setTyped}
      onBlur={commitTyped}
      optionFilterProp="search"
      optionLabelProp="title"
      options={options}
      placeholder={t('cdp.picker.placeholder')}
      loading={cat.isPending}
      popupMatchSelectWidth={false}
      data-testid={testId}
    />
  );
}

export function EventEditor({ rule, onChange }: { rule: EventLeaf; onChange: (r: EventLeaf) => void }) {
  const { t } = useTranslation();
  const props = useEventProperties(rule.event || undefined);
  const propItems = props.data?.items ?? [];
  const numeric = propItems.filter((p) => p.types.includes('number'));
  const where = rule.where ?? [];
  const setWhere = (list: Filter[]) => onChange({ ...rule, where: list.length ? list : undefined });
  const propLabel = (p: { key: string; displayName?: string }) =>
    p.displayName && p.displayName !== p.key ? `${p.displayName} (${p.key})` : p.key;
  const onlyText = (prop: string) => {
    const p = propItems.find((x) => x.key === prop);
    return !!p && p.types.every((x) => x === 'string');
  };
  return (
    <Space direction="vertical" size={4} style={{ width: '100%' }}>
      <Space wrap size={4}>
        <EventNameInput
          width={190}
          value={rule.event}
          onChange={(event) => onChange({ ...rule, event })}
          testId="rule-event"
        />
        <Select
          style={{ width: 92 }}
          value={rule.agg ?? 'count'}
          onChange={(agg) =>
            onChange(
              agg === 'sum'
                ? { ...rule, agg, property: rule.property ?? numeric[0]?.key ?? '' }
                : { ...rule, agg: undefined, property: undefined },
            )
          }
          data-testid="rule-agg"
          options={[
            { value: 'count', label: t('cdp.rule.count') },
            { value: 'sum', label: t('cdp.rule.sum') },
          ]}
        />
        {rule.agg === 'sum' && (
          <AutoComplete
            style={{ width: 110 }}
            placeholder={t('cdp.rule.property')}
            value={rule.property ?? ''}
            onChange={(property) => onChange({ ...rule, property })}
            options={numeric.map((p) => ({ value: p.key, label: propLabel(p) }))}
            filterOption={matches}
            data-testid="rule-sum-property"
          />
        )}
        <OpSelect op={rule.op} onChange={(op) => onChange({ ...rule, op })} ops={COUNT_OPS} />
        <InputNumber
          style={{ width: 80 }}
          value={rule.value}
          onChange={(v) => onChange({ ...rule, value: Number(v ?? 0) })}
          data-testid="rule-count"
        />
        <span>{t('cdp.rule.within')}</span>
        <InputNumber
          style={{ width: 70 }}
          min={1}
          max={730}
          value={rule.withinDays}
          onChange={(v) => onChange({ ...rule, withinDays: Number(v ?? 1) })}
          data-testid="rule-window"
        />
        <span>{t('cdp.rule.days')}</span>
      </Space>
      {where.map((w, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: filters have no identity of their own
        <Space key={i} wrap size={4} style={{ paddingLeft: 12 }} data-testid="rule-filter">
          <FilterOutlined style={{ color: '#8c8c8c' }} />
          <AutoComplete
            style={{ width: 120 }}
            value={w.prop}
            placeholder={t('cdp.rule.property')}
            onChange={(prop) => setWhere(where.map((x, j) => (j === i ? { ...x, prop } : x)))}
            options={propItems.map((p) => ({ value: p.key, label: propLabel(p) }))}
            filterOption={matches}
            data-testid="rule-filter-prop"
          />
          <OpSelect
            op={w.op}
            ops={FILTER_OPS}
            onChange={(op) =>
              setWhere(
                where.map((x, j) =>
                  j === i ? (NO_VALUE.includes(op) ? { prop: x.prop, op } : { ...x, op }) : x,
                ),
              )
            }
          />
          {!NO_VALUE.includes(w.op) && (
            <AutoComplete
              style={{ width: 110 }}
              value={w.value === undefined ? '' : String(w.value)}
              placeholder={t('cdp.rule.value')}
              options={(propItems.find((p) => p.key === w.prop)?.examples ?? []).map((v) => ({ value: v }))}
              onChange={(v: string) =>
                setWhere(
                  where.map((x, j) =>
                    j === i
                      ? { ...x, value: w.op === 'contains' || onlyText(w.prop) ? v : parseScalar(v) }
                      : x,
                  ),
                )
              }
              data-testid="rule-filter-value"
            />
          )}
          <Button
            size="small"
            type="text"
            icon={<DeleteOutlined />}
            aria-label={t('cdp.rule.remove')}
            onClick={() => setWhere(where.filter((_, j) => j !== i))}
          />
        </Space>
      ))}
      {where.length < 10 && (
        <Button
          size="small"
          type="link"
          icon={<PlusOutlined />}
          style={{ paddingLeft: 12 }}
          onClick={() => setWhere([...where, { prop: propItems[0]?.key ?? '', op: 'eq', value: '' }])}
          data-testid="rule-filter-add"
        >
          {t('cdp.rule.addFilter')}
        </Button>
      )}
    </Space>
  );
}
