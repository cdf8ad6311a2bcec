import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { tenantDirectory } from '../../testing/fixtures.ts';
import {
  type Client,
  drainBackground,
  login,
  newTenantWithAdmin,
  useTestEnv,
} from '../../testing/harness.ts';
import { sealCallback } from './connector/callback-crypto.ts';
import { bindSimulatedCorp, useWeComSimulator } from './simulator-fixture.ts';

/**
 * 企业客户标签 both ways against the WeCom simulator, over real HTTP: WeCom admin edits arrive as
 * change_external_tag callbacks and are pulled; Kehu marks tags with mark_tag; staff tagging a
 * customer in WeCom arrives as edit_external_contact. Polls with a deadline, never sleeps.
 */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(11, (s) => {
  sim = s;
});
let n = 0;
const boundCorp = () => bindSimulatedCorp(env, sim, { prefix: 'wwtags', syncStaff: true });

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

async function kehuTags(admin: Client, corpRef: string) {
  const r = await admin.get(`/wecom/corps/${corpRef}/tags`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items as Array<{ groupId: string; name: string; cdpGroupId: string; tags: any[] }>;
}

async function profileTags(admin: Client, profileId: string): Promise<string[]> {
  const r = await admin.get(`/cdp/subjects/profile/${profileId}/tags`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return (r.body.tags as any[]).map((t) => t.name).sort();
}

async function profileOf(ctx: Awaited<ReturnType<typeof boundCorp>>, ext: string) {
  return until('profile', ctx.seed.tenantId, async () => {
    const r = await ctx.admin.get('/wecom/contacts');
    return (r.body.items as any[]).find((c) => c.externalUserid === ext)?.profileId as string | undefined;
  });
}

const simTags = (ctx: Awaited<ReturnType<typeof boundCorp>>, ext: string, userid: string) =>
  ctx.corp
    .externalContacts()
    .find((c) => c.external_userid === ext)!
    .follow_users.find((f) => f.userid === userid)!.tags as unknown as Array<any>;
/** The names of tag ids as WeCom knows them now. */
const tagNamesIn = (ctx: Awaited<ReturnType<typeof boundCorp>>, tagIds: string[]) => {
  const names = new Map(ctx.corp.corpTags().flatMap((g) => g.tag.map((t) => [t.id, t.name] as const)));
  return tagIds.map((id) => names.get(id) ?? id).sort();
};

describe('WeCom corp tags ⇄ Kehu tags', () => {
  let ctx: Awaited<ReturnType<typeof boundCorp>>;
  let ids: string[];
  before(async () => {
    ctx = await boundCorp();
  });

  it('a WeCom admin creating and renaming tags reaches Kehu as CDP manual tags in a group named after the WeCom group', async () => {
    ({ ids } = await ctx.corp.editTagInWeCom({
      action: 'create',
      group_name: '意向车型',
      tags: ['SUV', '轿车', 'MPV'],
    }));
    const groups = await until('synced group', ctx.seed.tenantId, async () => {
      const g = await kehuTags(ctx.admin, ctx.corpRef);
      return g.length === 1 && g[0]!.tags.length === 3 ? g : null;
    });
    assert.equal(groups[0]!.name, '意向车型');
    const suv = groups[0]!.tags.find((t) => t.tagId === ids[0]);
    const cdp = await ctx.admin.get(`/cdp/tags/${suv.cdpTagId}`);
    assert.equal(cdp.status, 200);
    assert.equal(cdp.body.kind, 'manual');
    assert.equal(cdp.body.name, 'SUV');
    assert.equal(cdp.body.groupId, groups[0]!.cdpGroupId);
    await ctx.corp.editTagInWeCom({ action: 'update', id: ids[0]!, name: 'SUV/越野' });
    await until('renamed', ctx.seed.tenantId, async () => {
      const r = await ctx.admin.get(`/cdp/tags/${suv.cdpTagId}`);
      return r.body.name === 'SUV/越野';
    });
  });

  it('a replayed change_external_tag callback and a repeated sync create nothing twice', async () => {
    const before = await kehuTags(ctx.admin, ctx.corpRef);
    const t = String(Math.floor(Date.now() / 1000));
    const xml = `<xml><ToUserName><![CDATA[${ctx.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${t}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_tag]]></Event><Id><![CDATA[${ids[1]}]]></Id><TagType><![CDATA[tag]]></TagType><ChangeType><![CDATA[create]]></ChangeType></xml>`;
    for (let i = 0; i < 2; i++) {
      const sealed = sealCallback(ctx.keys, xml, t, `nonce${i}`);
      const r = await fetch(`${env.baseUrl}${ctx.callbackPath}?${new URLSearchParams(sealed.query)}`, {
        method: 'POST',
        body: sealed.body,
      });
      assert.equal(r.status, 200);
    }
    await drainBackground(env, ctx.seed.tenantId);
    const again = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/tags/sync`);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.deepEqual(again.body, { groups: 1, tags: 3, removed: 0 });
    assert.deepEqual(await kehuTags(ctx.admin, ctx.corpRef), before);
    const counts = await inTenant(env.database.db, ctx.seed.tenantId, async (tx) => ({
      tags: (
        await sql<{ n: number }>`select count(*)::int as n from cdp_tags where key like 'wecom_%'`.execute(tx)
      ).rows[0]!.n,
      groups: (
        await sql<{
          n: number;
        }>`select count(*)::int as n from cdp_tag_groups where name = '意向车型'`.execute(tx)
      ).rows[0]!.n,
    }));
    assert.deepEqual(counts, { tags: 3, groups: 1 });
  });

  it('Kehu marking a tag on a customer marks it in WeCom and on the profile; staff tagging in WeCom reaches the profile', async () => {
    const u = ctx.corp.wechatUser({ name: '陈静怡' });
    const { external_userid: ext } = await ctx.corp.addFriendDirectly('sun.lei', u);
    const profileId = await profileOf(ctx, ext);
    const put = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/contacts/${ext}/tags`, { add: [ids[0]] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.tagIds, [ids[0]]);
    assert.deepEqual(tagNamesIn(ctx, simTags(ctx, ext, 'sun.lei')), ['SUV/越野']);
    assert.deepEqual(await profileTags(ctx.admin, profileId), ['SUV/越野']);
    // Staff tag the customer in WeCom: edit_external_contact → pulled → the profile follows.
    await ctx.corp.staffEditsContact('sun.lei', ext, { add_tag: [ids[2]!], remove_tag: [ids[0]!] });
    await until('profile follows WeCom', ctx.seed.tenantId, async () => {
      const t = await profileTags(ctx.admin, profileId);
      return t.join() === 'MPV' ? t : null;
    });
    // Unknown tag ids are field errors; nothing is sent to WeCom.
    const bad = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/contacts/${ext}/tags`, { add: ['etnope'] });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'add.0');
    const malformed = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/contacts/${ext}/tags`, { add: 'x' });
    assert.equal(malformed.status, 422);
    const stranger = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/contacts/wmnobody/tags`, {
      add: [ids[0]],
    });
    assert.equal(stranger.status, 422);
    assert.equal(stranger.body.errors[0].field, 'ext');
  });

  it('a WeCom tag set or cleared on the profile through the CDP’s own tag route is marked in WeCom too', async () => {
    const u = ctx.corp.wechatUser({ name: '吴迪' });
    const { external_userid: ext } = await ctx.corp.addFriendDirectly('zhao.jing', u);
    const profileId = await profileOf(ctx, ext);
    const sedan = (await kehuTags(ctx.admin, ctx.corpRef))[0]!.tags.find((t) => t.tagId === ids[1]);
    const on = await ctx.admin.request('PUT', `/cdp/tags/${sedan.cdpTagId}/subjects/${profileId}`, {
      on: true,
    });
    assert.equal(on.status, 204, JSON.stringify(on.body));
    await until('marked in WeCom', ctx.seed.tenantId, async () =>
      tagNamesIn(ctx, simTags(ctx, ext, 'zhao.jing')).includes('轿车'),
    );
    const off = await ctx.admin.request('PUT', `/cdp/tags/${sedan.cdpTagId}/subjects/${profileId}`, {
      on: false,
    });
    assert.equal(off.status, 204);
    await until(
      'removed in WeCom',
      ctx.seed.tenantId,
      async () => simTags(ctx, ext, 'zhao.jing').length === 0,
    );
    assert.deepEqual(await profileTags(ctx.admin, profileId), []);
  });

  it('an older WeCom edit does not undo a later Kehu write (last write wins per customer and tag)', async () => {
    const u = ctx.corp.wechatUser({ name: '周立' });
    const { external_userid: ext } = await ctx.corp.addFriendDirectly('zhao.jing', u);
    const profileId = await profileOf(ctx, ext);
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    const put = await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/contacts/${ext}/tags`, { add: [ids[2]] });
    assert.equal(put.status, 200);
    // A delayed edit callback from an hour ago, while WeCom (stale view) would not have the tag.
    // (WeCom's state changed silently: the matching live callback is the delayed one below.)
    (ctx.corp as any).state.contact(ext).follows.get('zhao.jing').tags.delete(ids[2]);
    const sealed = sealCallback(
      ctx.keys,
      `<xml><ToUserName><![CDATA[${ctx.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${old}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[edit_external_contact]]></ChangeType><UserID><![CDATA[zhao.jing]]></UserID><ExternalUserID><![CDATA[${ext}]]></ExternalUserID></xml>`,
      old,
      'nonce-old',
    );
    const r = await fetch(`${env.baseUrl}${ctx.callbackPath}?${new URLSearchParams(sealed.query)}`, {
      method: 'POST',
      body: sealed.body,
    });
    assert.equal(r.status, 200);
    await drainBackground(env, ctx.seed.tenantId);
    const done = await inTenant(
      env.database.db,
      ctx.seed.tenantId,
      async (tx) =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from wecom_callbacks where processed_at is null`.execute(tx)
        ).rows[0]!.n,
    );
    assert.equal(done, 0);
    assert.deepEqual(await profileTags(ctx.admin, profileId), ['MPV']);
  });

  it('a tag deleted in WeCom leaves every customer in Kehu and the mapping', async () => {
    const u = ctx.corp.wechatUser({ name: '黄蕾' });
    const { external_userid: ext } = await ctx.corp.addFriendDirectly('sun.lei', u);
    const profileId = await profileOf(ctx, ext);
    await ctx.admin.post(`/wecom/corps/${ctx.corpRef}/contacts/${ext}/tags`, { add: [ids[1], ids[2]] });
    assert.deepEqual(await profileTags(ctx.admin, profileId), ['MPV', '轿车']);
    const mpv = (await kehuTags(ctx.admin, ctx.corpRef))[0]!.tags.find((t) => t.tagId === ids[2]);
    await ctx.corp.editTagInWeCom({ action: 'delete', id: ids[2]! });
    await until('tag removed', ctx.seed.tenantId, async () => {
      const t = await profileTags(ctx.admin, profileId);
      return t.join() === '轿车';
    });
    const g = await kehuTags(ctx.admin, ctx.corpRef);
    assert.deepEqual(g[0]!.tags.map((t) => t.tagId).sort(), [ids[0], ids[1]].sort());
    assert.equal((await ctx.admin.get(`/cdp/tags/${mpv.cdpTagId}`)).status, 404);
  });

  it('channel-code auto-tags are marked in WeCom with mark_tag', async () => {
    const code = await ctx.admin.post('/wecom/codes', {
      corpRef: ctx.corpRef,
      name: '门店海报',
      state: 'store-poster',
      channel: 'walk_in',
      staff: ['zhao.jing'],
      tags: ['门店到访'],
    });
    assert.equal(code.status, 201, JSON.stringify(code.body));
    const { external_userid: ext } = await ctx.corp.scan(
      code.body.qrCode,
      ctx.corp.wechatUser({ name: '钱多多' }),
    );
    await until('code tag in WeCom', ctx.seed.tenantId, async () =>
      tagNamesIn(ctx, simTags(ctx, ext, 'zhao.jing')).includes('门店到访'),
    );
    const group = ctx.corp.corpTags().find((g) => g.group_name === '渠道活码');
    assert.deepEqual(
      group?.tag.map((t) => t.name),
      ['门店到访'],
    );
    const profileId = await profileOf(ctx, ext);
    await until('code tag on the profile', ctx.seed.tenantId, async () =>
      (await profileTags(ctx.admin, profileId)).includes('门店到访'),
    );
  });
});

describe('corp tags are scoped like their corp', () => {
  it('another dealer never sees or marks a dealer’s corp tags', async () => {
    const { seed } = await newTenantWithAdmin(env, 0);
    const dir = await tenantDirectory(env, seed);
    const d1 = await login(env, seed.slug, 'zhang.wei'); // 经销商店长 EC-D1
    const d2 = await login(env, seed.slug, 'liu.yang'); // 经销商店长 EC-D2
    const own = await d1.post('/wecom/corps', {
      name: '浦东店企微',
      unitId: dir.unit('EC-D1'),
      corpId: `wwdealertags${n++}`,
      contactSecret: 's1',
    });
    assert.equal(own.status, 201);
    assert.equal((await d1.get(`/wecom/corps/${own.body.id}/tags`)).status, 200);
    assert.equal((await d2.get(`/wecom/corps/${own.body.id}/tags`)).status, 404);
    assert.equal((await d2.post(`/wecom/corps/${own.body.id}/tags/sync`)).status, 404);
    assert.equal(
      (await d2.post(`/wecom/corps/${own.body.id}/contacts/wmx/tags`, { add: ['x'] })).status,
      404,
    );
  });
});
