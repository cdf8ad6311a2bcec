import type {
  CatalogueItem,
  PricePolicy,
  PricePolicyInput,
  Promotion,
  PromotionInput,
} from '@kehu/contracts/dealers';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { type FieldError, invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { catalogueProducts } from '../sales/index.ts';
import { dmsProblem, dt } from './dealers.messages.ts';

export interface Dealer {
  id: string;
  name: string;
}

export const day = (d: unknown) =>
  d instanceof Date
    ? `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
    : String(d).slice(0, 10);

export const today = () => day(new Date());

/**
 * The dealer a request is about: the one named (it must be a dealer in the caller's subtree, else
 * 404 — another dealer's things do not exist for you), or the caller's own unit.
 */
export async function resolveDealer(
  tx: Tx,
  p: Principal,
  locale: Locale,
  dealerUnitId?: string | null,
): Promise<Dealer> {
  const id = dealerUnitId ?? p.unitId;
  const u = (
    await sql<any>`select id, name, type from units where tenant_id = ${p.tenantId} and id = ${id}
      and deleted_at is null`.execute(tx)
  ).rows[0];
  if (!u || !p.subtreeUnitIds.includes(u.id)) throw notFound('dealer');
  if (u.type !== 'dealer') {
    if (dealerUnitId) throw notFound('dealer');
    throw dmsProblem('forbidden', locale, 'not_a_dealer');
  }
  return { id: u.id, name: u.name };
}

interface Price {
  price: number | null;
  policyName: string | null;
}

/**
 * Today's price for each product for one dealer. The most specific policy in force wins: the
 * dealer's own over its tier's, the newest start date over older ones; within a policy a fixed
 * price beats the discount on list price. No policy: list price.
 */
export async function dealerPrices(
  tx: Tx,
  tenantId: string,
  dealerUnitId: string,
  products: { id: string; listPrice: number | null }[],
  on = today(),
): Promise<Map<string, Price>> {
  const policies = (
    await sql<any>`select p.id, p.name, p.discount_percent, p.dealer_unit_id is not null as own
      from dms_price_policies p
      where p.tenant_id = ${tenantId} and p.valid_from <= ${on}::date and (p.valid_to is null or p.valid_to >= ${on}::date)
        and (p.dealer_unit_id = ${dealerUnitId} or p.tier = (select tier from dms_accounts a
          where a.tenant_id = ${tenantId} and a.dealer_unit_id = ${dealerUnitId}))
      order by own desc, p.valid_from desc, p.created_at desc`.execute(tx)
  ).rows;
  const lines = policies.length
    ? (
        await sql<any>`select policy_id, product_id, price from dms_price_policy_lines
          where tenant_id = ${tenantId} and policy_id = any(${policies.map((x) => x.id)}::uuid[])`.execute(tx)
      ).rows
    : [];
  const fixed = new Map(lines.map((l) => [`${l.policy_id}:${l.product_id}`, Number(l.price)]));
  const out = new Map<string, Price>();
  for (const pr of products) {
    let hit: Price | null = null;
    for (const pol of policies) {
      const f = fixed.get(`${pol.id}:${pr.id}`);
      if (f !== undefined) hit = { price: f, policyName: pol.name };
      else if (pol.discount_percent !== null && pr.listPrice !== null)
        hit = {
          price: Math.round((pr.listPrice * Number(pol.discount_percent)) / 100),
          policyName: pol.name,
        };
      if (hit) break;
    }
    out.set(pr.id, hit ?? { price: pr.listPrice, policyName: null });
  }
  return out;
}

/**
 * Catalogue products HQ has listed for dealer ordering (a `dms_products` row: stock and MOQ set).
 * Not every CRM product is orderable by dealers (services, quotes-only items), and a dealer's
 * catalogue changes only when HQ lists something.
 */
export async function listedProducts(tx: Tx, tenantId: string, ids?: string[]) {
  const settings = (
    await sql<any>`select product_id, min_order_qty, on_hand - reserved as available from dms_products
      where tenant_id = ${tenantId} ${ids ? sql`and product_id = any(${ids}::uuid[])` : sql``}`.execute(tx)
  ).rows;
  const bySettings = new Map(
    settings.map((r) => [
      r.product_id as string,
      { moq: Number(r.min_order_qty), available: Number(r.available) },
    ]),
  );
  const products = bySettings.size ? await catalogueProducts(tx, tenantId, [...bySettings.keys()]) : [];
  return products.map((p) => ({ ...p, ...bySettings.get(p.id)! }));
}

export async function catalogue(
  tx: Tx,
  p: Principal,
  locale: Locale,
  dealerUnitId?: string,
): Promise<CatalogueItem[]> {
  const dealer = await resolveDealer(tx, p, locale, dealerUnitId);
  const products = await listedProducts(tx, p.tenantId);
  const prices = await dealerPrices(tx, p.tenantId, dealer.id, products);
  return products.map((pr) => {
    const price = prices.get(pr.id)!;
    return {
      productId: pr.id,
      name: pr.name,
      code: pr.code,
      category: pr.category,
      uom: pr.uom,
      listPrice: pr.listPrice,
      price: price.price,
      policyName: price.policyName,
      minOrderQty: pr.moq,
      available: pr.available,
    };
  });
}

const toPolicy = (r: any): PricePolicy => ({
  id: r.id,
  name: r.name,
  dealerUnitId: r.dealer_unit_id,
  dealerName: r.dealer_name ?? null,
  tier: r.tier,
  discountPercent: r.discount_percent === null ? null : Number(r.discount_percent),
  validFrom: day(r.valid_from),
  validTo: r.valid_to ? day(r.valid_to) : null,
  lines: ((typeof r.lines === 'string' ? JSON.parse(r.lines) : r.lines) ?? []).map((l: any) => ({
    productId: l.productId,
    price: Number(l.price),
  })),
  createdAt: new Date(r.created_at).toISOString(),
});

/** Policies for dealers of the caller's subtree, and tier policies (they apply across dealers). */
export async function listPolicies(tx: Tx, p: Principal): Promise<PricePolicy[]> {
  const rows = (
    await sql<any>`select p.*, u.name as dealer_name,
        (select coalesce(json_agg(json_build_object('productId', l.product_id, 'price', l.price)), '[]')
          from dms_price_policy_lines l where l.tenant_id = p.tenant_id and l.policy_id = p.id) as lines
      from dms_price_policies p left join units u on u.tenant_id = p.tenant_id and u.id = p.dealer_unit_id
      where p.tenant_id = ${p.tenantId} and (p.dealer_unit_id is null or p.dealer_unit_id = any(${p.subtreeUnitIds}::uuid[]))
      order by p.valid_from desc, p.created_at desc limit 500`.execute(tx)
  ).rows;
  return rows.map(toPolicy);
}

export async function createPolicy(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: PricePolicyInput & { lines: { productId: string; price: number }[] },
): Promise<PricePolicy> {
  const errors: FieldError[] = [];
  const err = (field: string, code: string) => errors.push({ field, code, message: dt(locale, code) });
  if (!!input.dealerUnitId === !!input.tier) err('dealerUnitId', 'policy_target');
  if (input.dealerUnitId) await resolveDealer(tx, p, locale, input.dealerUnitId);
  if (input.validTo && input.validTo < input.validFrom) err('validTo', 'dates_order');
  if (input.discountPercent === undefined && input.lines.length === 0) err('discountPercent', 'policy_empty');
  const ids = [...new Set(input.lines.map((l) => l.productId))];
  const known = new Set((await catalogueProducts(tx, p.tenantId, ids)).map((x) => x.id));
  input.lines.forEach((l, i) => {
    if (!known.has(l.productId)) err(`lines.${i}.productId`, 'product_unknown');
  });
  if (errors.length) throw invalid(errors);
  const id = newId();
  await sql`insert into dms_price_policies (tenant_id, id, name, dealer_unit_id, tier, discount_percent, valid_from, valid_to, created_by)
    values (${p.tenantId}, ${id}, ${input.name}, ${input.dealerUnitId ?? null}, ${input.tier ?? null},
      ${input.discountPercent ?? null}, ${input.validFrom}, ${input.validTo ?? null}, ${p.userId})`.execute(
    tx,
  );
  const seen = new Set<string>();
  for (const l of input.lines) {
    if (seen.has(l.productId)) continue;
    seen.add(l.productId);
    await sql`insert into dms_price_policy_lines (tenant_id, policy_id, product_id, price)
      values (${p.tenantId}, ${id}, ${l.productId}, ${l.price})`.execute(tx);
  }
  await writeAudit(tx, actor, { action: 'create', object: 'dms_price_policy', recordId: id });
  return (await listPolicies(tx, p)).find((x) => x.id === id)!;
}

const toPromotion = (r: any): Promotion => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  threshold: Number(r.threshold),
  reduction: r.reduction === null ? null : Number(r.reduction),
  percent: r.percent === null || r.percent === undefined ? null : Number(r.percent),
  specialPrice: r.special_price === null || r.special_price === undefined ? null : Number(r.special_price),
  productId: r.product_id,
  giftProductId: r.gift_product_id,
  giftQty: r.gift_qty,
  dealerUnitId: r.dealer_unit_id,
  startsOn: day(r.starts_on),
  endsOn: day(r.ends_on),
});

/** Promotions that reach the dealer (its own and the all-dealer ones); `on` = in force that day. */
export async function listPromotions(
  tx: Tx,
  p: Principal,
  q: { dealerUnitId?: string; on?: string } = {},
): Promise<Promotion[]> {
  const rows = (
    await sql<any>`select * from dms_promotions where tenant_id = ${p.tenantId}
      and (dealer_unit_id is null or dealer_unit_id = any(${p.subtreeUnitIds}::uuid[]))
      ${q.dealerUnitId ? sql`and (dealer_unit_id is null or dealer_unit_id = ${q.dealerUnitId})` : sql``}
      ${q.on ? sql`and starts_on <= ${q.on}::date and ends_on >= ${q.on}::date` : sql``}
      order by starts_on desc, created_at desc limit 500`.execute(tx)
  ).rows;
  return rows.map(toPromotion);
}

export async function createPromotion(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: PromotionInput,
): Promise<Promotion> {
  const errors: FieldError[] = [];
  const err = (field: string, code: string) => errors.push({ field, code, message: dt(locale, code) });
  if (input.dealerUnitId) await resolveDealer(tx, p, locale, input.dealerUnitId);
  if (input.endsOn < input.startsOn) err('endsOn', 'dates_order');
  if (input.kind === 'full_reduction' && !input.reduction) err('reduction', 'promo_fields');
  if (input.kind === 'percent_off' && !input.percent) err('percent', 'promo_fields');
  if (input.kind === 'special_price') {
    if (!input.productId) err('productId', 'promo_fields');
    if (!input.specialPrice) err('specialPrice', 'promo_fields');
    if (input.productId && (await catalogueProducts(tx, p.tenantId, [input.productId])).length === 0)
      err('productId', 'product_unknown');
  }
  if (input.kind === 'gift') {
    if (!input.productId || !input.giftProductId || !input.giftQty) err('giftProductId', 'promo_fields');
    else {
      const ids = [input.productId, input.giftProductId];
      const known = new Set((await catalogueProducts(tx, p.tenantId, ids)).map((x) => x.id));
      if (!known.has(input.productId)) err('productId', 'product_unknown');
      if (!known.has(input.giftProductId)) err('giftProductId', 'product_unknown');
    }
  }
  if (errors.length) throw invalid(errors);
  const id = newId();
  const k = input.kind;
  const gift = k === 'gift';
  const byProduct = gift || k === 'special_price';
  await sql`insert into dms_promotions (tenant_id, id, name, kind, threshold, reduction, percent, special_price, product_id,
      gift_product_id, gift_qty, dealer_unit_id, starts_on, ends_on, created_by)
    values (${p.tenantId}, ${id}, ${input.name}, ${k}, ${input.threshold},
      ${k === 'full_reduction' ? (input.reduction ?? null) : null}, ${k === 'percent_off' ? (input.percent ?? null) : null},
      ${k === 'special_price' ? (input.specialPrice ?? null) : null},
      ${byProduct ? input.productId : null}, ${gift ? input.giftProductId : null}, ${gift ? input.giftQty : null},
      ${input.dealerUnitId ?? null}, ${input.startsOn}, ${input.endsOn}, ${p.userId})`.execute(tx);
  await writeAudit(tx, actor, { action: 'create', object: 'dms_promotion', recordId: id });
  return toPromotion(
    (await sql<any>`select * from dms_promotions where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx))
      .rows[0],
  );
}

