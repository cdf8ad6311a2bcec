/**
 * The demo's sales story, told through the public API so every rule applies (SOP
 * gates, pricing, approvals, lead assignment and SLA): a catalogue, eight accounts with
 * opportunities across the stages, a quote awaiting the store manager's approval, a contract →
 * order → first receipt, targets.
 *
 * The API is reached through `Call`: in-process (`app.inject`) on first start, or over HTTP
 * from `modules/sales/sales-demo.ts` against a running server.
 */
import type { DemoCall as Call, DemoContext, SignIn } from '../../engine/module.ts';

const DAY = 86_400_000;
const cny = (yuan: number) => ({ amount: Math.round(yuan * 100), currency: 'CNY' });
const day = (offset: number, now: number) => new Date(now + offset * DAY).toISOString().slice(0, 10);

const REQUIRED: Record<string, string[]> = {
  discovery: ['confirm_need', 'identify_dm'],
  solution: ['solution_doc', 'demo'],
  trust: ['reference_visit', 'dm_meeting'],
  closing: ['terms_agreed', 'contract_draft'],
};
const ORDER = ['discovery', 'solution', 'trust', 'closing', 'won'];

async function advance(call: Call, id: string, to: string) {
  if (to === 'lost')
    return call('POST', `/opportunities/${id}/stage`, { stage: 'lost', lostReason: 'competitor' });
  for (let i = 0; ORDER[i] !== to; i++) {
    for (const item of REQUIRED[ORDER[i]!] ?? [])
      await call('POST', `/opportunities/${id}/sop`, { stage: ORDER[i], item, done: true });
    await call('POST', `/opportunities/${id}/stage`, { stage: ORDER[i + 1] });
  }
}

const PRODUCTS: [string, string, string, number, [number, number][]][] = [
  [
    '智能门锁 X1',
    'LOCK-X1',
    'hardware',
    1280,
    [
      [1, 1280],
      [10, 1180],
      [50, 1080],
    ],
  ],
  [
    '全屋智能网关',
    'GW-200',
    'hardware',
    2680,
    [
      [1, 2680],
      [20, 2480],
    ],
  ],
  [
    '云平台年费（50 用户）',
    'SAAS-50',
    'software',
    36000,
    [
      [1, 36000],
      [3, 33000],
    ],
  ],
  ['上门安装服务', 'SVC-INST', 'service', 300, [[1, 300]]],
  [
    '智能窗帘电机',
    'CUR-M3',
    'hardware',
    899,
    [
      [1, 899],
      [30, 799],
    ],
  ],
];

const COMPANIES = [
  '杭州云栖科技有限公司',
  '上海浦江家居集团',
  '苏州工业园智造',
  '南京紫金地产',
  '宁波港城物流',
  '无锡太湖医疗器械',
  '合肥科大讯联',
  '温州鹿城鞋业',
];
const OWNERS: [string, string[]][] = [
  ['sun.lei', COMPANIES.slice(0, 3)],
  ['zhao.jing', COMPANIES.slice(3, 5)],
  ['ma.chao', COMPANIES.slice(5, 7)],
  ['zhang.wei', COMPANIES.slice(7)],
];
const PLAN: [string, number, string, string][] = [
  ['门锁批量采购', 168000, 'closing', 'website'],
  ['全屋智能改造一期', 520000, 'trust', 'referral'],
  ['样板间智能化', 86000, 'solution', 'exhibition'],
  ['总部办公室门禁', 45000, 'discovery', 'website'],
  ['年度云平台续费', 108000, 'won', 'referral'],
  ['新楼盘精装配套', 1260000, 'solution', 'ad'],
  ['仓储安防升级', 230000, 'lost', 'website'],
  ['门店窗帘电机', 64000, 'discovery', 'wecom'],
];

export interface SalesStoryOptions {
  now?: number;
  /** Appended to product codes when the story is told again on a tenant that has it. */
  codeSuffix?: string;
}

