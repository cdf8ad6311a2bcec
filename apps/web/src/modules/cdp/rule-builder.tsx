import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Input, InputNumber, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Rule, Scalar } from './cdp-api';

/** Nested AND/OR builder over traits, tags, event counts in a window, and CRM fields. */
const OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'notExists'];
const COUNT_OPS = ['gte', 'gt', 'lte', 'lt', 'eq'];

type Leaf = Exclude<Rule, { and: Rule[] } | { or: Rule[] } | { not: Rule }>;

/** Numbers typed into a value box compare as numbers, `true`/`false` as booleans. */
export function parseScalar(s: string): Scalar {
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (s.trim() !== '' && !Number.isNaN(Number(s))) return Number(s);
  return s;
}

function LeafEditor({
  rule,
  onChange,
  tags,
}: {
  rule: Leaf;
  onChange: (r: Leaf) => void;
  tags: { key: string; name: string }[];
}) {
  const { t } = useTranslation();
  const kind = 'trait' in rule ? 'trait' : 'tag' in rule ? 'tag' : 'event' in rule ? 'event' : 'crm';
  const setKind = (k: string) => {
    if (k === 'trait') onChange({ trait: 'plan', op: 'eq', value: '' });
    else if (k === 'tag') onChange({ tag: tags[0]?.key ?? '', op: 'has' });
    else if (k === 'event') onChange({ event: 'Product Viewed', withinDays: 7, op: 'gte', value: 1 });
    else onChange({ crm: 'contact', field: 'title', op: 'eq', value: '' });
  };
  const valueBox = (value: unknown, set: (v: Scalar) => void) => (
    <Input
      style={{ width: 120 }}
      value={value === undefined ? '' : String(value)}
      placeholder={t('cdp.rule.value')}
      onChange={(e) => set(parseScalar(e.target.value))}
      data-testid="rule-value"
    />
  );
  const opSelect = (op: string, set: (o: string) => void, ops = OPS) => (
    <Select
      style={{ width: 110 }}
      value={op}
      onChange={set}
      options={ops.map((o) => ({ value: o, label: t(`cdp.op.${o}`) }))}
    />
  );
  return (
    <Space wrap size={4}>
      <Select
        style={{ width: 110 }}
        value={kind}
        onChange={setKind}
        data-testid="rule-kind"
        options={['trait', 'tag', 'event', 'crm'].map((k) => ({ value: k, label: t(`cdp.rule.${k}`) }))}
      />
      {'trait' in rule && (
        <>
          <Input
            style={{ width: 120 }}
            value={rule.trait}
            onChange={(e) => onChange({ ...rule, trait: e.target.value })}
            data-testid="rule-trait"
          />
          {opSelect(rule.op, (op) => onChange({ ...rule, op }))}
          {!['exists', 'notExists'].includes(rule.op) &&
            valueBox(rule.value, (value) => onChange({ ...rule, value }))}
        </>
      )}
      {'tag' in rule && (
        <>
          <Select
            style={{ width: 160 }}
            value={rule.tag}
            onChange={(tag) => onChange({ ...rule, tag })}
            options={tags.map((x) => ({ value: x.key, label: x.name }))}
            showSearch
          />
          {opSelect(rule.op ?? 'has', (op) => onChange({ ...rule, op }), [
            'has',
            'notHas',
            'gte',
            'lte',
            'eq',
          ])}
          {rule.op &&
            !['has', 'notHas'].includes(rule.op) &&
            valueBox(rule.value, (value) => onChange({ ...rule, value }))}
        </>
      )}
      {'event' in rule && (
        <>
          <Input
            style={{ width: 150 }}
            value={rule.event}
            onChange={(e) => onChange({ ...rule, event: e.target.value })}
            data-testid="rule-event"
          />
          <Select
            style={{ width: 100 }}
            value={rule.agg ?? 'count'}
            onChange={(agg) => onChange({ ...rule, agg })}
            options={[
              { value: 'count', label: t('cdp.rule.count') },
              { value: 'sum', label: t('cdp.rule.sum') },
            ]}
          />
          {rule.agg === 'sum' && (
            <Input
              style={{ width: 90 }}
              placeholder="total"
              value={rule.property ?? ''}
              onChange={(e) => onChange({ ...rule, property: e.target.value })}
            />
          )}
          {opSelect(rule.op, (op) => onChange({ ...rule, op }), COUNT_OPS)}
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
          />
          <span>{t('cdp.rule.days')}</span>
          <Input
            style={{ width: 150 }}
            placeholder={t('cdp.rule.where')}
            value={(rule.where ?? []).map((w) => `${w.prop}=${w.value ?? ''}`).join(',')}
            onChange={(e) =>
              onChange({
                ...rule,
                where: e.target.value
                  .split(',')
                  .map((s) => s.split('='))
                  .filter(([p]) => p?.trim())
                  .map(([prop, v]) => ({ prop: prop!.trim(), op: 'eq', value: parseScalar(v ?? '') })),
              })
            }
          />
        </>
      )}
      {'crm' in rule && (
        <>
          <Select
            style={{ width: 100 }}
            value={rule.crm}
            onChange={(crm) => onChange({ ...rule, crm })}
            options={[
              { value: 'contact', label: t('cdp.rule.contact') },
              { value: 'customer', label: t('cdp.rule.customer') },
            ]}
          />
          <Input
            style={{ width: 120 }}
            value={rule.field}
            onChange={(e) => onChange({ ...rule, field: e.target.value })}
          />
          {opSelect(rule.op, (op) => onChange({ ...rule, op }))}
          {valueBox(rule.value, (value) => onChange({ ...rule, value }))}
        </>
      )}
    </Space>
  );
}

