import type { CatalogueBody, CatalogueEntry, EventKind, LocalLabel } from '@kehu/contracts/cdp';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { isPersonalProperty } from './rule-access.ts';

/** What events a tenant receives, offered to the rule builder instead of free text. */

/** How many of the newest events the catalogue samples: cheap on any table size, recent enough. */
const CATALOGUE_SAMPLE = 5000;

/**
 * Event names the tenant has actually received (from a sample of the newest events, 90 days),
 * so the segment builder offers them instead of free text.
 */
export async function eventNames(tx: Tx, tenantId: string) {
  const r = await sql<{
    event: string;
    n: number;
    last_at: Date;
  }>`select event, count(*)::int as n, max(ts) as last_at
    from (select event, ts from cdp_events where tenant_id = ${tenantId} and ts > now() - interval '90 days'
      order by ts desc limit ${CATALOGUE_SAMPLE}) x
    where event is not null group by event order by n desc, event limit 200`.execute(tx);
  return { items: r.rows.map((e) => ({ name: e.event, count: e.n, lastAt: e.last_at })) };
}

/** Event names received recently with their kind (page views apart) and display names. */
export async function namedEventNames(tx: Tx, tenantId: string, locale: Locale) {
  const [received, labels] = await Promise.all([receivedEvents(tx, tenantId), catalogueLabels(tx, tenantId)]);
  return {
    items: received.map((e) => ({
      name: e.name,
      count: e.count,
      lastAt: e.lastAt,
      kind: labels.kindOf(e.name) ?? e.kind,
      displayName: labels.event(e.name, locale),
    })),
  };
}

const PERSONAL_KEY = /phone|mobile|email|name|address|id_?number|openid|unionid/i;

/**
 * The top property keys of one event (newest 1000), with their JSON types and a few example values.
 * Without `personal` (profile:unmask), personal-looking keys are left out: a rule could not use them.
 */
export async function eventProperties(tx: Tx, tenantId: string, event: string, personal = true) {
  const r = await sql<{ key: string; types: string[]; n: number; examples: string[] | null }>`
    select j.key, array_agg(distinct jsonb_typeof(j.value)) as types, count(*)::int as n,
      (array_agg(distinct left(j.value #>> '{}', 60)) filter (where jsonb_typeof(j.value) in ('string', 'number', 'boolean')))[1:5] as examples
    from (select properties from cdp_events where tenant_id = ${tenantId} and event = ${event}
      order by ts desc limit 1000) x, jsonb_each(x.properties) j
    group by j.key order by n desc, j.key limit 50`.execute(tx);
  return {
    items: r.rows
      .filter((p) => personal || !isPersonalProperty(p.key))
      .map((p) => ({
        key: p.key,
        types: p.types,
        count: p.n,
        // Values of personal-looking keys are not sampled: this is a cdp:read view, unmasked nowhere.
        examples: PERSONAL_KEY.test(p.key) ? [] : (p.examples ?? []),
      })),
  };
}

/** Event properties with their display names in the reader's language. */
export async function namedEventProperties(
  tx: Tx,
  tenantId: string,
  event: string,
  personal: boolean,
  locale: Locale,
) {
  const [props, labels] = await Promise.all([
    eventProperties(tx, tenantId, event, personal),
    catalogueLabels(tx, tenantId),
  ]);
  return {
    items: props.items.map((p) => ({ ...p, displayName: labels.property(event, p.key, locale) })),
  };
}

// ---------------------------------------------------------------- the catalogue

type Names = [zh: string, en: string];

/**
 * The Segment e-commerce spec (v2) and its common lifecycle events, named for people. A tenant's
 * own row for an event (cdp_event_catalogue) takes precedence over these.
 */
