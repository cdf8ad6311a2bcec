import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import {
  type Client,
  drainBackground,
  login,
  newTenantWithAdmin,
  useTestEnv,
} from '../../testing/harness.ts';
import { bindSimulatedCorp, useWeComSimulator } from '../wecom/test-kit.ts';

const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(11, (s) => {
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

async function contactOf(c: Client, ext: string) {
  return ((await c.get('/wecom/contacts')).body.items as any[]).find((x) => x.externalUserid === ext);
}

describe('会话内容存档 (chat archive)', () => {
  let ctx: Awaited<ReturnType<typeof bindSimulatedCorp>>;
  let wang: string;
  let li: string;
  let tagId: string;
  before(async () => {
    ctx = await bindSimulatedCorp(env, sim, { prefix: 'wwchat', syncStaff: true });
    const w = await ctx.corp.addFriendDirectly(
      'sun.lei',
      ctx.corp.wechatUser({ name: '王先生', unionid: 'u-chat-wang' }),
    );
    wang = w.external_userid;
    const l = await ctx.corp.addFriendDirectly('sun.lei', ctx.corp.wechatUser({ name: '李女士' }));
    li = l.external_userid;
    for (const ext of [wang, li])
      await until(
        'contact profile',
        ctx.seed.tenantId,
        async () => (await contactOf(ctx.admin, ext))?.profileId,
      );
    const tag = await ctx.admin.post('/cdp/tags', { key: 'likes_suv', name: '关注SUV', kind: 'manual' });
    assert.equal(tag.status, 201, JSON.stringify(tag.body));
    tagId = tag.body.id;
  });

  it('sets up the archive: Kehu makes the key pair, the secret is never shown again, bad input is refused', async () => {
    const url = `/chats/settings/${ctx.corpRef}`;
    assert.equal((await ctx.admin.get(url)).body, null, 'nothing before set-up');
    const noSecret = await ctx.admin.request('PUT', url, { sidecarUrl: `${sim.url}/_sidecar/` });
    assert.equal(noSecret.status, 422);
    assert.equal(noSecret.body.errors[0].field, 'archiveSecret');
    const internal = await ctx.admin.request('PUT', url, {
      sidecarUrl: 'http://10.1.2.3:8080/',
      archiveSecret: 'archive-secret-1',
    });
    assert.equal(internal.status, 422, 'the sidecar URL goes through the outbound guard');
    assert.equal(internal.body.errors[0].field, 'sidecarUrl');
    const set = await ctx.admin.request('PUT', url, {
      sidecarUrl: `${sim.url}/_sidecar/`,
      archiveSecret: 'archive-secret-1',
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.match(set.body.publicKey, /^-----BEGIN PUBLIC KEY-----/);
    assert.equal(set.body.keyVersion, 1);
    assert.equal(set.body.secretSet, true);
    const text = JSON.stringify((await ctx.admin.get(url)).body);
    assert.ok(
      !text.includes('archive-secret-1') && !text.includes('PRIVATE KEY'),
      'no secret and no private key',
    );
    const queued = await inTenant(
      env.database.db,
      ctx.seed.tenantId,
      async (tx) =>
        (
          await sql<any>`select run_at, payload from jobs where queue = 'chats:pull' and status = 'pending'`.execute(
            tx,
          )
        ).rows,
    );
    assert.equal(queued.length, 1, 'the archive is read every 15 minutes from now on');
    assert.ok(new Date(queued[0].run_at).getTime() > Date.now());
    // The corp's admin uploads the public key in WeCom's console.
    ctx.corp.setupChatArchive({
      secret: 'archive-secret-1',
      publicKeyPem: set.body.publicKey,
      publicKeyVersion: set.body.keyVersion,
    });
  });

  it('reads the archive once, records consent, raises a risky-behaviour alert and auto-tags by keyword', async () => {
    const rule = await ctx.admin.post('/chats/rules', {
      name: '私下交易',
      kind: 'risky',
      keywords: ['私下转账', '转我个人'],
      appliesTo: 'staff',
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const badTag = await ctx.admin.post('/chats/rules', { name: 'x', kind: 'auto_tag', keywords: ['SUV'] });
    assert.equal(badTag.status, 422, 'an auto-tag rule names its tag');
    assert.equal(
      (await ctx.admin.post('/chats/rules', { name: 'SUV', kind: 'auto_tag', keywords: ['suv'], tagId }))
        .status,
      201,
    );

    ctx.corp.agreeToArchive('sun.lei', wang);
    ctx.corp.customerSays('sun.lei', wang, '我想看看那款 SUV，能便宜点吗？');
    await sim.advanceTime(3 * 60_000);
    ctx.corp.staffSays('sun.lei', wang, '可以私下转账给我，再便宜两千');
    // 李女士 declined: WeCom archives nothing of hers.
    ctx.corp.agreeToArchive('sun.lei', li, false);
    ctx.corp.customerSays('sun.lei', li, '在吗');

    const pulled = await ctx.admin.post(`/chats/settings/${ctx.corpRef}/pull`);
    assert.equal(pulled.status, 200, JSON.stringify(pulled.body));
    assert.deepEqual(pulled.body, { stored: 2, alerts: 1 });
    assert.deepEqual((await ctx.admin.post(`/chats/settings/${ctx.corpRef}/pull`)).body, {
      stored: 0,
      alerts: 0,
    });

    const conv = (await ctx.admin.get('/chats/conversations')).body.items;
    assert.equal(conv.length, 1);
    assert.equal(conv[0].customerName, '王先生');
    assert.equal(conv[0].messages, 2);
    const msgs = await ctx.admin.get(`/chats/conversations/${ctx.corpRef}/sun.lei/${wang}`);
    assert.deepEqual(
      msgs.body.items.map((m: any) => [m.direction, m.content]),
      [
        ['in', '我想看看那款 SUV，能便宜点吗？'],
        ['out', '可以私下转账给我，再便宜两千'],
      ],
    );
    const alerts = (await ctx.admin.get('/chats/alerts')).body.items;
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].keyword, '私下转账');
    assert.equal(alerts[0].staffName, '孙磊');
    const figures = (await ctx.admin.get('/chats/reply-figures')).body.items;
    assert.deepEqual(
      figures.map((f: any) => [f.staffUserid, f.asked, f.replied, f.replyRate, f.firstReplyMinutes]),
      [['sun.lei', 1, 1, 100, 3]],
    );

    const profileId = (await contactOf(ctx.admin, wang)).profileId;
    await inTenant(env.database.db, ctx.seed.tenantId, async (tx) => {
      const consent = (
        await sql<any>`select granted, source from cdp_consents where profile_id = ${profileId} and purpose = 'chat_archive'`.execute(
          tx,
        )
      ).rows;
      assert.deepEqual(
        consent,
        [{ granted: true, source: 'wecom' }],
        'archive consent is in the PIPL ledger',
      );
      const tagged = (
        await sql<any>`select 1 from cdp_subject_tags where tag_id = ${tagId} and subject_id = ${profileId}`.execute(
          tx,
        )
      ).rows;
      assert.equal(tagged.length, 1, 'the customer who asked about an SUV is tagged');
      const told = (await sql<any>`select user_id from notifications where kind = 'chats.alert'`.execute(tx))
        .rows;
      assert.ok(told.length >= 1, 'sun.lei’s managers are told');
    });
    assert.equal((await ctx.admin.post(`/chats/alerts/${alerts[0].id}/close`)).status, 204);
    assert.equal((await ctx.admin.get('/chats/alerts?status=open')).body.items.length, 0);
  });

  it('finds an older conversation by name even when 60 newer ones come first (filter before the limit)', async () => {
    await inTenant(env.database.db, ctx.seed.tenantId, async (tx) => {
      await sql`insert into chat_messages (tenant_id, corp_ref, msgid, seq, msgtime, msgtype, action, direction,
          staff_userid, external_userid, content, unit_id, staff_user_id, raw)
        select ${ctx.seed.tenantId}, ${ctx.corpRef}, 'bulk-' || g, 1000 + g, w.last + make_interval(secs => g), 'text',
          'send', 'in', 'sun.lei', 'wm-bulk-' || g, '你好', w.unit_id, w.staff_user_id, '{}'
        from generate_series(1, 60) g,
          (select unit_id, staff_user_id, (select max(msgtime) from chat_messages) as last from chat_messages
            where staff_userid = 'sun.lei' limit 1) w`.execute(tx);
    });
    const newest = (await ctx.admin.get('/chats/conversations')).body.items;
    assert.equal(newest.length, 50);
    assert.ok(!newest.some((c: any) => c.customerName === '王先生'), '王先生 is older than the newest 50');
    const found = await ctx.admin.get(`/chats/conversations?q=${encodeURIComponent('王先')}`);
    assert.equal(found.status, 200);
    assert.deepEqual(
      found.body.items.map((c: any) => c.customerName),
      ['王先生'],
    );
    const byStaff = await ctx.admin.get(`/chats/conversations?q=${encodeURIComponent('孙磊')}&limit=200`);
    assert.equal(byStaff.body.items.length, 61, 'the staff member’s name matches all of them');
    await inTenant(env.database.db, ctx.seed.tenantId, (tx) =>
      sql`delete from chat_messages where msgid like 'bulk-%'`.execute(tx),
    );
  });

  it('shows chats only in scope: another dealer sees none, another tenant gets 404', async () => {
    // 孙磊 works in 张伟's dealer: 张伟 sees his chats; 刘洋 runs another dealer and sees none.
    const own = await login(env, ctx.seed.slug, 'zhang.wei');
    assert.equal((await own.get('/chats/conversations')).body.items.length, 1);
    const dealer = await login(env, ctx.seed.slug, 'liu.yang');
    const seen = await dealer.get('/chats/conversations');
    assert.equal(seen.status, 200);
    assert.equal(seen.body.items.length, 0, 'another dealer’s manager sees none of them');
    assert.equal((await dealer.get('/chats/alerts')).body.items.length, 0);
    assert.equal((await dealer.get(`/chats/conversations/${ctx.corpRef}/sun.lei/${wang}`)).status, 404);
    const seller = await login(env, ctx.seed.slug, 'sun.lei');
    assert.equal((await seller.get('/chats/conversations')).status, 403, 'no chats:read for a salesperson');
    const { admin: stranger } = await newTenantWithAdmin(env, 0);
    assert.equal((await stranger.get(`/chats/settings/${ctx.corpRef}`)).status, 404);
    assert.equal((await stranger.post(`/chats/settings/${ctx.corpRef}/pull`)).status, 404);
    assert.equal((await stranger.get(`/chats/conversations/${ctx.corpRef}/sun.lei/${wang}`)).status, 404);
    assert.equal((await stranger.get('/chats/alerts')).body.items.length, 0);
  });
});
