import { sql } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import type { DemoContext, SignIn } from '../../engine/module.ts';

/**
 * The demo's leads: sixteen leads in four salespeople's inboxes, told through the public API so
 * assignment, scoring and the SLA apply as for a user.
 */
const cny = (yuan: number) => ({ amount: Math.round(yuan * 100), currency: 'CNY' });

const LEADS: [string, string, string, string, string][] = [
  // name, company, channel, industry, need
  ['周立群', '常州新锐装饰工程有限公司', 'web_form', 'home_furnishing', 'urgent'],
  ['吴晓梅', '嘉兴禾嘉物业服务有限公司', 'ad', 'real_estate', 'clear'],
  ['钱国栋', '绍兴越城酒店管理有限公司', 'exhibition', 'retail', 'clear'],
  ['冯静怡', '昆山智联电子有限公司', 'wecom', 'manufacturing', 'vague'],
  ['陈浩然', '扬州瘦西湖文旅集团', 'referral', 'retail', 'urgent'],
  ['褚玉婷', '湖州南浔木业有限公司', 'web_form', 'home_furnishing', 'clear'],
  ['卫建华', '台州黄岩模具有限公司', 'call_center', 'manufacturing', 'vague'],
  ['蒋思雨', '上海静安长者公寓', 'web_form', 'healthcare', 'urgent'],
  ['沈佳豪', '南通通州家纺城', 'ad', 'retail', 'none'],
  ['韩雪', '金华义乌小商品贸易行', 'wecom', 'retail', 'clear'],
  ['杨振宇', '镇江新区精密机械', 'exhibition', 'manufacturing', 'clear'],
  ['朱丽华', '舟山海洋渔业合作社', 'walk_in', 'other', 'vague'],
  ['秦志远', '泰州医药城科技园', 'web_form', 'healthcare', 'urgent'],
  ['许梦洁', '宿迁电商产业园', 'ad', 'it', 'clear'],
  ['何家明', '连云港港口物流', 'referral', 'other', 'clear'],
  ['吕文静', '徐州云龙学校', 'web_form', 'education', 'vague'],
];
const LEAD_OWNERS = ['sun.lei', 'zhao.jing', 'xu.ming', 'ma.chao'];
/** What each lead asks about (意向产品): names the opportunity it converts into. */
const PRODUCTS = [
  '门店会员系统',
  '物业服务平台',
  '酒店客户运营',
  '渠道管理套件',
  'CRM 年度订阅',
  '导购企微助手',
  '呼叫中心集成',
  '智能化改造',
];

/**
 * Sixteen leads in four salespeople's inboxes; returns them with their owner's session so the
 * caller can log calls (which stop the SLA clock) and convert one.
 */
export async function seedLeadsStory(signIn: SignIn, uid: (login: string) => string, now = Date.now()) {
  const admin = await signIn('admin');
  const out: { id: string; owner: string; index: number }[] = [];
  for (const [i, [name, company, channel, industry, need]] of LEADS.entries()) {
    const owner = LEAD_OWNERS[i % LEAD_OWNERS.length]!;
    const lead = await admin('POST', '/records/lead', {
      name,
      company,
      channel,
      industry,
      need,
      phone: `166${String(52_000_000 + i * 7919).padStart(8, '0')}`,
      title: ['总经理', '采购经理', '行政主管', '运营总监'][i % 4],
      budget: cny(20000 + ((i * 37) % 30) * 10000),
      campaign: channel === 'ad' ? '2026 春季家装节' : null,
      product: PRODUCTS[i % PRODUCTS.length],
      ownerId: uid(owner),
    });
    out.push({ id: lead.id, owner, index: i });
  }
  // Some leads are answered: a call stops the clock and makes them contacted; one converts.
  for (const l of out.filter((x) => x.index % 4 === 3)) {
    const s = await signIn(l.owner);
    await s('POST', '/records/activity', {
      type: 'call',
      outcome: 'connected',
      subject: '首次电话沟通：确认需求与预算',
      occurredAt: new Date(now).toISOString(),
      leadId: l.id,
    });
  }
  // Others were tried without getting through: their SLA clock keeps running, and an invalid
  // number shows in the score with its reason.
  for (const l of out.filter((x) => x.index % 4 === 1)) {
    const s = await signIn(l.owner);
    await s('POST', '/records/activity', {
      type: 'call',
      outcome: l.index === 9 ? 'invalid_number' : 'no_answer',
      subject: l.index === 9 ? '电话：空号，待核实号码' : '电话：未接通，稍后再打',
      occurredAt: new Date(now).toISOString(),
      leadId: l.id,
    });
  }
  const convert = out.find((x) => x.index === 7)!;
  const s = await signIn(convert.owner);
  await s('POST', `/leads/${convert.id}/convert`, {
    opportunity: { name: `${LEADS[7]![1]}·智能化改造`, amount: cny(380000) },
  });
  return out;
}

/** The leads step of the demo story: after the sales step (its users' ids), before the clock is aged. */
export async function seedLeads(ctx: DemoContext): Promise<void> {
  const uid = ctx.state.get('sales.uid') as (login: string) => string;
  const leads = await seedLeadsStory(ctx.signIn, uid, ctx.now);
  ctx.state.set('leads.count', leads.length);
  await ctx.drain();
  await ageLeads(ctx.database, ctx.tenantId);
}

/**
 * Leads arrived over the last hour, not all in the same second: the unanswered ones are moved
 * back in time so some are minutes from breaching their first-response deadline. Only the
 * clock is simulated; assignment, scoring and the SLA itself were applied by the API.
 */
async function ageLeads(database: Database, tenantId: string) {
  const leads = (
    await sql<{ id: string; due: Date }>`select id, first_response_due_at as due from leads
      where tenant_id = ${tenantId} and first_responded_at is null and first_response_due_at is not null
      order by created_at, id`.execute(database.db)
  ).rows;
  for (const [i, l] of leads.entries()) {
    const agoMin = [26, 22, 12, 5][i % 4]! + Math.floor(i / 4);
    const shift = `${agoMin} minutes`;
    await sql`update leads set created_at = created_at - ${shift}::interval, updated_at = updated_at - ${shift}::interval,
        first_response_due_at = first_response_due_at - ${shift}::interval
      where tenant_id = ${tenantId} and id = ${l.id}`.execute(database.db);
  }
}
