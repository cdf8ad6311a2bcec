import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import sharp from 'sharp';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { drainBackground, useTestEnv } from '../../testing/harness.ts';
import { allowOutboundHost } from '../../testing/outbound-allow.ts';
import { bindSimulatedCorp, useWeComSimulator } from '../wecom/test-kit.ts';

/**
 * 群发 attachments from the material library against the simulator (which checks them as WeCom
 * does): poster → image with each sending staff member's own QR (own media id per staff task),
 * PDF → file, mini-program → card with its cover uploaded, article → the staff member's tracked
 * link; WeCom's limits as field errors; media WeCom no longer knows uploaded again.
 */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(1107, (s) => {
  sim = s;
});
const DAY = 86_400_000;

describe('群发 attachments from materials; staff who left (outreach → WeCom)', () => {
  let ctx: Awaited<ReturnType<typeof bindSimulatedCorp>>;
  let cover: Server;
  let undoAllow: () => void;
  const ext: Record<string, string> = {};
  const m: Record<string, string> = {};

  const templatesOf = (detail: any) => {
    const ids = new Set(detail.staff.flatMap((s: any) => s.msgids));
    return [...ctx.corp.state.msgTemplates.values()].filter((t) => ids.has(t.msgid));
  };

  before(async () => {
    const png = await sharp({ create: { width: 300, height: 450, channels: 3, background: '#884422' } })
      .png()
      .toBuffer();
    cover = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(png);
    });
    await new Promise<void>((r) => cover.listen(0, '127.0.0.1', r));
    const coverHost = `127.0.0.1:${(cover.address() as AddressInfo).port}`;
    undoAllow = allowOutboundHost(coverHost);
    ctx = await bindSimulatedCorp(env, sim, {
      prefix: 'wwatt',
      syncStaff: true,
      extraStaff: [{ userid: 'qian.left', name: '钱离职' }],
    });
    for (const [k, staff, name] of [
      ['a', 'sun.lei', '钱先生'],
      ['b', 'zhao.jing', '冯女士'],
    ] as const)
      ext[k] = (await ctx.corp.addFriendDirectly(staff, ctx.corp.wechatUser({ name }))).external_userid;
    const deadline = Date.now() + 30_000;
    for (;;) {
      await sim.flushCallbacks();
      await drainBackground(env, ctx.seed.tenantId);
      const items = (await ctx.admin.get('/wecom/contacts')).body.items as any[];
      if (Object.values(ext).every((e) => items.some((x) => x.externalUserid === e))) break;
      if (Date.now() > deadline) throw new Error('contacts never arrived');
      await new Promise((r) => setImmediate(r));
    }
    const created = async (body: object) => {
      const r = await ctx.admin.post('/materials', body);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.id as string;
    };
    const put = async (id: string, bytes: Buffer, name: string) => {
      const r = await ctx.admin.request('PUT', `/materials/${id}/file?filename=${name}`, bytes, {
        'content-type': 'application/octet-stream',
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    };
    m.poster = await created({ kind: 'poster', title: '春季试驾海报' });
    await put(m.poster, png, 'poster.png');
    m.pdf = await created({ kind: 'pdf', title: '2026 款配置表' });
    await put(m.pdf, Buffer.from('%PDF-1.4\n%%EOF\n'), 'spec.pdf');
    m.mini = await created({
      kind: 'miniprogram',
      title: '预约试驾小程序',
      coverUrl: `http://${coverHost}/cover.png`,
      mini: { appid: 'wx1234567890abcdef', pagepath: 'pages/drive/index' },
    });
    m.article = await created({ kind: 'article', title: '用车指南', bodyHtml: '<p>保养小贴士</p>' });
  });

  after(async () => {
    undoAllow?.();
    await new Promise((r) => cover?.close(r));
  });

  it('WeCom’s limits are field errors: at most 9 attachments, text ≤ 4000 bytes, unusable materials', async () => {
    const base = { corpRef: ctx.corpRef, title: '限制' };
    const nine = await ctx.admin.post('/outreach/messages', {
      ...base,
      text: '你好',
      materials: Array.from({ length: 9 }, () => m.article),
      attachments: [{ msgtype: 'link', link: { title: '活动', url: 'https://example.com/a' } }],
    });
    assert.equal(nine.status, 422, JSON.stringify(nine.body));
    assert.deepEqual(
      nine.body.errors.map((e: any) => e.field),
      ['materials'],
    );
    assert.match(nine.body.errors[0].message, /9/);
    const long = await ctx.admin.post('/outreach/messages', { ...base, text: '字'.repeat(1400) });
    assert.equal(long.status, 422);
    assert.deepEqual(
      long.body.errors.map((e: any) => e.field),
      ['text'],
    );
    const unknown = await ctx.admin.post('/outreach/messages', {
      ...base,
      materials: [m.pdf, '01a00000-0000-7000-8000-000000000000'],
    });
    assert.equal(unknown.status, 422);
    assert.deepEqual(
      unknown.body.errors.map((e: any) => e.field),
      ['materials.1'],
    );
  });

  it('each staff task carries its own poster media, the shared file, the mini-program card and its own tracked link', async () => {
    const planned = await ctx.admin.post('/outreach/messages', {
      corpRef: ctx.corpRef,
      title: '春季试驾',
      text: '春季试驾活动，到店有礼',
      materials: [m.poster, m.pdf, m.mini, m.article],
    });
    assert.equal(planned.status, 201, JSON.stringify(planned.body));
    assert.deepEqual(
      planned.body.materials.map((x: any) => x.kind),
      ['poster', 'pdf', 'miniprogram', 'article'],
    );
    const sent = await ctx.admin.post(`/outreach/messages/${planned.body.id}/send`);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const tasks = templatesOf(sent.body);
    assert.equal(tasks.length, 2, 'one add_msg_template per staff member');
    const by = Object.fromEntries(tasks.map((t) => [t.sender!, t.attachments as any[]]));
    for (const a of Object.values(by))
      assert.deepEqual(
        a.map((x) => x.msgtype),
        ['image', 'file', 'miniprogram', 'link'],
      );
    const media = ctx.corp.state.media;
    const sun = by['sun.lei']!;
    const zhao = by['zhao.jing']!;
    assert.notEqual(sun[0].image.media_id, zhao[0].image.media_id, 'each staff member’s own poster');
    assert.equal(media.get(sun[0].image.media_id)?.type, 'image');
    assert.equal(sun[1].file.media_id, zhao[1].file.media_id, 'the PDF is uploaded once');
    assert.equal(media.get(sun[1].file.media_id)?.type, 'file');
    assert.equal(media.get(sun[2].miniprogram.pic_media_id)?.type, 'image');
    assert.equal(sun[2].miniprogram.page, 'pages/drive/index');
    assert.notEqual(sun[3].link.url, zhao[3].link.url, 'each staff member’s own tracked link');
    assert.match(sun[3].link.url, /\/m\/[\w-]+$/);
    // The posters are composed with the sending staff member's QR and the links are theirs.
    const rows = await inTenant(env.database.db, ctx.seed.tenantId, async (tx) => ({
      posters: (
        await sql<{ login: string }>`select u.login from material_posters p join users u
          on u.tenant_id = p.tenant_id and u.id = p.staff_id where p.material_id = ${m.poster} order by u.login`.execute(
          tx,
        )
      ).rows.map((r) => r.login),
      links: (
        await sql<{ login: string }>`select u.login from material_shares s join users u
          on u.tenant_id = s.tenant_id and u.id = s.staff_id where s.material_id = ${m.article} order by u.login`.execute(
          tx,
        )
      ).rows.map((r) => r.login),
    }));
    assert.deepEqual(rows.posters, ['sun.lei', 'zhao.jing']);
    assert.deepEqual(rows.links, ['sun.lei', 'zhao.jing']);
    // Confirmed in WeCom: the customer's chat shows the image, the file, the card and the link.
    const sunTask = tasks.find((t) => t.sender === 'sun.lei')!;
    await ctx.corp.confirmMassMessage(sunTask.msgid, 'sun.lei');
    assert.deepEqual(
      ctx.corp
        .chat('sun.lei', ext.a!)
        .filter((x) => x.from === 'staff')
        .map((x) => x.kind),
      ['text', 'image', 'file', 'miniprogram', 'link'],
    );
    const uploads = media.size;
    // A second message within 3 days reuses every media id.
    const again = await ctx.admin.post('/outreach/messages', {
      corpRef: ctx.corpRef,
      title: '再次提醒',
      materials: [m.poster, m.pdf],
      audience: { kind: 'filter', staff: ['sun.lei'] },
    });
    assert.equal(again.status, 201, JSON.stringify(again.body));
    const sent2 = await ctx.admin.post(`/outreach/messages/${again.body.id}/send`);
    assert.equal(sent2.status, 200, JSON.stringify(sent2.body));
    const t2 = templatesOf(sent2.body);
    assert.equal((t2[0]!.attachments as any[])[0].image.media_id, sun[0].image.media_id);
    assert.equal(media.size, uploads, 'nothing uploaded again');
  });

  it('media WeCom no longer knows (40007, after 3 days) is uploaded again and the task still goes out', async () => {
    await sim.advanceTime(3 * DAY + 60_000);
    const before = ctx.corp.state.media.size;
    const planned = await ctx.admin.post('/outreach/messages', {
      corpRef: ctx.corpRef,
      title: '三天后',
      materials: [m.poster, m.pdf, m.mini],
      audience: { kind: 'filter', staff: ['zhao.jing'] },
    });
    assert.equal(planned.status, 201, JSON.stringify(planned.body));
    const sent = await ctx.admin.post(`/outreach/messages/${planned.body.id}/send`);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const [t] = templatesOf(sent.body);
    assert.ok(t, 'the task was created');
    const now = ctx.corp.state.now();
    for (const a of t.attachments as any[]) {
      const id = a.image?.media_id ?? a.file?.media_id ?? a.miniprogram?.pic_media_id;
      assert.ok((ctx.corp.state.media.get(id)?.expiresAt ?? 0) > now, `${a.msgtype} media is live`);
    }
    assert.equal(ctx.corp.state.media.size, before + 3, 'poster, file and cover uploaded again');
  });

  it('a changed poster is composed and uploaded anew for the next send', async () => {
    const before = ctx.corp.state.media.size;
    const patched = await ctx.admin.request('PUT', `/materials/${m.poster}`, {
      kind: 'poster',
      title: '春季试驾海报（新版）',
      version: (await ctx.admin.get(`/materials/${m.poster}`)).body.version,
    });
    assert.ok(patched.status < 300, JSON.stringify(patched.body));
    const planned = await ctx.admin.post('/outreach/messages', {
      corpRef: ctx.corpRef,
      title: '新海报',
      materials: [m.poster],
      audience: { kind: 'filter', staff: ['zhao.jing'] },
    });
    const sent = await ctx.admin.post(`/outreach/messages/${planned.body.id}/send`);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(ctx.corp.state.media.size, before + 1, 'the new version uploaded');
  });

  it('a staff member who left cannot confirm: their customers are no_staff unless a colleague still has them; their groups too', async () => {
    const settle = async (what: string, probe: () => Promise<boolean>) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        await sim.flushCallbacks();
        await drainBackground(env, ctx.seed.tenantId);
        if (await probe()) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setImmediate(r));
      }
    };
    const only = ctx.corp.wechatUser({ name: '只加了离职员工' });
    const both = ctx.corp.wechatUser({ name: '两位都加了' });
    const c1 = (await ctx.corp.addFriendDirectly('qian.left', only)).external_userid;
    const c2 = (await ctx.corp.addFriendDirectly('qian.left', both)).external_userid;
    await ctx.corp.addFriendDirectly('sun.lei', both);
    const { chat_id: chatId } = await ctx.corp.createGroup('qian.left', '钱离职的客户群', [only]);
    await settle('contacts and group', async () => {
      const items = (await ctx.admin.get('/wecom/contacts')).body.items as any[];
      const groups = await inTenant(
        env.database.db,
        ctx.seed.tenantId,
        async (tx) =>
          (await sql`select 1 from wecom_groups where chat_id = ${chatId}`.execute(tx)).rows.length,
      );
      return (
        items.filter((x) => x.externalUserid === c2).length === 2 &&
        items.some((x) => x.externalUserid === c1) &&
        groups > 0
      );
    });
    await ctx.corp.staffLeaves('qian.left');
    await settle('staff left', async () =>
      inTenant(
        env.database.db,
        ctx.seed.tenantId,
        async (tx) =>
          (await sql`select 1 from wecom_staff where userid = 'qian.left' and active = false`.execute(tx))
            .rows.length > 0,
      ),
    );
    const planned = await ctx.admin.post('/outreach/messages', {
      corpRef: ctx.corpRef,
      title: '离职员工',
      text: '您好',
      audience: { kind: 'filter', staff: ['qian.left', 'sun.lei'] },
    });
    assert.equal(planned.status, 201, JSON.stringify(planned.body));
    const reasons = new Map(planned.body.excluded.map((x: any) => [x.target, x.reason]));
    assert.equal(reasons.get(c1), 'no_staff', 'nobody left to send');
    assert.equal(reasons.has(c2), false, 'a colleague still has them');
    assert.ok(
      planned.body.staff.some((x: any) => x.staffUserid === 'sun.lei'),
      'sent by the colleague',
    );
    assert.ok(!planned.body.staff.some((x: any) => x.staffUserid === 'qian.left'));
    const group = await ctx.admin.post('/outreach/messages', {
      corpRef: ctx.corpRef,
      title: '群发到群',
      text: '群公告',
      chatType: 'group',
    });
    assert.equal(group.status, 201, JSON.stringify(group.body));
    assert.equal(
      group.body.excluded.find((x: any) => x.target === chatId)?.reason,
      'no_staff',
      'a departed owner’s group',
    );
  });
});
