import { sql } from 'kysely';
import type { Tx } from '../../../core/db/tenant-scope.ts';

/**
 * The business-hours calendar an SLA is measured in: working hours on working days, where a day
 * is a working day by its weekday unless the tenant's day list says otherwise — China's public
 * holidays (放假) and the adjusted working days that pay for them (调休上班, often a Saturday or
 * Sunday). Pure functions over a loaded calendar, so a list page computes 50 SLA badges without a
 * query each.
 */
const DAY = 86_400_000;
const MIN = 60_000;

export interface BusinessCalendar {
  /** Minutes east of UTC (China +480; no daylight saving, so a fixed offset is exact). */
  utcOffsetMinutes: number;
  /** Working window in minutes after local midnight. */
  dayStart: number;
  dayEnd: number;
  /** ISO weekdays 1 (Monday) … 7 (Sunday) that are working days. */
  weekdays: number[];
  /** 'YYYY-MM-DD' → the override. */
  days: Map<string, 'holiday' | 'workday'>;
}

export interface CalendarDay {
  day: string;
  kind: 'holiday' | 'workday';
  name: string;
}

/**
 * 2026 from the State Council General Office notice on the 2026 holiday arrangement
 * (国务院办公厅关于2026年部分节假日安排的通知). Seeded as data: the tenant edits it
 * (PUT /service/calendar, 服务设置 › 工作日历).
 */
export const CHINA_HOLIDAYS_2026: CalendarDay[] = [
  ...range('2026-01-01', 3, '元旦'),
  { day: '2026-01-04', kind: 'workday', name: '元旦调休上班' },
  { day: '2026-02-14', kind: 'workday', name: '春节调休上班' },
  ...range('2026-02-15', 9, '春节'),
  { day: '2026-02-28', kind: 'workday', name: '春节调休上班' },
  ...range('2026-04-04', 3, '清明节'),
  ...range('2026-05-01', 5, '劳动节'),
  { day: '2026-05-09', kind: 'workday', name: '劳动节调休上班' },
  ...range('2026-06-19', 3, '端午节'),
  { day: '2026-09-20', kind: 'workday', name: '国庆节调休上班' },
  ...range('2026-09-25', 3, '中秋节'),
  ...range('2026-10-01', 7, '国庆节'),
  { day: '2026-10-10', kind: 'workday', name: '国庆节调休上班' },
];

/**
 * 2027, PROVISIONAL: the State Council notice for 2027 was not published (nor reachable) when
 * this was written. The holidays themselves are statutory — 《全国年节及纪念日放假办法》 (2025
 * revision): 元旦 1 day, 春节 4 (除夕 to 初三), 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3 — on
 * 2027's dates (除夕 5 Feb, 初一 6 Feb; 清明 5 Apr; 端午 9 Jun; 中秋 15 Sep). Statutory days on a
 * weekend get a weekday off instead (补假, per the same 办法), and the bridges and adjusted
 * working days (调休上班) follow the pattern of the 2025 and 2026 notices (春节 9 days with two
 * weekend working days, 劳动节 5 days with one, 国庆 7 days with two). The bridges and every
 * 调休 day MUST be checked against the official notice when it is published (usually in
 * November 2026) and corrected here and in tenants' saved calendars (服务设置 › 工作日历).
 */
export const CHINA_HOLIDAYS_2027: CalendarDay[] = [
  // 元旦 Fri 1 Jan with the weekend.
  ...range('2027-01-01', 3, '元旦'),
  // 春节: 除夕 Fri 5 Feb – 初三 Mon 8 Feb (Sat/Sun 6–7 Feb are statutory: 补假 9–10 Feb),
  // bridged to Sat 13 Feb by two weekend working days.
  { day: '2027-01-31', kind: 'workday', name: '春节调休上班（待国务院通知确认）' },
  ...range('2027-02-05', 9, '春节'),
  { day: '2027-02-14', kind: 'workday', name: '春节调休上班（待国务院通知确认）' },
  // 清明 Mon 5 Apr with the weekend before.
  ...range('2027-04-03', 3, '清明节'),
  // 劳动节 Sat 1 – Sun 2 May (补假 Mon 3 – Tue 4 May), bridged to Wed 5 May.
  ...range('2027-05-01', 5, '劳动节'),
  { day: '2027-05-08', kind: 'workday', name: '劳动节调休上班（待国务院通知确认）' },
  // 端午 Wed 9 Jun and 中秋 Wed 15 Sep: the day itself.
  ...range('2027-06-09', 1, '端午节'),
  ...range('2027-09-15', 1, '中秋节'),
  // 国庆 Fri 1 – Sun 3 Oct (补假 Mon 4 – Tue 5 Oct), bridged to Thu 7 Oct.
  { day: '2027-09-26', kind: 'workday', name: '国庆节调休上班（待国务院通知确认）' },
  ...range('2027-10-01', 7, '国庆节'),
  { day: '2027-10-09', kind: 'workday', name: '国庆节调休上班（待国务院通知确认）' },
];

