import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';

/** What another module (dealers) may read of the product catalogue. */
export interface CatalogueProduct {
  id: string;
  name: string;
  code: string | null;
  category: string | null;
  uom: string | null;
  /** List price in fen (CNY only); null when none is set. */
  listPrice: number | null;
}

/**
 * The tenant's active products (all of them, or those of `ids`). The catalogue is the brand's
 * price list, shown to every dealer of the tenant, so it is read without the record engine's unit
 * scope; RLS keeps it to the tenant.
 */
export async function catalogueProducts(
  tx: Tx,
  tenantId: string,
  ids?: string[],
): Promise<CatalogueProduct[]> {
  const rows = (
    await sql<any>`select id, name, code, category, uom, list_price from products
      where tenant_id = ${tenantId} and deleted_at is null and is_active
        ${ids ? sql`and id = any(${ids}::uuid[])` : sql``}
      order by category nulls last, name limit 2000`.execute(tx)
  ).rows;
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    code: r.code,
    category: r.category,
    uom: r.uom,
    listPrice:
      r.list_price &&
      (r.list_price.currency ?? 'CNY') === 'CNY' &&
      Number.isFinite(Number(r.list_price.amount))
        ? Number(r.list_price.amount)
        : null,
  }));
}