// biome-ignore format: one event per line reads as the table it is
export const STANDARD_EVENTS: [name: string, zh: string, en: string, description: string][] = [
  ['Products Searched', '搜索商品', 'Searched products', '在商城中搜索商品'],
  ['Product List Viewed', '浏览商品列表', 'Viewed a product list', '查看某个品类或列表页'],
  ['Product List Filtered', '筛选商品列表', 'Filtered a product list', '在列表页按条件筛选或排序'],
  ['Promotion Viewed', '看到促销', 'Saw a promotion', '促销横幅展示给访客'],
  ['Promotion Clicked', '点击促销', 'Clicked a promotion', '点击了促销横幅'],
  ['Product Clicked', '点击商品', 'Clicked a product', '在列表中点击了商品'],
  ['Product Viewed', '浏览商品', 'Viewed a product', '打开了商品详情页'],
  ['Product Added', '加入购物车', 'Added to cart', '把商品加入购物车'],
  ['Product Removed', '移出购物车', 'Removed from cart', '把商品移出购物车'],
  ['Cart Viewed', '查看购物车', 'Viewed the cart', '打开了购物车'],
  ['Checkout Started', '开始结算', 'Started checkout', '从购物车进入结算'],
  ['Checkout Step Viewed', '查看结算步骤', 'Viewed a checkout step', '进入结算流程的某一步'],
  ['Checkout Step Completed', '完成结算步骤', 'Completed a checkout step', '完成结算流程的某一步'],
  ['Payment Info Entered', '填写支付信息', 'Entered payment details', '填写了支付方式'],
  ['Order Completed', '完成订单', 'Completed an order', '下单并支付成功'],
  ['Order Updated', '修改订单', 'Updated an order', '修改了已下的订单'],
  ['Order Refunded', '订单退款', 'Order refunded', '订单全部或部分退款'],
  ['Order Cancelled', '取消订单', 'Cancelled an order', '取消了订单'],
  ['Coupon Entered', '输入优惠券', 'Entered a coupon', '输入了优惠券码'],
  ['Coupon Applied', '使用优惠券', 'Applied a coupon', '优惠券已抵扣'],
  ['Coupon Denied', '优惠券无效', 'Coupon denied', '优惠券不可用'],
  ['Coupon Removed', '移除优惠券', 'Removed a coupon', '取消使用优惠券'],
  ['Product Added to Wishlist', '加入收藏', 'Added to wishlist', '把商品加入收藏夹'],
  ['Product Removed from Wishlist', '取消收藏', 'Removed from wishlist', '把商品移出收藏夹'],
  ['Wishlist Product Added to Cart', '收藏加入购物车', 'Moved from wishlist to cart', '从收藏夹加入购物车'],
  ['Product Shared', '分享商品', 'Shared a product', '把商品分享给他人'],
  ['Cart Shared', '分享购物车', 'Shared the cart', '把购物车分享给他人'],
  ['Product Reviewed', '评价商品', 'Reviewed a product', '提交了商品评价'],
  ['Signed Up', '注册', 'Signed up', '注册成为会员'],
  ['Signed In', '登录', 'Signed in', '登录了账号'],
  ['Signed Out', '退出登录', 'Signed out', '退出了账号'],
];

/** Property names of the same spec (and the demo shop's own: sku, orderId …), for any event. */
// biome-ignore format: one property per line reads as the table it is
export const STANDARD_PROPERTIES: Record<string, Names> = {
  product_id: ['商品编号', 'Product ID'],
  sku: ['SKU 编码', 'SKU'],
  category: ['品类', 'Category'],
  name: ['名称', 'Name'],
  brand: ['品牌', 'Brand'],
  variant: ['规格', 'Variant'],
  price: ['单价', 'Price'],
  quantity: ['数量', 'Quantity'],
  coupon: ['优惠券', 'Coupon'],
  coupon_id: ['优惠券编号', 'Coupon ID'],
  coupon_name: ['优惠券名称', 'Coupon name'],
  position: ['位置', 'Position'],
  url: ['链接', 'URL'],
  image_url: ['图片链接', 'Image URL'],
  order_id: ['订单号', 'Order ID'],
  orderId: ['订单号', 'Order ID'],
  checkout_id: ['结算编号', 'Checkout ID'],
  cart_id: ['购物车编号', 'Cart ID'],
  list_id: ['列表编号', 'List ID'],
  promotion_id: ['促销编号', 'Promotion ID'],
  creative: ['促销素材', 'Creative'],
  total: ['订单总额', 'Total'],
  subtotal: ['小计', 'Subtotal'],
  revenue: ['金额', 'Revenue'],
  shipping: ['运费', 'Shipping'],
  tax: ['税费', 'Tax'],
  discount: ['优惠金额', 'Discount'],
  currency: ['币种', 'Currency'],
  products: ['商品明细', 'Products'],
  query: ['搜索词', 'Search query'],
  step: ['步骤', 'Step'],
  shipping_method: ['配送方式', 'Shipping method'],
  payment_method: ['支付方式', 'Payment method'],
  rating: ['评分', 'Rating'],
  method: ['方式', 'Method'],
  path: ['页面路径', 'Path'],
  referrer: ['来源页面', 'Referrer'],
  title: ['页面标题', 'Page title'],
  search: ['查询参数', 'Query string'],
};

