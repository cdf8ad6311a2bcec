import type { Locale } from '../../core/i18n/locale.ts';
import { sm } from './staff-analytics.messages.ts';

const DAY = 86_400_000;
const CST = 8 * 3_600_000;
/** Asia/Shanghai calendar day of an instant, YYYY-MM-DD (the day WeCom's figures use). */
export const cstDay = (ms: number) => new Date(ms + CST).toISOString().slice(0, 10);
const dayMs = (d: string) => Date.parse(`${d}T00:00:00Z`);
/** A real calendar day (2026-02-30 is not). */
const isDay = (d: string) => {
  const t = dayMs(d);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
};

/** The period of a dashboard: the last `days` up to today, or a custom from–to (at most 366 days, not ahead of today). */
export function resolvePeriod(
  q: { days?: number; from?: string; to?: string },
  locale: Locale,
  now = Date.now(),
): { from: string; to: string } {
  const today = cstDay(now);
  if (!q.from && !q.to) {
    const days = q.days ?? 30;
    return { from: cstDay(now - (days - 1) * DAY), to: today };
  }
  const field = (f: string, key: string) =>
    sm.problem('validation', locale, key, {}, [{ field: f, code: key, message: sm.text(locale, key) }]);
  if (!q.from || !q.to) throw field(q.from ? 'to' : 'from', 'range_pair');
  if (!isDay(q.from)) throw field('from', 'range_day');
  if (!isDay(q.to)) throw field('to', 'range_day');
  if (q.from > q.to) throw field('to', 'range_order');
  if (q.to > today) throw field('to', 'range_future');
  if ((dayMs(q.to) - dayMs(q.from)) / DAY + 1 > 366) throw field('from', 'range_length');
  return { from: q.from, to: q.to };
}

/** Every day of a period, oldest first. */
export function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = dayMs(from); t <= dayMs(to); t += DAY) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
