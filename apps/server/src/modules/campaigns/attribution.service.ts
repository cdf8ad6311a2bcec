import type {
  Attribution,
  AttributionModel,
  AttributionQuery,
  CampaignFunnel,
} from '@kehu/contracts/campaigns';
import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { campaignViewer, campaignVisible } from './campaign-access.ts';
import { loadVisibleCampaign } from './campaigns.service.ts';

const DAY = 86_400_000;

interface TouchRow {
  order_id: string;
  amount: string | number;
  campaign_id: string;
  channel: string;
  kind: string;
  at: Date;
  tid: string;
}

/**
 * Credit shares of an order's touches (oldest first) under a model: first touch, last touch,
 * linear, or position-based 40/20/40 (first and last 40 % each, the middle ones share 20 %; with
 * two touches 50/50, with one 100 %). Shares sum to 1.
 */
export function shares(model: AttributionModel, n: number): number[] {
  if (n === 0) return [];
  if (n === 1) return [1];
  const out = new Array<number>(n).fill(0);
  if (model === 'first_touch') out[0] = 1;
  else if (model === 'last_touch') out[n - 1] = 1;
  else if (model === 'linear') out.fill(1 / n);
  else if (n === 2) out.fill(0.5);
  else {
    out.fill(0.2 / (n - 2));
    out[0] = 0.4;
    out[n - 1] = 0.4;
  }
  return out;
}

/**
 * The tenant's touches (profile, time, campaign, channel): registrations (through a channel link
 * or not), CDP events carrying `utm_campaign` = a campaign's name (its links land with it), coupon
 * redemptions of coupons the campaign — or its linked journey — issued, and sends of its linked
 * journey. Profiles merged away count as the profile they merged into.
 */
function touchesSql(tenantId: string, since: Date, until: Date) {
  return sql`
    select c.id as campaign_id, coalesce(r.utm_source, 'registration') as channel,
        case when r.link_id is null then 'registration' else 'link' end as kind, r.profile_id, r.created_at as at, r.id::text as tid
      from campaign_registrations r join campaigns c on c.tenant_id = r.tenant_id and c.id = r.campaign_id
      where r.tenant_id = ${tenantId} and r.profile_id is not null and r.created_at >= ${since} and r.created_at <= ${until}
    union all
    select c.id, coalesce(nullif(e.properties->>'utm_source', ''), 'utm'), 'utm_event', i.profile_id, e.ts, e.id::text
      from cdp_events e
      join cdp_identities i on i.tenant_id = e.tenant_id and i.kind = e.ident_kind and i.namespace = '' and i.value = e.ident
      join campaigns c on c.tenant_id = e.tenant_id and c.name = e.properties->>'utm_campaign'
      where e.tenant_id = ${tenantId} and e.ts >= ${since} and e.ts <= ${until} and e.properties ? 'utm_campaign'
    union all
    select c.id, 'coupon', 'coupon', k.profile_id, k.redeemed_at, k.id::text
      from coupons k join campaigns c on c.tenant_id = k.tenant_id
        and ((k.source_kind = 'campaign' and k.source_id::text = c.id::text)
          or (k.source_kind = 'journey' and c.journey_id is not null and k.source_id::text = c.journey_id::text))
      where k.tenant_id = ${tenantId} and k.redeemed_at is not null and k.redeemed_at >= ${since} and k.redeemed_at <= ${until}
    union all
    select c.id, 'journey', 'journey_send', jr.profile_id, s.at, s.run_id::text || ':' || s.step_id || ':' || s.visit
      from journey_steps s
      join journey_runs jr on jr.tenant_id = s.tenant_id and jr.id = s.run_id
      join campaigns c on c.tenant_id = s.tenant_id and c.journey_id = s.journey_id
      where s.tenant_id = ${tenantId} and s.kind = 'send' and s.outcome in ('sent', 'queued')
        and s.at >= ${since} and s.at <= ${until}`;
}

