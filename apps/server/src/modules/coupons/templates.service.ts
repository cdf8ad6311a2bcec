import type {
  CouponTemplate,
  CouponTemplateInput,
  CouponTemplatePatch,
  CouponTemplateStats,
} from '@kehu/contracts/coupons';
import { COUPONS_PERMISSIONS } from '@kehu/contracts/coupons';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { type FieldError, forbidden, invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { couponProblem, ct } from './coupons.messages.ts';
import {
  canManageTemplate,
  type TemplateViewer,
  templateViewer,
  templateVisible,
} from './template-access.ts';

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function toTemplate(v: TemplateViewer, r: any): CouponTemplate {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    description: r.description,
    thresholdMinor: num(r.threshold_minor),
    amountMinor: num(r.amount_minor),
    percentOff: r.percent_off,
    maxDiscountMinor: num(r.max_discount_minor),
    productId: r.product_id,
    giftText: r.gift_text,
    validity: r.validity,
    validFrom: iso(r.valid_from),
    validTo: iso(r.valid_to),
    validDays: r.valid_days,
    perProfileLimit: r.per_profile_limit,
    totalStock: r.total_stock,
    issuedCount: r.issued_count,
    returnOnRefund: r.return_on_refund,
    pointsCost: r.points_cost,
    status: r.status,
    unitId: r.unit_id,
    unitName: r.unit_name ?? null,
    canManage: canManageTemplate(v, r),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

const columns = sql`t.*, (select name from units u where u.tenant_id = t.tenant_id and u.id = t.unit_id) as unit_name`;

export async function loadVisibleTemplate(tx: Tx, v: TemplateViewer, id: string): Promise<any> {
  const r = (
    await sql<any>`select ${columns} from coupon_templates t
      where t.tenant_id = ${v.principal.tenantId} and t.id = ${id} and ${templateVisible(v)}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('coupon_template');
  return r;
}

/** What each kind needs, as field errors in the caller's language. */
function checkShape(locale: Locale, t: CouponTemplateInput): FieldError[] {
  const e: FieldError[] = [];
  const err = (field: string, code: string) => e.push({ field, code, message: ct(locale, code) });
  if (t.kind === 'amount_off' && !t.amountMinor) err('amountMinor', 'amount_required');
  if (t.kind === 'percent_off' && !t.percentOff) err('percentOff', 'percent_required');
  if (t.kind === 'exchange' && !t.productId && !t.giftText) err('giftText', 'exchange_needs_what');
  if (t.kind === 'gift' && !t.giftText) err('giftText', 'gift_required');
  if (t.validity === 'fixed') {
    if (!t.validFrom || !t.validTo) err('validTo', 'fixed_needs_dates');
    else if (+new Date(t.validTo) <= +new Date(t.validFrom)) err('validTo', 'dates_order');
  }
  if (t.validity === 'relative' && !t.validDays) err('validDays', 'days_required');
  return e;
}

export async function createTemplate(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: CouponTemplateInput,
): Promise<CouponTemplate> {
  const v = await templateViewer(tx, p);
  const unitId = input.unitId ?? p.unitId;
  const errors = checkShape(locale, input);
  if (!p.subtreeUnitIds.includes(unitId))
    errors.push({ field: 'unitId', code: 'unit_outside', message: ct(locale, 'unit_outside') });
  if (errors.length) throw invalid(errors);
  const id = newId();
  await sql`insert into coupon_templates (tenant_id, id, name, kind, description, threshold_minor, amount_minor,
      percent_off, max_discount_minor, product_id, gift_text, validity, valid_from, valid_to, valid_days,
      per_profile_limit, total_stock, return_on_refund, points_cost, unit_id, created_by)
    values (${p.tenantId}, ${id}, ${input.name}, ${input.kind}, ${input.description ?? null},
      ${input.thresholdMinor ?? null}, ${input.amountMinor ?? null}, ${input.percentOff ?? null},
      ${input.maxDiscountMinor ?? null}, ${input.productId ?? null}, ${input.giftText ?? null}, ${input.validity},
      ${input.validity === 'fixed' ? input.validFrom! : null}, ${input.validity === 'fixed' ? input.validTo! : null},
      ${input.validity === 'relative' ? input.validDays! : null}, ${input.perProfileLimit ?? 1},
      ${input.totalStock ?? null}, ${input.returnOnRefund ?? false}, ${input.pointsCost ?? null}, ${unitId},
      ${p.userId})`.execute(tx);
  await writeAudit(tx as any, actor, { action: 'create', object: 'coupon_template', recordId: id });
  return toTemplate(v, await loadVisibleTemplate(tx, v, id));
}

export async function updateTemplate(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  patch: CouponTemplatePatch,
): Promise<CouponTemplate> {
  const v = await templateViewer(tx, p);
  const cur = await loadVisibleTemplate(tx, v, id);
  if (!canManageTemplate(v, cur)) throw forbidden(COUPONS_PERMISSIONS.manage);
  // The row lock orders this against concurrent issues, so the stock check sees the final count.
  const locked = (
    await sql<any>`select issued_count, valid_from from coupon_templates
      where tenant_id = ${p.tenantId} and id = ${id} for update`.execute(tx)
  ).rows[0];
  if (patch.totalStock != null && patch.totalStock < locked.issued_count)
    throw invalid([
      {
        field: 'totalStock',
        code: 'stock_below_issued',
        message: ct(locale, 'stock_below_issued', { issued: locked.issued_count }),
      },
    ]);
  if (patch.validTo && cur.valid_from && +new Date(patch.validTo) <= +new Date(cur.valid_from))
    throw invalid([{ field: 'validTo', code: 'dates_order', message: ct(locale, 'dates_order') }]);
  await sql`update coupon_templates set
      name = ${patch.name ?? cur.name},
      description = ${patch.description ?? cur.description},
      gift_text = ${patch.giftText ?? cur.gift_text},
      valid_to = ${cur.validity === 'fixed' && patch.validTo ? patch.validTo : cur.valid_to},
      total_stock = ${patch.totalStock === undefined ? cur.total_stock : patch.totalStock},
      per_profile_limit = ${patch.perProfileLimit ?? cur.per_profile_limit},
      return_on_refund = ${patch.returnOnRefund ?? cur.return_on_refund},
      points_cost = ${patch.pointsCost === undefined ? cur.points_cost : patch.pointsCost},
      status = ${patch.status ?? cur.status},
      updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx as any, actor, { action: 'update', object: 'coupon_template', recordId: id });
  return toTemplate(v, await loadVisibleTemplate(tx, v, id));
}

export async function getTemplate(tx: Tx, p: Principal, id: string): Promise<CouponTemplate> {
  const v = await templateViewer(tx, p);
  return toTemplate(v, await loadVisibleTemplate(tx, v, id));
}

export async function listTemplates(tx: Tx, p: Principal): Promise<{ items: CouponTemplate[] }> {
  const v = await templateViewer(tx, p);
  const rows = (
    await sql<any>`select ${columns} from coupon_templates t
      where t.tenant_id = ${p.tenantId} and ${templateVisible(v)}
      order by t.status, t.created_at desc limit 500`.execute(tx)
  ).rows;
  return { items: rows.map((r) => toTemplate(v, r)) };
}

/** Issued, redeemed (net of reversals), rate and value, with the last 30 days by day. */
export async function templateStats(
  tx: Tx,
  p: Principal,
  locale: Locale,
  id: string,
): Promise<CouponTemplateStats> {
  const v = await templateViewer(tx, p);
  const t = await loadVisibleTemplate(tx, v, id);
  if (!canManageTemplate(v, t)) throw couponProblem('forbidden', locale, 'unit_outside');
  const c = (
    await sql<any>`select count(*)::int as issued,
        count(*) filter (where redeemed_at is not null)::int as redeemed,
        count(*) filter (where redeemed_at is null and voided_at is null
          and (expired_at is not null or expires_at <= now()))::int as expired,
        count(*) filter (where voided_at is not null)::int as voided
      from coupons where tenant_id = ${p.tenantId} and template_id = ${id}`.execute(tx)
  ).rows[0];
  const money = (
    await sql<any>`select coalesce(sum(discount_minor), 0)::bigint as discount,
        coalesce(sum(order_amount_minor), 0)::bigint as order_value
      from coupon_redemptions where tenant_id = ${p.tenantId} and template_id = ${id} and reversed_at is null`.execute(
      tx,
    )
  ).rows[0];
  const days = (
    await sql<any>`with d as (select generate_series((now() - interval '29 days')::date, now()::date, interval '1 day')::date as day)
      select to_char(d.day, 'YYYY-MM-DD') as day,
        (select count(*)::int from coupons c where c.tenant_id = ${p.tenantId} and c.template_id = ${id}
          and c.issued_at::date = d.day) as issued,
        (select count(*)::int from coupon_redemptions r where r.tenant_id = ${p.tenantId} and r.template_id = ${id}
          and r.reversed_at is null and r.at::date = d.day) as redeemed
      from d order by d.day`.execute(tx)
  ).rows;
  return {
    templateId: id,
    issued: c.issued,
    redeemed: c.redeemed,
    expired: c.expired,
    voided: c.voided,
    redemptionRate: c.issued ? c.redeemed / c.issued : 0,
    discountMinor: Number(money.discount),
    orderValueMinor: Number(money.order_value),
    byDay: days,
  };
}
