import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SCORECARD, scorecardScore } from './scoring.service.ts';

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
