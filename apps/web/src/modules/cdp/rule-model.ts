import type { TFunction } from 'i18next';
import type { Rule, Scalar } from './cdp-api';

// The rule builder's logic without its widgets: operators, the text a rule reads as, and the
// rule as it goes to the server. Pure (type-only imports), so `node --test` runs its tests.

export const OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'notExists'];

export const FILTER_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'];

export const COUNT_OPS = ['gte', 'gt', 'lte', 'lt', 'eq'];

export const NO_VALUE = ['exists', 'notExists'];

/** Relative to today, with a number of days instead of a value (the server's DATE_OPS). */
export const DATE_OPS = ['withinNext', 'withinLast', 'moreThanDaysAgo', 'moreThanDaysAhead'];

export const DATE_TYPES = new Set(['date', 'datetime']);

export const isDateOp = (op?: string) => !!op && DATE_OPS.includes(op);

/** CRM columns the rule engine compares directly (custom fields and money live elsewhere). */
export const CRM_FIELD_TYPES = new Set([
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

/** Field types a record rule compares directly; money compares in major units (¥). */
export const RECORD_FIELD_TYPES = new Set([...CRM_FIELD_TYPES, 'currency', 'longtext']);

export type Leaf = Exclude<Rule, { and: Rule[] } | { or: Rule[] } | { not: Rule }>;

export type EventLeaf = Extract<Rule, { event: string }>;

export type Filter = NonNullable<EventLeaf['where']>[number];

export type FieldLeaf = Extract<Rule, { trait: string }> | Extract<Rule, { crm: string }>;

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

/** How a rule names what it reads: events, properties, tags and traits as people call them. */
export interface RuleNames {
  tag?: (key: string) => string;
  event?: (name: string) => string;
  prop?: (event: string | null, key: string) => string;
}

/**
 * A rule in words, as a segment's page shows it: display names instead of codes and symbols for
 * comparisons — "近 30 天 浏览商品 ≥ 3 次 且 城市 = 深圳".
 */
export function ruleWords(r: Rule, t: TFunction, names: RuleNames = {}): string {
  const tag = names.tag ?? ((k: string) => k);
  const event = names.event ?? ((n: string) => n);
  const prop = names.prop ?? ((_e: string | null, k: string) => k);
  const trait = (k: string) => t(`cdp.traitName.${k}`, { defaultValue: k });
  const val = (v: unknown) => (v === undefined ? '' : Array.isArray(v) ? v.join(' / ') : String(v));
  const cmp = (op: string, v: unknown) =>
    NO_VALUE.includes(op) ? t(`cdp.opWord.${op}`) : `${t(`cdp.opWord.${op}`)} ${val(v)}`;
  const wrap = (list: Rule[], sep: string) =>
    list
      .map((c) => ('and' in c || 'or' in c ? `(${ruleWords(c, t, names)})` : ruleWords(c, t, names)))
      .join(sep);
  if ('and' in r) return wrap(r.and, ` ${t('cdp.rule.and')} `);
  if ('or' in r) return wrap(r.or, ` ${t('cdp.rule.or')} `);
  if ('not' in r) return `${t('cdp.rule.not')} (${ruleWords(r.not, t, names)})`;
  if ('event' in r) {
    const where = (r.where ?? []).map((w) => `${prop(r.event, w.prop)} ${cmp(w.op, w.value)}`).join(', ');
    const params = {
      days: r.withinDays,
      event: event(r.event),
      where: where ? t('cdp.words.whereWords', { where }) : '',
      cmp: cmp(r.op, r.value),
    };
    return r.agg === 'sum'
      ? t('cdp.words.sumWords', { ...params, prop: prop(r.event, r.property ?? '') })
      : t('cdp.words.countWords', params);
  }
  if ('tag' in r)
    return !r.op || r.op === 'has' || r.op === 'notHas'
      ? t(`cdp.words.${r.op === 'notHas' ? 'notHasTag' : 'hasTag'}`, { tag: tag(r.tag) })
      : `${tag(r.tag)} ${cmp(r.op, r.value)}`;
  const cond = (op: string, v: unknown, days?: number) =>
    isDateOp(op) ? t(`cdp.dateOp.${op}`, { days: days ?? 0 }) : cmp(op, v);
  if ('crm' in r) return `${t(`cdp.rule.${r.crm}`)} · ${r.field} ${cond(r.op, r.value, r.days)}`;
  return `${trait(r.trait)} ${cond(r.op, r.value, r.days)}`;
}

/** Switching between a value comparison and a relative date swaps `value` for `days`. */
export function withOp<T extends FieldLeaf>(rule: T, op: string): T {
  const { value: _v, days: _d, ...rest } = rule;
  if (isDateOp(op)) return { ...rest, op, days: rule.days ?? 30 } as T;
  return {
    ...rest,
    op,
    ...(NO_VALUE.includes(op) ? {} : { value: isDateOp(rule.op) ? '' : rule.value }),
  } as T;
}

export const matches = (input: string, option?: { value?: unknown }) =>
  String(option?.value ?? '')
    .toLowerCase()
    .includes(input.toLowerCase());

export const isRecords = (object?: string) => !!object && object !== 'profile';

/** A new condition: a trait of a person, or the name of a record. */
export const newLeaf = (object?: string): Rule =>
  isRecords(object) ? { trait: 'name', op: 'contains', value: '' } : { trait: 'plan', op: 'eq', value: '' };

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