/** HQ stock count and minimum order quantity of one catalogue product. */
export async function saveProductSettings(
  tx: Tx,
  p: Principal,
  actor: Actor,
  productId: string,
  input: { minOrderQty?: number; onHand?: number },
) {
  if ((await catalogueProducts(tx, p.tenantId, [productId])).length === 0) throw notFound('product');
  await sql`insert into dms_products (tenant_id, product_id) values (${p.tenantId}, ${productId}) on conflict do nothing`.execute(
    tx,
  );
  const cur = (
    await sql<any>`select * from dms_products where tenant_id = ${p.tenantId} and product_id = ${productId} for update`.execute(
      tx,
    )
  ).rows[0];
  // A stock count below what approved orders hold is refused by the CHECK (reserved ≤ on hand).
  const onHand = input.onHand ?? Number(cur.on_hand);
  if (onHand < Number(cur.reserved))
    throw invalid([{ field: 'onHand', code: 'too_small', params: { min: Number(cur.reserved) } }]);
  await sql`update dms_products set min_order_qty = ${input.minOrderQty ?? cur.min_order_qty}, on_hand = ${onHand},
      updated_at = now() where tenant_id = ${p.tenantId} and product_id = ${productId}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'dms_product',
    recordId: productId,
    changes: [
      { field: 'onHand', from: Number(cur.on_hand), to: onHand },
      { field: 'minOrderQty', from: cur.min_order_qty, to: input.minOrderQty ?? cur.min_order_qty },
    ],
  });
  const r = (
    await sql<any>`select * from dms_products where tenant_id = ${p.tenantId} and product_id = ${productId}`.execute(
      tx,
    )
  ).rows[0];
  return {
    productId,
    minOrderQty: r.min_order_qty,
    onHand: Number(r.on_hand),
    reserved: Number(r.reserved),
    available: Number(r.on_hand) - Number(r.reserved),
  };
}
