import type { DemoCall as Call, DemoContext } from '../../engine/module.ts';

/**
 * The demo's customer data: a web shop source with several thousand events from about 500
 * visitors over the last 200 days, sent through the Segment-compatible `/v1/batch` endpoint and
 * processed like live traffic. Some visitors stay (they come back every few weeks and buy
 * again), others fade out after a few weeks — so a churn model has history to learn from: with
 * a 90-day horizon, a few hundred profiles were active in the 90 days before the cut-off.
 * About a third sign in (identify), which merges their anonymous history into a known person;
 * some of them are CRM customers, so the merge lands on the profile linked to that customer.
 * Tags (in groups) and segments are defined first, so membership is built by the real-time
 * evaluator as the events are processed; the predicted churn tag is created last, so its
 * training job runs after the history is processed.
 *
 * Tags and segments over another object (R2.2): a custom object 车辆 (vehicle) made through the
 * metadata API, 60 vehicles of demo customers, a tag and a segment over them.
 */
export type SendBatch = (writeKey: string, batch: Record<string, unknown>[]) => Promise<void>;

const DAY = 86_400_000;
/** Days of event history: a 90-day horizon needs labels after the cut-off and features before. */
const HISTORY_DAYS = 200;
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
/** The shop's page views in the event catalogue, with English names (the standard events are named already). */
const PAGE_NAMES: Record<string, string> = {
  首页: 'Home',
  智能门锁: 'Smart locks',
  全屋智能方案: 'Whole-home solutions',
  门店查询: 'Store finder',
  会员中心: 'Member centre',
};
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

  // The catalogue names the shop's own page views (the e-commerce events come named).
  for (const [zh, en] of Object.entries(PAGE_NAMES))
    await admin('PUT', '/cdp/event-catalogue', {
      name: zh,
      kind: 'page',
      label: { 'zh-CN': zh, 'en-US': en },
      description: `官网商城的「${zh}」页面`,
      properties: { path: { 'zh-CN': '页面路径', 'en-US': 'Path' } },
    });
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

  const events = visitorEvents(r, now, opts.visitors ?? 500, opts.crmPhones ?? []);
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
  // Created after the events: its training job is queued behind their processing.
  await admin('POST', '/cdp/tags', {
    key: 'churn_risk',
    name: '流失风险',
    kind: 'predicted',
    groupId: behaviour.id,
    description: '模型预测未来 90 天不再访问的可能性（高 / 中 / 低）',
    config: { target: 'churn', horizonDays: 90, bands: { high: 0.7, mid: 0.4 } },
  });
  const vehicles = await seedVehicles(admin, mulberry32((opts.seed ?? 42) + 1), now);
  return { writeKey: source.writeKey as string, events: events.length, vehicles };
}

const MODELS: [string, 'petrol' | 'ev' | 'hybrid'][] = [
  ['比亚迪 汉 EV', 'ev'],
  ['特斯拉 Model 3', 'ev'],
  ['理想 L7', 'hybrid'],
  ['丰田 凯美瑞', 'petrol'],
  ['大众 帕萨特', 'petrol'],
  ['本田 雅阁', 'petrol'],
  ['比亚迪 宋 PLUS DM-i', 'hybrid'],
  ['蔚来 ET5', 'ev'],
];
const PLATES = ['沪A', '沪B', '浙A', '苏E', '粤B', '粤A'];
/** The calendar day in Asia/Shanghai (UTC+8), the zone rules count days in. */
const day = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * The custom object 车辆 through the metadata API (as an administrator would make it), 60
 * vehicles of demo customers through the record API, then a tag group with two rule tags (one
 * on a date relative to today) and the segment 待保养车辆 — computed over the records like any object's.
 */
