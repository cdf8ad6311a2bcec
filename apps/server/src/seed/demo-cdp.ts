import type { Call } from './demo-sales.ts';

/**
 * The demo's customer data: a web shop source with a few thousand events from a few hundred
 * visitors over the last 60 days, sent through the Segment-compatible `/v1/batch` endpoint and
 * processed like live traffic. About a third of the visitors sign in (identify), which merges
 * their anonymous history into a known person; some of them are CRM customers, so the merge
 * lands on the profile linked to that customer. Tags (in two groups) and segments are defined
 * first, so membership is built by the real-time evaluator as the events are processed.
 */
export type SendBatch = (writeKey: string, batch: Record<string, unknown>[]) => Promise<void>;

const DAY = 86_400_000;
const CITIES: [string, number][] = [
  ['上海', 5],
  ['杭州', 3],
  ['苏州', 2],
  ['南京', 2],
  ['广州', 2],
  ['深圳', 2],
  ['宁波', 1],
];
const SKUS: [string, string, number][] = [
  ['LOCK-X1', '智能门锁 X1', 1280],
  ['GW-200', '全屋智能网关', 2680],
  ['CUR-M3', '智能窗帘电机', 899],
  ['CAM-P2', '室内摄像头 P2', 399],
  ['SEN-D1', '门窗传感器', 129],
  ['LGT-S5', '智能灯带 S5', 259],
];
const PAGES = ['首页', '智能门锁', '全屋智能方案', '门店查询', '会员中心'];
const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '周',
  '吴',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '磊',
  '洋',
  '艳',
  '勇',
  '军',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
];

type Rand = () => number;
function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
function weighted<T>(r: Rand, items: readonly (readonly [T, number])[]): T {
  let x = r() * items.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  return items[items.length - 1]![0];
}

export interface CdpStoryOptions {
  seed?: number;
  now?: number;
  visitors?: number;
  /** Phones of CRM person customers: some visitors sign in with them. */
  crmPhones?: string[];
}

/** Tag groups, tags and segments (via the API), then the events; returns the write key. */
export async function seedCdpStory(admin: Call, send: SendBatch, opts: CdpStoryOptions = {}) {
  const r = mulberry32(opts.seed ?? 42);
  const now = opts.now ?? Date.now();
  const source = await admin('POST', '/cdp/sources', { name: '官网商城', kind: 'web' });
  await admin('POST', '/cdp/sources', { name: '微信小程序', kind: 'miniprogram' });

  const basics = await admin('POST', '/cdp/tag-groups', {
    name: '基础属性',
    description: '来自注册资料与 CRM 的属性',
  });
  const behaviour = await admin('POST', '/cdp/tag-groups', {
    name: '消费行为',
    description: '由浏览、加购与订单计算',
  });
  const tags: Record<string, unknown>[] = [
    {
      key: 'shanghai',
      name: '上海用户',
      kind: 'attribute',
      groupId: basics.id,
      description: '资料中的城市为上海',
      rule: { trait: 'city', op: 'eq', value: '上海' },
    },
    {
      key: 'crm_key_account',
      name: 'CRM 重点客户',
      kind: 'crm',
      groupId: basics.id,
      description: '关联的 CRM 客户为 A/B 级',
      rule: { crm: 'customer', field: 'level', op: 'in', value: ['A', 'B'] },
    },
    {
      key: 'frequent_viewer',
      name: '近 7 天浏览 ≥ 3 次',
      kind: 'behaviour',
      groupId: behaviour.id,
      description: '最近 7 天浏览商品至少 3 次',
      rule: { event: 'Product Viewed', withinDays: 7, op: 'gte', value: 3 },
    },
    {
      key: 'spend_90d',
      name: '近 90 天消费额',
      kind: 'metric',
      groupId: behaviour.id,
      description: '最近 90 天订单金额合计（元）',
      config: { metric: { event: 'Order Completed', agg: 'sum', property: 'revenue', withinDays: 90 } },
    },
    {
      key: 'purchase_intent',
      name: '购买意向分',
      kind: 'score',
      groupId: behaviour.id,
      description: '加购 40 分、频繁浏览 30 分、已注册 10 分',
      config: {
        scores: [
          { rule: { event: 'Product Added', withinDays: 14, op: 'gte', value: 1 }, points: 40 },
          { rule: { event: 'Product Viewed', withinDays: 7, op: 'gte', value: 3 }, points: 30 },
          { rule: { trait: 'member_level', op: 'exists' }, points: 10 },
        ],
      },
    },
  ];
  for (const t of tags) await admin('POST', '/cdp/tags', t);
  const segments: Record<string, unknown>[] = [
    {
      name: '高意向未下单',
      purpose: 'marketing',
      description: '14 天内加购但未下单：适合推送优惠券',
      rule: {
        and: [
          { event: 'Product Added', withinDays: 14, op: 'gte', value: 1 },
          { event: 'Order Completed', withinDays: 14, op: 'eq', value: 0 },
        ],
      },
    },
    {
      name: '高价值客户',
      purpose: 'service',
      description: '近 90 天订单金额 ≥ 2,000 元',
      rule: {
        event: 'Order Completed',
        agg: 'sum',
        property: 'revenue',
        withinDays: 90,
        op: 'gte',
        value: 2000,
      },
    },
    {
      name: '上海活跃用户',
      purpose: 'analytics',
      description: '上海用户，近 30 天浏览过商品',
      rule: { and: [{ tag: 'shanghai' }, { event: 'Product Viewed', withinDays: 30, op: 'gte', value: 1 }] },
    },
    {
      name: '沉睡老客',
      purpose: 'marketing',
      description: '60 天内下过单、近 14 天没有再来',
      rule: {
        and: [
          { event: 'Order Completed', withinDays: 60, op: 'gte', value: 1 },
          { event: 'Product Viewed', withinDays: 14, op: 'eq', value: 0 },
        ],
      },
    },
  ];
  for (const s of segments) await admin('POST', '/cdp/segments', s);

  const events = visitorEvents(r, now, opts.visitors ?? 300, opts.crmPhones ?? []);
  events.sort((a, b) => a.at - b.at);
  for (let i = 0; i < events.length; i += 500)
    await send(
      source.writeKey,
      events.slice(i, i + 500).map(({ at, ...m }, j) => ({
        ...m,
        messageId: `demo-${i + j}`,
        timestamp: new Date(at).toISOString(),
      })),
    );
  return { writeKey: source.writeKey as string, events: events.length };
}

