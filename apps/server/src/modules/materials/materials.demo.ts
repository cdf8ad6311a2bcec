import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import type { DemoContext } from '../../engine/module.ts';
import { demoPosterImage } from './poster-art.ts';
import { forwardShare, recordBeat, recordOpen, withShare } from './tracking.service.ts';

const P = (s: string) => `<p>${s}</p>`;

/** HQ's library, a region's and a dealer's own: what a 素材库 looks like after a few months. */
const HQ = [
  {
    kind: 'article',
    title: '2026 款智能电动 SUV 全新上市：续航 720 公里',
    summary: '一文看懂新车亮点：800V 快充、城市 NOA、零重力座椅。',
    category: '新车上市',
    tags: ['新车', 'SUV'],
    bodyHtml: `<h2>三大亮点</h2><ul><li>800V 高压平台，充电 15 分钟续航 400 公里</li><li>城市 NOA 全国都能开</li><li>副驾零重力座椅</li></ul>${P('现在预订享首任车主终身免费流量与 5 年 10 万公里整车质保。')}`,
  },
  {
    kind: 'article',
    title: '冬季用车指南：电池保温与续航的 7 个技巧',
    summary: '寒潮来临，这些习惯让您的爱车冬天也跑得更远。',
    category: '用车知识',
    tags: ['保养', '冬季'],
    bodyHtml: `${P('1. 出发前预约加热座舱与电池。')}${P('2. 尽量停放在地下车库。')}${P('3. 保持胎压在 2.5 bar 左右。')}${P('…更多技巧欢迎到店咨询。')}`,
  },
  {
    kind: 'article',
    title: '置换补贴最高 2 万元：老车换新车怎么最划算',
    summary: '国家补贴 + 厂家补贴 + 门店补贴，三重叠加算给您看。',
    category: '促销活动',
    tags: ['置换', '补贴'],
    bodyHtml: `<h3>补贴构成</h3><table><tr><th>项目</th><th>金额</th></tr><tr><td>国家以旧换新</td><td>1.5 万</td></tr><tr><td>厂家置换</td><td>5000</td></tr></table>`,
  },
  {
    kind: 'pdf',
    title: '2026 款车型配置表',
    summary: '全系配置与价格一览（PDF）',
    category: '产品资料',
    tags: ['配置表'],
  },
  {
    kind: 'video',
    title: '新车 3 分钟静态讲解',
    summary: '产品经理带您看遍每一个细节。',
    category: '产品资料',
    tags: ['视频'],
    linkUrl: 'https://v.qq.com/x/page/kehu-demo-walkaround.html',
  },
  {
    kind: 'miniprogram',
    title: '预约试驾小程序',
    summary: '选择门店与时间，一键预约试驾。',
    category: '到店转化',
    tags: ['试驾'],
    mini: { appid: 'wx1234567890abcdef', pagepath: 'pages/test-drive/index' },
  },
  {
    kind: 'link',
    title: '官网车型对比工具',
    summary: '在线对比任意两款车型。',
    category: '产品资料',
    tags: ['对比'],
    linkUrl: 'https://www.example.com/compare',
  },
  {
    kind: 'poster',
    title: '双十二限时购车节海报',
    summary: '扫码联系您的专属顾问',
    category: '促销活动',
    tags: ['海报', '限时'],
    qrSlot: { x: 0.667, y: 0.765, size: 0.29 },
    art: [['#0b3d91', '#1677ff'], '#ffd666'] as const,
  },
];
const REGION = [
  {
    kind: 'article',
    title: '华东车主节：上海 / 杭州 12 月 20 日举办',
    summary: '亲子试驾、露营市集、车主讲堂，报名即送车载香氛。',
    category: '活动邀约',
    tags: ['车主活动'],
    bodyHtml: `${P('时间：12 月 20 日 10:00–17:00')}${P('地点：上海浦东张江店 / 杭州西湖文三路店')}`,
  },
  {
    kind: 'poster',
    title: '华东车主节邀请海报',
    summary: '扫码报名车主节',
    category: '活动邀约',
    tags: ['海报', '车主活动'],
    qrSlot: { x: 0.667, y: 0.765, size: 0.29 },
    art: [['#135200', '#52c41a'], '#fff1b8'] as const,
  },
];
const DEALER = [
  {
    kind: 'article',
    title: '浦东店本周末试驾礼：到店即送咖啡券',
    summary: '周六周日到店试驾，即送星巴克咖啡券一张。',
    category: '到店转化',
    tags: ['试驾', '门店'],
    bodyHtml: P('浦东张江店：张江路 88 号，周末营业至 21:00。'),
  },
  {
    kind: 'link',
    title: '浦东店地图导航',
    summary: '一键导航到店',
    category: '到店转化',
    tags: ['门店'],
    linkUrl: 'https://uri.amap.com/marker?position=121.59,31.20&name=浦东张江店',
  },
];

