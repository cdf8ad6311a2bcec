import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { WeComSimulator } from '@kehu/wecom-simulator';
import { drainBackground, useTestEnv } from '../../testing/harness.ts';
import { bindSimulatedCorp, useWeComSimulator } from './simulator-fixture.ts';

/**
 * Welcome messages with attachments (send_welcome_msg + media/upload) against the simulator: the
 * WelcomeCode's 20 s window, media cached for 3 days and uploaded again once expired.
 */
const env = useTestEnv();
let sim: WeComSimulator;
useWeComSimulator(41, (s) => {
  sim = s;
});
const DAY = 86_400_000;

describe('WeCom welcome-message attachments', () => {
  let ctx: Awaited<ReturnType<typeof bindSimulatedCorp>>;
  let code: any;
  let pdf: any;
  let link: any;
  let article: any;

  async function addedVia(name: string) {
    const user = ctx.corp.wechatUser({ name });
    const { external_userid: ext, userid } = await ctx.corp.scan(code.qrCode, user);
    const deadline = Date.now() + 60_000;
    for (;;) {
      await sim.flushCallbacks();
      await drainBackground(env, ctx.seed.tenantId);
      const rows = (await ctx.admin.get('/wecom/contacts')).body.items as any[];
      if (rows.some((c) => c.externalUserid === ext && c.contactId)) break;
      if (Date.now() > deadline) throw new Error('contact never arrived');
      await new Promise((r) => setImmediate(r));
    }
    return ctx.corp.chat(userid, ext);
  }

  before(async () => {
    ctx = await bindSimulatedCorp(env, sim, { prefix: 'wwwelcome', syncStaff: true });
    pdf = (await ctx.admin.post('/materials', { kind: 'pdf', title: '2026 款配置表' })).body;
    const up = await ctx.admin.request(
      'PUT',
      `/materials/${pdf.id}/file?filename=spec.pdf`,
      Buffer.from('%PDF-1.4\n%%EOF\n'),
      {
        'content-type': 'application/octet-stream',
      },
    );
    assert.equal(up.status, 200, JSON.stringify(up.body));
    link = (
      await ctx.admin.post('/materials', {
        kind: 'link',
        title: '预约试驾',
        linkUrl: 'https://example.com/drive',
      })
    ).body;
    article = (
      await ctx.admin.post('/materials', { kind: 'article', title: '用车指南', bodyHtml: '<p>hi</p>' })
    ).body;
  });

  it('a channel code carries up to 9 materials; unusable or unknown ones are field errors', async () => {
    const base = { corpRef: ctx.corpRef, name: '欢迎附件', staff: ['sun.lei'], welcomeText: '您好！' };
    const bad = await ctx.admin.post('/wecom/codes', {
      ...base,
      state: 'welcome-bad',
      welcomeAttachments: [link.id, article.id, '01a00000-0000-7000-8000-000000000000'],
    });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.deepEqual(
      bad.body.errors.map((e: any) => e.field),
      ['welcomeAttachments.1', 'welcomeAttachments.2'],
    );
    const long = await ctx.admin.post('/wecom/codes', {
      ...base,
      state: 'welcome-long',
      welcomeText: '您'.repeat(1400),
    });
    assert.equal(long.status, 422, 'WeCom takes at most 4000 bytes');
    assert.deepEqual(
      long.body.errors.map((e: any) => e.field),
      ['welcomeText'],
    );
    const ten = await ctx.admin.post('/wecom/codes', {
      ...base,
      state: 'welcome-10',
      welcomeAttachments: Array.from({ length: 10 }, () => link.id),
    });
    assert.equal(ten.status, 422);
    const r = await ctx.admin.post('/wecom/codes', {
      ...base,
      state: 'welcome-ok',
      welcomeAttachments: [pdf.id, link.id],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    code = r.body;
    assert.deepEqual(
      code.welcomeAttachments.map((a: any) => a.kind),
      ['pdf', 'link'],
    );
  });

  it('the welcome message arrives in the chat with the uploaded file and the link', async () => {
    const chat = (await addedVia('附件客户甲')).filter((m: any) => m.from === 'staff');
    assert.deepEqual(
      chat.map((m: any) => m.kind),
      ['text', 'file', 'link'],
      JSON.stringify(chat),
    );
    assert.equal(chat[2].text, '预约试驾');
    assert.equal(ctx.corp.state.media.size, 1, 'the file was uploaded once');
    // A second add within 3 days reuses the media id.
    await addedVia('附件客户乙');
    assert.equal(ctx.corp.state.media.size, 1);
  });

  it('media older than 3 days is uploaded again', async () => {
    await sim.advanceTime(3 * DAY + 60_000);
    const chat = await addedVia('附件客户丙');
    assert.ok(
      chat.some((m: any) => m.kind === 'file'),
      JSON.stringify(chat),
    );
    assert.equal(ctx.corp.state.media.size, 2, 'a fresh upload after expiry');
  });

  it('a WelcomeCode past its 20 s is refused by WeCom; the add still lands', async () => {
    const user = ctx.corp.wechatUser({ name: '迟到客户' });
    // The WelcomeCode expires before Kehu gets to it (as if the callback had waited 20 s).
    const first = await ctx.corp.scan(code.qrCode, user);
    const codeOf = [...ctx.corp.state.welcomeCodes.entries()].find(
      ([, w]) => w.external_userid === first.external_userid,
    )!;
    codeOf[1].expiresAt = ctx.corp.state.now() - 1;
    const deadline = Date.now() + 60_000;
    for (;;) {
      await sim.flushCallbacks();
      await drainBackground(env, ctx.seed.tenantId);
      const rows = (await ctx.admin.get('/wecom/contacts')).body.items as any[];
      if (rows.some((c) => c.externalUserid === first.external_userid && c.contactId)) break;
      if (Date.now() > deadline) throw new Error('contact never arrived');
      await new Promise((r) => setImmediate(r));
    }
    const chat = ctx.corp.chat(first.userid, first.external_userid);
    assert.equal(chat.filter((m: any) => m.from === 'staff').length, 0, 'nothing sent after the window');
  });
});
