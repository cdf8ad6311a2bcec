import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import sharp from 'sharp';
import { loadPrincipal } from '../../core/auth/access-loader.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { type Client, drainBackground, login, useTestEnv } from '../../testing/harness.ts';
import { amountOff } from '../coupons/test-kit.ts';
import { bindSimulatedCorp, useWeComSimulator } from '../wecom/test-kit.ts';
import { fissionFiguresByStaff } from './index.ts';

/** Issue 11: 裂变 — personal codes, live progress, anti-fraud, idempotent rewards, funnel. */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(32, (s) => {
  sim = s;
});

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

const today = () => new Date().toISOString().slice(0, 10);
const local = (url: string) => env.baseUrl + new URL(url).pathname;

/** A customer's browser on the public pages (keeps the participant cookie). */
function browser() {
  let cookie = '';
  const call = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(local(url), { ...init, headers: { ...(init.headers ?? {}), cookie } });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!;
    return res;
  };
  return {
    call,
    async join(joinUrl: string, name: string) {
      await call(joinUrl);
      const r = await call(`${joinUrl}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      return { status: r.status, body: (await r.json()) as any };
    },
  };
}

describe('fission campaigns 裂变', () => {
  let ctx: Awaited<ReturnType<typeof bindSimulatedCorp>>;
  let hq: Client;
  let campaign: any;
  const t = () => ctx.seed.tenantId;
  const db = <T>(fn: Parameters<typeof inTenant<T>>[2]) => inTenant(env.database.db, t(), fn);
  const codeOf = (progressUrl: string) =>
    db(
      async (tx) =>
        (
          await sql<{
            code_qr: string;
          }>`select code_qr from fission_participants where token = ${progressUrl.split('/').pop()}`.execute(
            tx,
          )
        ).rows[0]!.code_qr,
    );
  const principalOf = async (loginName: string): Promise<Principal> => {
    const u = await db(
      async (tx) =>
        (
          await sql<{
            id: string;
            v: number;
          }>`select u.id, t.authz_version as v from users u join tenants t on t.id = u.tenant_id
          where u.login = ${loginName}`.execute(tx)
        ).rows[0]!,
    );
    return { ...(await loadPrincipal(env.database.db, t(), u.id, u.v))!, kind: 'user' };
  };
  const progress = async (url: string) => (await fetch(`${local(url)}/progress`)).json() as Promise<any>;

  before(async () => {
    ctx = await bindSimulatedCorp(env, sim, { prefix: 'wwfis', syncStaff: true });
    hq = ctx.admin;
    const r = await hq.post('/fission/campaigns', {
      name: '老带新送保养',
      startsOn: today(),
      endsOn: '2099-12-31',
      corpRef: ctx.corpRef,
      staff: ['sun.lei', 'zhao.jing'],
      inviteTarget: 2,
      rewardType: 'gift',
      rewardText: '免费保养一次',
      budget: 5000,
      rewardCost: 200,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    campaign = r.body;
  });

  it('optimistic locking: a stale edit gets a localised 409 and overwrites nothing', async () => {
    const r = await hq.post('/fission/campaigns', {
      name: '双人编辑',
      startsOn: today(),
      endsOn: '2099-12-31',
      corpRef: ctx.corpRef,
      staff: ['sun.lei'],
      inviteTarget: 3,
      rewardType: 'gift',
      rewardText: '洗车券',
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.version, 1);
    const url = `/fission/campaigns/${r.body.id}`;
    const first = await hq.patch(url, { rewardText: '保养券', version: 1 });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.version, 2);
    const stale = await hq.patch(url, { rewardText: '覆盖', inviteTarget: 9, version: 1 });
    assert.equal(stale.status, 409);
    assert.match(stale.headers.get('content-type') ?? '', /problem\+json/);
    assert.match(stale.body.detail, /他人修改/);
    assert.equal(stale.body.errors[0].field, 'version');
    const now = (await hq.get(url)).body;
    assert.deepEqual([now.rewardText, now.inviteTarget, now.version], ['保养券', 3, 2]);
    const missing = await hq.patch(url, { rewardText: '无版本' });
    assert.equal(missing.status, 422);
    assert.ok(missing.body.errors.some((e: any) => e.field === 'version'));
    const en = await hq.request(
      'PATCH',
      url,
      { rewardText: 'x', version: 1 },
      { 'accept-language': 'en-US' },
    );
    assert.equal(en.status, 409);
    assert.match(en.body.detail, /Someone else changed/);
    assert.equal((await hq.del(url)).status, 204);
  });

  it('refuses bad campaigns with field errors', async () => {
    const base = {
      name: 'x',
      startsOn: '2026-05-02',
      endsOn: '2026-05-01',
      corpRef: ctx.corpRef,
      staff: ['sun.lei'],
      inviteTarget: 2,
      rewardType: 'gift',
      rewardText: 'x',
    };
    const r1 = await hq.post('/fission/campaigns', base);
    assert.equal(r1.status, 422);
    assert.equal(r1.body.errors[0].field, 'endsOn');
    const r2 = await hq.post('/fission/campaigns', { ...base, endsOn: '2026-06-01', staff: ['nobody'] });
    assert.equal(r2.status, 422);
    assert.equal(r2.body.errors[0].field, 'staff.0');
    const r3 = await hq.post('/fission/campaigns', {
      ...base,
      endsOn: '2026-06-01',
      inviteTarget: 0,
      rewardType: 'x',
    });
    assert.equal(r3.status, 422);
    const dealer = await login(env, ctx.seed.slug, 'zhang.wei');
    assert.equal(
      (await dealer.get(`/fission/campaigns/${campaign.id}`)).status,
      404,
      'HQ’s campaign is not a dealer’s',
    );
  });

  it('gives a participant a personal code and poster; two friends who add → 2/2 and one reward, once', async () => {
    const amy = browser();
    const joined = await amy.join(campaign.joinUrl, '小美');
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
    const again = await amy.join(campaign.joinUrl, '小美');
    assert.equal(again.body.url, joined.body.url, 'one participation per browser');
    const page = await (await amy.call(joined.body.url)).text();
    assert.match(page, /data-testid="fission-done">0</);
    const poster = await amy.call(`${joined.body.url}/poster.png`);
    assert.equal(poster.headers.get('content-type'), 'image/png');
    assert.ok((await poster.arrayBuffer()).byteLength > 1000);
    const qr = await codeOf(joined.body.url);
    const f1 = ctx.corp.wechatUser({ name: '好友甲', unionid: `ou-a-${Date.now()}` });
    const f2 = ctx.corp.wechatUser({ name: '好友乙', unionid: `ou-b-${Date.now()}` });
    await ctx.corp.scan(qr, f1);
    await ctx.corp.scan(qr, f2);
    const p = await until('2/2', t(), async () => {
      const x = await progress(joined.body.url);
      return x.done === 2 && x.reward ? x : null;
    });
    assert.deepEqual(p, {
      done: 2,
      needed: 2,
      reward: { status: 'issued', text: '免费保养一次', coupon: null },
      rewardKey: 'issued::',
    });
    assert.ok(!JSON.stringify(p).includes('好友'), 'the public progress names no invitee');
    await drainBackground(env, t());
    const rewards = await db(async (tx) => (await sql`select * from fission_rewards`.execute(tx)).rows);
    assert.equal(rewards.length, 1, 'one reward however often events are replayed');
    const notes = (await hq.get('/notifications')).body.items.filter((n: any) => n.kind === 'fission_reward');
    assert.equal(notes.length, 1);
    assert.match(notes[0].title, /小美/);
    // The same person adding again through another participant's code counts once (unionid).
    const bob = browser();
    const bj = await bob.join(campaign.joinUrl, '小波');
    await ctx.corp.scan(await codeOf(bj.body.url), f1);
    await until('the duplicate', t(), () =>
      db(
        async (tx) =>
          (await sql`select 1 from fission_invites where status = 'duplicate'`.execute(tx)).rows[0],
      ),
    );
    assert.equal((await progress(bj.body.url)).done, 0);
  });

  it('does not count an invitee who deletes within 24 h; an issued reward becomes disputed, not revoked', async () => {
    const cat = browser();
    const cj = await cat.join(campaign.joinUrl, '小猫');
    const qr = await codeOf(cj.body.url);
    const g1 = ctx.corp.wechatUser({ name: '好友丙' });
    const { external_userid: e1, userid: u1 } = await ctx.corp.scan(qr, g1);
    await until('1/2', t(), async () => (await progress(cj.body.url)).done === 1);
    await ctx.corp.customerDeletesStaff(e1, u1);
    await until('0/2', t(), async () => (await progress(cj.body.url)).done === 0);
    assert.equal((await progress(cj.body.url)).reward, null, 'nothing to withhold is issued');
    // Re-adding after deleting does not count again.
    await ctx.corp.scan(qr, g1);
    await until('the re-add as duplicate', t(), () =>
      db(
        async (tx) =>
          (
            await sql`select 1 from fission_invites where status = 'duplicate' and external_userid = ${e1}`.execute(
              tx,
            )
          ).rows[0],
      ),
    );
    assert.equal((await progress(cj.body.url)).done, 0);
    const a = await ctx.corp.scan(qr, ctx.corp.wechatUser({ name: '好友丁' }));
    await ctx.corp.scan(qr, ctx.corp.wechatUser({ name: '好友戊' }));
    await until('reward', t(), async () => (await progress(cj.body.url)).reward);
    await ctx.corp.customerDeletesStaff(a.external_userid, a.userid);
    const disputed = await until('disputed', t(), async () => {
      const x = await progress(cj.body.url);
      return x.reward?.status === 'disputed' ? x : null;
    });
    assert.equal(disputed.done, 1);
  });

  it('reports the funnel and per-staff figures scoped like lead data', async () => {
    // An add older than 24 h is retained.
    await db((tx) =>
      sql`update fission_invites set added_at = added_at - interval '2 days' where status = 'counted'`.execute(
        tx,
      ),
    );
    const r = await hq.get(`/fission/campaigns/${campaign.id}/report`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const f = r.body;
    assert.equal(f.participants, 3);
    assert.equal(f.invites, 7);
    assert.equal(f.newCustomers, 3);
    assert.equal(f.retained24h, 3);
    assert.equal(f.duplicates, 2);
    assert.equal(f.voided, 2);
    assert.equal(f.rewards, 2);
    assert.equal(f.disputedRewards, 1);
    assert.equal(f.cost, 400);
    assert.equal(f.costPerCustomer, 133.33);
    const list = (await hq.get('/fission/campaigns')).body.items;
    assert.equal(list[0].participants, 3);
    const from = '2000-01-01';
    const to = '2100-01-01';
    const admin = await principalOf('admin');
    const all = await db((tx) => fissionFiguresByStaff(tx, admin, { from, to }));
    assert.equal(
      all.reduce((s, x) => s + x.newCustomers, 0),
      3,
    );
    assert.equal(
      all.reduce((s, x) => s + x.participants, 0),
      3,
    );
    const liuP = await principalOf('liu.yang');
    const liu = await db((tx) => fissionFiguresByStaff(tx, liuP, { from, to }));
    assert.deepEqual(liu, [], 'a salesperson elsewhere sees none of it');
  });

  it('does not count an add after the campaign’s last day', async () => {
    const dan = browser();
    const dj = await dan.join(campaign.joinUrl, '小丹');
    const qr = await codeOf(dj.body.url);
    const { version } = (await hq.get(`/fission/campaigns/${campaign.id}`)).body;
    const ended = await hq.patch(`/fission/campaigns/${campaign.id}`, {
      startsOn: '2020-01-01',
      endsOn: '2020-01-31',
      version,
    });
    assert.equal(ended.status, 200, JSON.stringify(ended.body));
    await ctx.corp.scan(qr, ctx.corp.wechatUser({ name: '迟到好友' }));
    await until('the late add', t(), () =>
      db(async (tx) => (await sql`select 1 from fission_invites where status = 'late'`.execute(tx)).rows[0]),
    );
    assert.equal((await progress(dj.body.url)).done, 0);
    const joinAfter = await browser().join(campaign.joinUrl, '小晚');
    assert.equal(joinAfter.status, 409, 'nobody joins an ended campaign');
  });

  it('join-a-group task with a coupon reward: personal 群活码, joins count once, a leave within 24 h voids, one coupon', async () => {
    const tpl = await hq.post('/coupon-templates', { ...amountOff('裂变奖励券'), perProfileLimit: 5 });
    assert.equal(tpl.status, 201, JSON.stringify(tpl.body));
    const chatId = (await ctx.corp.createGroup('sun.lei', '裂变车友群', [])).chat_id;
    await until('the group in Kehu', t(), () =>
      db(async (tx) => (await sql`select 1 from wecom_groups where chat_id = ${chatId}`.execute(tx)).rows[0]),
    );
    const base = {
      name: '拉好友进群领券',
      startsOn: today(),
      endsOn: '2099-12-31',
      corpRef: ctx.corpRef,
      staff: ['sun.lei'],
      inviteTarget: 2,
      task: 'join_group',
      groupChatIds: [chatId],
      rewardType: 'coupon',
      rewardText: '满100减20券',
      couponTemplateId: tpl.body.id,
    };
    const fields = async (body: object) =>
      (await hq.post('/fission/campaigns', body)).body.errors?.map((e: any) => e.field);
    assert.deepEqual(await fields({ ...base, couponTemplateId: undefined }), ['couponTemplateId']);
    assert.deepEqual(await fields({ ...base, groupChatIds: [] }), ['groupChatIds']);
    assert.deepEqual(await fields({ ...base, groupChatIds: ['wrnope'] }), ['groupChatIds.0']);
    assert.deepEqual(await fields({ ...base, couponTemplateId: '00000000-0000-4000-8000-000000000000' }), [
      'couponTemplateId',
    ]);
    const k = await hq.post('/fission/campaigns', base);
    assert.equal(k.status, 201, JSON.stringify(k.body));
    assert.equal(k.body.task, 'join_group');
    assert.equal(k.body.couponTemplateId, tpl.body.id);

    const dan = browser();
    const dj = await dan.join(k.body.joinUrl, '小丹');
    assert.equal(dj.status, 200, JSON.stringify(dj.body));
    const qr = await codeOf(dj.body.url);
    const stateOf = await db(
      async (tx) =>
        (
          await sql<{
            s: string;
          }>`select code_state as s from fission_participants where token = ${dj.body.url.split('/').pop()}`.execute(
            tx,
          )
        ).rows[0]!.s,
    );
    assert.match(stateOf, /^fg/);
    const m1 = ctx.corp.wechatUser({ name: '群友甲', unionid: `ou-g1-${Date.now()}` });
    const m2 = ctx.corp.wechatUser({ name: '群友乙' });
    await ctx.corp.scanJoinWay(qr, m1);
    await until('1/2', t(), async () => (await progress(dj.body.url)).done === 1);
    // Leaving within 24 h voids the join; joining again does not count again.
    await ctx.corp.leaveGroup(chatId, m1);
    await until('0/2', t(), async () => (await progress(dj.body.url)).done === 0);
    await ctx.corp.scanJoinWay(qr, m1);
    await until('the rejoin as duplicate', t(), () =>
      db(
        async (tx) =>
          (
            await sql`select 1 from fission_invites where status = 'duplicate' and chat_id = ${chatId}`.execute(
              tx,
            )
          ).rows[0],
      ),
    );
    await ctx.corp.scanJoinWay(qr, m2);
    await ctx.corp.scanJoinWay(qr, ctx.corp.wechatUser({ name: '群友丙' }));
    const p = await until('the coupon', t(), async () => {
      const x = await progress(dj.body.url);
      return x.reward?.coupon?.status === 'issued' ? x : null;
    });
    assert.equal(p.done, 2);
    assert.match(p.reward.coupon.code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const page = await (await dan.call(dj.body.url)).text();
    assert.match(page, /data-testid="fission-coupon-code">[A-Z2-9-]{14}</);
    assert.match(page, /扫码入群/);
    // One coupon per participant and campaign, however often the job or the events run again.
    await drainBackground(env, t());
    const coupons = await db(
      async (tx) =>
        (
          await sql`select id from coupons where source_kind = 'fission' and source_id = ${k.body.id}`.execute(
            tx,
          )
        ).rows,
    );
    assert.equal(coupons.length, 1);
    const report = await hq.get(`/fission/campaigns/${k.body.id}/report`);
    assert.equal(report.body.couponsIssued, 1);
    assert.equal(report.body.voided, 1);
    const stats = (await hq.get(`/fission/campaigns/${k.body.id}`)).body;
    assert.equal(stats.newCustomers, 2);
  });

  it('composes a participant’s poster once (content-addressed); a changed campaign poster composes anew', async () => {
    const png = (bg: string) =>
      sharp({ create: { width: 300, height: 450, channels: 3, background: bg } })
        .png()
        .toBuffer();
    const poster = async (bg: string) => {
      const m = await hq.post('/materials', { kind: 'poster', title: `裂变海报 ${bg}` });
      assert.equal(m.status, 201, JSON.stringify(m.body));
      const up = await hq.request('PUT', `/materials/${m.body.id}/file?filename=p.png`, await png(bg), {
        'content-type': 'application/octet-stream',
      });
      assert.equal(up.status, 200, JSON.stringify(up.body));
      return m.body.id as string;
    };
    const first = await poster('#aa3344');
    const c = await hq.post('/fission/campaigns', {
      name: '海报缓存',
      startsOn: today(),
      endsOn: '2099-12-31',
      corpRef: ctx.corpRef,
      staff: ['sun.lei'],
      inviteTarget: 3,
      rewardType: 'gift',
      rewardText: '保养券',
      posterMaterialId: first,
    });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const ben = browser();
    const joined = await ben.join(c.body.joinUrl, '小本');
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
    const cached = () =>
      db(
        async (tx) =>
          (
            await sql<{ key: string; created_at: Date }>`select f.key, f.created_at from fission_posters f
              join fission_participants x on x.tenant_id = f.tenant_id and x.id = f.participant_id
              where x.token = ${joined.body.url.split('/').pop()}`.execute(tx)
          ).rows,
      );
    const get = (etag?: string) =>
      ben.call(`${joined.body.url}/poster.png`, etag ? { headers: { 'if-none-match': etag } } : {});
    const r1 = await get();
    assert.equal(r1.status, 200);
    const bytes1 = Buffer.from(await r1.arrayBuffer());
    const etag1 = r1.headers.get('etag')!;
    const [row1] = await cached();
    assert.ok(row1, 'kept after the first request');
    assert.equal(`"${row1.key}"`, etag1, 'the content address is the ETag');
    const r2 = await get();
    assert.deepEqual(Buffer.from(await r2.arrayBuffer()), bytes1);
    const [row2] = await cached();
    assert.equal(
      new Date(row2!.created_at).getTime(),
      new Date(row1.created_at).getTime(),
      'served from the cache, not composed again',
    );
    assert.equal((await get(etag1)).status, 304, 'the browser’s copy is current');
    // Another poster for the campaign: the cached posters go, the next request composes the new one.
    const second = await poster('#2255aa');
    const patched = await hq.request('PATCH', `/fission/campaigns/${c.body.id}`, {
      posterMaterialId: second,
      version: c.body.version,
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal((await cached()).length, 0, 'invalidated with the campaign poster');
    const r3 = await get(etag1);
    assert.equal(r3.status, 200, 'the old ETag no longer matches');
    const etag3 = r3.headers.get('etag')!;
    assert.notEqual(etag3, etag1);
    assert.notDeepEqual(Buffer.from(await r3.arrayBuffer()), bytes1);
    // A new image for the same poster material is a new version: a new address.
    const up = await hq.request('PUT', `/materials/${second}/file?filename=p.png`, await png('#11aa55'), {
      'content-type': 'application/octet-stream',
    });
    assert.equal(up.status, 200);
    const r4 = await get(etag3);
    assert.equal(r4.status, 200);
    assert.notEqual(r4.headers.get('etag'), etag3);
    assert.equal((await cached()).length, 1, 'one poster kept per participant');
  });

  it('closes the public pages when the campaign ends', async () => {
    const del = await hq.request('DELETE', `/fission/campaigns/${campaign.id}`);
    assert.equal(del.status, 204);
    const r = await fetch(local(campaign.joinUrl));
    assert.equal(r.status, 404);
  });
});
