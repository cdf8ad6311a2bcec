import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { drainBackground, useTestEnv } from '../../testing/harness.ts';
import { bindSimulatedCorp, useWeComSimulator } from './simulator-fixture.ts';

/**
 * The remark form's API (客户备注: remark, description, phones, company) against the simulator:
 * read with a version, WeCom's limits as field errors, and concurrent edits → 409.
 */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(37, (s) => {
  sim = s;
});

describe('WeCom remark form (externalcontact/remark)', () => {
  let ctx: Awaited<ReturnType<typeof bindSimulatedCorp>>;
  let ext: string;
  let contactId: string;
  const put = (body: Record<string, unknown>) =>
    ctx.admin.request('PUT', '/wecom/contact-remarks', {
      corpRef: ctx.corpRef,
      externalUserid: ext,
      userid: 'sun.lei',
      ...body,
    });
  const current = async () => {
    const r = await ctx.admin.get(`/wecom/contact-remarks?corpRef=${ctx.corpRef}&externalUserid=${ext}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.items.find((x: any) => x.userid === 'sun.lei');
  };

  before(async () => {
    ctx = await bindSimulatedCorp(env, sim, { prefix: 'wwremark', syncStaff: true });
    ({ external_userid: ext } = await ctx.corp.addFriendDirectly(
      'sun.lei',
      ctx.corp.wechatUser({ name: '郑女士' }),
    ));
    const deadline = Date.now() + 60_000;
    for (;;) {
      await sim.flushCallbacks();
      await drainBackground(env, ctx.seed.tenantId);
      const c = ((await ctx.admin.get('/wecom/contacts')).body.items as any[]).find(
        (x) => x.externalUserid === ext && x.contactId,
      );
      if (c) {
        contactId = c.contactId;
        break;
      }
      if (Date.now() > deadline) throw new Error('contact never arrived');
      await new Promise((r) => setImmediate(r));
    }
  });

  it('reads the remark with its version, by customer and by CRM contact', async () => {
    const row = await current();
    assert.equal(row.version, 0);
    assert.equal(row.remark, null);
    const byContact = await ctx.admin.get(`/wecom/contact-remarks?contactId=${contactId}`);
    assert.equal(byContact.status, 200);
    assert.equal(byContact.body.items.length, 1);
    assert.equal(byContact.body.items[0].staffName, '孙磊');
    const none = await ctx.admin.get('/wecom/contact-remarks');
    assert.deepEqual(none.body.items, []);
  });

  it('saves remark, description, phones and company to WeCom and bumps the version', async () => {
    const r = await put({
      version: 0,
      remark: '郑总',
      description: '两个孩子，看七座',
      remarkMobiles: ['13900139021', '021-5555-1234'],
      remarkCompany: '张江科技',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.version, 1);
    assert.equal(r.body.remarkCompany, '张江科技');
    const mine = ctx.corp
      .externalContacts()
      .find((x) => x.external_userid === ext)!
      .follow_users.find((u) => u.userid === 'sun.lei')!;
    assert.equal(mine.remark, '郑总');
    assert.equal(ctx.corp.state.contacts.get(ext)!.follows.get('sun.lei')!.remark_corp_name, '张江科技');
    assert.deepEqual(mine.remark_mobiles, ['13900139021', '021-5555-1234']);
    const row = await current();
    assert.equal(row.version, 1);
    assert.equal(row.description, '两个孩子，看七座');
  });

  it('WeCom’s limits come back per field', async () => {
    const long = await put({ version: 1, remark: 'x'.repeat(21), description: 'y'.repeat(151) });
    assert.equal(long.status, 422);
    const fields = long.body.errors.map((e: any) => e.field).sort();
    assert.deepEqual(fields, ['description', 'remark']);
    const phones = await put({
      version: 1,
      remarkMobiles: Array.from({ length: 6 }, (_, i) => `1390013900${i}`),
    });
    assert.equal(phones.status, 422);
    assert.equal(phones.body.errors[0].field, 'remarkMobiles');
    const badPhone = await put({ version: 1, remarkMobiles: ['call me'] });
    assert.equal(badPhone.status, 422);
    assert.match(badPhone.body.errors[0].field, /^remarkMobiles/);
    const company = await put({ version: 1, remarkCompany: 'c'.repeat(21) });
    assert.equal(company.status, 422);
    assert.equal(company.body.errors[0].field, 'remarkCompany');
    assert.equal((await current()).version, 1, 'nothing was saved');
  });

  it('two people saving the same version: one wins, the other gets a 409 and WeCom keeps the winner', async () => {
    const [a, b] = await Promise.all([
      put({ version: 1, remark: '甲改' }),
      put({ version: 1, remark: '乙改' }),
    ]);
    const statuses = [a.status, b.status].sort();
    assert.deepEqual(statuses, [200, 409], JSON.stringify([a.body, b.body]));
    const lost = a.status === 409 ? a : b;
    const won = a.status === 200 ? a : b;
    assert.equal(lost.body.errors[0].field, 'version');
    assert.ok(lost.body.detail);
    const mine = ctx.corp
      .externalContacts()
      .find((x) => x.external_userid === ext)!
      .follow_users.find((u) => u.userid === 'sun.lei')!;
    assert.equal(mine.remark, won.body.remark);
    const stale = await put({ version: 1, remark: '旧版本' });
    assert.equal(stale.status, 409);
  });
});
