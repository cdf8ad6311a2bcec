import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addBusiness, businessBetween, defaultCalendar } from './calendar.ts';

const cal = defaultCalendar();
/** Beijing local time → Date */
const bj = (s: string) => new Date(`${s}+08:00`);

describe('business calendar (China, 9:00–18:00)', () => {
  it('adds minutes within a day and across the evening and the weekend', () => {
    assert.deepEqual(addBusiness(cal, bj('2026-03-02T10:00:00'), 60), bj('2026-03-02T11:00:00'));
    // Friday 17:30 + 60 → Monday 9:30
    assert.deepEqual(addBusiness(cal, bj('2026-03-06T17:30:00'), 60), bj('2026-03-09T09:30:00'));
    // before opening counts from 9:00
    assert.deepEqual(addBusiness(cal, bj('2026-03-02T07:00:00'), 30), bj('2026-03-02T09:30:00'));
  });

  it('skips National Day (1–7 Oct 2026) and works the adjusted Saturday 10 Oct', () => {
    // Wed 30 Sep 17:00 + 120 min: 60 left that day, then holidays 1–7 Oct, Thu 8 Oct 10:00
    assert.deepEqual(addBusiness(cal, bj('2026-09-30T17:00:00'), 120), bj('2026-10-08T10:00:00'));
    // Fri 9 Oct 17:00 + 120: Saturday 10 Oct is a working day (调休)
    assert.deepEqual(addBusiness(cal, bj('2026-10-09T17:00:00'), 120), bj('2026-10-10T10:00:00'));
    // Sunday 20 Sep 2026 is a working day too
    assert.deepEqual(addBusiness(cal, bj('2026-09-20T09:00:00'), 60), bj('2026-09-20T10:00:00'));
    // Spring Festival: 15–23 Feb off, Sat 14 Feb works
    assert.deepEqual(addBusiness(cal, bj('2026-02-13T17:00:00'), 120), bj('2026-02-14T10:00:00'));
    assert.deepEqual(addBusiness(cal, bj('2026-02-14T17:00:00'), 120), bj('2026-02-24T10:00:00'));
  });

  it('measures business minutes between two instants, the inverse of adding', () => {
    assert.equal(businessBetween(cal, bj('2026-09-30T17:00:00'), bj('2026-10-08T10:00:00')), 120);
    assert.equal(businessBetween(cal, bj('2026-10-08T10:00:00'), bj('2026-09-30T17:00:00')), -120);
    const start = bj('2026-04-30T11:17:00');
    for (const m of [1, 59, 540, 541, 5000]) {
      assert.equal(Math.round(businessBetween(cal, start, addBusiness(cal, start, m))), m);
    }
  });
});
