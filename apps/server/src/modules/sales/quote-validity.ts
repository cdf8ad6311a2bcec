/**
 * Quote validity in the tenant's calendar. Kehu's tenants are in mainland China (one time zone,
 * no daylight saving), so "today" is the date in Asia/Shanghai, as relative-date filters use.
 */
const TZ = 'Asia/Shanghai';

export function todayInTenant(now = new Date()): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(now);
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Statuses a validity date still matters for: the quote is open, not yet a contract or replaced. */
const OPEN = new Set(['draft', 'pending_approval', 'approved']);

/** 已过期: an open quote whose last valid day is before today. */
export function isExpired(quote: Record<string, unknown>, today = todayInTenant()) {
  return (
    OPEN.has(String(quote.status ?? 'draft')) &&
    typeof quote.validUntil === 'string' &&
    quote.validUntil.slice(0, 10) < today
  );
}
