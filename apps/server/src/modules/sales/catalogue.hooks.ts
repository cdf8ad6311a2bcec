import { sql } from 'kysely';
import type { ObjectHooks } from '../../records/object-hooks.ts';

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
