import type { FieldMeta, FieldType } from '../app/meta';

export type FilterOp =
  | 'eq'
  | 'ne'
  | 'in'
  | 'notIn'
  | 'contains'
  | 'notContains'
  | 'startsWith'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'between'
  | 'isEmpty'
  | 'isNotEmpty'
  | 'hasAny'
  | 'hasAll'
  | 'inLastDays'
  | 'inNextDays'
  | 'today'
  | 'thisWeek'
  | 'thisMonth'
  | 'thisYear';

export interface FilterCondition {
  field: string;
  op: FilterOp;
  value?: unknown;
}

export type FilterNode = { and: FilterNode[] } | { or: FilterNode[] } | { not: FilterNode } | FilterCondition;

/** Editor state: a root group holding conditions and one level of sub-groups. */
export interface EditCondition {
  kind: 'cond';
  key: string;
  field?: string;
  op?: FilterOp;
  value?: unknown;
}

export interface EditGroup {
  kind: 'group';
  key: string;
  logic: 'and' | 'or';
  children: Array<EditCondition | EditGroup>;
}

let seq = 0;
export const newKey = () => `k${Date.now().toString(36)}${(seq++).toString(36)}`;

export const emptyGroup = (logic: 'and' | 'or' = 'and'): EditGroup => ({
  kind: 'group',
  key: newKey(),
  logic,
  children: [],
});
export const emptyCondition = (): EditCondition => ({ kind: 'cond', key: newKey() });

export const NO_VALUE_OPS: FilterOp[] = [
  'isEmpty',
  'isNotEmpty',
  'today',
  'thisWeek',
  'thisMonth',
  'thisYear',
];
export const MULTI_VALUE_OPS: FilterOp[] = ['in', 'notIn', 'hasAny', 'hasAll'];

const TEXT_OPS: FilterOp[] = ['contains', 'eq', 'ne', 'notContains', 'startsWith', 'isEmpty', 'isNotEmpty'];
const NUM_OPS: FilterOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'isEmpty', 'isNotEmpty'];
const DATE_OPS: FilterOp[] = [
  'eq',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'today',
  'thisWeek',
  'thisMonth',
  'thisYear',
  'inLastDays',
  'inNextDays',
  'isEmpty',
  'isNotEmpty',
];
const REF_OPS: FilterOp[] = ['eq', 'ne', 'in', 'notIn', 'isEmpty', 'isNotEmpty'];

const OPS_BY_TYPE: Record<FieldType, FilterOp[]> = {
  text: TEXT_OPS,
  longtext: ['contains', 'notContains', 'isEmpty', 'isNotEmpty'],
  phone: TEXT_OPS,
  email: TEXT_OPS,
  url: TEXT_OPS,
  number: NUM_OPS,
  currency: NUM_OPS,
  percent: NUM_OPS,
  date: DATE_OPS,
  datetime: DATE_OPS,
  boolean: ['eq'],
  picklist: REF_OPS,
  multipicklist: ['hasAny', 'hasAll', 'isEmpty', 'isNotEmpty'],
  lookup: REF_OPS,
  user: REF_OPS,
  unit: REF_OPS,
  region: ['eq', 'in', 'startsWith', 'isEmpty', 'isNotEmpty'],
  json: ['isEmpty', 'isNotEmpty'],
};

/** Masked fields accept only equality and emptiness (contract). */
export function opsForField(field: FieldMeta): FilterOp[] {
  const ops = OPS_BY_TYPE[field.type] ?? TEXT_OPS;
  if (field.access === 'masked') return ['eq', 'in', 'isEmpty', 'isNotEmpty'];
  return ops;
}

function isComplete(c: EditCondition): boolean {
  if (!c.field || !c.op) return false;
  if (NO_VALUE_OPS.includes(c.op)) return true;
  if (c.value === undefined || c.value === null || c.value === '') return false;
  if (Array.isArray(c.value)) {
    if (c.op === 'between')
      return c.value.length === 2 && c.value.every((v) => v !== null && v !== undefined && v !== '');
    return c.value.length > 0;
  }
  return true;
}

export function toFilter(group: EditGroup): FilterNode | null {
  const parts: FilterNode[] = [];
  for (const child of group.children) {
    if (child.kind === 'group') {
      const sub = toFilter(child);
      if (sub) parts.push(sub);
    } else if (isComplete(child)) {
      const cond: FilterCondition = { field: child.field!, op: child.op! };
      if (!NO_VALUE_OPS.includes(child.op!)) cond.value = child.value;
      parts.push(cond);
    }
  }
  if (parts.length === 0) return null;
  if (parts.length === 1 && group.logic === 'and') return parts[0];
  return group.logic === 'and' ? { and: parts } : { or: parts };
}

export function fromFilter(node: FilterNode | null | undefined): EditGroup {
  if (!node) return emptyGroup();
  const toChild = (n: FilterNode): EditCondition | EditGroup => {
    if ('and' in n || 'or' in n) return fromFilter(n);
    if ('not' in n) return fromFilter(n.not); // not is not editable; best effort
    return { kind: 'cond', key: newKey(), field: n.field, op: n.op, value: n.value };
  };
  if ('and' in node) return { kind: 'group', key: newKey(), logic: 'and', children: node.and.map(toChild) };
  if ('or' in node) return { kind: 'group', key: newKey(), logic: 'or', children: node.or.map(toChild) };
  return { kind: 'group', key: newKey(), logic: 'and', children: [toChild(node)] };
}

export function countConditions(group: EditGroup): number {
  return group.children.reduce(
    (n, c) => n + (c.kind === 'group' ? countConditions(c) : isComplete(c) ? 1 : 0),
    0,
  );
}

/**
 * The parts of a filter shown as chips above a list: each condition of a top-level "all of"
 * separately (removable one by one); an "any of" or a negation is one chip.
 */
export function filterParts(node: FilterNode | null | undefined): FilterNode[] {
  if (!node) return [];
  return 'and' in node ? node.and : [node];
}

/** The filter without its `index`-th part (null when nothing is left). */
export function withoutPart(node: FilterNode | null | undefined, index: number): FilterNode | null {
  const rest = filterParts(node).filter((_, i) => i !== index);
  if (rest.length === 0) return null;
  return rest.length === 1 ? rest[0]! : { and: rest };
}

/** A filter read from the URL (`?filter=<json>`): null when absent or not a filter. */
export function parseFilterParam(raw: string | null): FilterNode | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as unknown;
    const ok = (n: unknown): boolean => {
      if (!n || typeof n !== 'object') return false;
      const o = n as Record<string, unknown>;
      if (Array.isArray(o.and)) return o.and.every(ok);
      if (Array.isArray(o.or)) return o.or.every(ok);
      if ('not' in o) return ok(o.not);
      return typeof o.field === 'string' && typeof o.op === 'string';
    };
    return ok(v) ? (v as FilterNode) : null;
  } catch {
    return null;
  }
}