async function seedVehicles(admin: Call, r: Rand, now: number) {
  const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });
  await admin('POST', '/meta/objects', {
    apiName: 'vehicle',
    label: label('车辆', 'Vehicle'),
    pluralLabel: label('车辆', 'Vehicles'),
    icon: 'car',
  });
  const fields: Record<string, unknown>[] = [
    { apiName: 'model', type: 'text', label: label('车型', 'Model') },
    {
      apiName: 'energy',
      type: 'picklist',
      label: label('能源类型', 'Energy'),
      options: [
        { value: 'petrol', label: label('燃油', 'Petrol') },
        { value: 'ev', label: label('纯电', 'Electric') },
        { value: 'hybrid', label: label('混动', 'Hybrid') },
      ],
    },
    { apiName: 'owner_customer', type: 'lookup', label: label('车主', 'Owner'), lookupObject: 'customer' },
    { apiName: 'insurance_expiry', type: 'date', label: label('保险到期日', 'Insurance expiry') },
    { apiName: 'last_service', type: 'date', label: label('上次保养日期', 'Last service') },
    {
      apiName: 'km_since_service',
      type: 'number',
      label: label('保养后里程（公里）', 'km since service'),
      validation: { min: 0 },
    },
  ];
  for (const f of fields) await admin('POST', '/meta/objects/vehicle/fields', f);
  await admin('PATCH', '/meta/objects/vehicle', {
    layout: {
      sections: [
        {
          key: 'vehicle',
          label: label('车辆信息', 'Vehicle'),
          fields: ['name', 'c_model', 'c_energy', 'c_owner_customer'],
        },
        {
          key: 'service',
          label: label('保险与保养', 'Insurance and service'),
          fields: ['c_insurance_expiry', 'c_last_service', 'c_km_since_service'],
        },
      ],
    },
    listColumns: ['name', 'c_model', 'c_owner_customer', 'c_insurance_expiry', 'c_km_since_service'],
  });
  const customers = (
    (await admin('GET', '/records/customer?limit=60&sort=id')).items as { id: string }[]
  ).map((c) => c.id);
  const records = Array.from({ length: 60 }, (_, i) => {
    const [model, energy] = pick(r, MODELS);
    const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
    const serial = `${letters[Math.floor(r() * letters.length)]}${String(10_000 + Math.floor(r() * 89_999))}`;
    // Policies renew yearly: expiry spread over the next year, so a few fall in the next 30 days.
    const expiresIn = Math.floor(r() * 365);
    const servicedAgo = 20 + Math.floor(r() * 300);
    return {
      name: `${pick(r, PLATES)}·${energy === 'petrol' ? serial.slice(0, 5) : `D${serial.slice(0, 5)}`}`,
      c_model: model,
      c_energy: energy,
      c_owner_customer: customers.length ? customers[i % customers.length] : null,
      c_insurance_expiry: day(now + expiresIn * DAY),
      c_last_service: day(now - servicedAgo * DAY),
      // About 40 km a day since the last service, give or take.
      c_km_since_service: Math.round((servicedAgo * (25 + r() * 30)) / 10) * 10,
    };
  });
  await admin('POST', '/records/vehicle/bulk', { op: 'create', records });
  const group = await admin('POST', '/cdp/tag-groups', {
    name: '车辆服务',
    description: '车辆的保险与保养（对象：车辆）',
  });
  await admin('POST', '/cdp/tags', {
    key: 'new_energy',
    name: '新能源车',
    kind: 'attribute',
    object: 'vehicle',
    groupId: group.id,
    description: '能源类型为纯电或混动',
    rule: { trait: 'c_energy', op: 'in', value: ['ev', 'hybrid'] },
  });
  // Relative to today: the tag follows record writes and the daily tick, no one marks it by hand.
  const insuranceDue = {
    key: 'insurance_due_30d',
    name: '保险 30 天内到期',
    kind: 'attribute',
    object: 'vehicle',
    groupId: group.id,
    description: '保险到期日在今天起 30 天内：提醒续保',
    rule: { trait: 'c_insurance_expiry', op: 'withinNext', days: 30 },
  };
  await admin('POST', '/cdp/tags', insuranceDue);
  // The backfill job tags them once drained; the preview counts them now.
  const dueCount = (await admin('POST', '/cdp/tags/preview', insuranceDue)).coverage as number;
  await admin('POST', '/cdp/segments', {
    name: '待保养车辆',
    object: 'vehicle',
    purpose: 'service',
    description: '上次保养后已行驶 5,000 公里以上：邀约回店保养',
    rule: { and: [{ trait: 'c_km_since_service', op: 'gte', value: 5000 }] },
  });
  return { vehicles: records.length, insuranceDue: dueCount };
}

type Msg = Record<string, unknown> & { at: number };

/**
 * Sessions of browsing, carts and orders per visitor; a third sign in at some point. Most
 * visitors arrived months ago. Loyal ones (about 45 %) come back every few weeks until now and
 * buy again; the others are busy for a few weeks, then their visits thin out and stop.
 */
function visitorEvents(r: Rand, now: number, visitors: number, crmPhones: string[]): Msg[] {
  const out: Msg[] = [];
  let crm = 0;
  for (let v = 0; v < visitors; v++) {
    let anonymousId = `anon-${(v * 2654435761) >>> 0}`;
    const city = weighted(r, CITIES);
    const known = r() < 0.35;
    const userId = known ? `M${String(100000 + v)}` : null;
    const firstDay = Math.floor(HISTORY_DAYS * Math.sqrt(r()));
    const loyal = r() < 0.45;
    const lastDay = loyal
      ? Math.min(firstDay, Math.floor(r() * r() * 30))
      : Math.max(0, firstDay - 7 - Math.floor(r() * 45));
    const span = firstDay - lastDay;
    const sessions = loyal ? Math.min(8, 2 + Math.floor(span / (15 + r() * 20))) : 1 + Math.floor(r() * 3);
    // Session days, oldest first; a fading visitor's visits bunch up near the start.
    const days = Array.from({ length: sessions }, (_, s) => {
      if (s === 0) return firstDay;
      if (s === sessions - 1) return lastDay;
      const u = r();
      return firstDay - Math.floor(span * (loyal ? u : u * u));
    }).sort((a, b) => b - a);
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
      const dayAgo = days[s]!;
      let at = now - dayAgo * DAY - Math.floor(r() * 20 * 3_600_000) - 60_000;
      const ids = () => (signedIn && userId ? { userId, anonymousId } : { anonymousId });
      const push = (m: Record<string, unknown>) => {
        at += 20_000 + Math.floor(r() * 120_000);
        out.push({ ...m, ...ids(), context: { page: { url: 'https://shop.kehu.demo/' } }, at });
      };
      push({ type: 'page', name: pick(r, PAGES), properties: { path: '/' } });
      const views = Math.floor(r() * 4);
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
        if (signedIn && r() < (loyal ? 0.55 : 0.35)) {
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

/** The CDP step of the demo story: after the CRM people (their phones link web visitors to them). */
export async function seedCdp(ctx: DemoContext): Promise<void> {
  const admin = await ctx.signIn('admin');
  const crmPhones = (ctx.state.get('crm.phones') as string[] | undefined) ?? [];
  const cdp = await seedCdpStory(admin, ctx.send, { seed: ctx.seed, now: ctx.now, crmPhones });
  ctx.state.set('cdp.events', cdp.events);
  await ctx.drain();
}
