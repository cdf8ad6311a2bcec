import type { Coupon } from '@kehu/contracts/coupons';
import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { toCoupon } from './coupon-view.ts';

/**
 * One customer's own coupons, newest first (the member card page, issue 13). No staff scope: the
 * caller has proven it is this profile (the card's phone sign-in).
 */
export async function couponsOfProfile(
  tx: Tx,
  tenantId: string,
  profileId: string,
  locale: Locale,
  limit = 50,
): Promise<Coupon[]> {
  const rows = (
    await sql<any>`select c.*, t.name as t_name, t.kind as t_kind, t.amount_minor as t_amount_minor,
        t.threshold_minor as t_threshold_minor, t.percent_off as t_percent_off,
        t.max_discount_minor as t_max_discount_minor, t.gift_text as t_gift_text
      from coupons c join coupon_templates t on t.tenant_id = c.tenant_id and t.id = c.template_id
      where c.tenant_id = ${tenantId} and c.profile_id = ${profileId}
      order by c.issued_at desc limit ${limit}`.execute(tx)
  ).rows;
  return rows.map((r) => toCoupon(locale, r));
}
