import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { salesKeys } from './sales-keys.ts';

/** react-query invalidates by prefix: a key refreshes every query whose key starts with it. */
const covers = (prefix: readonly unknown[], key: readonly unknown[]) =>
  prefix.every((part, i) => JSON.stringify(part) === JSON.stringify(key[i]));

describe('Sales query keys', () => {
  it('refreshes kanban, approvals, quotes and figures after a stage move or a decision', () => {
    for (const key of [
      salesKeys.kanban('p1', null, ''),
      salesKeys.approvals.inbox('pending'),
      salesKeys.approvals.ofQuote('q1'),
      salesKeys.quote('q1'),
      salesKeys.dashboard('2026-11-01', '2026-11-30', 'u1', undefined),
    ])
      assert.ok(covers(salesKeys.all, key));
  });

  it('keeps the approval inbox boxes and one quote’s approvals apart', () => {
    assert.ok(!covers(salesKeys.approvals.inbox('pending'), salesKeys.approvals.inbox('done')));
    assert.ok(!covers(salesKeys.approvals.ofQuote('q1'), salesKeys.approvals.ofQuote('q2')));
  });
});
