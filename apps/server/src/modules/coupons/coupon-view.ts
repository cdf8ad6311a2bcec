import type { Coupon, CouponStatus } from '@kehu/contracts/coupons';
import type { Locale } from '../../core/i18n/locale.ts';
import { formatCode } from './coupon-code.ts';

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const yuan = (minor: unknown) => (Number(minor) / 100).toFixed(Number(minor) % 100 ? 2 : 0);

export function couponStatus(r: any, now = Date.now()): CouponStatus {
  if (r.voided_at) return 'voided';
  if (r.redeemed_at) return 'redeemed';
  if (r.expired_at || (r.expires_at && +new Date(r.expires_at) <= now)) return 'expired';
  return 'active';
}

/** What the customer gets, in words, for the store staff (template columns prefixed `t_`). */
export function benefitText(locale: Locale, r: any): string {
  const en = locale === 'en-US';
  switch (r.t_kind ?? r.kind) {
    case 'amount_off': {
      const off = yuan(r.t_amount_minor ?? r.amount_minor);
      const over = r.t_threshold_minor ?? r.threshold_minor;
      if (en) return over ? `CNY ${off} off over CNY ${yuan(over)}` : `CNY ${off} off`;
      return over ? `满${yuan(over)}减${off}` : `立减${off}元`;
    }
    case 'percent_off': {
      const pct = r.t_percent_off ?? r.percent_off;
      const cap = r.t_max_discount_minor ?? r.max_discount_minor;
      if (en) return `${pct}% off${cap ? `, up to CNY ${yuan(cap)}` : ''}`;
      const zhe = (100 - pct) % 10 === 0 ? String((100 - pct) / 10) : String((100 - pct) / 10);
      return `${zhe}折${cap ? `，最多减${yuan(cap)}元` : ''}`;
    }
    case 'exchange':
      return `${en ? 'Exchange for: ' : '兑换：'}${r.t_gift_text ?? r.gift_text ?? ''}`;
    default:
      return `${en ? 'Gift on visit: ' : '到店礼：'}${r.t_gift_text ?? r.gift_text ?? ''}`;
  }
}

/** A coupon row joined with its template's columns as `t_*`. */
export function toCoupon(locale: Locale, r: any): Coupon {
  return {
    id: r.id,
    templateId: r.template_id,
    templateName: r.t_name,
    kind: r.t_kind,
    code: formatCode(r.code),
    profileId: r.profile_id,
    status: couponStatus(r),
    issuedAt: iso(r.issued_at)!,
    validFrom: iso(r.valid_from),
    expiresAt: iso(r.expires_at),
    redeemedAt: iso(r.redeemed_at),
    redeemedChannel: r.redeemed_channel,
    discountMinor: num(r.discount_minor),
    orderAmountMinor: num(r.order_amount_minor),
    source: { kind: r.source_kind, id: r.source_id },
    benefit: benefitText(locale, r),
  };
}