const STANDARD = new Map(STANDARD_EVENTS.map(([name, zh, en, d]) => [name, { zh, en, d }]));

const pickLabel = (label: LocalLabel, locale: Locale, fallback: string) =>
  label[locale] || label[locale === 'zh-CN' ? 'en-US' : 'zh-CN'] || fallback;

interface CatalogueRow {
  name: string;
  kind: EventKind;
  label_zh: string | null;
  label_en: string | null;
  description: string | null;
  properties: Record<string, LocalLabel>;
}

async function catalogueRows(tx: Tx, tenantId: string): Promise<Map<string, CatalogueRow>> {
  const r = await sql<CatalogueRow>`select name, kind, label_zh, label_en, description, properties
    from cdp_event_catalogue where tenant_id = ${tenantId}`.execute(tx);
  return new Map(r.rows.map((x) => [x.name, x]));
}

/** Received event names (sampled like `eventNames`), page and screen views marked as pages. */
async function receivedEvents(tx: Tx, tenantId: string) {
  const r = await sql<{ event: string; page: boolean; n: number; last_at: Date }>`
    select event, bool_or(type in ('page', 'screen')) as page, count(*)::int as n, max(ts) as last_at
    from (select event, type, ts from cdp_events where tenant_id = ${tenantId} and ts > now() - interval '90 days'
      order by ts desc limit ${CATALOGUE_SAMPLE}) x
    where event is not null group by event order by n desc, event limit 200`.execute(tx);
  return r.rows.map((e) => ({
    name: e.event,
    kind: (e.page ? 'page' : 'event') as EventKind,
    count: e.n,
    lastAt: e.last_at,
  }));
}

const labelOf = (row: CatalogueRow | undefined, name: string): LocalLabel => {
  const std = STANDARD.get(name);
  return {
    'zh-CN': row?.label_zh || std?.zh || undefined,
    'en-US': row?.label_en || std?.en || undefined,
  };
};
const propLabel = (row: CatalogueRow | undefined, key: string): LocalLabel => {
  const own = row?.properties?.[key];
  const std = STANDARD_PROPERTIES[key];
  return {
    'zh-CN': own?.['zh-CN'] || std?.[0] || undefined,
    'en-US': own?.['en-US'] || std?.[1] || undefined,
  };
};

/**
 * The tenant's display names, loaded once per request: event and property labels in a locale,
 * each falling back to the other language, then to the name as sent.
 */
export async function catalogueLabels(tx: Tx, tenantId: string) {
  const rows = await catalogueRows(tx, tenantId);
  return {
    event: (name: string, locale: Locale) => pickLabel(labelOf(rows.get(name), name), locale, name),
    property: (event: string | null, key: string, locale: Locale) =>
      pickLabel(propLabel(event === null ? undefined : rows.get(event), key), locale, key),
    /** Whether a property has a name of its own (else it shows as its key). */
    hasProperty: (event: string | null, key: string) => {
      const l = propLabel(event === null ? undefined : rows.get(event), key);
      return !!(l['zh-CN'] || l['en-US']);
    },
    kindOf: (name: string): EventKind | undefined => rows.get(name)?.kind,
  };
}

/**
 * The catalogue as the editor shows it: the standard spec, the tenant's own entries and every
 * event received recently, each with its names and the properties seen or named.
 */
