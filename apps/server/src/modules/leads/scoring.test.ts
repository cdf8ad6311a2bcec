import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyCallOutcomes, type CallFacts, DEFAULT_SCORECARD, scorecardScore } from './scoring.service.ts';

describe('lead scorecard', () => {
  it('scores with the scorecard between 0 and 100 with the top three reasons', () => {
    const hot = scorecardScore(DEFAULT_SCORECARD, {
      need: 'urgent',
      budget: { amount: 200_000_000, currency: 'CNY' },
      companySize: 'enterprise',
      decisionChain: 'simple',
      industry: 'auto',
      channel: 'referral',
      phone: '1',
      email: 'a',
      title: 't',
      company: 'c',
      remark: 'r',
      activityCount: 3,
    });
    const cold = scorecardScore(DEFAULT_SCORECARD, { need: 'none', companySize: 'micro', channel: 'import' });
    assert.equal(hot.score, 100);
    assert.ok(cold.score < 30, `cold ${cold.score}`);
    assert.equal(hot.reasons.length, 3);
    assert.equal(hot.reasons[0]!.key, 'need_fit');
  });
});

describe('call outcomes on the score', () => {
  const base = { score: 70, source: 'scorecard' as const, reasons: [] };
  const facts = (f: Partial<CallFacts>): CallFacts => ({
    connected: 0,
    no_answer: 0,
    invalid_number: 0,
    refused: 0,
    last: null,
    ...f,
  });

  it('takes 50 points while the latest call hit an invalid number, and says so first', () => {
    const r = applyCallOutcomes(base, facts({ invalid_number: 1, last: 'invalid_number' }));
    assert.equal(r.score, 20);
    assert.equal(r.reasons[0]!.key, 'call_invalid_number');
    assert.equal(r.reasons[0]!.impact, -50);
    const fixed = applyCallOutcomes(base, facts({ invalid_number: 1, connected: 1, last: 'connected' }));
    assert.equal(fixed.score, 70, 'a later connected call lifts the penalty');
  });

  it('counts refused calls and repeated no-answers, at most 20, never below 0', () => {
    assert.equal(applyCallOutcomes(base, facts({ no_answer: 1, last: 'no_answer' })).score, 70);
    assert.equal(applyCallOutcomes(base, facts({ no_answer: 3, last: 'no_answer' })).score, 60);
    assert.equal(applyCallOutcomes(base, facts({ refused: 5, last: 'refused' })).score, 50);
    const low = applyCallOutcomes({ ...base, score: 10 }, facts({ refused: 2, last: 'invalid_number' }));
    assert.equal(low.score, 0);
  });
});
