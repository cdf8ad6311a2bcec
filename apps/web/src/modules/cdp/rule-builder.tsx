import { DeleteOutlined, FilterOutlined, PlusOutlined } from '@ant-design/icons';
import { AutoComplete, Button, Card, Input, InputNumber, Select, Space, Typography } from 'antd';
import type { TFunction } from 'i18next';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { type FieldMeta, normalizeOptions, useLabel, useObjectMeta } from '../../app/meta';
import { type Rule, type Scalar, useEventNames, useEventProperties } from './cdp-api';

/** Nested AND/OR builder over traits, tags, event counts/sums in a window, and CRM fields. */
const OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'notExists'];
const FILTER_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'];
const COUNT_OPS = ['gte', 'gt', 'lte', 'lt', 'eq'];
const NO_VALUE = ['exists', 'notExists'];
/** Relative to today, with a number of days instead of a value (the server's DATE_OPS). */
const DATE_OPS = ['withinNext', 'withinLast', 'moreThanDaysAgo', 'moreThanDaysAhead'];
const DATE_TYPES = new Set(['date', 'datetime']);
const isDateOp = (op?: string) => !!op && DATE_OPS.includes(op);
/** CRM columns the rule engine compares directly (custom fields and money live elsewhere). */
const CRM_FIELD_TYPES = new Set([
  'text',
  'number',
  'percent',
  'picklist',
  'boolean',
  'email',
  'phone',
  'url',
  'region',
  'date',
  'datetime',
]);

type Leaf = Exclude<Rule, { and: Rule[] } | { or: Rule[] } | { not: Rule }>;
type EventLeaf = Extract<Rule, { event: string }>;
type Filter = NonNullable<EventLeaf['where']>[number];

/** Numbers typed into a value box compare as numbers, `true`/`false` as booleans. */
export function parseScalar(s: string): Scalar {
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (s.trim() !== '' && !Number.isNaN(Number(s))) return Number(s);
  return s;
}

/** One line of text for a rule: used for a tag's "why" and in the catalogue. */
export function ruleText(r: Rule, t: TFunction, tagName: (key: string) => string = (k) => k): string {
  const val = (v: unknown) => (v === undefined ? '' : Array.isArray(v) ? v.join('/') : String(v));
  const cmp = (op: string, v: unknown) =>
    NO_VALUE.includes(op) ? t(`cdp.op.${op}`) : `${t(`cdp.op.${op}`)} ${val(v)}`;
  const wrap = (list: Rule[], sep: string) =>
    list
      .map((c) => ('and' in c || 'or' in c ? `(${ruleText(c, t, tagName)})` : ruleText(c, t, tagName)))
      .join(sep);
  if ('and' in r) return wrap(r.and, ` ${t('cdp.rule.and')} `);
  if ('or' in r) return wrap(r.or, ` ${t('cdp.rule.or')} `);
  if ('not' in r) return `${t('cdp.rule.not')} (${ruleText(r.not, t, tagName)})`;
  if ('event' in r) {
    const where = (r.where ?? []).map((w) => `${w.prop} ${cmp(w.op, w.value)}`).join(', ');
    const what = r.agg === 'sum' ? t('cdp.rule.sumOf', { prop: r.property ?? '' }) : t('cdp.rule.countOf');
    return t('cdp.rule.eventText', {
      days: r.withinDays,
      event: r.event,
      where: where ? ` (${where})` : '',
      what,
      cmp: cmp(r.op, r.value),
    });
  }
  if ('tag' in r)
    return !r.op || r.op === 'has' || r.op === 'notHas'
      ? `${t(`cdp.op.${r.op ?? 'has'}`)} ${tagName(r.tag)}`
      : `${tagName(r.tag)} ${cmp(r.op, r.value)}`;
  const cond = (op: string, v: unknown, days?: number) =>
    isDateOp(op) ? t(`cdp.dateOp.${op}`, { days: days ?? 0 }) : cmp(op, v);
  if ('crm' in r) return `${t(`cdp.rule.${r.crm}`)}.${r.field} ${cond(r.op, r.value, r.days)}`;
  return `${r.trait} ${cond(r.op, r.value, r.days)}`;
}

type FieldLeaf = Extract<Rule, { trait: string }> | Extract<Rule, { crm: string }>;

/** Switching between a value comparison and a relative date swaps `value` for `days`. */
function withOp<T extends FieldLeaf>(rule: T, op: string): T {
  const { value: _v, days: _d, ...rest } = rule;
  if (isDateOp(op)) return { ...rest, op, days: rule.days ?? 30 } as T;
  return {
    ...rest,
    op,
    ...(NO_VALUE.includes(op) ? {} : { value: isDateOp(rule.op) ? '' : rule.value }),
  } as T;
}

