import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { drainBackground, login, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { bindSimulatedCorp, useWeComSimulator } from '../wecom/test-kit.ts';

/**
 * The chat sidebar against the WeCom simulator over real HTTP: JS-SDK signatures the simulated
 * client accepts, the customer and group in the chat for the staff member who has them, and the
 * same 404 for everyone else (another salesperson of the store, another region, another tenant).
 */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(1106, (s) => {
  sim = s;
});
const AGENT_ID = 1000017;
const PAGE = 'http://127.0.0.1:3000/sidebar?from=wecom';

type Ctx = Awaited<ReturnType<typeof bindSimulatedCorp>>;

async function until<T>(what: string, tenantId: string, probe: () => Promise<T | null | undefined | false>) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await sim.flushCallbacks();
    await drainBackground(env, tenantId);
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('chat sidebar', () => {
  let ctx: Ctx;
  let ext: string;
  let chatId: string;
  let zhao: Awaited<ReturnType<typeof login>>;

  before(async () => {
    ctx = await bindSimulatedCorp(env, sim, {
      prefix: 'wwside',
      syncStaff: true,
      extraStaff: [{ userid: 'guo.min', name: '郭敏' }],
    });
    // The corp's app (agent): what the JS-SDK signs with.
    const patched = await ctx.admin.patch(`/wecom/corps/${ctx.corpRef}`, {
      appSecret: `as-${ctx.corpId}`,
      agentId: AGENT_ID,
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    ctx.corp.state.appSecret = `as-${ctx.corpId}`;
    ctx.corp.state.agentId = AGENT_ID;
    const customer = ctx.corp.wechatUser({ name: '王小明', mobile: '13912345678' });
    ({ external_userid: ext } = await ctx.corp.addFriendDirectly('zhao.jing', customer));
    await ctx.corp.staffEditsContact('zhao.jing', ext, { remark_mobiles: ['13912345678'] });
    ({ chat_id: chatId } = await ctx.corp.createGroup('zhao.jing', '车主交流群', [customer]));
    zhao = await login(env, ctx.seed.slug, 'zhao.jing');
    await until('contact with a profile', ctx.seed.tenantId, async () => {
      const r = await zhao.get(`/sidebar/contact/${ext}`);
      return r.status === 200 && r.body.profile ? r.body : null;
    });
  });

  it('JS-SDK signatures the simulated client accepts; tickets fetched once per corp', async () => {
    const r = await zhao.get(`/wecom/jsapi-signature?url=${encodeURIComponent(PAGE)}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.corpId, ctx.corpId);
    assert.equal(r.body.agentId, AGENT_ID);
    assert.equal(r.body.sdkUrl, `${sim.url}/_sim/jweixin.js`);
    const session = await fetch(`${sim.url}/_sim/jsapi/sessions`, {
      method: 'POST',
      body: JSON.stringify({ corpId: ctx.corpId, userid: 'zhao.jing', external_userid: ext }),
    }).then((x) => x.json() as Promise<any>);
    const invoke = (api: string, args: unknown, url = PAGE) =>
      fetch(`${sim.url}/_sim/jsapi/sessions/${session.sid}/invoke`, {
        method: 'POST',
        body: JSON.stringify({ api, args, url }),
      }).then((x) => x.json() as Promise<any>);
    const agent = await invoke('agentConfig', {
      ...r.body.agentConfig,
      jsApiList: ['getCurExternalContact'],
    });
    assert.equal(agent.errMsg, 'agentConfig:ok');
    assert.equal((await invoke('config', r.body.config)).errMsg, 'config:ok');
    assert.equal((await invoke('getCurExternalContact', {})).userId, ext);
    // Signed for this page only.
    const other = await invoke('agentConfig', r.body.agentConfig, 'http://127.0.0.1:3000/elsewhere');
    assert.equal(other.errMsg, 'agentConfig:fail invalid signature');

    const again = await zhao.get(`/wecom/jsapi-signature?url=${encodeURIComponent(`${PAGE}&again=1`)}`);
    assert.equal(again.status, 200);
    assert.equal(ctx.corp.apiCalls('get_jsapi_ticket'), 1);
    assert.equal(ctx.corp.apiCalls('ticket/get'), 1);

    const bad = await zhao.get(`/wecom/jsapi-signature?url=${encodeURIComponent('javascript:alert(1)')}`);
    assert.equal(bad.status, 422);
    assert.ok(
      bad.body.errors.some((e: any) => e.field === 'url'),
      JSON.stringify(bad.body),
    );
    // Not WeCom staff in any corp: nothing to sign with.
    assert.equal((await ctx.admin.get(`/wecom/jsapi-signature?url=${encodeURIComponent(PAGE)}`)).status, 404);
  });

  it('the customer in the chat for the staff member who has them: profile masked, history, tags to choose', async () => {
    const r = await zhao.get(`/sidebar/contact/${ext}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.following, true);
    assert.equal(r.body.name, '王小明');
    assert.deepEqual(r.body.followers, [{ userid: 'zhao.jing', name: '赵静', you: true }]);
    assert.deepEqual(r.body.remarkMobiles, ['139****5678']);
    assert.ok(
      !JSON.stringify(r.body).includes('13912345678'),
      `no phone in clear: ${JSON.stringify(r.body).slice(0, 3000)}`,
    );
    assert.ok(r.body.profile.id);
    assert.ok(Array.isArray(r.body.timeline));
  });

  it('another salesperson of the store, another region, another tenant: 404; the store manager sees it', async () => {
    const sun = await login(env, ctx.seed.slug, 'sun.lei');
    const guo = await login(env, ctx.seed.slug, 'guo.min');
    const zhang = await login(env, ctx.seed.slug, 'zhang.wei');
    for (const [who, c] of [
      ['sun.lei', sun],
      ['guo.min', guo],
    ] as const) {
      const r = await c.get(`/sidebar/contact/${ext}`);
      assert.equal(r.status, 404, `${who}: ${JSON.stringify(r.body)}`);
      assert.ok(!JSON.stringify(r.body).includes('王小明'));
      assert.equal((await c.get(`/sidebar/group/${chatId}`)).status, 404, who);
      assert.equal(
        (await c.post(`/sidebar/contact/${ext}/tags`, { tagId: crypto.randomUUID(), on: true })).status,
        404,
      );
    }
    const m = await zhang.get(`/sidebar/contact/${ext}`);
    assert.equal(m.status, 200, JSON.stringify(m.body));
    assert.equal(m.body.following, false);
    const other = await newTenantWithAdmin(env, 0);
    assert.equal((await other.admin.get(`/sidebar/contact/${ext}`)).status, 404);
    assert.equal((await other.admin.get(`/sidebar/group/${chatId}`)).status, 404);
    assert.equal((await zhao.get('/sidebar/contact/wm-made-up')).status, 404);
    assert.equal((await zhao.get(`/sidebar/contact/${'x'.repeat(200)}`)).status, 422);
  });

  it('a tag put on in the sidebar becomes a CDP manual tag and reaches WeCom; a foreign tag is refused', async () => {
    const { ids } = await ctx.corp.editTagInWeCom({
      action: 'create',
      group_name: '意向',
      tags: ['高意向', '试驾'],
    });
    const choices = await until('corp tags offered', ctx.seed.tenantId, async () => {
      const r = await zhao.get(`/sidebar/contact/${ext}`);
      return r.body.tagChoices.length === 2 ? (r.body.tagChoices as any[]) : null;
    });
    const hot = choices.find((c) => c.name === '高意向')!;
    assert.equal(hot.group, '意向');
    const put = await zhao.post(`/sidebar/contact/${ext}/tags`, { tagId: hot.tagId, on: true });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(
      put.body.profile.tags.map((t: any) => t.name),
      ['高意向'],
    );
    await until('tag marked in WeCom', ctx.seed.tenantId, async () => {
      const c = ctx.corp.externalContacts().find((x) => x.external_userid === ext)!;
      return c.follow_users[0]!.tags.includes(ids[0]!);
    });
    const foreign = await zhao.post(`/sidebar/contact/${ext}/tags`, { tagId: crypto.randomUUID(), on: true });
    assert.equal(foreign.status, 422);
    assert.equal(foreign.body.errors[0].field, 'tagId');
    const badBody = await zhao.post(`/sidebar/contact/${ext}/tags`, { tagId: 'x', on: 'yes' });
    assert.equal(badBody.status, 422);
    const off = await zhao.post(`/sidebar/contact/${ext}/tags`, { tagId: hot.tagId, on: false });
    assert.deepEqual(off.body.profile.tags, []);
  });

  it('reply suggestions: scripts most like the customer’s latest message to the caller, nobody else’s chat', async () => {
    const none = await zhao.get(`/sidebar/contact/${ext}/suggestions`);
    assert.equal(none.status, 200, JSON.stringify(none.body));
    assert.deepEqual(none.body, { basedOn: null, items: [] }, 'no archived message yet: nothing to answer');
    const price = await zhao.post('/scripts', {
      title: '价格异议',
      body: '价格方面我们这个月有置换补贴，比别家更划算，我帮您算一下？',
      scope: 'personal',
    });
    assert.equal(price.status, 201, JSON.stringify(price.body));
    await zhao.post('/scripts', { title: '试驾邀约', body: '周末有空来店里试驾吗？', scope: 'personal' });
    // The customer's messages as the archive reader stores them (chats module): an older one, then the latest.
    await inTenant(env.database.db, ctx.seed.tenantId, async (tx) => {
      await sql`insert into chat_messages (tenant_id, corp_ref, msgid, seq, msgtime, msgtype, action, direction,
          staff_userid, external_userid, content, unit_id, staff_user_id, raw)
        select ${ctx.seed.tenantId}, ${ctx.corpRef}, x.msgid, x.seq, now() - make_interval(mins => x.ago), 'text', 'send',
          'in', 'zhao.jing', ${ext}, x.content, u.unit_id, u.id, '{}'
        from (values ('side-1', 1, 10, '周末可以试驾吗'), ('side-2', 2, 1, '你们价格太贵了，别家便宜好多')) x(msgid, seq, ago, content),
          users u where u.login = 'zhao.jing'`.execute(tx);
    });
    const r = await zhao.get(`/sidebar/contact/${ext}/suggestions`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.basedOn.text, '你们价格太贵了，别家便宜好多');
    assert.equal(r.body.items[0].id, price.body.id);
    // The store manager may open the customer, but the chat is 赵静's: no message, no suggestions.
    const zhang = await login(env, ctx.seed.slug, 'zhang.wei');
    assert.deepEqual((await zhang.get(`/sidebar/contact/${ext}/suggestions`)).body, {
      basedOn: null,
      items: [],
    });
    const sun = await login(env, ctx.seed.slug, 'sun.lei');
    assert.equal((await sun.get(`/sidebar/contact/${ext}/suggestions`)).status, 404);
    const other = await newTenantWithAdmin(env, 0);
    assert.equal((await other.admin.get(`/sidebar/contact/${ext}/suggestions`)).status, 404);
  });

  it('the group chat: owner and members, customers linked to their profiles', async () => {
    const g = await until('group synced', ctx.seed.tenantId, async () => {
      const r = await zhao.get(`/sidebar/group/${chatId}`);
      return r.status === 200 && r.body.counts.customers === 1 ? r.body : null;
    });
    assert.equal(g.name, '车主交流群');
    assert.equal(g.member, true);
    assert.deepEqual(g.owner, { userid: 'zhao.jing', name: '赵静', you: true });
    const customer = g.members.find((m: any) => m.kind === 'external');
    assert.ok(customer.profileId, JSON.stringify(g.members));
    const zhang = await login(env, ctx.seed.slug, 'zhang.wei');
    const m = await zhang.get(`/sidebar/group/${chatId}`);
    assert.equal(m.status, 200);
    assert.equal(m.body.member, false);
  });
});
