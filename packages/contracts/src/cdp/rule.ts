import { z } from 'zod';
import { depthLimited } from '../tree-depth.ts';

/**
 * The rule AST tags and segments are defined with (ARCHITECTURE §5). The server's two
 * evaluators (apps/server/src/modules/cdp/rules.ts) give it its meaning; this is its wire form,
 * the same in requests and in the tags and segments the server answers with.
 */

export const CMP_OPS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'contains',
  'exists',
  'notExists',
] as const;
export type CmpOp = (typeof CMP_OPS)[number];
export type Scalar = string | number | boolean;

/** Relative to today: within the next / last N days (today included), more than N days ago / ahead. */
export const DATE_OPS = ['withinNext', 'withinLast', 'moreThanDaysAgo', 'moreThanDaysAhead'] as const;
export type DateOp = (typeof DATE_OPS)[number];

export interface ValueCond {
  op: CmpOp;
  value?: Scalar | Scalar[];
}
export interface DateCond {
  op: DateOp;
  days: number;
}
/** A field (trait, CRM field, record field) condition: a value comparison or a relative date. */
export type FieldCond = ValueCond | DateCond;
export type TraitRule = FieldCond & { trait: string };
export interface TagRule {
  tag: string;
  op?: 'has' | 'notHas' | CmpOp;
  value?: Scalar | Scalar[];
}
export interface PropCond extends ValueCond {
  prop: string;
}
export interface EventRule {
  event: string;
  where?: PropCond[];
  withinDays: number;
  agg?: 'count' | 'sum';
  property?: string;
  op: 'gte' | 'gt' | 'lte' | 'lt' | 'eq';
  value: number;
}
export type CrmRule = FieldCond & {
  crm: 'contact' | 'customer';
  field: string;
};
export type Rule =
  | { and: Rule[] }
  | { or: Rule[] }
  | { not: Rule }
  | TraitRule
  | TagRule
  | EventRule
  | CrmRule;

const NAME = /^[A-Za-z_][A-Za-z0-9_.$ -]{0,99}$/;
const CRM_FIELD = /^[a-z][a-zA-Z0-9_]{0,62}$/;
const scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);
const value = z.union([scalar, z.array(scalar).max(200)]).optional();
const propCond = z.object({ prop: z.string().regex(NAME), op: z.enum(CMP_OPS), value });
const dateDays = z.number().int().min(0).max(3650);

// The recursive type cannot be inferred: it is declared above and the schema is held to it.
const RuleNode: z.ZodType<Rule> = z.lazy(() =>
  z.union([
    z.object({ and: z.array(RuleNode).min(1).max(50) }).strict(),
    z.object({ or: z.array(RuleNode).min(1).max(50) }).strict(),
    z.object({ not: RuleNode }).strict(),
    z.object({ trait: z.string().regex(NAME), op: z.enum(CMP_OPS), value }).strict(),
    z.object({ trait: z.string().regex(NAME), op: z.enum(DATE_OPS), days: dateDays }).strict(),
    z
      .object({
        tag: z.string().min(1).max(100),
        op: z.enum(['has', 'notHas', ...CMP_OPS]).optional(),
        value,
      })
      .strict(),
    z
      .object({
        event: z.string().min(1).max(200),
        where: z.array(propCond).max(10).optional(),
        withinDays: z.number().int().min(1).max(730),
        agg: z.enum(['count', 'sum']).optional(),
        property: z.string().regex(NAME).optional(),
        op: z.enum(['gte', 'gt', 'lte', 'lt', 'eq']),
        value: z.number().finite(),
      })
      .strict(),
    z
      .object({
        crm: z.enum(['contact', 'customer']),
        field: z.string().regex(CRM_FIELD),
        op: z.enum(CMP_OPS),
        value,
      })
      .strict(),
    z
      .object({
        crm: z.enum(['contact', 'customer']),
        field: z.string().regex(CRM_FIELD),
        op: z.enum(DATE_OPS),
        days: dateDays,
      })
      .strict(),
  ]),
) as z.ZodType<Rule>;

/** The rule AST: and/or/not nest at most 20 levels (field error `max_depth`), like record filters. */
export const Rule: z.ZodType<Rule> = depthLimited(RuleNode, 20);