export async function listCatalogue(tx: Tx, tenantId: string, locale: Locale) {
  const [rows, received] = await Promise.all([catalogueRows(tx, tenantId), receivedEvents(tx, tenantId)]);
  const seen = new Map(received.map((e) => [e.name, e]));
  const names = [...new Set([...seen.keys(), ...rows.keys(), ...STANDARD.keys()])];
  const items: CatalogueEntry[] = names.map((name) => entryOf(name, rows.get(name), seen.get(name), locale));
  // Received first (busiest first), then named but not yet received, alphabetically.
  items.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  const properties = Object.entries(STANDARD_PROPERTIES).map(([key, [zh, en]]) => {
    const label = { 'zh-CN': zh, 'en-US': en };
    return { key, label, displayName: pickLabel(label, locale, key) };
  });
  return { items, properties };
}

function entryOf(
  name: string,
  row: CatalogueRow | undefined,
  seen: { kind: EventKind; count: number; lastAt: Date } | undefined,
  locale: Locale,
): CatalogueEntry {
  const label = labelOf(row, name);
  const std = STANDARD.get(name);
  const keys = Object.keys(row?.properties ?? {});
  return {
    name,
    kind: row?.kind ?? seen?.kind ?? 'event',
    label,
    displayName: pickLabel(label, locale, name),
    description: row?.description ?? std?.d ?? null,
    properties: keys.map((key) => {
      const l = propLabel(row, key);
      return { key, label: l, displayName: pickLabel(l, locale, key) };
    }),
    standard: !!std,
    edited: !!row,
    count: seen?.count ?? 0,
    lastAt: seen ? new Date(seen.lastAt).toISOString() : null,
  };
}

/** Adds or replaces the tenant's entry for one event (names, description, kind, property names). */
export async function putCatalogueEntry(tx: Tx, actor: Actor, body: CatalogueBody, locale: Locale) {
  const props: Record<string, LocalLabel> = {};
  for (const [k, v] of Object.entries(body.properties ?? {}))
    if (v['zh-CN'] || v['en-US'])
      props[k] = { 'zh-CN': v['zh-CN'] || undefined, 'en-US': v['en-US'] || undefined };
  const before = (await catalogueRows(tx, actor.tenantId)).get(body.name);
  await sql`insert into cdp_event_catalogue (tenant_id, name, kind, label_zh, label_en, description, properties, updated_by)
    values (${actor.tenantId}, ${body.name}, ${body.kind ?? before?.kind ?? 'event'}, ${body.label['zh-CN'] || null},
      ${body.label['en-US'] || null}, ${body.description || null}, ${JSON.stringify(props)}::jsonb, ${actor.actorId})
    on conflict (tenant_id, name) do update set kind = excluded.kind, label_zh = excluded.label_zh, label_en = excluded.label_en,
      description = excluded.description, properties = excluded.properties, updated_at = now(), updated_by = excluded.updated_by`.execute(
    tx,
  );
  await writeAudit(tx, actor, {
    action: before ? 'update' : 'create',
    object: 'cdp_event_catalogue',
    meta: { name: body.name, label: body.label },
  });
  return (await listCatalogue(tx, actor.tenantId, locale)).items.find((e) => e.name === body.name)!;
}

/** Removes the tenant's entry: a standard event goes back to its standard names. */
export async function deleteCatalogueEntry(tx: Tx, actor: Actor, name: string) {
  const r =
    await sql`delete from cdp_event_catalogue where tenant_id = ${actor.tenantId} and name = ${name} returning name`.execute(
      tx,
    );
  if (!r.rows.length) throw notFound('event');
  await writeAudit(tx, actor, { action: 'delete', object: 'cdp_event_catalogue', meta: { name } });
}

/** Timeline items with the names people read: the event's and its properties' display names. */
export async function labelTimeline<
  T extends { kind: string; title: string | null; properties?: Record<string, unknown> },
>(tx: Tx, tenantId: string, items: T[], locale: Locale) {
  if (!items.some((i) => i.kind === 'event')) return items;
  const labels = await catalogueLabels(tx, tenantId);
  return items.map((i) => {
    if (i.kind !== 'event') return i;
    const propertyNames: Record<string, string> = {};
    for (const k of Object.keys(i.properties ?? {}))
      if (labels.hasProperty(i.title, k)) propertyNames[k] = labels.property(i.title, k, locale);
    return { ...i, displayName: i.title ? labels.event(i.title, locale) : undefined, propertyNames };
  });
}
