import { sql } from 'kysely';
import { rowScope } from '../../core/auth/principal.ts';
import type { ObjectHooks } from '../../engine/records/object-hooks.ts';

/**
 * Where a document comes from, nearest first: lookup field and the table it points at. A
 * quote comes from an opportunity, a contract from a quote, an order from a contract, a
 * receipt from an order.
 */
const PARENTS: Record<string, [field: string, table: string][]> = {
  quote: [['opportunityId', 'opportunities']],
  contract: [
    ['quoteId', 'quotes'],
    ['opportunityId', 'opportunities'],
  ],
  order: [
    ['contractId', 'contracts'],
    ['quoteId', 'quotes'],
    ['opportunityId', 'opportunities'],
  ],
  payment: [['orderId', 'orders']],
};

/**
 * A document made from another belongs to the deal's owner and unit, not to whoever clicked:
 * a manager turning a salesperson's quote into a contract must not take the order out of the
 * salesperson's own-scope view (customer 360, lists, targets). An owner or unit given
 * explicitly wins; so does the caller when the deal's owner lies outside the caller's scope on
 * the new object (they would otherwise create a record they cannot read back).
 */
export function ownershipHooks(object: string): ObjectHooks {
  const parents = PARENTS[object] ?? [];
  return {
    async beforeWrite(ctx, items, op) {
      if (op !== 'create') return;
      const wanted = new Map<string, Set<string>>();
      const sourceOf = new Map<number, [table: string, id: string]>();
      for (const it of items) {
        if (it.values.ownerId !== undefined || it.values.unitId !== undefined) continue;
        const parent = parents.find(([field]) => typeof it.values[field] === 'string');
        if (!parent) continue;
        const id = it.values[parent[0]] as string;
        sourceOf.set(it.index, [parent[1], id]);
        wanted.set(parent[1], (wanted.get(parent[1]) ?? new Set()).add(id));
      }
      if (sourceOf.size === 0) return;
      const found = new Map<string, { owner_id: string | null; unit_id: string }>();
      for (const [table, ids] of wanted) {
        const rows = (
          await sql<{ id: string; owner_id: string | null; unit_id: string }>`
            select id, owner_id, unit_id from ${sql.table(table)}
            where tenant_id = ${ctx.principal.tenantId} and id = any(${[...ids]}::uuid[])`.execute(ctx.tx)
        ).rows;
        for (const r of rows) found.set(`${table}:${r.id}`, r);
      }
      const scope = rowScope(ctx.principal, ctx.obj.apiName);
      for (const it of items) {
        const src = sourceOf.get(it.index);
        const p = src && found.get(`${src[0]}:${src[1]}`);
        if (!p?.owner_id) continue;
        const visible = scope.ownerId
          ? p.owner_id === ctx.principal.userId
          : scope.unitIds === null || scope.unitIds.includes(p.unit_id);
        if (!visible) continue;
        it.values.ownerId = p.owner_id;
        it.values.unitId = p.unit_id;
      }
    },
  };
}

export const ownedDocuments = Object.keys(PARENTS);