export async function seedSalesStory(signIn: SignIn, opts: SalesStoryOptions = {}) {
  const now = opts.now ?? Date.now();
  const admin = await signIn('admin');
  const me = await admin('GET', '/auth/me');
  const unitByName = new Map<string, string>(me.units.map((u: any) => [u.name, u.id]));
  const users = (await admin('GET', '/admin/users?limit=100')).items as any[];
  const uid = (l: string) => users.find((u) => u.login === l)?.id as string;

  const productIds: string[] = [];
  for (const [name, code, category, price, tiers] of PRODUCTS) {
    const p = await admin('POST', '/records/product', {
      name,
      code: `${code}${opts.codeSuffix ?? ''}`,
      category,
      unit: '件',
      listPrice: cny(price),
      taxRate: category === 'service' ? 6 : 13,
    });
    productIds.push(p.id);
    await admin('POST', '/records/price_list', {
      name: `2026 标准价 ${name}`,
      productId: p.id,
      currency: 'CNY',
      tiers: tiers.map(([minQty, yuan]) => ({ minQty, unitPrice: Math.round(yuan * 100) })),
    });
  }

  const sessions = new Map<string, Call>();
  const custIds: Record<string, string[]> = {};
  let n = 0;
  for (const [login, names] of OWNERS) {
    const s = await signIn(login);
    sessions.set(login, s);
    custIds[login] = [];
    for (const name of names) {
      const c = await s('POST', '/records/customer', {
        name,
        kind: 'company',
        industry: 'home_furnishing',
        source: 'website',
        level: n % 2 ? 'A' : 'B',
      });
      custIds[login].push(c.id);
      await s('POST', '/records/contact', {
        name: ['周总', '王经理', '李工', '陈主任'][n % 4],
        customerId: c.id,
        title: '采购负责人',
      });
      for (let k = 0; k < 2; k++) {
        const [oname, amount, stage, channel] = PLAN[(n * 2 + k) % PLAN.length]!;
        const o = await s('POST', '/records/opportunity', {
          name: `${name.slice(0, 4)}·${oname}`,
          customerId: c.id,
          amount: cny(amount),
          channel,
          expectedCloseDate: day(10 + ((n * 7 + k * 13) % 70), now),
        });
        if (stage === 'discovery')
          await s('POST', `/opportunities/${o.id}/sop`, {
            stage: 'discovery',
            item: 'confirm_need',
            done: true,
          });
        else await advance(s, o.id, stage);
        await s('POST', '/records/activity', {
          type: 'call',
          subject: `与${name.slice(0, 4)}电话沟通需求`,
          occurredAt: new Date(now - ((n + k) % 5) * DAY).toISOString(),
          customerId: c.id,
          opportunityId: o.id,
        });
      }
      n++;
    }
  }

  // A quote above the discount threshold waiting for 张伟 (the store's dealer manager).
  const sun = sessions.get('sun.lei')!;
  const opps = (await sun('GET', '/records/opportunity?limit=10')).items as any[];
  const open = opps.find((o) => !['won', 'lost'].includes(o.stage)) ?? opps[0];
  const q1 = await sun('POST', '/records/quote', {
    name: `${open.name} 报价`,
    customerId: open.customerId,
    opportunityId: open.id,
    validUntil: day(30, now),
  });
  await sun('PUT', `/quotes/${q1.id}/lines`, {
    lines: [
      { productId: productIds[0], quantity: 60, discountPercent: 18 },
      { productId: productIds[3], quantity: 60, discountPercent: 10 },
    ],
  });
  await sun('POST', `/quotes/${q1.id}/submit`);

  // 张伟's own deal: approved quote → contract → order → payment plan → first receipt.
  const zhang = sessions.get('zhang.wei')!;
  const zc = custIds['zhang.wei']![0]!;
  const filter = encodeURIComponent(JSON.stringify({ field: 'customerId', op: 'eq', value: zc }));
  const zo = (await zhang('GET', `/records/opportunity?limit=1&filter=${filter}`)).items[0];
  const q2 = await zhang('POST', '/records/quote', {
    name: `${zo?.name ?? '温州鹿城'} 报价`,
    customerId: zc,
    opportunityId: zo?.id ?? null,
  });
  await zhang('PUT', `/quotes/${q2.id}/lines`, {
    lines: [
      { productId: productIds[4], quantity: 40, discountPercent: 5 },
      { productId: productIds[3], quantity: 40 },
    ],
  });
  await zhang('POST', `/quotes/${q2.id}/submit`);
  const contract = await zhang('POST', `/quotes/${q2.id}/contract`, {
    contractNo: `HT-${day(0, now).slice(0, 4)}-0001${opts.codeSuffix ?? ''}`,
  });
  await zhang('POST', `/contracts/${contract.id}/status`, { status: 'active' });
  const order = await zhang('POST', `/contracts/${contract.id}/order`, {});
  await zhang('POST', `/orders/${order.id}/status`, { status: 'confirmed' });
  const total = order.amount.amount as number;
  const first = Math.round(total * 0.3);
  await zhang('PUT', `/orders/${order.id}/plan`, {
    items: [
      { dueDate: day(-5, now), amount: first, note: '预付 30%' },
      { dueDate: day(45, now), amount: total - first, note: '尾款' },
    ],
  });
  await zhang('POST', '/records/payment', {
    orderId: order.id,
    amount: { amount: first, currency: 'CNY' },
    paidAt: day(-3, now),
    method: 'bank_transfer',
  });

  // Targets for this month and quarter.
  const month = day(0, now).slice(0, 7);
  const quarter = `${month.slice(0, 4)}-Q${Math.floor(new Date(now).getUTCMonth() / 3) + 1}`;
  for (const [login, name, yuan, count] of [
    ['sun.lei', '孙磊', 300000, 3],
    ['zhao.jing', '赵静', 200000, 2],
  ] as const)
    await admin('POST', '/records/target', {
      name: `${name} ${month}`,
      scopeType: 'user',
      userId: uid(login),
      periodType: 'month',
      period: month,
      amount: cny(yuan),
      count,
    });
  for (const [name, yuan] of [
    ['华东大区', 3_000_000],
    ['华南大区', 2_000_000],
  ] as const) {
    const unit = [...unitByName.entries()].find(([k]) => k.includes(name.slice(0, 2)))?.[1];
    if (unit)
      await admin('POST', '/records/target', {
        name: `${name} ${quarter}`,
        scopeType: 'unit',
        targetUnitId: unit,
        periodType: 'quarter',
        period: quarter,
        amount: cny(yuan),
        basis: 'won',
      });
  }
  return { pendingQuoteId: q1.id as string, orderId: order.id as string, sessions, uid };
}

/** The sales step of the demo story: leaves its users' ids and the documents it made for later steps. */
export async function seedSales(ctx: DemoContext): Promise<void> {
  const sales = await seedSalesStory(ctx.signIn, { now: ctx.now });
  ctx.state.set('sales.uid', sales.uid);
  ctx.state.set('sales.pendingQuoteId', sales.pendingQuoteId);
  ctx.state.set('sales.orderId', sales.orderId);
}
