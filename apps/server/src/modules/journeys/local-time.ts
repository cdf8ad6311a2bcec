/** Wall-clock arithmetic in a tenant's time zone (IANA name), without a date library. */

/** Minutes the zone is ahead of UTC at `at`. */
export function zoneOffsetMinutes(zone: string, at: Date): number {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!);
  return Math.round((asUtc - Math.floor(+at / 60_000) * 60_000) / 60_000);
}

/** The local calendar day (YYYY-MM-DD) at `at`. */
export function localDay(zone: string, at: Date): string {
  return new Date(+at + zoneOffsetMinutes(zone, at) * 60_000).toISOString().slice(0, 10);
}

/**
 * The first instant after `now` that is `hh:mm` local time on one of `weekdays` (ISO, 1 = Monday;
 * empty = any day). A wait "until 10:00 on weekdays" started at 10:00 sharp waits a day.
 */
export function nextLocalTime(zone: string, hh: number, mm: number, weekdays: number[], now: Date): Date {
  for (let d = 0; d <= 8; d++) {
    const off = zoneOffsetMinutes(zone, now);
    const local = new Date(+now + off * 60_000);
    const candLocal = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + d, hh, mm);
    const cand = new Date(candLocal - zoneOffsetMinutes(zone, new Date(candLocal - off * 60_000)) * 60_000);
    const iso = ((new Date(candLocal).getUTCDay() + 6) % 7) + 1;
    if (+cand > +now && (weekdays.length === 0 || weekdays.includes(iso))) return cand;
  }
  throw new Error('unreachable: a week always has a matching day');
}
