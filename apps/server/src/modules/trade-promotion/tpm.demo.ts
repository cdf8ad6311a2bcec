import { sql } from 'kysely';
import { loadPrincipal } from '../../core/auth/access-loader.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import type { DemoCall, DemoContext } from '../../engine/module.ts';
import { demoShelfPhoto } from './demo-photo.ts';
import { uploadProof } from './proofs.service.ts';

/** Store locations (GCJ-02, as map apps in China give them). */
const STORES: Record<string, [number, number, string]> = {
  'EC-D1-S1': [121.5906, 31.2033, '上海市浦东新区张江路 88 号'],
  'EC-D1-S2': [121.6002, 31.2638, '上海市浦东新区金桥路 1200 号'],
  'EC-D2-S1': [120.1346, 30.2776, '杭州市西湖区文三路 398 号'],
  'EC-D2-S2': [120.2108, 30.2085, '杭州市滨江区江南大道 588 号'],
  'SC-D1-S1': [113.3213, 23.1381, '广州市天河区体育西路 101 号'],
  'SC-D1-S2': [113.3639, 22.9427, '广州市番禺区市桥街 12 号'],
  'SC-D2-S1': [113.9475, 22.5405, '深圳市南山区科技园南区 6 号'],
  'SC-D2-S2': [113.8699, 22.5768, '深圳市宝安区西乡大道 300 号'],
};