/** The days a calendar starts with (and a tenant that never saved one uses). */
export const CHINA_HOLIDAYS: CalendarDay[] = [...CHINA_HOLIDAYS_2026, ...CHINA_HOLIDAYS_2027];

function range(first: string, n: number, name: string): CalendarDay[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: n }, (_, i) => ({
    day: new Date(start + i * DAY).toISOString().slice(0, 10),
    kind: 'holiday' as const,
    name,
  }));
}

export const DEFAULT_CALENDAR = {
  utcOffsetMinutes: 480,
  dayStart: 9 * 60,
  dayEnd: 18 * 60,
  weekdays: [1, 2, 3, 4, 5],
};

export function makeCalendar(
  base: Omit<BusinessCalendar, 'days'>,
  days: Pick<CalendarDay, 'day' | 'kind'>[],
): BusinessCalendar {
  return { ...base, days: new Map(days.map((d) => [d.day, d.kind])) };
}

export const defaultCalendar = () => makeCalendar(DEFAULT_CALENDAR, CHINA_HOLIDAYS);

/** The tenant's calendar: its saved one, or the default (9:00–18:00 Mon–Fri, China 2026–2027). */
export async function loadCalendar(
  tx: Tx,
  tenantId: string,
): Promise<BusinessCalendar & { version: number; saved: boolean }> {
  const row = (
    await sql<any>`select utc_offset_minutes, day_start, day_end, weekdays, version from service_calendars
      where tenant_id = ${tenantId}`.execute(tx)
  ).rows[0];
  if (!row) return { ...defaultCalendar(), version: 0, saved: false };
  const days = (
    await sql<{ day: string; kind: 'holiday' | 'workday' }>`select to_char(day, 'YYYY-MM-DD') as day, kind
      from service_calendar_days where tenant_id = ${tenantId}`.execute(tx)
  ).rows;
  return {
    ...makeCalendar(
      {
        utcOffsetMinutes: row.utc_offset_minutes,
        dayStart: row.day_start,
        dayEnd: row.day_end,
        weekdays: (row.weekdays as number[]).map(Number),
      },
      days,
    ),
    version: row.version,
    saved: true,
  };
}

/** Is the local day (days since the epoch, in local time) a working day? */
function working(cal: BusinessCalendar, localDay: number): boolean {
  const key = new Date(localDay * DAY).toISOString().slice(0, 10);
  const o = cal.days.get(key);
  if (o) return o === 'workday';
  const dow = ((new Date(localDay * DAY).getUTCDay() + 6) % 7) + 1; // ISO weekday
  return cal.weekdays.includes(dow);
}

/** The longest a computation walks: ten years of days (a calendar with no working day ends it). */
const MAX_DAYS = 3660;

/** `start` plus `minutes` of working time. */
export function addBusiness(cal: BusinessCalendar, start: Date, minutes: number): Date {
  if (!(minutes > 0)) return new Date(start);
  const off = cal.utcOffsetMinutes * MIN;
  let t = start.getTime() + off;
  let left = minutes * MIN;
  for (let i = 0; i < MAX_DAYS; i++) {
    const day = Math.floor(t / DAY);
    if (working(cal, day)) {
      const open = day * DAY + cal.dayStart * MIN;
      const close = day * DAY + cal.dayEnd * MIN;
      if (t < open) t = open;
      if (t < close) {
        const avail = close - t;
        if (left <= avail) return new Date(t + left - off);
        left -= avail;
      }
    }
    t = (day + 1) * DAY;
  }
  throw new Error('service calendar: no working time within ten years');
}

/** Working minutes from `a` to `b` (negative when `b` is before `a`). */
export function businessBetween(cal: BusinessCalendar, a: Date, b: Date): number {
  if (b.getTime() < a.getTime()) return -businessBetween(cal, b, a);
  const off = cal.utcOffsetMinutes * MIN;
  const from = a.getTime() + off;
  const to = b.getTime() + off;
  let sum = 0;
  const last = Math.floor(to / DAY);
  for (let day = Math.floor(from / DAY), i = 0; day <= last && i < MAX_DAYS; day++, i++) {
    if (!working(cal, day)) continue;
    const open = Math.max(day * DAY + cal.dayStart * MIN, from);
    const close = Math.min(day * DAY + cal.dayEnd * MIN, to);
    if (close > open) sum += close - open;
  }
  return sum / MIN;
}

/** The contract's addBusinessMinutes: the tenant's calendar, loaded in the caller's transaction. */
export async function addBusinessMinutes(
  tx: Tx,
  tenantId: string,
  start: Date,
  minutes: number,
): Promise<Date> {
  return addBusiness(await loadCalendar(tx, tenantId), start, minutes);
}
