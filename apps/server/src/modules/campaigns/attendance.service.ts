import type { CampaignReport } from '@kehu/contracts/campaigns';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { campaignViewer, phoneFor } from './campaign-access.ts';
import { campaignProblem, gt } from './campaigns.messages.ts';
import { loadVisibleCampaign } from './campaigns.service.ts';

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

function toRegistration(p: Principal, r: any) {
  return {
    id: r.id,
    phone: phoneFor(p, r.phone),
    name: r.name,
    fields: r.fields ?? {},
    utmSource: r.utm_source,
    leadId: r.lead_id,
    profileId: r.profile_id,
    couponId: r.coupon_id,
    checkedInAt: iso(r.checked_in_at),
    createdAt: iso(r.created_at)!,
  };
}

export async function listRegistrations(tx: Tx, p: Principal, id: string) {
  await loadVisibleCampaign(tx, await campaignViewer(tx, p), id);
  const rows = (
    await sql<any>`select * from campaign_registrations where tenant_id = ${p.tenantId} and campaign_id = ${id}
      order by created_at desc limit 1000`.execute(tx)
  ).rows;
  return { items: rows.map((r) => toRegistration(p, r)) };
}

/**
 * Checks an attendee in once, by the ticket on their personal QR or by phone: one conditional
 * UPDATE … WHERE checked_in_at IS NULL, so two staff scanning the same ticket get one check-in
 * and one 409 "already checked in at …".
 */
export async function checkIn(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  by: { ticket?: string; phone?: string },
) {
  await loadVisibleCampaign(tx, await campaignViewer(tx, p), id);
  if (!by.ticket && !by.phone)
    throw campaignProblem('validation', locale, 'ticket_or_phone', {}, [
      { field: 'ticket', code: 'required', message: gt(locale, 'ticket_or_phone') },
    ]);
  const match = by.ticket ? sql`ticket = ${by.ticket}` : sql`phone = ${by.phone!}`;
  const won = (
    await sql<any>`update campaign_registrations set checked_in_at = now(), checked_in_by = ${p.userId}
      where tenant_id = ${p.tenantId} and campaign_id = ${id} and ${match} and checked_in_at is null
      returning *`.execute(tx)
  ).rows[0];
  if (!won) {
    const r = (
      await sql<any>`select checked_in_at from campaign_registrations
        where tenant_id = ${p.tenantId} and campaign_id = ${id} and ${match}`.execute(tx)
    ).rows[0];
    if (!r) throw campaignProblem('not_found', locale, 'registration_unknown');
    const at = new Date(r.checked_in_at).toLocaleString(locale, { timeZone: 'Asia/Shanghai', hour12: false });
    throw campaignProblem('conflict', locale, 'already_checked_in', { at });
  }
  await emitEvent(tx, p.tenantId, {
    type: 'campaign.checked_in',
    object: 'campaign',
    recordId: id,
    payload: { campaignId: id, registrationId: won.id, profileId: won.profile_id, leadId: won.lead_id },
  });
  await writeAudit(tx as any, actor, {
    action: 'update',
    object: 'campaign',
    recordId: id,
    meta: { checkIn: won.id },
  });
  return toRegistration(p, won);
}

/**
 * From registrations to money: leads made from registrations, the opportunities they were
 * converted to, and those opportunities' orders; cost from the cost lines.
 */
export async function campaignReport(tx: Tx, p: Principal, id: string): Promise<CampaignReport> {
  const c = await loadVisibleCampaign(tx, await campaignViewer(tx, p), id);
  const t = p.tenantId;
  const f = (
    await sql<any>`with regs as (select * from campaign_registrations where tenant_id = ${t} and campaign_id = ${id}),
      opps as (select l.converted_opportunity_id as id from leads l join regs r on r.lead_id::text = l.id::text
        where l.tenant_id = ${t} and l.converted_opportunity_id is not null),
      ords as (select o.amount_minor from orders o where o.tenant_id = ${t} and o.opportunity_id::text in (select id::text from opps))
      select (select count(*)::int from regs) as registrations,
        (select count(*)::int from regs where checked_in_at is not null) as checked_in,
        (select count(*)::int from regs where lead_id is not null) as leads,
        (select count(*)::int from opps) as opportunities,
        (select count(*)::int from ords) as orders,
        (select coalesce(sum(amount_minor), 0)::bigint from ords) as revenue`.execute(tx)
  ).rows[0];
  const byChannel = (
    await sql<any>`select coalesce(utm_source, '') as source, count(*)::int as registrations,
        count(*) filter (where checked_in_at is not null)::int as "checkedIn"
      from campaign_registrations where tenant_id = ${t} and campaign_id = ${id}
      group by 1 order by 2 desc`.execute(tx)
  ).rows;
  const byDay = (
    await sql<any>`select to_char(created_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day,
        count(*)::int as registrations
      from campaign_registrations where tenant_id = ${t} and campaign_id = ${id} group by 1 order by 1`.execute(
      tx,
    )
  ).rows;
  const cost = Number(c.cost_minor);
  const revenue = Number(f.revenue);
  return {
    campaignId: id,
    registrations: f.registrations,
    checkedIn: f.checked_in,
    leads: f.leads,
    opportunities: f.opportunities,
    orders: f.orders,
    revenueMinor: revenue,
    costMinor: cost,
    budgetMinor: Number(c.budget_minor),
    costPerLeadMinor: f.leads ? Math.round(cost / f.leads) : null,
    roi: cost ? (revenue - cost) / cost : null,
    byChannel,
    byDay,
  };
}
