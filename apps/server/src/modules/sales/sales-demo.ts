/**
 * Demo data for the sales module through the public API (so every rule applies: SOP, pricing,
 * approvals). Usage: node apps/server/src/modules/sales/sales-demo.ts http://127.0.0.1:3000 demo [password]
 */
const [base = 'http://127.0.0.1:3000', tenant = 'demo', password = 'kehu-demo-2026'] = process.argv.slice(2);

interface Session {
  cookie: string;
  csrf: string;
}
async function login(login: string): Promise<Session> {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, login, password }),
  });
  if (!r.ok) throw new Error(`login ${login}: ${r.status}`);
  const b = (await r.json()) as { csrfToken: string };
  return { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: b.csrfToken };
}
async function call<T = any>(s: Session, method: string, path: string, body?: unknown): Promise<T> {
  if (method === 'GET') body = undefined;
  const r = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
    body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : (undefined as T);
}
const cny = (yuan: number) => ({ amount: Math.round(yuan * 100), currency: 'CNY' });
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const REQUIRED: Record<string, string[]> = {
  discovery: ['confirm_need', 'identify_dm'],
  solution: ['solution_doc', 'demo'],
  trust: ['reference_visit', 'dm_meeting'],
  closing: ['terms_agreed', 'contract_draft'],
};
const ORDER = ['discovery', 'solution', 'trust', 'closing', 'won'];
async function advance(s: Session, id: string, to: string, lostReason?: string) {
  if (to === 'lost')
    return call(s, 'POST', `/opportunities/${id}/stage`, {
      stage: 'lost',
      lostReason: lostReason ?? 'price',
    });
  for (let i = 0; ORDER[i] !== to; i++) {
    for (const item of REQUIRED[ORDER[i]!] ?? [])
      await call(s, 'POST', `/opportunities/${id}/sop`, { stage: ORDER[i], item, done: true });
    await call(s, 'POST', `/opportunities/${id}/stage`, { stage: ORDER[i + 1] });
  }
}

const admin = await login('admin');
const me = await call(admin, 'GET', '/auth/me');
const unitByName = new Map<string, string>(me.units.map((u: any) => [u.name, u.id]));
const users = (await call(admin, 'GET', '/admin/users?limit=100')).items as any[];
const uid = (l: string) => users.find((u) => u.login === l)?.id;

const products = [
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
] as const;
const productIds: string[] = [];
for (const [name, code, category, price, tiers] of products) {
  const p = await call(admin, 'POST', '/records/product', {
    name,
    code: `${code}-${Date.now() % 100000}`,
    category,
    unit: '件',
    listPrice: cny(price),
    taxRate: category === 'service' ? 6 : 13,
  });
  productIds.push(p.id);
  await call(admin, 'POST', '/records/price_list', {
    name: `2026 标准价 ${name}`,
    productId: p.id,
    currency: 'CNY',
    tiers: tiers.map(([minQty, yuan]) => ({ minQty, unitPrice: Math.round(yuan * 100) })),
  });
}

const companies = [
  '杭州云栖科技有限公司',
  '上海浦江家居集团',
  '苏州工业园智造',
  '南京紫金地产',
  '宁波港城物流',
  '无锡太湖医疗器械',
  '合肥科大讯联',
  '温州鹿城鞋业',
];
const people: [string, string[]][] = [
  ['sun.lei', companies.slice(0, 3)],
  ['zhao.jing', companies.slice(3, 5)],
  ['ma.chao', companies.slice(5, 7)],
  ['zhang.wei', companies.slice(7)],
];
const plan: [string, number, string, string][] = [
  ['门锁批量采购', 168000, 'closing', 'website'],
  ['全屋智能改造一期', 520000, 'trust', 'referral'],
  ['样板间智能化', 86000, 'solution', 'exhibition'],
  ['总部办公室门禁', 45000, 'discovery', 'website'],
  ['年度云平台续费', 108000, 'won', 'referral'],
  ['新楼盘精装配套', 1260000, 'solution', 'ad'],
  ['仓储安防升级', 230000, 'lost', 'website'],
  ['门店窗帘电机', 64000, 'discovery', 'wecom'],
];
const sessions = new Map<string, Session>();
let n = 0;
const custIds: Record<string, string[]> = {};
for (const [loginName, names] of people) {
  const s = await login(loginName);
  sessions.set(loginName, s);
  custIds[loginName] = [];
  for (const name of names) {
    const c = await call(s, 'POST', '/records/customer', {
      name,
      kind: 'company',
      industry: 'home_furnishing',
      source: 'website',
      level: n % 2 ? 'A' : 'B',
    });
    custIds[loginName].push(c.id);
    await call(s, 'POST', '/records/contact', {
      name: ['周总', '王经理', '李工', '陈主任'][n % 4],
      customerId: c.id,
      title: '采购负责人',
    });
    for (let k = 0; k < 2; k++) {
      const [oname, amount, stage, channel] = plan[(n * 2 + k) % plan.length]!;
      const o = await call(s, 'POST', '/records/opportunity', {
        name: `${name.slice(0, 4)}·${oname}`,
        customerId: c.id,
        amount: cny(amount),
        channel,
        expectedCloseDate: day(10 + ((n * 7 + k * 13) % 70)),
      });
      if (stage !== 'discovery') await advance(s, o.id, stage, 'competitor');
      if (stage === 'discovery')
        await call(s, 'POST', `/opportunities/${o.id}/sop`, {
          stage: 'discovery',
          item: 'confirm_need',
          done: true,
        });
      try {
        await call(s, 'POST', '/records/activity', {
          type: 'call',
          subject: `与${name.slice(0, 4)}电话沟通需求`,
          occurredAt: new Date().toISOString(),
          customerId: c.id,
          opportunityId: o.id,
        });
      } catch {
        // the activity object belongs to the leads module; skip when absent
      }
    }
    n++;
  }
}