export function RuleBuilder({
  value,
  onChange,
  tags,
  depth = 0,
  onRemove,
}: {
  value: Rule;
  onChange: (r: Rule) => void;
  tags: { key: string; name: string }[];
  depth?: number;
  onRemove?: () => void;
}) {
  const { t } = useTranslation();
  if (!('and' in value) && !('or' in value)) {
    if ('not' in value)
      return (
        <RuleBuilder
          value={value.not}
          onChange={(r) => onChange({ not: r })}
          tags={tags}
          depth={depth}
          onRemove={onRemove}
        />
      );
    return (
      <Space align="start" style={{ width: '100%' }} data-testid="rule-leaf">
        <LeafEditor rule={value} onChange={onChange} tags={tags} />
        {onRemove && (
          <Button
            size="small"
            icon={<DeleteOutlined />}
            onClick={onRemove}
            aria-label={t('cdp.rule.remove')}
          />
        )}
      </Space>
    );
  }
  const mode = 'and' in value ? 'and' : 'or';
  const children = 'and' in value ? value.and : value.or;
  const set = (list: Rule[]) => onChange(mode === 'and' ? { and: list } : { or: list });
  return (
    <Card
      size="small"
      style={{ background: depth % 2 ? '#fafafa' : undefined }}
      title={
        <Select
          size="small"
          value={mode}
          style={{ width: 150 }}
          data-testid="rule-mode"
          onChange={(m) => onChange(m === 'and' ? { and: children } : { or: children })}
          options={[
            { value: 'and', label: t('cdp.rule.all') },
            { value: 'or', label: t('cdp.rule.any') },
          ]}
        />
      }
      extra={onRemove && <Button size="small" icon={<DeleteOutlined />} onClick={onRemove} />}
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        {children.map((c, i) => (
          <RuleBuilder
            // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity of their own
            key={i}
            value={c}
            tags={tags}
            depth={depth + 1}
            onChange={(r) => set(children.map((x, j) => (j === i ? r : x)))}
            onRemove={children.length > 1 ? () => set(children.filter((_, j) => j !== i)) : undefined}
          />
        ))}
        <Space>
          <Button
            size="small"
            icon={<PlusOutlined />}
            onClick={() => set([...children, { trait: 'plan', op: 'eq', value: '' }])}
            data-testid="rule-add"
          >
            {t('cdp.rule.addCondition')}
          </Button>
          {depth < 3 && (
            <Button
              size="small"
              icon={<PlusOutlined />}
              onClick={() => set([...children, { or: [{ trait: 'plan', op: 'eq', value: '' }] }])}
            >
              {t('cdp.rule.addGroup')}
            </Button>
          )}
        </Space>
      </Space>
    </Card>
  );
}
