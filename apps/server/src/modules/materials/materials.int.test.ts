import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import sharp from 'sharp';
import { inTenant } from '../../core/db/tenant-scope.ts';
import {
  type Client,
  drainBackground,
  login,
  newTenant,
  type TestEnv,
  useTestEnv,
} from '../../testing/harness.ts';
import { tenantOfShareToken } from './share-token.ts';

/** Issue 11 (R5.2–R5.6): 素材库, posters and tracked links. */
const env = useTestEnv();
const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.47';

async function ok<T = any>(p: Promise<{ status: number; body: T }>, expect = [200, 201, 204]): Promise<T> {
  const r = await p;
  if (!expect.includes(r.status)) assert.fail(`unexpected ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A reader's browser: keeps the visitor cookie the page sets. */
function reader(e: TestEnv, ua = PHONE_UA) {
  let cookie = '';
  return {
    async open(token: string) {
      const res = await fetch(`${e.baseUrl}/m/${token}`, { headers: { 'user-agent': ua, cookie } });
      const set = res.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0]!;
      const html = await res.text();
      return { status: res.status, html, visitor: /data-visitor="([^"]+)"/.exec(html)?.[1] ?? '' };
    },
  };
}
const post = (e: TestEnv, path: string, body: unknown) =>
  fetch(e.baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': 'zh-CN' },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: r.status === 204 ? null : await r.json() }));

async function world() {
  const seed = await newTenant(env, 0);
  const c = (l: string) => login(env, seed.slug, l);
  return {
    seed,
    hq: await c('wang.jianguo'),
    dealer: await c('zhang.wei'),
    sibling: await c('liu.yang'),
    sales: await c('sun.lei'),
  };
}

const article = (title: string, bodyHtml = '<p>正文</p>') => ({
  kind: 'article',
  title,
  bodyHtml,
  tags: ['新车'],
});

async function notifications(c: Client) {
  return (await ok(c.get('/notifications'))).items as Array<{ title: string; kind: string }>;
}

describe('materials', () => {
  it('HQ publishes down: a dealer uses but cannot edit HQ’s, a sibling dealer and another tenant get 404; XSS is stripped', async () => {
    const w = await world();
    const hq = await ok(
      w.hq.post(
        '/materials',
        article(
          '新车上市',
          '<p onclick="alert(1)">你好<script>alert(1)</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">链接</a><iframe src="https://evil.example"></iframe></p>',
        ),
      ),
    );
    assert.equal(
      hq.bodyHtml,
      '<p>你好<img src="x" /><a rel="noopener nofollow" target="_blank">链接</a></p>',
    );
    const seen = (await ok(w.dealer.get('/materials'))).items.find((m: any) => m.id === hq.id);
    assert.equal(seen.editable, false);
    const edit = await w.dealer.request('PUT', `/materials/${hq.id}`, {
      ...article('改标题'),
      version: hq.version,
    });
    assert.equal(edit.status, 403);
    assert.equal((await ok(w.hq.get(`/materials/${hq.id}`))).title, '新车上市');
    // The dealer's own material: invisible to the sibling dealer (404, like a stranger's id).
    const own = await ok(w.dealer.post('/materials', article('浦东店试驾礼')));
    assert.equal(own.editable, true);
    for (const r of [
      await w.sibling.get(`/materials/${own.id}`),
      await w.sibling.post(`/materials/${own.id}/share`, {}),
      await w.sibling.get(`/materials/${own.id}/report`),
    ])
      assert.equal(r.status, 404);
    assert.ok(!(await ok(w.sibling.get('/materials'))).items.some((m: any) => m.id === own.id));
    // HQ sees the dealer's (its subtree) in its list.
    assert.ok((await ok(w.hq.get('/materials'))).items.some((m: any) => m.id === own.id));
    const other = await newTenant(env, 0);
    const stranger = await login(env, other.slug, 'wang.jianguo');
    assert.equal((await stranger.get(`/materials/${hq.id}`)).status, 404);
    // Bad input: localised field errors, nothing stored.
    const bad = await w.hq.post('/materials', { kind: 'video', title: '', linkUrl: 'ftp://x' });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.errors.some((e: any) => e.field === 'title' && e.message));
  });

  it('a tracked link: open once per reader, bots ignored, duplicate beacons counted once, alerts throttled, events on the profile', async () => {
    const w = await world();
    const m = await ok(w.hq.post('/materials', article('冬季用车指南')));
    const customer = await ok(
      w.sales.post('/records/customer', { name: '王先生', kind: 'person', phone: '13912340001' }),
    );
    await drainBackground(env, w.seed.tenantId);
    const share = await ok(w.sales.post(`/materials/${m.id}/share`, { customerId: customer.id }));
    assert.equal(share.payload.msgtype, 'news');
    assert.equal(share.payload.news.title, '冬季用车指南');
    assert.equal(share.payload.news.link, share.url);
    assert.ok(share.profileId, 'the customer is linked to a CDP profile');
    // Sharing again reuses the link.
    assert.equal(
      (await ok(w.sales.post(`/materials/${m.id}/share`, { customerId: customer.id }))).token,
      share.token,
    );
    // Another unit's customer: 404.
    const foreign = await ok(w.sibling.post('/records/customer', { name: '李女士', kind: 'person' }));
    assert.equal((await w.sales.post(`/materials/${m.id}/share`, { customerId: foreign.id })).status, 404);

    // A link preview bot: page served, nobody counted.
    assert.equal((await reader(env, 'facebookexternalhit/1.1').open(share.token)).status, 200);
    const r = reader(env);
    const first = await r.open(share.token);
    assert.equal(first.status, 200);
    assert.match(first.html, /冬季用车指南/);
    await r.open(share.token); // a reload is the same read
    let report = await ok(w.sales.get(`/materials/${m.id}/report`));
    assert.equal(report.total.opens, 1);
    assert.equal(report.total.sent, 1);
    let mine = await notifications(w.sales);
    assert.equal(mine.filter((n) => n.kind === 'material_reading').length, 1);
    assert.equal(mine[0]!.title, '王先生正在看《冬季用车指南》');

    const beat = (seq: number, seconds: number, end = false) =>
      post(env, `/m/${share.token}/beat`, { v: first.visitor, seq, seconds, end });
    assert.equal((await beat(1, 15)).status, 204);
    assert.equal((await beat(1, 15)).status, 204); // sendBeacon retried: counted once
    // Within the minute: no second alert.
    assert.equal((await notifications(w.sales)).filter((n) => n.kind === 'material_reading').length, 1);
    // A minute later (the read's last alert moved back): one update with the minutes read.
    await inTenant(env.database.db, w.seed.tenantId, (tx) =>
      sql`update material_reads set notified_at = now() - interval '61 seconds', seconds = 105`.execute(tx),
    );
    await beat(2, 15);
    mine = await notifications(w.sales);
    assert.equal(mine.filter((n) => n.kind === 'material_reading').length, 2);
    assert.equal(mine[0]!.title, '王先生正在看《冬季用车指南》，已 2 分钟');
    await beat(3, 10, true);
    const badBeat = await post(env, `/m/${share.token}/beat`, { v: first.visitor, seq: -1, seconds: 999 });
    assert.equal(badBeat.status, 422);
    report = await ok(w.sales.get(`/materials/${m.id}/report`));
    assert.equal(report.total.uniqueReaders, 1);
    assert.equal(report.total.avgReadSeconds, 130);
    assert.equal(report.byStaff[0].staffName, '孙磊');

    // CDP: the reader's events are on the customer's profile.
    await drainBackground(env, w.seed.tenantId);
    const events = await inTenant(
      env.database.db,
      w.seed.tenantId,
      async (tx) =>
        (
          await sql<{ event: string; profile_id: string; seconds: number | null }>`
          select e.event, i.profile_id, (e.properties->>'seconds')::int as seconds from cdp_events e
          join cdp_identities i on i.tenant_id = e.tenant_id and i.kind = e.ident_kind and i.value = e.ident
          where e.tenant_id = ${w.seed.tenantId} and e.event like 'Material %' order by e.ts`.execute(tx)
        ).rows,
    );
    assert.deepEqual(
      events.map((e) => [e.event, e.profile_id, e.seconds]),
      [
        ['Material Opened', share.profileId, null],
        ['Material Read', share.profileId, 130],
      ],
    );

    // …and show on the profile timeline.
    const admin = await login(env, w.seed.slug, 'admin');
    const timeline = await ok(admin.get(`/cdp/profiles/${share.profileId}/timeline`));
    const shown = JSON.stringify(timeline.items);
    assert.match(shown, /Material Opened/);
    assert.match(shown, /Material Read/);

    // A token of this tenant's shape pointing at another tenant, and a made-up one: 404.
    const other = await newTenant(env, 0);
    const forged =
      Buffer.from(other.tenantId.replaceAll('-', ''), 'hex').toString('base64url') + share.token.slice(22);
    assert.equal(tenantOfShareToken(forged), other.tenantId);
    assert.equal((await reader(env).open(forged)).status, 404);
    assert.equal(
      (await post(env, `/m/${forged}/beat`, { v: first.visitor, seq: 9, seconds: 1 })).status,
      404,
    );
    assert.equal((await reader(env).open('nope')).status, 404);
  });

  it('a mini-program card: the token rides in its page path; the mini program reports opens and read time like a link', async () => {
    const w = await world();
    const m = await ok(
      w.hq.post('/materials', {
        kind: 'miniprogram',
        title: '预约试驾小程序',
        mini: { appid: 'wx0123456789abcdef', pagepath: 'pages/testdrive/index?model=suv' },
      }),
    );
    const customer = await ok(w.sales.post('/records/customer', { name: '赵先生', kind: 'person' }));
    await drainBackground(env, w.seed.tenantId);
    const share = await ok(w.sales.post(`/materials/${m.id}/share`, { customerId: customer.id }));
    assert.equal(share.payload.msgtype, 'miniprogram');
    const page = new URL(`https://mp.example/${share.payload.miniprogram.page}`);
    assert.equal(page.searchParams.get('model'), 'suv', 'the page keeps its own parameters');
    const token = page.searchParams.get('kehu_mt')!;
    assert.equal(token, share.token, 'the tracked parameter');
    const open = (v: string, t = token) => post(env, `/m/${t}/open`, { v });
    assert.equal((await open('openid-hash-0001')).status, 201);
    assert.equal((await open('openid-hash-0001')).status, 201, 'opening again is the same read');
    assert.equal(
      (await post(env, `/m/${token}/beat`, { v: 'openid-hash-0001', seq: 1, seconds: 20 })).status,
      204,
    );
    let report = await ok(w.sales.get(`/materials/${m.id}/report`));
    assert.equal(report.total.opens, 1);
    assert.equal(report.total.avgReadSeconds, 20);
    const told = (await notifications(w.sales)).filter((n) => n.kind === 'material_reading');
    assert.equal(told.length, 1, 'the owner hears of it like a link open');
    assert.match(told[0]!.title, /预约试驾小程序/);
    assert.equal((await open('bad visitor!')).status, 422);
    assert.equal((await open('openid-hash-0002', 'not-a-token')).status, 404);
    // An article's link is opened as a page, not through the mini-program door.
    const a = await ok(w.hq.post('/materials', article('文章')));
    const as = await ok(w.sales.post(`/materials/${a.id}/share`, { customerId: customer.id }));
    assert.equal((await open('openid-hash-0003', as.token)).status, 404);
    report = await ok(w.sales.get(`/materials/${m.id}/report`));
    assert.equal(report.total.opens, 1);
  });

  it('forwards make a chain; a forwarded reader who leaves a phone becomes a lead of the sharing staff', async () => {
    const w = await world();
    const m = await ok(w.hq.post('/materials', article('置换补贴')));
    const share = await ok(w.sales.post(`/materials/${m.id}/share`, {}));
    const a = reader(env);
    const pa = await a.open(share.token);
    const f1 = await post(env, `/m/${share.token}/forward`, { v: pa.visitor });
    assert.equal(f1.status, 200);
    // Forwarding twice from the same reader is the same copy.
    assert.equal((await post(env, `/m/${share.token}/forward`, { v: pa.visitor })).body.url, f1.body.url);
    const child = f1.body.url.split('/m/')[1];
    const b = reader(env);
    const pb = await b.open(child);
    assert.match(pb.html, /置换补贴/);
    const f2 = await post(env, `/m/${child}/forward`, { v: pb.visitor });
    const grandchild = f2.body.url.split('/m/')[1];
    const pc = await reader(env).open(grandchild);
    const depths = await inTenant(
      env.database.db,
      w.seed.tenantId,
      async (tx) =>
        (
          await sql<{
            depth: number;
            parent: string | null;
          }>`select s.depth, p.token as parent from material_shares s
          left join material_shares p on p.tenant_id = s.tenant_id and p.id = s.parent_id
          where s.tenant_id = ${w.seed.tenantId} and s.material_id = ${m.id} order by s.depth`.execute(tx)
        ).rows,
    );
    assert.deepEqual(depths, [
      { depth: 0, parent: null },
      { depth: 1, parent: share.token },
      { depth: 2, parent: child },
    ]);
    assert.ok((await notifications(w.sales)).some((n) => n.title === '一位转发读者正在看《置换补贴》'));

    const noConsent = await post(env, `/m/${grandchild}/lead`, { v: pc.visitor, phone: '13912340002' });
    assert.equal(noConsent.status, 422);
    assert.ok(noConsent.body.errors[0].message);
    const badPhone = await post(env, `/m/${grandchild}/lead`, { v: pc.visitor, phone: '123', consent: true });
    assert.equal(badPhone.status, 422);
    const lead = await post(env, `/m/${grandchild}/lead`, {
      v: pc.visitor,
      name: '赵女士',
      phone: '13912340002',
      consent: true,
    });
    assert.equal(lead.status, 201);
    const report = await ok(w.sales.get(`/materials/${m.id}/report`));
    assert.equal(report.total.forwards, 2);
    assert.equal(report.total.opens, 3);
    assert.equal(report.total.leads, 1);
    // The report counts only the caller's subtree's staff: 孙磊's dealer sees his figures, a sibling dealer none.
    assert.equal((await ok(w.dealer.get(`/materials/${m.id}/report`))).total.opens, 3);
    const sibling = await ok(w.sibling.get(`/materials/${m.id}/report`));
    assert.deepEqual([sibling.total.opens, sibling.total.leads, sibling.byStaff.length], [0, 0, 0]);
    const leads = (await ok(w.sales.get('/records/lead?limit=50'))).items;
    const mine = leads.find((l: any) => l.name === '赵女士');
    assert.ok(mine, 'the lead is the sharing staff member’s');
    // The forwarded reader is an anonymous CDP profile that now carries the phone.
    await drainBackground(env, w.seed.tenantId);
    const merged = await inTenant(
      env.database.db,
      w.seed.tenantId,
      async (tx) =>
        (
          await sql<{ n: number }>`select count(distinct profile_id)::int as n from cdp_identities
          where tenant_id = ${w.seed.tenantId} and ((kind = 'anonymous_id' and value = ${`material-reader:${pc.visitor}`})
            or (kind = 'phone' and value = '+8613912340002'))`.execute(tx)
        ).rows[0]!.n,
    );
    assert.equal(merged, 1);
  });

  it('optimistic locking: a stale edit or upload gets a localised 409 and overwrites nothing; every change adds 1', async () => {
    const w = await world();
    const m = await ok(w.hq.post('/materials', { kind: 'poster', title: '元旦海报' }));
    assert.equal(m.version, 1);
    // Two editors read version 1; the first to save wins.
    const first = await ok(
      w.hq.request('PUT', `/materials/${m.id}`, { kind: 'poster', title: '元旦海报（改）', version: 1 }),
    );
    assert.equal(first.version, 2);
    const stale = await w.hq.request('PUT', `/materials/${m.id}`, {
      kind: 'poster',
      title: '覆盖',
      version: 1,
    });
    assert.equal(stale.status, 409);
    assert.match(stale.headers.get('content-type') ?? '', /problem\+json/);
    assert.match(stale.body.detail, /他人修改/);
    assert.match(stale.body.detail, /2/);
    assert.equal(stale.body.errors[0].field, 'version');
    const now = await ok(w.hq.get(`/materials/${m.id}`));
    assert.equal(now.title, '元旦海报（改）', 'the stale edit overwrote nothing');
    assert.equal(now.version, 2);
    // Without a version the edit is bad input (a field error), not a silent overwrite.
    const missing = await w.hq.request('PUT', `/materials/${m.id}`, { kind: 'poster', title: '无版本' });
    assert.equal(missing.status, 422);
    assert.ok(missing.body.errors.some((e: any) => e.field === 'version'));
    // A new file changes what readers see: it is a version too; a stale ?version is refused.
    const image = await sharp({ create: { width: 40, height: 60, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
    const up = (v?: number) =>
      w.hq.request('PUT', `/materials/${m.id}/file${v ? `?version=${v}` : ''}`, image, {
        'content-type': 'application/octet-stream',
      });
    const staleUp = await up(1);
    assert.equal(staleUp.status, 409);
    assert.equal((await ok(w.hq.get(`/materials/${m.id}`))).file, null, 'the stale upload stored nothing');
    assert.equal((await ok(up(2))).version, 3);
    assert.equal((await ok(up())).version, 4, 'an upload without ?version still counts');
  });

  it('uploads: PDFs over the limit are refused cleanly; a poster gets the staff QR composed and cached', async () => {
    const w = await world();
    const pdf = await ok(w.hq.post('/materials', { kind: 'pdf', title: '配置表' }));
    const upload = (id: string, bytes: Uint8Array) =>
      w.hq.request('PUT', `/materials/${id}/file?filename=a.pdf`, bytes, {
        'content-type': 'application/octet-stream',
      });
    const big = new Uint8Array(10 * 1024 * 1024 + 10);
    big.set(Buffer.from('%PDF-1.4\n'));
    const tooBig = await upload(pdf.id, big);
    assert.equal(tooBig.status, 413);
    assert.match(tooBig.body.detail, /10/);
    assert.equal((await ok(w.hq.get(`/materials/${pdf.id}`))).file, null);
    const notPdf = await upload(pdf.id, Buffer.from('hello'));
    assert.equal(notPdf.status, 422);
    assert.equal(notPdf.body.errors[0].field, 'file');
    const stored = await ok(upload(pdf.id, Buffer.from('%PDF-1.4\n%%EOF\n')));
    assert.equal(stored.file.mime, 'application/pdf');
    // The dealer cannot replace HQ's file.
    const dealerUpload = await w.dealer.request(
      'PUT',
      `/materials/${pdf.id}/file`,
      Buffer.from('%PDF-1.4\n'),
      {
        'content-type': 'application/octet-stream',
      },
    );
    assert.equal(dealerUpload.status, 403);

    const poster = await ok(
      w.hq.post('/materials', { kind: 'poster', title: '双十二海报', qrSlot: { x: 0.6, y: 0.6, size: 0.3 } }),
    );
    const image = await sharp({ create: { width: 400, height: 600, channels: 3, background: '#cc3333' } })
      .png()
      .toBuffer();
    await ok(upload(poster.id, image));
    const res = await fetch(`${env.baseUrl}/api/v1/materials/${poster.id}/poster`, {
      headers: { cookie: w.sales.cookie },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const png = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 400, 600]);
    const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => [...data.subarray((y * 400 + x) * 3, (y * 400 + x) * 3 + 3)];
    assert.deepEqual(px(10, 10), [204, 51, 51], 'outside the slot the poster is unchanged');
    const slot: number[][] = [];
    for (let y = 360; y < 480; y += 3) for (let x = 240; x < 360; x += 3) slot.push(px(x, y));
    assert.ok(
      slot.some((p) => p[0]! < 40 && p[1]! < 40 && p[2]! < 40),
      'QR modules are drawn in the slot',
    );
    assert.ok(
      slot.some((p) => p[0]! > 240 && p[1]! > 240 && p[2]! > 240),
      'with a light background',
    );
    const again = Buffer.from(
      await (
        await fetch(`${env.baseUrl}/api/v1/materials/${poster.id}/poster`, {
          headers: { cookie: w.sales.cookie },
        })
      ).arrayBuffer(),
    );
    assert.ok(again.equals(png), 'cached per (poster, staff)');
    const others = Buffer.from(
      await (
        await fetch(`${env.baseUrl}/api/v1/materials/${poster.id}/poster`, {
          headers: { cookie: w.dealer.cookie },
        })
      ).arrayBuffer(),
    );
    assert.ok(!others.equals(png), 'another staff member has their own QR');
    const share = await ok(w.sales.post(`/materials/${poster.id}/share`, {}));
    assert.equal(share.payload.msgtype, 'image');
    assert.equal(share.payload.image.imgUrl, `${share.url}/poster.png`);
  });
});