/** The days box of a relative-date condition: whole days, 0 to 3650. */
function DaysBox({ days, onChange }: { days?: number; onChange: (d: number) => void }) {
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
function FieldCondition<T extends FieldLeaf>({
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

function OpSelect({
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

function ValueBox({
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

export const matches = (input: string, option?: { value?: unknown }) =>
  String(option?.value ?? '')
    .toLowerCase()
    .includes(input.toLowerCase());

/** An event name, offered from the events the tenant received with how often each came. */
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
  const { t } = useTranslation();
  const names = useEventNames();
  return (
    <AutoComplete
      style={{ width }}
      value={value}
      onChange={onChange}
      options={(names.data?.items ?? []).map((e) => ({
        value: e.name,
        label: (
          <span>
            {e.name}{' '}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              ×{e.count}
            </Typography.Text>
          </span>
        ),
      }))}
      filterOption={matches}
      placeholder={t('cdp.rule.eventName')}
      data-testid={testId}
    />
  );
}

function EventEditor({ rule, onChange }: { rule: EventLeaf; onChange: (r: EventLeaf) => void }) {
  const { t } = useTranslation();
  const props = useEventProperties(rule.event || undefined);
  const propItems = props.data?.items ?? [];
  const numeric = propItems.filter((p) => p.types.includes('number'));
  const where = rule.where ?? [];
  const setWhere = (list: Filter[]) => onChange({ ...rule, where: list.length ? list : undefined });
  const onlyText = (prop: string) => {
    const p = propItems.find((x) => x.key === prop);
    return !!p && p.types.every((x) => x === 'string');
  };
  return (
    <Space direction="vertical" size={4} style={{ width: '100%' }}>
      <Space wrap size={4}>
        <EventNameInput
          width={170}
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
            options={numeric.map((p) => ({ value: p.key }))}
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
            options={propItems.map((p) => ({ value: p.key }))}
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

/**
 * A field from metadata (typed by hand while there is none) and its condition;
 * a picklist offers its values. Changing the field keeps a days value, clears any other.
 */
function MetaFieldCondition<T extends FieldLeaf>({
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

function CrmEditor({
  rule,
  onChange,
}: {
  rule: Extract<Rule, { crm: string }>;
  onChange: (r: Extract<Rule, { crm: string }>) => void;
}) {
  const { t } = useTranslation();
  // Fields from metadata when the viewer may read the object; free text otherwise. Only fields the
  // viewer reads in full: the server refuses a rule on a masked or hidden one (it would be an oracle).
  const meta = useObjectMeta(rule.crm);
  const fields = (meta.data?.fields ?? []).filter(
    (f) => !f.isCustom && f.access === 'full' && CRM_FIELD_TYPES.has(f.type),
  );
  return (
    <>
      <Select
        style={{ width: 92 }}
        value={rule.crm}
        onChange={(crm) => onChange({ ...rule, crm, field: 'name' })}
        options={[
          { value: 'contact', label: t('cdp.rule.contact') },
          { value: 'customer', label: t('cdp.rule.customer') },
        ]}
      />
      <MetaFieldCondition
        rule={rule}
        onChange={onChange}
        fields={fields}
        name="field"
        width={130}
        testId="rule-crm-field"
        typed={['number', 'percent', 'boolean']}
      />
    </>
  );
}

/** Field types a record rule compares directly; money compares in major units (¥). */
const RECORD_FIELD_TYPES = new Set([...CRM_FIELD_TYPES, 'currency', 'longtext']);

/** A field condition on records of another object (R2.2): fields offered from its metadata. */
function RecordFieldEditor({
  object,
  rule,
  onChange,
}: {
  object: string;
  rule: Extract<Rule, { trait: string }>;
  onChange: (r: Extract<Rule, { trait: string }>) => void;
}) {
  const { t } = useTranslation();
  const meta = useObjectMeta(object);
  const fields = (meta.data?.fields ?? []).filter(
    (f) => f.access === 'full' && RECORD_FIELD_TYPES.has(f.type),
  );
  return (
    <MetaFieldCondition
      rule={rule}
      onChange={onChange}
      fields={fields}
      name="trait"
      width={140}
      placeholder={t('cdp.rule.field')}
      testId="rule-trait"
      typed={['number', 'percent', 'currency', 'boolean']}
    />
  );
}

const isRecords = (object?: string) => !!object && object !== 'profile';
/** A new condition: a trait of a person, or the name of a record. */
const newLeaf = (object?: string): Rule =>
  isRecords(object) ? { trait: 'name', op: 'contains', value: '' } : { trait: 'plan', op: 'eq', value: '' };

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
  const names = useEventNames();
  const records = isRecords(object);
  const kind = 'trait' in rule ? 'trait' : 'tag' in rule ? 'tag' : 'event' in rule ? 'event' : 'crm';
  const setKind = (k: string) => {
    if (k === 'trait') onChange(newLeaf(object) as Leaf);
    else if (k === 'tag') onChange({ tag: tags[0]?.key ?? '', op: 'has' });
    else if (k === 'event')
      onChange({
        event: names.data?.items[0]?.name ?? 'Product Viewed',
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
      // Records of other objects have fields and tags, no events or linked CRM people.
      options={(records ? ['trait', 'tag'] : ['trait', 'tag', 'event', 'crm']).map((k) => ({
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

/** The rule as the server accepts it while still being edited: half-typed filters are left out. */
export function cleanRule(r: Rule): Rule {
  if ('and' in r) return { and: r.and.map(cleanRule) };
  if ('or' in r) return { or: r.or.map(cleanRule) };
  if ('not' in r) return { not: cleanRule(r.not) };
  if ('event' in r) {
    const where = (r.where ?? []).filter((w) => w.prop.trim());
    const { where: _w, ...rest } = r;
    return where.length ? { ...rest, where } : rest;
  }
  // A relative date carries days, a comparison a value: never both.
  if ('trait' in r || 'crm' in r) {
    const { value: _v, days: _d, ...rest } = r;
    return (
      isDateOp(r.op)
        ? { ...rest, days: r.days ?? 0 }
        : r.value === undefined
          ? rest
          : { ...rest, value: r.value }
    ) as Rule;
  }
  return r;
}