const DAY = 86_400_000;
const day = (t: number) => new Date(t + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * The TPM story on first start: HQ's year budgets allocated to both regions and their dealers,
 * store locations, and six activities in different states — verified (money in the expense pool),
 * awaiting 核销 with a re-used photo flagged, executing with proof, pending approval, draft, cancelled.
 */
export async function seedTradePromotion(ctx: DemoContext) {
  const units = await inTenant(ctx.database.db, ctx.tenantId, async (tx) =>
    Object.fromEntries(
      (
        await sql<{
          code: string;
          id: string;
        }>`select code, id from units where tenant_id = ${ctx.tenantId}`.execute(tx)
      ).rows.map((r) => [r.code, r.id]),
    ),
  );
  const now = Date.now();
  // Activities sit inside one calendar year: the one of three weeks ago.
  const year = Number(day(now - 21 * DAY).slice(0, 4));
  const clamp = (t: number) => Math.max(t, Date.parse(`${year}-01-01T00:00:00+08:00`));
  const hq = await ctx.signIn('wang.jianguo');
  const ec = await ctx.signIn('chen.zhiqiang');
  const sc = await ctx.signIn('huang.weiming');
  const budgets: Record<string, string> = {};
  const plan: [string, number, [string, DemoCall, number, [string, number][]][]][] = [
    [
      'display',
      2_000_000_00,
      [
        [
          'EC',
          ec,
          800_000_00,
          [
            ['EC-D1', 300_000_00],
            ['EC-D2', 200_000_00],
          ],
        ],
        [
          'SC',
          sc,
          600_000_00,
          [
            ['SC-D1', 250_000_00],
            ['SC-D2', 150_000_00],
          ],
        ],
      ],
    ],
    [
      'promotion',
      1_200_000_00,
      [
        [
          'EC',
          ec,
          500_000_00,
          [
            ['EC-D1', 200_000_00],
            ['EC-D2', 100_000_00],
          ],
        ],
        [
          'SC',
          sc,
          400_000_00,
          [
            ['SC-D1', 150_000_00],
            ['SC-D2', 120_000_00],
          ],
        ],
      ],
    ],
    [
      'tasting',
      600_000_00,
      [
        ['EC', ec, 250_000_00, [['EC-D2', 80_000_00]]],
        ['SC', sc, 200_000_00, [['SC-D2', 60_000_00]]],
      ],
    ],
  ];
  for (const [type, amount, regions] of plan) {
    const root = await hq('POST', '/tpm/budgets', {
      year,
      channel: 'modern_trade',
      expenseType: type,
      amount,
    });
    for (const [region, call, regionAmount, dealers] of regions) {
      const r = await hq('POST', `/tpm/budgets/${root.id}/allocations`, {
        unitId: units[region],
        amount: regionAmount,
      });
      for (const [dealer, dealerAmount] of dealers) {
        const d = await call('POST', `/tpm/budgets/${r.id}/allocations`, {
          unitId: units[dealer],
          amount: dealerAmount,
        });
        budgets[`${dealer}:${type}`] = d.id;
      }
    }
  }
  for (const [code, [lng, lat, address]] of Object.entries(STORES))
    await hq('PUT', `/tpm/stores/${units[code]}/location`, {
      lng,
      lat,
      coordSystem: 'gcj02',
      radiusM: 300,
      address,
    });

  const zhang = await ctx.signIn('zhang.wei');
  const liu = await ctx.signIn('liu.yang');
  const wu = await ctx.signIn('wu.haitao');
  const zheng = await ctx.signIn('zheng.xiaodong');
  const propose = (
    call: DemoCall,
    name: string,
    type: string,
    dealer: string,
    stores: string[],
    amount: number,
    from: number,
    to: number,
  ) =>
    call('POST', '/tpm/activities', {
      name,
      activityType: type,
      dealerUnitId: units[dealer],
      storeUnitIds: stores.map((s) => units[s]),
      startsOn: day(clamp(from)),
      endsOn: day(clamp(to)),
      description: `${name}：门店端架 + 堆头，按标准陈列照片核销`,
      lines: [{ budgetId: budgets[`${dealer}:${type}`], amount }],
    });
  const approveAll = async (approver: DemoCall, activityId: string) => {
    const inbox = await approver('GET', '/approvals');
    const req = (inbox.items ?? inbox).find((r: any) => r.recordId === activityId);
    if (req) await approver('POST', `/approvals/${req.id}/approve`, { comment: '同意，按标准执行' });
  };
  const principalOf = async (login: string): Promise<Principal> => {
    const id = await inTenant(
      ctx.database.db,
      ctx.tenantId,
      async (tx) =>
        (
          await sql<{
            id: string;
          }>`select id from users where tenant_id = ${ctx.tenantId} and login = ${login}`.execute(tx)
        ).rows[0]!.id,
    );
    return { ...(await loadPrincipal(ctx.database.db, ctx.tenantId, id, -1))!, kind: 'user' };
  };
  const photo = async (login: string, activityId: string, store: string, seed: number, offset = 0.0004) => {
    const p = await principalOf(login);
    const [lng, lat] = STORES[store]!;
    await uploadProof(
      ctx.database,
      p,
      { tenantId: ctx.tenantId, actorId: p.userId, actorKind: 'user' },
      'zh-CN',
      activityId,
      {
        storeUnitId: units[store]!,
        lng: lng + offset,
        lat: lat - offset / 2,
        coordSystem: 'gcj02',
        takenAt: new Date(Date.now() - 60_000).toISOString(),
      },
      await demoShelfPhoto(seed, { capturedAt: new Date(Date.now() - 60_000) }),
    );
  };

  // 1. Verified: the money is in 上海浦东's expense pool.
  const a1 = await propose(
    zhang,
    '年货节端架陈列 · 浦东两店',
    'display',
    'EC-D1',
    ['EC-D1-S1', 'EC-D1-S2'],
    36_000_00,
    now - 40 * DAY,
    now - 20 * DAY,
  );
  await zhang('POST', `/tpm/activities/${a1.id}/submit`, {});
  await approveAll(ec, a1.id);
  await photo('sun.lei', a1.id, 'EC-D1-S1', 101);
  await photo('xu.ming', a1.id, 'EC-D1-S2', 102);
  await zhang('POST', `/tpm/activities/${a1.id}/complete`, {});
  await ec('POST', `/tpm/activities/${a1.id}/verify`, {
    amount: 34_200_00,
    comment: '两店陈列达标，金桥店堆头面积不足，扣减 5%',
    proofsReviewed: true,
  });

  // 2. Awaiting 核销: one photo is the 张江 photo again (flagged as re-used).
  const a2 = await propose(
    zhang,
    '双旦促销 · 张江店',
    'promotion',
    'EC-D1',
    ['EC-D1-S1'],
    18_000_00,
    now - 18 * DAY,
    now - 3 * DAY,
  );
  await zhang('POST', `/tpm/activities/${a2.id}/submit`, {});
  await approveAll(ec, a2.id);
  await photo('sun.lei', a2.id, 'EC-D1-S1', 201);
  await photo('zhao.jing', a2.id, 'EC-D1-S1', 101);
  await zhang('POST', `/tpm/activities/${a2.id}/complete`, {});

  // 3. Executing, one proof taken 2 km away (outside the geofence).
  const a3 = await propose(
    liu,
    '品鉴会 · 西湖文三路店',
    'tasting',
    'EC-D2',
    ['EC-D2-S1'],
    25_000_00,
    now - 7 * DAY,
    now + 7 * DAY,
  );
  await liu('POST', `/tpm/activities/${a3.id}/submit`, {});
  await approveAll(ec, a3.id);
  await photo('ma.chao', a3.id, 'EC-D2-S1', 301);
  await photo('zhu.ting', a3.id, 'EC-D2-S1', 302, 0.02);

  // 4. Pending approval at the region.
  const a4 = await propose(
    wu,
    '春节堆头陈列 · 天河体育西店',
    'display',
    'SC-D1',
    ['SC-D1-S1'],
    42_000_00,
    now - 5 * DAY,
    now + 20 * DAY,
  );
  await wu('POST', `/tpm/activities/${a4.id}/submit`, {});

  // 5. Draft.
  await propose(
    zheng,
    '周末买赠促销 · 南山科技园店',
    'promotion',
    'SC-D2',
    ['SC-D2-S1', 'SC-D2-S2'],
    15_000_00,
    now - 2 * DAY,
    now + 12 * DAY,
  );

  // 6. Approved, then cancelled: the commitment went back to the budget.
  const a6 = await propose(
    liu,
    '进店端架陈列 · 滨江店',
    'display',
    'EC-D2',
    ['EC-D2-S2'],
    12_000_00,
    now - 10 * DAY,
    now + 5 * DAY,
  );
  await liu('POST', `/tpm/activities/${a6.id}/submit`, {});
  await approveAll(ec, a6.id);
  await liu('POST', `/tpm/activities/${a6.id}/cancel`, {});
  await demoSellIn(ctx, units, a1, now);
  ctx.state.set('tpm.verifiedActivityId', a1.id);
}

/**
 * Sell-in around the verified activity, so its ROI has something to show: the two activity stores
 * and 杭州's two stores (comparable) in the baseline weeks before and during the activity.
 */
async function demoSellIn(
  ctx: DemoContext,
  units: Record<string, string>,
  a: { startsOn: string; endsOn: string },
  now: number,
) {
  const admin = await ctx.signIn('admin');
  const customers = await admin('GET', '/records/customer?limit=8');
  const ids: string[] = customers.items.map((c: { id: string }) => c.id);
  if (!ids.length) return;
  const start = Date.parse(`${a.startsOn}T12:00:00+08:00`);
  const end = Date.parse(`${a.endsOn}T12:00:00+08:00`);
  const span = end - start;
  // [store, period, orders, yuan each]
  const plan: [string, 'baseline' | 'during', number, number][] = [
    ['EC-D1-S1', 'baseline', 2, 82_000],
    ['EC-D1-S2', 'baseline', 2, 78_000],
    ['EC-D1-S1', 'during', 3, 96_000],
    ['EC-D1-S2', 'during', 3, 91_000],
    ['EC-D2-S1', 'baseline', 2, 72_000],
    ['EC-D2-S2', 'baseline', 2, 68_000],
    ['EC-D2-S1', 'during', 2, 75_000],
    ['EC-D2-S2', 'during', 2, 73_000],
  ];
  let n = 0;
  for (const [store, period, count, each] of plan)
    for (let i = 0; i < count; i++) {
      const t = (period === 'baseline' ? start - span - DAY : start) + ((i + 1) * span) / (count + 1);
      if (t > now) continue;
      const o = await admin('POST', '/records/order', {
        name: `门店进货 ${day(t)} #${++n}`,
        customerId: ids[n % ids.length],
        unitId: units[store],
        orderDate: day(t),
        amount: { amount: each * 100 + n * 1_300_00, currency: 'CNY' },
      });
      await admin('POST', `/orders/${o.id}/status`, { status: 'confirmed' });
    }
}
