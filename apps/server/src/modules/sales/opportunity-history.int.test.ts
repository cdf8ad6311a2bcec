import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { getTestEnv, login, newTenant } from '../../testing/harness.ts';
import { newCustomer, newOpportunity, ok } from './test-kit.ts';

after(async () => (await getTestEnv()).close());

describe('opportunity history', () => {
  it('reads one "完成 SOP" per item however often it is ticked, and one stage change per move', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const c = await login(env, seed.slug, 'sun.lei');
    const opp = await newOpportunity(c, await newCustomer(c), 800_000);
    for (const item of ['confirm_need', 'identify_dm', 'confirm_need', 'budget'])
      await ok(c.post(`/opportunities/${opp.id}/sop`, { stage: 'discovery', item, done: true }));
    // Unticking what is not ticked says nothing either.
    await ok(c.post(`/opportunities/${opp.id}/sop`, { stage: 'solution', item: 'demo', done: false }));
    await ok(c.post(`/opportunities/${opp.id}/stage`, { stage: 'solution' }));
    const tl = (await ok(c.get(`/records/opportunity/${opp.id}/timeline`))).items as any[];
    const sop = tl.filter((e) => e.action === 'sop_done');
    assert.deepEqual(sop.map((e) => e.meta.itemLabel['zh-CN']).sort(), [
      '了解预算范围与采购时间',
      '确认客户核心需求与痛点',
      '识别决策人与决策链',
    ]);
    assert.equal(sop[0].meta.stageLabel['zh-CN'], '需求挖掘');
    assert.equal(tl.filter((e) => e.action === 'sop_undone').length, 0);
    const moves = tl.filter((e) => e.action === 'stage_change');
    assert.equal(moves.length, 1, 'one history entry for the move');
    assert.deepEqual(
      { field: moves[0].changes[0].field, from: moves[0].changes[0].from, to: moves[0].changes[0].to },
      { field: 'stage', from: 'discovery', to: 'solution' },
    );
    assert.equal(
      tl.filter((e) => e.action === 'update').length,
      0,
      'the move is not repeated as a field update',
    );
  });

  it('shows checklist progress of the current stage on each kanban card', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const c = await login(env, seed.slug, 'sun.lei');
    const opp = await newOpportunity(c, await newCustomer(c), 300_000);
    await ok(
      c.post(`/opportunities/${opp.id}/sop`, { stage: 'discovery', item: 'confirm_need', done: true }),
    );
    const board = await ok(c.get('/opportunities/kanban'));
    const col = board.columns.find((x: any) => x.stage === 'discovery');
    assert.ok(col.cards.some((x: any) => x.id === opp.id));
    assert.equal(col.sop[opp.id].done, 1);
    assert.ok(col.sop[opp.id].total >= 3);
    const other = await newTenant(env, 0);
    const stranger = await login(env, other.slug, 'sun.lei');
    const theirs = await ok(stranger.get('/opportunities/kanban'));
    assert.ok(!JSON.stringify(theirs).includes(opp.id), 'another tenant never sees the card or its progress');
    // Ticking an item of another tenant's opportunity is a 404.
    const probe = await stranger.post(`/opportunities/${opp.id}/sop`, {
      stage: 'discovery',
      item: 'identify_dm',
      done: true,
    });
    assert.equal(probe.status, 404);
    const badItem = await c.post(`/opportunities/${opp.id}/sop`, {
      stage: 'discovery',
      item: 'nope',
      done: true,
    });
    assert.equal(badItem.status, 422);
    assert.ok(badItem.body.errors.some((e: any) => e.field === 'item'));
  });
});
