import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minuteOfDay, outOfQuietHours, toMinutes } from './quiet-hours.ts';

describe('quiet hours on the tenant’s clock', () => {
  const q = [toMinutes('21:00'), toMinutes('08:00')] as const;

  it('moves a send inside a window that wraps midnight to its end (China time)', () => {
    // 22:30 in Shanghai = 14:30 UTC → 08:00 Shanghai the next day = 00:00 UTC.
    const moved = outOfQuietHours(new Date('2026-12-06T14:30:00Z'), ...q);
    assert.equal(moved.toISOString(), '2026-12-07T00:00:00.000Z');
    assert.equal(
      outOfQuietHours(new Date('2026-12-06T04:00:00Z'), ...q).toISOString(),
      '2026-12-06T04:00:00.000Z',
      'noon is not quiet',
    );
  });

  it('reads the window in the tenant’s own time zone', () => {
    // 14:30 UTC is 09:30 in New York (EST): outside 21–08 there, inside it in Shanghai.
    const at = new Date('2026-12-06T14:30:00Z');
    assert.equal(minuteOfDay(at, 'America/New_York'), 9 * 60 + 30);
    assert.equal(outOfQuietHours(at, ...q, 'America/New_York').toISOString(), at.toISOString());
    // 03:00 UTC is 22:00 in New York → 08:00 there = 13:00 UTC.
    assert.equal(
      outOfQuietHours(new Date('2026-12-07T03:00:00Z'), ...q, 'America/New_York').toISOString(),
      '2026-12-07T13:00:00.000Z',
    );
    assert.equal(minuteOfDay(at, 'Not/AZone'), 22 * 60 + 30, 'an unknown zone reads as China time');
  });
});
