import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniqueMobile } from '../../testing/fixtures.ts';
import { drainBackground, login, useTestEnv } from '../../testing/harness.ts';
import { sendBatch, tenantWithSource } from './test-kit.ts';

const env = useTestEnv();

describe('潜客 in the sales funnel (R11.1)', () => {
  it('counts people who left a phone or e-mail this period, the share with a lead, and only to readers of the whole tenant', async () => {
    const t = await tenantWithSource(env, 0);
    const [p1, p2] = [uniqueMobile(), uniqueMobile()];
    await sendBatch(env, t.key, [
      { type: 'identify', userId: 'fp-1', traits: { name: '潜客一', phone: p1 } },
      { type: 'identify', userId: 'fp-2', traits: { name: '潜客二', phone: p2 } },
      { type: 'identify', userId: 'fp-3', traits: { name: '潜客三', email: 'fp3@example.com' } },
      // An anonymous visitor left nothing to follow up: not a prospect.
      { type: 'track', anonymousId: 'fp-anon', event: 'Page Viewed', properties: {} },
    ]);
    await drainBackground(env, t.tenantId);
    const stages = async (path = '/analytics/funnel') => {
      const r = await t.admin.get(path);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.stages.map((s: any) => [s.key, s.value, s.conversion]);
    };
    assert.deepEqual((await stages()).slice(0, 2), [
      ['prospect', 3, null],
      ['lead', 0, 0],
    ]);

    // One of them becomes a lead (same phone): a third of the period's prospects have one.
    const lead = await t.admin.post('/records/lead', { name: '潜客一', phone: p1, channel: 'web_form' });
    assert.equal(lead.status, 201, JSON.stringify(lead.body));
    assert.deepEqual((await stages()).slice(0, 2), [
      ['prospect', 3, null],
      ['lead', 1, 33.33],
    ]);

    // People belong to no channel or unit: a filtered funnel starts at 线索, and so does a dealer's.
    assert.equal((await stages('/analytics/funnel?channel=web_form'))[0][0], 'lead');
    const dealer = await login(env, t.seed.slug, 'zhang.wei');
    const d = await dealer.get('/analytics/funnel');
    assert.equal(d.status, 200);
    assert.ok(!d.body.stages.some((s: any) => s.key === 'prospect'), 'a dealer sees no tenant-wide count');
  });
});
