import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addBusiness, businessBetween, CHINA_HOLIDAYS_2027, defaultCalendar } from './calendar.ts';

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

  it('carries the statutory 2027 holidays (provisional 调休) so deadlines do not fall on them', () => {
    const off = (kind: string) => {
      const n: Record<string, number> = {};
      for (const d of CHINA_HOLIDAYS_2027) if (d.kind === kind) n[d.name] = (n[d.name] ?? 0) + 1;
      return n;
    };
    // Days off per festival, weekends and 补假 included; one 调休 day per bridged weekday.
    assert.deepEqual(off('holiday'), {
      元旦: 3,
      春节: 9,
      清明节: 3,
      劳动节: 5,
      端午节: 1,
      中秋节: 1,
      国庆节: 7,
    });
    assert.equal(CHINA_HOLIDAYS_2027.filter((d) => d.kind === 'workday').length, 5);
    // Every 调休 day is a weekend day, every weekday holiday is off.
    for (const d of CHINA_HOLIDAYS_2027.filter((x) => x.kind === 'workday'))
      assert.ok([0, 6].includes(new Date(`${d.day}T00:00:00Z`).getUTCDay()), d.day);
    // Thu 4 Feb 2027 17:00 + 120: 春节 5–13 Feb off, Sun 14 Feb works (调休)
    assert.deepEqual(addBusiness(cal, bj('2027-02-04T17:00:00'), 120), bj('2027-02-14T10:00:00'));
    // Tue 8 Jun 17:00 + 120: 端午 Wed 9 Jun off → Thu 10 Jun 10:00; 中秋 Wed 15 Sep likewise
    assert.deepEqual(addBusiness(cal, bj('2027-06-08T17:00:00'), 120), bj('2027-06-10T10:00:00'));
    assert.deepEqual(addBusiness(cal, bj('2027-09-14T17:00:00'), 120), bj('2027-09-16T10:00:00'));
    // Thu 30 Sep 17:00 + 120: 国庆 1–7 Oct off → Fri 8 Oct 10:00; Sat 9 Oct works
    assert.deepEqual(addBusiness(cal, bj('2027-09-30T17:00:00'), 120), bj('2027-10-08T10:00:00'));
    assert.deepEqual(addBusiness(cal, bj('2027-10-08T17:00:00'), 120), bj('2027-10-09T10:00:00'));
    // Thu 31 Dec 2026 17:00 + 120: 元旦 1–3 Jan → Mon 4 Jan 10:00
    assert.deepEqual(addBusiness(cal, bj('2026-12-31T17:00:00'), 120), bj('2027-01-04T10:00:00'));
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
