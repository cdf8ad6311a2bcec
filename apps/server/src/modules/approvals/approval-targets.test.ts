import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conditionHolds } from './approval-targets.ts';

describe('approval conditions', () => {
  it('compares numbers strictly or inclusively and treats a missing fact as not matching', () => {
    const c = { field: 'discountPercent', op: 'gt' as const, value: 15 };
    assert.equal(conditionHolds(c, { discountPercent: 15 }), false);
    assert.equal(conditionHolds(c, { discountPercent: 15.01 }), true);
    assert.equal(conditionHolds({ ...c, op: 'gte' }, { discountPercent: 15 }), true);
    assert.equal(conditionHolds(c, {}), false);
    assert.equal(conditionHolds(c, { discountPercent: null }), false);
  });

  it('matches strings for eq and ne, and an absent condition always holds', () => {
    assert.equal(conditionHolds({ field: 'currency', op: 'eq', value: 'USD' }, { currency: 'USD' }), true);
    assert.equal(conditionHolds({ field: 'currency', op: 'ne', value: 'USD' }, { currency: 'CNY' }), true);
    assert.equal(conditionHolds(null, {}), true);
  });
});
