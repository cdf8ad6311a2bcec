import { dataScopeFor, type Principal } from '../core/auth/principal.ts';
import type { FilterNode } from './records/filter.ts';
import type { RecordCtx } from './records/record.service.ts';

/**
 * What the modules' home cards ("my day") share: how many rows a card shows and reads, and how
 * a card turns record values into what people read. Cards read only through their module's
 * scoped services, so row scope and field masking stay theirs.
 */
export const TOP = 5;
/**
 * Lists read this many rows instead of asking for a separate count: a card says "20+" past it,
 * and the statement budget of the page stays near ten.
 */
export const WINDOW = 20;
export const HOUR = 3600;

type Label = Record<string, string>;

/** The tenant's month, in China time like the rest of the sales figures. */
export function chinaMonth(now = Date.now()): string {
  return new Date(now + 8 * 3_600_000).toISOString().slice(0, 7);
}

export const mine = (p: Principal): FilterNode => ({ field: 'ownerId', op: 'eq', value: p.userId });
/** Managers see a team: a scope wider than their own rows on that object. */
export const seesTeam = (p: Principal, object: string) => dataScopeFor(p, object) !== 'own';

export function optionLabel(ctx: RecordCtx, field: string, value: unknown): Label | null {
  const f = ctx.obj.fields.find((x) => x.apiName === field);
  const o = f?.options?.find((x) => x.value === value);
  return (o?.label as Label | undefined) ?? null;
}

export const display = (rec: Record<string, unknown>, field: string): string | null =>
  (rec._display as Record<string, string> | undefined)?.[field] ?? null;