function period(q: AttributionQuery, now = new Date()) {
  // Days are Shanghai days (UTC+8), like the report's byDay.
  const to = q.to ?? new Date(+now + 8 * 3_600_000).toISOString().slice(0, 10);
  const from = q.from ?? new Date(+new Date(`${to}T00:00:00Z`) - 89 * DAY).toISOString().slice(0, 10);
  return {
    from,
    to,
    start: new Date(`${from}T00:00:00+08:00`),
    end: new Date(+new Date(`${to}T00:00:00+08:00`) + DAY),
  };
}

/**
 * Revenue of paid orders in the period shared among the touches of the order's customer's
 * profiles within `windowDays` before payment (the time the last receipt was recorded), per
 * campaign and channel. Only campaigns the caller sees are listed; every touch still takes its
 * share, so what a viewer sees does not depend on what else they may see.
 */
export async function attribution(tx: Tx, p: Principal, input: AttributionQuery): Promise<Attribution> {
  const model = input.model ?? 'last_touch';
  const windowDays = Number(input.windowDays ?? 30);
  const { from, to, start, end } = period(input);
  const v = await campaignViewer(tx, p);
  if (input.campaignId) await loadVisibleCampaign(tx, v, input.campaignId);
  const t = p.tenantId;
  const rows = (
    await sql<TouchRow>`with paid as (
        select o.id, o.amount_minor,
          coalesce((select max(y.created_at) from payments y where y.tenant_id = o.tenant_id and y.order_id = o.id
            and y.deleted_at is null), o.updated_at) as paid_at,
          o.customer_id
        from orders o where o.tenant_id = ${t} and o.deleted_at is null and o.payment_status = 'paid'
          and o.customer_id is not null),
      ords as (select * from paid where paid_at >= ${start} and paid_at < ${end}),
      people as (select distinct o.id as order_id, coalesce(pr.merged_into, pr.id) as profile_id
        from ords o join cdp_profile_links l on l.tenant_id = ${t} and l.object = 'customer' and l.record_id = o.customer_id
        join cdp_profiles pr on pr.tenant_id = l.tenant_id and pr.id = l.profile_id),
      touches as (select x.campaign_id, x.channel, x.kind, coalesce(pr.merged_into, pr.id) as profile_id, x.at, x.tid
        from (${touchesSql(t, new Date(+start - windowDays * DAY), end)}) x
        join cdp_profiles pr on pr.tenant_id = ${t} and pr.id = x.profile_id)
      select distinct o.id as order_id, o.amount_minor as amount, tc.campaign_id, tc.channel, tc.kind, tc.at, tc.tid
      from ords o join people pp on pp.order_id = o.id
      join touches tc on tc.profile_id = pp.profile_id and tc.at <= o.paid_at
        and tc.at >= o.paid_at - make_interval(days => ${windowDays})
      order by o.id, tc.at, tc.tid`.execute(tx)
  ).rows;

  const byOrder = Map.groupBy(rows, (r) => r.order_id);
  const credit = new Map<
    string,
    { campaignId: string; channel: string; touches: number; orders: number; revenue: number }
  >();
  let revenueTouched = 0;
  for (const touches of byOrder.values()) {
    const amount = Number(touches[0]!.amount ?? 0);
    revenueTouched += amount;
    const s = shares(model, touches.length);
    touches.forEach((tc, i) => {
      const k = `${tc.campaign_id}|${tc.channel}`;
      const c = credit.get(k) ?? {
        campaignId: tc.campaign_id,
        channel: tc.channel,
        touches: 0,
        orders: 0,
        revenue: 0,
      };
      c.touches += 1;
      c.orders += s[i]!;
      c.revenue += s[i]! * amount;
      credit.set(k, c);
    });
  }
  const campaigns = (
    await sql<{ id: string; name: string; cost: string }>`select c.id, c.name,
        (select coalesce(sum(amount_minor), 0) from campaign_costs k where k.tenant_id = c.tenant_id and k.campaign_id = c.id) as cost
      from campaigns c where c.tenant_id = ${t} and ${campaignVisible(v)}
        ${input.campaignId ? sql`and c.id = ${input.campaignId}` : sql``}
      order by c.starts_at desc`.execute(tx)
  ).rows;
  const names = new Map(campaigns.map((c) => [c.id, c.name]));
  const round2 = (x: number) => Math.round(x * 100) / 100;
  const out = [...credit.values()]
    .filter((c) => names.has(c.campaignId))
    .map((c) => ({
      campaignId: c.campaignId,
      campaignName: names.get(c.campaignId)!,
      channel: c.channel,
      touches: c.touches,
      orders: round2(c.orders),
      revenueMinor: Math.round(c.revenue),
    }))
    .sort((a, b) => b.revenueMinor - a.revenueMinor || a.channel.localeCompare(b.channel));
  return {
    model,
    windowDays,
    from,
    to,
    rows: out,
    campaigns: campaigns
      .map((c) => {
        const mine = out.filter((r) => r.campaignId === c.id);
        const revenue = mine.reduce((s, r) => s + r.revenueMinor, 0);
        const cost = Number(c.cost);
        return {
          campaignId: c.id,
          campaignName: c.name,
          revenueMinor: revenue,
          orders: round2(mine.reduce((s, r) => s + r.orders, 0)),
          costMinor: cost,
          roi: cost ? round2((revenue - cost) / cost) : null,
        };
      })
      .filter((c) => !input.campaignId || c.campaignId === input.campaignId),
    ordersTouched: byOrder.size,
    revenueTouchedMinor: revenueTouched,
  };
}

