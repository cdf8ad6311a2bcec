import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { publicBaseUrl } from '../../core/mail/mailer.ts';
import { campaignViewer } from './campaign-access.ts';
import { loadManagedCampaign, loadVisibleCampaign } from './campaigns.service.ts';
import { newLinkCode, shortLinkToken } from './public-token.ts';

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

/** Actual cost lines: the report's cost and ROI come from these, the budget is the plan. */
export async function addCost(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  input: { item: string; amountMinor: number; spentOn?: string },
) {
  await loadManagedCampaign(tx, p, id);
  const costId = newId();
  await sql`insert into campaign_costs (tenant_id, id, campaign_id, item, amount_minor, spent_on, created_by)
    values (${p.tenantId}, ${costId}, ${id}, ${input.item}, ${input.amountMinor}, ${input.spentOn ?? null}, ${p.userId})`.execute(
    tx,
  );
  await writeAudit(tx as any, actor, {
    action: 'update',
    object: 'campaign',
    recordId: id,
    meta: { cost: input },
  });
  return listCosts(tx, p, id).then((l) => l.items.find((c) => c.id === costId)!);
}

export async function listCosts(tx: Tx, p: Principal, id: string) {
  await loadVisibleCampaign(tx, await campaignViewer(tx, p), id);
  const rows = (
    await sql<any>`select * from campaign_costs where tenant_id = ${p.tenantId} and campaign_id = ${id}
      order by created_at`.execute(tx)
  ).rows;
  return {
    items: rows.map((r) => ({
      id: r.id,
      item: r.item,
      amountMinor: Number(r.amount_minor),
      spentOn: r.spent_on ? new Date(r.spent_on).toISOString().slice(0, 10) : null,
      createdAt: iso(r.created_at)!,
    })),
  };
}

const linkOut = (tenantId: string, campaignName: string, r: any) => ({
  id: r.id,
  code: r.code,
  shortUrl: `${publicBaseUrl()}/l/${shortLinkToken(tenantId, r.code)}`,
  utmSource: r.utm_source,
  utmMedium: r.utm_medium,
  utmCampaign: campaignName,
  utmContent: r.utm_content,
  clicks: r.clicks,
  registrations: r.registrations ?? 0,
});

/** A short tracked link per channel; the click lands on the registration page with its UTM. */
export async function addLink(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  input: { utmSource: string; utmMedium: string; utmContent?: string },
) {
  const { c } = await loadManagedCampaign(tx, p, id);
  const linkId = newId();
  let code = newLinkCode();
  for (let i = 0; ; i++) {
    const r =
      await sql`insert into campaign_links (tenant_id, id, campaign_id, code, utm_source, utm_medium, utm_content)
      values (${p.tenantId}, ${linkId}, ${id}, ${code}, ${input.utmSource}, ${input.utmMedium}, ${input.utmContent ?? null})
      on conflict do nothing returning id`.execute(tx);
    if (r.rows.length) break;
    if (i > 5) throw new Error('campaigns: no free link code');
    code = newLinkCode();
  }
  await writeAudit(tx as any, actor, {
    action: 'update',
    object: 'campaign',
    recordId: id,
    meta: { link: code },
  });
  const l = (await listLinks(tx, p, id)).items.find((x) => x.id === linkId)!;
  return { ...l, utmCampaign: c.name };
}

export async function listLinks(tx: Tx, p: Principal, id: string) {
  const c = await loadVisibleCampaign(tx, await campaignViewer(tx, p), id);
  const rows = (
    await sql<any>`select l.*, (select count(*)::int from campaign_registrations r where r.tenant_id = l.tenant_id
        and r.link_id = l.id) as registrations
      from campaign_links l where l.tenant_id = ${p.tenantId} and l.campaign_id = ${id} order by l.created_at`.execute(
      tx,
    )
  ).rows;
  return { items: rows.map((r) => linkOut(p.tenantId, c.name, r)) };
}
