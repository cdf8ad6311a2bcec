import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Input, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { type Rule, useEventCatalogue } from './cdp-api';
import { EventEditor } from './event-editor';
import { CrmEditor, RecordFieldEditor } from './field-editors';
import { FieldCondition, OpSelect, ValueBox } from './rule-inputs';
import { isRecords, type Leaf, newLeaf } from './rule-model';

// Nested AND/OR builder over traits, tags, event counts/sums in a window, and CRM fields.

function LeafEditor({
  rule,
  onChange,
  tags,
  object,
}: {
  rule: Leaf;
  onChange: (r: Leaf) => void;
  tags: { key: string; name: string }[];
  object?: string;
}) {
  const { t } = useTranslation();
  const catalogue = useEventCatalogue();
  const records = isRecords(object);
  const kind = 'trait' in rule ? 'trait' : 'tag' in rule ? 'tag' : 'event' in rule ? 'event' : 'crm';
  const setKind = (k: string) => {
    if (k === 'trait') onChange(newLeaf(object) as Leaf);
    else if (k === 'tag') onChange({ tag: tags[0]?.key ?? '', op: 'has' });
    else if (k === 'event')
      onChange({
        // The busiest event received (the catalogue lists those first), else a standard one.
        event: catalogue.data?.items[0]?.name ?? 'Product Viewed',
        withinDays: 7,
        op: 'gte',
        value: 1,
      });
    else onChange({ crm: 'contact', field: 'name', op: 'eq', value: '' });
  };
  const kindSelect = (
    <Select
      style={{ width: 96 }}
      value={kind}
      onChange={setKind}
      data-testid="rule-kind"
      // Records of other objects have fields, tags and the events of the people linked to them
      // (a customer's own profiles, a vehicle's owner's); CRM conditions are for profiles.
      options={(records ? ['trait', 'tag', 'event'] : ['trait', 'tag', 'event', 'crm']).map((k) => ({
        value: k,
        label: t(records && k === 'trait' ? 'cdp.rule.field' : `cdp.rule.${k}`),
      }))}
    />
  );
  if ('event' in rule)
    return (
      <Space align="start" size={4} wrap>
        {kindSelect}
        <EventEditor rule={rule} onChange={onChange} />
      </Space>
    );
  return (
    <Space wrap size={4}>
      {kindSelect}
      {'trait' in rule && records && <RecordFieldEditor object={object!} rule={rule} onChange={onChange} />}
      {'trait' in rule && !records && (
        <>
          <Input
            style={{ width: 120 }}
            value={rule.trait}
            onChange={(e) => onChange({ ...rule, trait: e.target.value })}
            data-testid="rule-trait"
          />
          {/* Traits have no declared type: a date trait ("2025-06-30", ISO date-time) may use dates. */}
          <FieldCondition
            rule={rule}
            onChange={onChange}
            dates
            valueBox={<ValueBox value={rule.value} onChange={(value) => onChange({ ...rule, value })} />}
          />
        </>
      )}
      {'tag' in rule && (
        <>
          <Select
            style={{ width: 150 }}
            value={rule.tag}
            onChange={(tag) => onChange({ ...rule, tag })}
            options={tags.map((x) => ({ value: x.key, label: x.name }))}
            showSearch
            optionFilterProp="label"
            data-testid="rule-tag"
          />
          <OpSelect
            op={rule.op ?? 'has'}
            onChange={(op) => onChange({ ...rule, op })}
            ops={['has', 'notHas', 'gte', 'lte', 'eq']}
          />
          {rule.op && !['has', 'notHas'].includes(rule.op) && (
            <ValueBox value={rule.value} onChange={(value) => onChange({ ...rule, value })} />
          )}
        </>
      )}
      {'crm' in rule && <CrmEditor rule={rule} onChange={onChange} />}
    </Space>
  );
}

export function RuleBuilder({
  value,
  onChange,
  tags,
  depth = 0,
  onRemove,
  object,
}: {
  value: Rule;
  onChange: (r: Rule) => void;
  tags: { key: string; name: string }[];
  depth?: number;
  onRemove?: () => void;
  /** `profile` (default) or another object whose records the rule selects. */
  object?: string;
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
          object={object}
        />
      );
    return (
      <div
        data-testid="rule-leaf"
        style={{ display: 'flex', gap: 4, alignItems: 'flex-start', justifyContent: 'space-between' }}
      >
        <LeafEditor rule={value} onChange={onChange} tags={tags} object={object} />
        {onRemove && (
          <Button
            size="small"
            icon={<DeleteOutlined />}
            onClick={onRemove}
            aria-label={t('cdp.rule.remove')}
          />
        )}
      </div>
    );
  }
  const mode = 'and' in value ? 'and' : 'or';
  const children = 'and' in value ? value.and : value.or;
  const set = (list: Rule[]) => onChange(mode === 'and' ? { and: list } : { or: list });
  return (
    <Card
      size="small"
      style={{ background: depth % 2 ? '#fafafa' : undefined }}
      styles={{ body: { padding: 8 } }}
      title={
        <Select
          size="small"
          value={mode}
          style={{ width: 120 }}
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
            object={object}
            depth={depth + 1}
            onChange={(r) => set(children.map((x, j) => (j === i ? r : x)))}
            onRemove={children.length > 1 ? () => set(children.filter((_, j) => j !== i)) : undefined}
          />
        ))}
        <Space wrap>
          <Button
            size="small"
            icon={<PlusOutlined />}
            onClick={() => set([...children, newLeaf(object)])}
            data-testid="rule-add"
          >
            {t('cdp.rule.addCondition')}
          </Button>
          {depth < 3 && (
            <Button
              size="small"
              icon={<PlusOutlined />}
              onClick={() => set([...children, { or: [newLeaf(object)] }])}
            >
              {t('cdp.rule.addGroup')}
            </Button>
          )}
        </Space>
      </Space>
    </Card>
  );
}
