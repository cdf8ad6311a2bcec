import type { ChannelStockItem, StockReportInput } from '@kehu/contracts/dealers';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { type FieldError, invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { notify } from '../notifications/index.ts';
import { catalogueProducts } from '../sales/index.ts';
import { listedProducts, resolveDealer } from './catalogue.service.ts';
import { dmsProblem, dt } from './dealers.messages.ts';
import { queueStockCheck } from './jobs.ts';

type StockLine = { productId: string; quantity: number };

/**
 * The units whose channel stock a request is about: a named dealer and its stores; else the
 * caller's own dealer (and its stores) when the caller sits at or below one; else every dealer and
 * store of the caller's subtree (HQ, branches).
 */
async function stockUnits(tx: Tx, p: Principal, locale: Locale, dealerUnitId?: string, wholeSubtree = false) {
  let path: string | null = null;
  if (wholeSubtree) path = null;
  else if (dealerUnitId) {
    const d = await resolveDealer(tx, p, locale, dealerUnitId);
    path = (
      await sql<any>`select path from units where tenant_id = ${p.tenantId} and id = ${d.id}`.execute(tx)
    ).rows[0].path;
  } else {
    const own = (
      await sql<any>`select d.path from units me join units d on d.tenant_id = me.tenant_id and d.type = 'dealer'
          and me.path like d.path || '%'
        where me.tenant_id = ${p.tenantId} and me.id = ${p.unitId} order by length(d.path) desc limit 1`.execute(
        tx,
      )
    ).rows[0];
    path = own?.path ?? null;
  }
  return (
    await sql<any>`select id, name, type, path from units where tenant_id = ${p.tenantId} and deleted_at is null
      and type in ('dealer', 'store') and id = any(${p.subtreeUnitIds}::uuid[])
      ${path ? sql`and path like ${path} || '%'` : sql``}`.execute(tx)
  ).rows as { id: string; name: string; type: string; path: string }[];
}

/** Dealer and store stock by product, with where the figure comes from and its low-stock state. */
export async function channelStock(
  tx: Tx,
  p: Principal,
  locale: Locale,
  q: { dealerUnitId?: string; low?: string } = {},
): Promise<ChannelStockItem[]> {
  const units = await stockUnits(tx, p, locale, q.dealerUnitId);
  if (units.length === 0) return [];
  const rows = (
    await sql<any>`select cs.unit_id, cs.product_id, cs.quantity, cs.source, cs.reported_at, cs.sold_out, t.min_qty
      from dms_channel_stock cs
      left join dms_stock_thresholds t on t.tenant_id = cs.tenant_id and t.product_id = cs.product_id
      where cs.tenant_id = ${p.tenantId} and cs.unit_id = any(${units.map((u) => u.id)}::uuid[])
        ${q.low === 'true' ? sql`and cs.quantity < t.min_qty` : sql``}
      limit 2000`.execute(tx)
  ).rows;
  const names = new Map(
    (await catalogueProducts(tx, p.tenantId, [...new Set(rows.map((r) => r.product_id as string))])).map(
      (x) => [x.id, x.name],
    ),
  );
  const unitName = new Map(units.map((u) => [u.id, u.name]));
  return rows
    .map((r) => {
      const minQty = r.min_qty === null ? null : Number(r.min_qty);
      return {
        unitId: r.unit_id,
        unitName: unitName.get(r.unit_id) ?? null,
        productId: r.product_id,
        productName: names.get(r.product_id) ?? null,
        quantity: Number(r.quantity),
        source: r.source,
        reportedAt: r.reported_at ? new Date(r.reported_at).toISOString() : null,
        soldOut: Number(r.sold_out),
        minQty,
        low: minQty !== null && Number(r.quantity) < minQty,
      };
    })
    .sort(
      (a, b) =>
        (a.unitName ?? '').localeCompare(b.unitName ?? '') ||
        (a.productName ?? '').localeCompare(b.productName ?? ''),
    );
}

/**
 * A dealer (or a store below it) reports stock: counts set the figure ('reported'), sell-out
 * lowers it (never below 0). Idempotent per key; the low-stock check is queued.
 */
export async function reportStock(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: StockReportInput & { counts: StockLine[]; sellOut: StockLine[] },
): Promise<ChannelStockItem[]> {
  // What the body names first (another tenant's or unit's ids are 404 / field errors whoever asks),
  // then who asks: only a dealer's own people (or a store's below it) report its stock.
  if (input.unitId && !(await stockUnits(tx, p, locale, undefined, true)).some((u) => u.id === input.unitId))
    throw notFound('unit');
  const errors: FieldError[] = [];
  if (input.counts.length + input.sellOut.length === 0)
    errors.push({ field: 'counts', code: 'report_empty', message: dt(locale, 'report_empty') });
  const ids = [...new Set([...input.counts, ...input.sellOut].map((l) => l.productId))];
  const known = new Set((await listedProducts(tx, p.tenantId, ids)).map((x) => x.id));
  for (const k of ['counts', 'sellOut'] as const)
    input[k].forEach((l, i) => {
      if (!known.has(l.productId))
        errors.push({
          field: `${k}.${i}.productId`,
          code: 'product_unknown',
          message: dt(locale, 'product_unknown'),
        });
    });
  if (errors.length) throw invalid(errors);
  const dealer = await resolveDealer(tx, p, locale, null);
  const units = await stockUnits(tx, p, locale);
  const unit = units.find((u) => u.id === (input.unitId ?? dealer.id));
  if (!unit) throw notFound('unit');
  const id = newId();
  if (input.idempotencyKey) {
    const ins =
      await sql`insert into dms_stock_reports (tenant_id, id, unit_id, idempotency_key, lines, created_by)
      values (${p.tenantId}, ${id}, ${unit.id}, ${input.idempotencyKey}, ${JSON.stringify(input)}::jsonb, ${p.userId})
      on conflict (tenant_id, idempotency_key) where idempotency_key is not null do nothing`.execute(tx);
    if (!Number(ins.numAffectedRows ?? 0)) {
      const prior = (
        await sql<any>`select unit_id from dms_stock_reports where tenant_id = ${p.tenantId}
          and idempotency_key = ${input.idempotencyKey}`.execute(tx)
      ).rows[0];
      if (prior?.unit_id !== unit.id) throw dmsProblem('conflict', locale, 'entry_key_reused');
      return (await channelStock(tx, p, locale)).filter((x) => x.unitId === unit.id);
    }
  } else
    await sql`insert into dms_stock_reports (tenant_id, id, unit_id, lines, created_by)
      values (${p.tenantId}, ${id}, ${unit.id}, ${JSON.stringify(input)}::jsonb, ${p.userId})`.execute(tx);
  for (const l of input.sellOut)
    await sql`insert into dms_channel_stock (tenant_id, unit_id, product_id, quantity, sold_out)
      values (${p.tenantId}, ${unit.id}, ${l.productId}, 0, ${l.quantity})
      on conflict (tenant_id, unit_id, product_id) do update set
        quantity = greatest(dms_channel_stock.quantity - excluded.sold_out, 0),
        sold_out = dms_channel_stock.sold_out + excluded.sold_out, source = 'derived', updated_at = now()`.execute(
      tx,
    );
  for (const l of input.counts)
    await sql`insert into dms_channel_stock (tenant_id, unit_id, product_id, quantity, source, reported_at)
      values (${p.tenantId}, ${unit.id}, ${l.productId}, ${l.quantity}, 'reported', now())
      on conflict (tenant_id, unit_id, product_id) do update set quantity = excluded.quantity, source = 'reported',
        reported_at = now(), sold_out = 0, updated_at = now()`.execute(tx);
  await queueStockCheck(tx, p.tenantId);
  await writeAudit(tx, actor, {
    action: 'dms_stock_report',
    object: 'dms_channel_stock',
    recordId: unit.id,
    meta: { counts: input.counts.length, sellOut: input.sellOut.length },
  });
  return (await channelStock(tx, p, locale)).filter((x) => x.unitId === unit.id);
}

/** HQ stock of every listed product, with its MOQ and channel low-stock threshold. */
export async function hqStock(tx: Tx, p: Principal) {
  const products = await listedProducts(tx, p.tenantId);
  const rows = new Map(
    (
      await sql<any>`select d.product_id, d.on_hand, d.reserved, t.min_qty from dms_products d
        left join dms_stock_thresholds t on t.tenant_id = d.tenant_id and t.product_id = d.product_id
        where d.tenant_id = ${p.tenantId}`.execute(tx)
    ).rows.map((r) => [r.product_id as string, r]),
  );
  return products
    .map((pr) => {
      const r = rows.get(pr.id);
      return {
        productId: pr.id,
        name: pr.name,
        code: pr.code,
        onHand: Number(r?.on_hand ?? 0),
        reserved: Number(r?.reserved ?? 0),
        available: pr.available,
        minOrderQty: pr.moq,
        minQty: r?.min_qty === null || r?.min_qty === undefined ? null : Number(r.min_qty),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** HQ sets (or clears, null) a product's channel low-stock threshold; the check is queued. */
export async function setThreshold(
  tx: Tx,
  p: Principal,
  actor: Actor,
  productId: string,
  minQty: number | null,
) {
  if ((await catalogueProducts(tx, p.tenantId, [productId])).length === 0) throw notFound('product');
  const cur = (
    await sql<any>`select min_qty from dms_stock_thresholds where tenant_id = ${p.tenantId} and product_id = ${productId}`.execute(
      tx,
    )
  ).rows[0];
  if (minQty === null)
    await sql`delete from dms_stock_thresholds where tenant_id = ${p.tenantId} and product_id = ${productId}`.execute(
      tx,
    );
  else
    await sql`insert into dms_stock_thresholds (tenant_id, product_id, min_qty) values (${p.tenantId}, ${productId}, ${minQty})
      on conflict (tenant_id, product_id) do update set min_qty = excluded.min_qty, updated_at = now()`.execute(
      tx,
    );
  await queueStockCheck(tx, p.tenantId);
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'dms_product',
    recordId: productId,
    changes: [{ field: 'minQty', from: cur ? Number(cur.min_qty) : null, to: minQty }],
  });
  return { productId, minQty };
}

/**
 * Raises one alert per unit and product whose stock fell below its threshold and notifies the
 * unit's dealer people and the HQ managers above it (those who may order or manage dealers);
 * clears alerts whose stock is back. Idempotent: an open alert is never raised twice, and the
 * alert row and its notifications are written in one transaction.
 */
export async function checkStockAlerts(tx: Tx, tenantId: string): Promise<number> {
  await sql`update dms_stock_alerts a set cleared_at = now()
    where a.tenant_id = ${tenantId} and a.cleared_at is null and not exists (
      select 1 from dms_channel_stock cs join dms_stock_thresholds t on t.tenant_id = cs.tenant_id and t.product_id = cs.product_id
      where cs.tenant_id = a.tenant_id and cs.unit_id = a.unit_id and cs.product_id = a.product_id and cs.quantity < t.min_qty)`.execute(
    tx,
  );
  const low = (
    await sql<any>`select cs.unit_id, cs.product_id, cs.quantity, t.min_qty, u.name as unit_name, u.path
      from dms_channel_stock cs
      join dms_stock_thresholds t on t.tenant_id = cs.tenant_id and t.product_id = cs.product_id
      join units u on u.tenant_id = cs.tenant_id and u.id = cs.unit_id
      where cs.tenant_id = ${tenantId} and cs.quantity < t.min_qty
        and not exists (select 1 from dms_stock_alerts a where a.tenant_id = cs.tenant_id and a.unit_id = cs.unit_id
          and a.product_id = cs.product_id and a.cleared_at is null)
      order by cs.unit_id, cs.product_id limit 500`.execute(tx)
  ).rows;
  if (low.length === 0) return 0;
  const names = new Map(
    (await catalogueProducts(tx, tenantId, [...new Set(low.map((r) => r.product_id as string))])).map((x) => [
      x.id,
      x.name,
    ]),
  );
  let raised = 0;
  for (const r of low) {
    const id = newId();
    const ins = await sql`insert into dms_stock_alerts (tenant_id, id, unit_id, product_id, quantity, min_qty)
      values (${tenantId}, ${id}, ${r.unit_id}, ${r.product_id}, ${r.quantity}, ${r.min_qty})
      on conflict (tenant_id, unit_id, product_id) where cleared_at is null do nothing`.execute(tx);
    if (!Number(ins.numAffectedRows ?? 0)) continue;
    raised++;
    const userIds = (
      await sql<{ id: string }>`select distinct u.id from users u
        join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
        where u.tenant_id = ${tenantId} and u.status = 'active' and ${r.path} like un.path || '%'
          and exists (select 1 from user_roles ur join roles ro on ro.tenant_id = ur.tenant_id and ro.id = ur.role_id
            where ur.tenant_id = u.tenant_id and ur.user_id = u.id
              and ro.permissions && array['dealers:manage', 'dealers:order', 'dealers:*']::text[])`.execute(
        tx,
      )
    ).rows.map((x) => x.id);
    const params = {
      unit: r.unit_name,
      product: names.get(r.product_id) ?? '',
      quantity: Number(r.quantity),
      min: Number(r.min_qty),
    };
    await notify(tx, tenantId, {
      userIds,
      kind: 'dms_low_stock',
      title: {
        'zh-CN': dt('zh-CN', 'low_stock_title', params),
        'en-US': dt('en-US', 'low_stock_title', params),
      },
      body: {
        'zh-CN': dt('zh-CN', 'low_stock_body', params),
        'en-US': dt('en-US', 'low_stock_body', params),
      },
      link: '/dealers/stock',
      object: 'dms_channel_stock',
      recordId: r.unit_id,
      data: { productId: r.product_id, quantity: Number(r.quantity), minQty: Number(r.min_qty) },
    });
  }
  return raised;
}

export async function stockAlertJob(_payload: unknown, job: JobContext): Promise<void> {
  await job.tx((tx) => checkStockAlerts(tx, job.tenantId));
}