export async function seedMaterials(ctx: DemoContext): Promise<void> {
  await seedLibrary(ctx);
  await seedReading(ctx);
}

async function seedLibrary(ctx: DemoContext): Promise<void> {
  const sets = [
    ['wang.jianguo', HQ],
    ['chen.zhiqiang', REGION],
    ['zhang.wei', DEALER],
  ] as const;
  for (const [login, items] of sets) {
    const call = await ctx.signIn(login);
    for (const { art, ...m } of items as ReadonlyArray<Record<string, any>>) {
      const created = await call<{ id: string }>('POST', '/materials', m);
      if (art) {
        const png = await demoPosterImage([art[0][0], art[0][1]], art[1]);
        await inTenant(ctx.database.db, ctx.tenantId, async (tx) => {
          await sql`insert into material_files (tenant_id, material_id, bytes) values (${ctx.tenantId}, ${created.id}, ${png})`.execute(
            tx,
          );
          await sql`update materials set file_mime = 'image/png', file_name = 'poster.png', file_size = ${png.length},
              cover_url = ${`/api/v1/materials/${created.id}/file`}
            where tenant_id = ${ctx.tenantId} and id = ${created.id}`.execute(tx);
        });
      }
    }
  }
}

const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.47';

/**
 * 孙磊 has shared HQ's launch article with a few of his customers over the last weeks: some read
 * it for a while, one forwarded it: the material's report shows it. (The reads are not replayed into
 * the CDP: the demo's CDP story has its own sources and event counts.)
 */
async function seedReading(ctx: DemoContext): Promise<void> {
  const sun = await ctx.signIn('sun.lei');
  const list = await sun<{ items: Array<{ id: string }> }>('GET', '/materials?kind=article');
  const launch = (await sun<{ items: Array<{ id: string; title: string }> }>('GET', '/materials')).items.find(
    (m) => m.title.startsWith('2026 款智能电动 SUV'),
  );
  if (!launch || !list.items.length) return;
  const customers = (await sun<{ items: Array<{ id: string }> }>('GET', '/records/customer?limit=6&sort=id'))
    .items;
  let n = 0;
  for (const c of customers) {
    n++;
    const share = await sun<{ token: string }>('POST', `/materials/${launch.id}/share`, { customerId: c.id });
    if (n % 3 === 0) continue; // sent, not opened (yet)
    const visitor = `demo-reader-${String(n).padStart(4, '0')}-${ctx.seed}`;
    const opened = await withShare(ctx.database, share.token, (tx, s) =>
      recordOpen(tx, s, visitor, { ua: PHONE, ip: '127.0.0.1' }),
    );
    if (!opened) continue;
    const beats = 2 + ((n * 7) % 9);
    for (let i = 1; i <= beats; i++) {
      await withShare(ctx.database, share.token, (tx, s) =>
        recordBeat(tx, s, { v: visitor, seq: i, seconds: 15, end: i === beats }),
      );
    }
    if (n === 2) {
      const child = await withShare(ctx.database, share.token, (tx, s) => forwardShare(tx, s, visitor));
      if (child)
        await withShare(ctx.database, child.value, (tx, s) =>
          recordOpen(tx, s, `${visitor}-friend`, { ua: PHONE, ip: '127.0.0.1' }),
        );
    }
  }
  // Spread the reads over the last two weeks, and leave 孙磊's inbox as he would have: read.
  await inTenant(ctx.database.db, ctx.tenantId, async (tx) => {
    await sql`update material_reads set opened_at = opened_at - (((abs(hashtext(id::text)) % 14)) || ' days')::interval
      where tenant_id = ${ctx.tenantId}`.execute(tx);
    await sql`update notifications set read_at = now() where tenant_id = ${ctx.tenantId} and kind = 'material_reading'`.execute(
      tx,
    );
  });
}