// A quote above the discount threshold waiting for 张伟 (the store's dealer manager).
const sun = sessions.get('sun.lei')!;
const opps = (await call(sun, 'GET', '/records/opportunity?limit=10')).items as any[];
const q1 = await call(sun, 'POST', '/records/quote', {
  name: `${opps[0].name} 报价`,
  customerId: opps[0].customerId,
  opportunityId: opps[0].id,
  validUntil: day(30),
});
await call(sun, 'PUT', `/quotes/${q1.id}/lines`, {
  lines: [
    { productId: productIds[0], quantity: 60, discountPercent: 18 },
    { productId: productIds[3], quantity: 60, discountPercent: 10 },
  ],
});
await call(sun, 'POST', `/quotes/${q1.id}/submit`);

// 张伟's own deal: approved quote → contract → order → plan → first receipt.
const zhang = sessions.get('zhang.wei')!;
const zc = custIds['zhang.wei']![0]!;
const zo = (
  await call(
    zhang,
    'GET',
    `/records/opportunity?limit=1&filter=${encodeURIComponent(JSON.stringify({ field: 'customerId', op: 'eq', value: zc }))}`,
  )
).items[0];
const q2 = await call(zhang, 'POST', '/records/quote', {
  name: `${zo?.name ?? '温州鹿城'} 报价`,
  customerId: zc,
  opportunityId: zo?.id ?? null,
});
await call(zhang, 'PUT', `/quotes/${q2.id}/lines`, {
  lines: [
    { productId: productIds[4], quantity: 40, discountPercent: 5 },
    { productId: productIds[3], quantity: 40 },
  ],
});
await call(zhang, 'POST', `/quotes/${q2.id}/submit`);
const contract = await call(zhang, 'POST', `/quotes/${q2.id}/contract`, {
  contractNo: `HT-2026-${Date.now() % 10000}`,
});
await call(zhang, 'POST', `/contracts/${contract.id}/status`, { status: 'active' });
const order = await call(zhang, 'POST', `/contracts/${contract.id}/order`, {});
await call(zhang, 'POST', `/orders/${order.id}/status`, { status: 'confirmed' });
const total = order.amount.amount as number;
const first = Math.round(total * 0.3);
await call(zhang, 'PUT', `/orders/${order.id}/plan`, {
  items: [
    { dueDate: day(-5), amount: first, note: '预付 30%' },
    { dueDate: day(45), amount: total - first, note: '尾款' },
  ],
});
await call(zhang, 'POST', '/records/payment', {
  orderId: order.id,
  amount: { amount: first, currency: 'CNY' },
  paidAt: day(-3),
  method: 'bank_transfer',
});

// Targets for this month and quarter.
const month = day(0).slice(0, 7);
const quarter = `${day(0).slice(0, 4)}-Q${Math.floor(new Date().getUTCMonth() / 3) + 1}`;
await call(admin, 'POST', '/records/target', {
  name: `孙磊 ${month}`,
  scopeType: 'user',
  userId: uid('sun.lei'),
  periodType: 'month',
  period: month,
  amount: cny(300000),
  count: 3,
});
await call(admin, 'POST', '/records/target', {
  name: `赵静 ${month}`,
  scopeType: 'user',
  userId: uid('zhao.jing'),
  periodType: 'month',
  period: month,
  amount: cny(200000),
  count: 2,
});
for (const [name, yuan] of [
  ['华东大区', 3_000_000],
  ['华南大区', 2_000_000],
] as const) {
  const unit = [...unitByName.entries()].find(([k]) => k.includes(name.slice(0, 2)))?.[1];
  if (unit)
    await call(admin, 'POST', '/records/target', {
      name: `${name} ${quarter}`,
      scopeType: 'unit',
      targetUnitId: unit,
      periodType: 'quarter',
      period: quarter,
      amount: cny(yuan),
      basis: 'won',
    });
}
console.log(`sales demo ready: quote pending approval ${q1.id}, order ${order.id}`);