type Msg = Record<string, unknown> & { at: number };

/** Sessions of browsing, carts and orders per visitor; a third sign in at some point. */
function visitorEvents(r: Rand, now: number, visitors: number, crmPhones: string[]): Msg[] {
  const out: Msg[] = [];
  let crm = 0;
  for (let v = 0; v < visitors; v++) {
    let anonymousId = `anon-${(v * 2654435761) >>> 0}`;
    const city = weighted(r, CITIES);
    const known = r() < 0.35;
    const userId = known ? `M${String(100000 + v)}` : null;
    const sessions = 1 + Math.floor(r() * r() * 8);
    // Loyal visitors come back over the whole 60 days; others come and go within a few weeks.
    const firstDay = Math.floor(r() * 60);
    let signedIn = false;
    let identified = false;
    let profile: Record<string, unknown> = {};
    for (let s = 0; s < sessions; s++) {
      // Known people come back on their phone too: anonymous until they sign in there, which
      // merges the phone's history into their profile.
      if (identified && r() < 0.35) {
        anonymousId = `${anonymousId}-m${s}`;
        signedIn = false;
      }
      const dayAgo = Math.max(0, firstDay - Math.floor((s * firstDay) / sessions) - Math.floor(r() * 3));
      let at = now - dayAgo * DAY - Math.floor(r() * 20 * 3_600_000) - 60_000;
      const ids = () => (signedIn && userId ? { userId, anonymousId } : { anonymousId });
      const push = (m: Record<string, unknown>) => {
        at += 20_000 + Math.floor(r() * 120_000);
        out.push({ ...m, ...ids(), context: { page: { url: 'https://shop.kehu.demo/' } }, at });
      };
      push({ type: 'page', name: pick(r, PAGES), properties: { path: '/' } });
      const views = Math.floor(r() * 5);
      const seen: (typeof SKUS)[number][] = [];
      for (let k = 0; k < views; k++) {
        const sku = pick(r, SKUS);
        seen.push(sku);
        push({
          type: 'track',
          event: 'Product Viewed',
          properties: { sku: sku[0], name: sku[1], price: sku[2] },
        });
      }
      if (known && !signedIn && (s === sessions - 1 || identified || r() < 0.4)) {
        signedIn = true;
        if (!identified) {
          identified = true;
          profile = {
            name: `${pick(r, SURNAMES)}${pick(r, GIVEN)}`,
            phone:
              crm < crmPhones.length && r() < 0.5
                ? crmPhones[crm++]!
                : `177${String(10_000_000 + v * 613).slice(0, 8)}`,
            city,
            member_level: weighted(r, [
              ['silver', 5],
              ['gold', 2],
              ['platinum', 1],
            ] as const),
          };
        }
        push({ type: 'identify', traits: profile });
      }
      if (seen.length && r() < 0.3) {
        const sku = pick(r, seen);
        push({
          type: 'track',
          event: 'Product Added',
          properties: { sku: sku[0], price: sku[2], quantity: 1 },
        });
        if (signedIn && r() < 0.45) {
          const qty = 1 + Math.floor(r() * 3);
          push({
            type: 'track',
            event: 'Order Completed',
            properties: { orderId: `SO${out.length}`, revenue: sku[2] * qty, currency: 'CNY', sku: sku[0] },
          });
        }
      }
    }
  }
  return out;
}
