/**
 * Quiet hours (tenant setting, e.g. 21:00–08:00 China time): a send time inside the window moves
 * to the window's end. China keeps no daylight saving, so a fixed +08:00 offset is exact.
 */
const OFFSET_MIN = 8 * 60;
const DAY_MIN = 24 * 60;

export const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
export const toHHMM = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

export function outOfQuietHours(at: Date, start: number | null, end: number | null): Date {
  if (start === null || end === null || start === end) return at;
  const local = new Date(at.getTime() + OFFSET_MIN * 60_000);
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return at;
  // Minutes from now until the window ends (today or tomorrow, China time).
  const wait = (end - minute + DAY_MIN) % DAY_MIN;
  const moved = new Date(at.getTime() + wait * 60_000);
  moved.setUTCSeconds(0, 0);
  return moved;
}
