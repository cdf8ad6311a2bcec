import { sql } from 'kysely';
import { rowScope } from '../../core/auth/principal.ts';
import type { ObjectHooks } from '../../engine/records/object-hooks.ts';

/** Tiers are `[{minQty > 0, unitPrice ≥ 0 integer minor units}]` with distinct minimums, stored sorted. */
export const priceListHooks: ObjectHooks = {
  async beforeWrite(_ctx, items) {
    for (const it of items) {
      if (it.values.tiers === undefined) continue;
      const tiers = it.values.tiers;
      const ok =
        Array.isArray(tiers) &&
        tiers.length > 0 &&
        tiers.length <= 50 &&
        tiers.every(
          (t) =>
            t &&
            typeof t === 'object' &&
            typeof t.minQty === 'number' &&
            t.minQty > 0 &&
            Number.isSafeInteger(t.unitPrice) &&
            t.unitPrice >= 0,
        ) &&
        new Set(tiers.map((t: { minQty: number }) => t.minQty)).size === tiers.length;
      if (!ok) {
        it.errors.push({ field: 'tiers', code: 'json_format' });
        continue;
      }
      it.values.tiers = [...(tiers as { minQty: number; unitPrice: number }[])]
        .map((t) => ({ minQty: t.minQty, unitPrice: t.unitPrice }))
        .sort((a, b) => a.minQty - b.minQty);
    }
  },
};

/** A new quote is a draft with zero totals; it inherits customer and channel from its opportunity. */
export const quoteHooks: ObjectHooks = {
  async beforeWrite(ctx, items, op) {
    for (const it of items) {
      const currency = (it.values.currency ?? it.existing?.currency ?? 'CNY') as string;
      if (op === 'create') {
        it.values.status = 'draft';
        for (const f of ['subtotal', 'discountTotal', 'taxTotal', 'total'])
          it.values[f] = { amount: 0, currency };
        it.values.discountPercent = 0;
        if (typeof it.values.opportunityId === 'string') {
          const o = (
            await sql<{
              customer_id: string | null;
              channel: string | null;
            }>`select customer_id, channel from opportunities
              where tenant_id = ${ctx.principal.tenantId} and id = ${it.values.opportunityId}`.execute(ctx.tx)
          ).rows[0];
          if (o && !it.values.channel) it.values.channel = o.channel;
        }
      } else if (it.values.currency && it.existing && it.values.currency !== it.existing.currency) {
        // Lines are priced in the quote's currency: changing it means re-pricing, which only a lines write does.
        it.errors.push({ field: 'currency', code: 'read_only' });
      }
    }
  },
};

/**
 * A target belongs where its subject is: a person's target is owned by that person (so their
 * own-scope role sees it) and sits in their unit; a unit target sits in that unit. The subject
 * must be inside the creator's scope on targets.
 */
export const targetHooks: ObjectHooks = {
  async beforeWrite(ctx, items) {
    const scope = rowScope(ctx.principal, 'target');
    for (const it of items) {
      const v = {
        ...(it.existing
          ? {
              scopeType: it.existing.scope_type,
              userId: it.existing.target_user_id,
              targetUnitId: it.existing.target_unit_id,
            }
          : {}),
        ...it.values,
      };
      if (v.scopeType === 'user') {
        if (!v.userId) {
          it.errors.push({ field: 'userId', code: 'required' });
          continue;
        }
        const u = (
          await sql<{
            unit_id: string;
          }>`select unit_id from users where tenant_id = ${ctx.principal.tenantId} and id = ${v.userId}`.execute(
            ctx.tx,
          )
        ).rows[0];
        if (!u) continue;
        if (
          scope.unitIds !== null &&
          (scope.ownerId ? v.userId !== ctx.principal.userId : !scope.unitIds.includes(u.unit_id))
        ) {
          it.errors.push({ field: 'userId', code: 'out_of_scope' });
          continue;
        }
        if (it.values.userId !== undefined || !it.existing) {
          it.values.ownerId = v.userId;
          it.values.unitId = u.unit_id;
        }
      } else {
        if (!v.targetUnitId) {
          it.errors.push({ field: 'targetUnitId', code: 'required' });
          continue;
        }
        if (scope.unitIds !== null && !scope.unitIds.includes(v.targetUnitId as string)) {
          it.errors.push({ field: 'targetUnitId', code: 'out_of_scope' });
          continue;
        }
        if (it.values.targetUnitId !== undefined || !it.existing) it.values.unitId = v.targetUnitId;
      }
    }
  },
};
