/**
 * Quiet hours (tenant setting, e.g. 21:00–08:00 in the tenant's time zone, China time by default):
 * a send time inside the window moves to the window's end.
 */
const DAY_MIN = 24 * 60;

export const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
export const toHHMM = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

const clocks = new Map<string, Intl.DateTimeFormat>();
/** Minute of the day on the wall clock of `timeZone` (an unknown zone reads as China time). */
export function minuteOfDay(at: Date, timeZone = 'Asia/Shanghai'): number {
  let f = clocks.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      return minuteOfDay(at, 'Asia/Shanghai');
    }
    clocks.set(timeZone, f);
  }
  const parts = f.formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

export function outOfQuietHours(
  at: Date,
  start: number | null,
  end: number | null,
  timeZone = 'Asia/Shanghai',
): Date {
  if (start === null || end === null || start === end) return at;
  const minute = minuteOfDay(at, timeZone);
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return at;
  // Minutes from now until the window ends (today or tomorrow on the tenant's clock).
  const wait = (end - minute + DAY_MIN) % DAY_MIN;
  const moved = new Date(at.getTime() + wait * 60_000);
  moved.setUTCSeconds(0, 0);
  return moved;
}
