import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentPeriod, periodRange } from './targets.service.ts';

describe('target periods', () => {
  it('turns a month or a quarter into a half-open date range with its months', () => {
    assert.deepEqual(periodRange('2026-11'), { from: '2026-11-01', to: '2026-12-01', months: ['2026-11'] });
    assert.deepEqual(periodRange('2026-12'), { from: '2026-12-01', to: '2027-01-01', months: ['2026-12'] });
    assert.deepEqual(periodRange('2026-Q4'), {
      from: '2026-10-01',
      to: '2027-01-01',
      months: ['2026-10', '2026-11', '2026-12'],
    });
    assert.deepEqual(periodRange('2027-Q1').months, ['2027-01', '2027-02', '2027-03']);
  });

  it('rejects anything else', () => {
    for (const bad of ['2026-13', '2026-Q5', '2026-1', 'Q4-2026', '']) assert.throws(() => periodRange(bad));
  });

  it('names the current month and quarter', () => {
    const d = new Date('2026-11-23T08:00:00Z');
    assert.equal(currentPeriod('month', d), '2026-11');
    assert.equal(currentPeriod('quarter', d), '2026-Q4');
  });
});
