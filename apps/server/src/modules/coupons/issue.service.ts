import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { enqueue } from '../../core/jobs/queue.ts';
import { formatCode, newCouponCode } from './coupon-code.ts';
import { couponProblem } from './coupons.messages.ts';

export interface IssueRequest {
  templateId: string;
  profileId: string;
  idempotencyKey: string;
  source: { kind: 'journey' | 'campaign' | 'api' | 'loyalty' | 'fission' | 'manual' | 'bulk'; id: string };
}
export interface IssuedCoupon {
  couponId: string;
  code: string;
  expiresAt: string | null;
}

export const EXPIRE_QUEUE = 'coupons:expire';
const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);
const DAY = 86_400_000;

/**
 * Issues one coupon of a template to a CDP profile, in the caller's transaction (journeys,
 * campaigns, the points mall, the API). The same idempotency key returns the same coupon. The
 * template row is locked first, so stock and the per-profile limit hold under concurrency, and
 * every check runs before the first write: a caller that catches the problem (409, `reason`
 * `out_of_stock`, `profile_limit`, `template_paused`, `template_ended`) keeps a clean transaction.
 * Authorisation is the caller's: routes check `coupons:issue` and the template's visibility.
 */
export async function issueCoupon(
  tx: Tx,
  tenantId: string,
  req: IssueRequest,
  locale: Locale = 'zh-CN',
): Promise<IssuedCoupon> {
  const again = await byKey(tx, tenantId, req.idempotencyKey);
  if (again) return again;
  const t = (
    await sql<any>`select * from coupon_templates where tenant_id = ${tenantId} and id = ${req.templateId}
      for update`.execute(tx)
  ).rows[0];
  if (!t) throw couponProblem('not_found', locale, 'template_unknown');
  // A concurrent issue with this key may have committed while we waited for the lock.
  const raced = await byKey(tx, tenantId, req.idempotencyKey);
  if (raced) return raced;
  const profile = (
    await sql<{ id: string }>`select coalesce(merged_into, id) as id from cdp_profiles
      where tenant_id = ${tenantId} and id = ${req.profileId}`.execute(tx)
  ).rows[0];
  if (!profile) throw couponProblem('not_found', locale, 'profile_unknown');
  if (t.status !== 'active') throw couponProblem('conflict', locale, 'template_paused');
  const now = Date.now();
  if (t.validity === 'fixed' && +new Date(t.valid_to) <= now)
    throw couponProblem('conflict', locale, 'template_ended');
  if (t.total_stock !== null && t.issued_count >= t.total_stock)
    throw couponProblem('conflict', locale, 'out_of_stock', { stock: t.total_stock });
  const held = (
    await sql<{ n: number }>`select count(*)::int as n from coupons
      where tenant_id = ${tenantId} and template_id = ${t.id} and profile_id = ${profile.id}`.execute(tx)
  ).rows[0]!.n;
  if (held >= t.per_profile_limit)
    throw couponProblem('conflict', locale, 'profile_limit', { limit: t.per_profile_limit });

  const validFrom = t.validity === 'fixed' ? new Date(t.valid_from) : new Date(now);
  const expiresAt = t.validity === 'fixed' ? new Date(t.valid_to) : new Date(now + t.valid_days * DAY);
  const id = newId();
  let code = '';
  for (let attempt = 0; ; attempt++) {
    code = newCouponCode();
    const r = await sql`insert into coupons (tenant_id, id, template_id, profile_id, code, idempotency_key,
        source_kind, source_id, valid_from, expires_at)
      values (${tenantId}, ${id}, ${t.id}, ${profile.id}, ${code}, ${req.idempotencyKey}, ${req.source.kind},
        ${req.source.id}, ${validFrom}, ${expiresAt})
      on conflict do nothing returning id`.execute(tx);
    if (r.rows.length) break;
    // Either the key (another template, same key: same outcome) or, once in 10^17, the code.
    const other = await byKey(tx, tenantId, req.idempotencyKey);
    if (other) return other;
    if (attempt > 5) throw new Error('coupons: could not draw a free code');
  }
  await sql`update coupon_templates set issued_count = issued_count + 1
    where tenant_id = ${tenantId} and id = ${t.id}`.execute(tx);
  await emitEvent(tx, tenantId, {
    type: 'coupon.issued',
    object: 'coupon',
    recordId: id,
    payload: {
      couponId: id,
      templateId: t.id,
      profileId: profile.id,
      kind: t.kind,
      source: req.source,
      expiresAt: expiresAt.toISOString(),
    },
  });
  // One expiry sweep per tenant and hour: the coupon is marked expired in the hour it ends.
  const slot = Math.ceil(+expiresAt / 3_600_000);
  await enqueue(
    tx,
    tenantId,
    EXPIRE_QUEUE,
    { slot },
    { runAt: new Date(slot * 3_600_000), dedupeKey: `expire:${slot}` },
  );
  return { couponId: id, code: formatCode(code), expiresAt: expiresAt.toISOString() };
}

/** The coupon issued under an idempotency key, if any (never issues one). */
export async function couponByKey(tx: Tx, tenantId: string, key: string): Promise<IssuedCoupon | null> {
  return byKey(tx, tenantId, key);
}

async function byKey(tx: Tx, tenantId: string, key: string): Promise<IssuedCoupon | null> {
  const r = (
    await sql<any>`select id, code, expires_at from coupons
      where tenant_id = ${tenantId} and idempotency_key = ${key}`.execute(tx)
  ).rows[0];
  return r ? { couponId: r.id, code: formatCode(r.code), expiresAt: iso(r.expires_at) } : null;
}