/**
 * The campaign's funnel with 潜客 first (R11.1): people the campaign reached who left contact
 * details (a registration, or a UTM visit by a profile with a phone or e-mail), of whom
 * `prospectsWithoutLead` have no lead yet; then its leads, the opportunities they became, and
 * those opportunities' orders.
 */
export async function campaignFunnel(tx: Tx, p: Principal, id: string): Promise<CampaignFunnel> {
  const c = await loadVisibleCampaign(tx, await campaignViewer(tx, p), id);
  const t = p.tenantId;
  const r = (
    await sql<{ prospects: number; waiting: number; leads: number; opps: number; orders: number }>`
      with regs as (select * from campaign_registrations where tenant_id = ${t} and campaign_id = ${id}),
      visitors as (select distinct i.profile_id from cdp_events e
          join cdp_identities i on i.tenant_id = e.tenant_id and i.kind = e.ident_kind and i.namespace = '' and i.value = e.ident
          where e.tenant_id = ${t} and e.properties->>'utm_campaign' = ${c.name}),
      contactable as (select v.profile_id, (select value from cdp_identities x where x.tenant_id = ${t}
            and x.profile_id = v.profile_id and x.kind = 'phone' limit 1) as phone
          from visitors v where exists (select 1 from cdp_identities x where x.tenant_id = ${t}
            and x.profile_id = v.profile_id and x.kind in ('phone', 'email'))),
      opps as (select distinct l.converted_opportunity_id as id from leads l join regs r on r.lead_id::text = l.id::text
        where l.tenant_id = ${t} and l.converted_opportunity_id is not null),
      others as (select * from contactable k where not exists (select 1 from regs r where r.profile_id = k.profile_id))
      select ((select count(*) from regs) + (select count(*) from others))::int as prospects,
        ((select count(*) from regs where lead_id is null)
          + (select count(*) from others k where k.phone is null or not exists (select 1 from leads l
              where l.tenant_id = ${t} and l.phone = k.phone and l.deleted_at is null)))::int as waiting,
        (select count(*) from regs where lead_id is not null)::int as leads,
        (select count(*) from opps)::int as opps,
        (select count(*) from orders o where o.tenant_id = ${t} and o.deleted_at is null
          and o.opportunity_id::text in (select id::text from opps))::int as orders`.execute(tx)
  ).rows[0]!;
  return {
    stages: [
      { key: 'prospect', count: r.prospects },
      { key: 'lead', count: r.leads },
      { key: 'opportunity', count: r.opps },
      { key: 'order', count: r.orders },
    ],
    prospectsWithoutLead: r.waiting,
  };
}
