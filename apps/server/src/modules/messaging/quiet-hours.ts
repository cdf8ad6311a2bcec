/**
 * Quiet hours in the tenant's time zone (outreach/quiet-hours.ts assumes China's fixed +08:00;
 * a messaging tenant names its own zone, which may keep daylight saving). A time inside the
 * window moves to the window's end; `null` when it is outside.
 */
const DAY_MIN = 24 * 60;

export const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
export const toHHMM = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

function localMinute(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return h * 60 + m;
}

export function quietUntil(
  at: Date,
  start: number | null,
  end: number | null,
  timeZone: string,
): Date | null {
  if (start === null || end === null || start === end) return null;
  let zone = timeZone;
  try {
    localMinute(at, zone);
  } catch {
    zone = 'Asia/Shanghai';
  }
  const minute = localMinute(at, zone);
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return null;
  const wait = (end - minute + DAY_MIN) % DAY_MIN;
  const moved = new Date(at.getTime() + wait * 60_000);
  moved.setUTCSeconds(0, 0);
  // A daylight-saving change inside the wait shifts the wall clock by up to an hour: step to the end.
  for (let i = 0; i < 120 && localMinute(moved, zone) !== end; i++) moved.setTime(moved.getTime() + 60_000);
  return moved;
}
