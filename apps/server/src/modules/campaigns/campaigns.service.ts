import type { Campaign, CampaignInput, CampaignPatch } from '@kehu/contracts/campaigns';
import { CAMPAIGNS_PERMISSIONS } from '@kehu/contracts/campaigns';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { type FieldError, forbidden, invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { publicBaseUrl } from '../../core/mail/mailer.ts';
import {
  type CampaignViewer,
  campaignViewer,
  campaignVisible,
  canManageCampaign,
} from './campaign-access.ts';
import { gt } from './campaigns.messages.ts';
import { newPublicToken } from './public-token.ts';

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

export const registrationUrl = (token: string) => `${publicBaseUrl()}/r/${token}`;

const columns = sql`c.*,
  (select name from units u where u.tenant_id = c.tenant_id and u.id = c.unit_id) as unit_name,
  (select name from users o where o.tenant_id = c.tenant_id and o.id = c.owner_id) as owner_name,
  (select coalesce(sum(amount_minor), 0)::bigint from campaign_costs k where k.tenant_id = c.tenant_id and k.campaign_id = c.id) as cost_minor,
  (select count(*)::int from campaign_registrations r where r.tenant_id = c.tenant_id and r.campaign_id = c.id) as registrations,
  (select count(*)::int from campaign_registrations r where r.tenant_id = c.tenant_id and r.campaign_id = c.id and r.checked_in_at is not null) as checked_in`;

export function toCampaign(v: CampaignViewer, r: any): Campaign {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    description: r.description,
    startsAt: iso(r.starts_at)!,
    endsAt: iso(r.ends_at)!,
    budgetMinor: Number(r.budget_minor),
    costMinor: Number(r.cost_minor ?? 0),
    venue: r.venue,
    ownerId: r.owner_id,
    ownerName: r.owner_name ?? null,
    unitId: r.unit_id,
    unitName: r.unit_name ?? null,
    formFields: r.form_fields,
    consentPurposes: r.consent_purposes,
    couponTemplateId: r.coupon_template_id,
    journeyId: r.journey_id,
    status: r.status,
    registrationUrl: registrationUrl(r.public_token),
    registrations: r.registrations ?? 0,
    checkedIn: r.checked_in ?? 0,
    canManage: canManageCampaign(v, r),
    createdAt: iso(r.created_at)!,
  };
}

export async function loadVisibleCampaign(tx: Tx, v: CampaignViewer, id: string): Promise<any> {
  const r = (
    await sql<any>`select ${columns} from campaigns c
      where c.tenant_id = ${v.principal.tenantId} and c.id = ${id} and ${campaignVisible(v)}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('campaign');
  return r;
}

export async function loadManagedCampaign(tx: Tx, p: Principal, id: string) {
  const v = await campaignViewer(tx, p);
  const c = await loadVisibleCampaign(tx, v, id);
  if (!canManageCampaign(v, c)) throw forbidden(CAMPAIGNS_PERMISSIONS.manage);
  return { v, c };
}

async function check(tx: Tx, p: Principal, locale: Locale, c: Partial<CampaignInput>, cur?: any) {
  const errors: FieldError[] = [];
  const err = (field: string, code: string) => errors.push({ field, code, message: gt(locale, code) });
  const unitId = c.unitId ?? cur?.unit_id ?? p.unitId;
  if (!p.subtreeUnitIds.includes(unitId)) err('unitId', 'unit_outside');
  if (c.ownerId) {
    const o = (
      await sql`select 1 from users where tenant_id = ${p.tenantId} and id = ${c.ownerId}
        and unit_id = any(${p.subtreeUnitIds}::uuid[])`.execute(tx)
    ).rows[0];
    if (!o) err('ownerId', 'owner_outside');
  }
  const starts = c.startsAt ?? iso(cur?.starts_at);
  const ends = c.endsAt ?? iso(cur?.ends_at);
  if (starts && ends && +new Date(ends) <= +new Date(starts)) err('endsAt', 'dates_order');
  if (c.couponTemplateId) {
    const t = (
      await sql`select 1 from coupon_templates where tenant_id = ${p.tenantId} and id = ${c.couponTemplateId}`.execute(
        tx,
      )
    ).rows[0];
    if (!t) err('couponTemplateId', 'coupon_unknown');
  }
  if (errors.length) throw invalid(errors);
  return unitId as string;
}

export async function createCampaign(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: CampaignInput,
): Promise<Campaign> {
  const unitId = await check(tx, p, locale, input);
  const id = newId();
  await sql`insert into campaigns (tenant_id, id, name, kind, description, starts_at, ends_at, budget_minor, venue,
      owner_id, unit_id, form_fields, consent_purposes, coupon_template_id, journey_id, status, public_token)
    values (${p.tenantId}, ${id}, ${input.name}, ${input.kind}, ${input.description ?? null}, ${input.startsAt},
      ${input.endsAt}, ${input.budgetMinor ?? 0}, ${input.venue ?? null}, ${input.ownerId ?? p.userId}, ${unitId},
      ${JSON.stringify(input.formFields ?? [])}::jsonb, ${input.consentPurposes ?? ['marketing']}::text[],
      ${input.couponTemplateId ?? null}, ${input.journeyId ?? null}, ${input.status ?? 'draft'},
      ${newPublicToken(p.tenantId)})`.execute(tx);
  await writeAudit(tx as any, actor, { action: 'create', object: 'campaign', recordId: id });
  const v = await campaignViewer(tx, p);
  return toCampaign(v, await loadVisibleCampaign(tx, v, id));
}

export async function updateCampaign(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  patch: CampaignPatch,
): Promise<Campaign> {
  const { v, c } = await loadManagedCampaign(tx, p, id);
  const unitId = await check(tx, p, locale, patch, c);
  const pick = <T>(a: T | undefined, b: T) => (a === undefined ? b : a);
  await sql`update campaigns set name = ${pick(patch.name, c.name)}, kind = ${pick(patch.kind, c.kind)},
      description = ${pick(patch.description, c.description)}, starts_at = ${pick<any>(patch.startsAt, c.starts_at)},
      ends_at = ${pick<any>(patch.endsAt, c.ends_at)}, budget_minor = ${pick<any>(patch.budgetMinor, c.budget_minor)},
      venue = ${pick(patch.venue, c.venue)}, owner_id = ${pick(patch.ownerId, c.owner_id)}, unit_id = ${unitId},
      form_fields = ${JSON.stringify(pick(patch.formFields, c.form_fields))}::jsonb,
      consent_purposes = ${pick<string[]>(patch.consentPurposes, c.consent_purposes)}::text[],
      coupon_template_id = ${pick(patch.couponTemplateId, c.coupon_template_id)},
      journey_id = ${pick(patch.journeyId, c.journey_id)}, status = ${pick(patch.status, c.status)}, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx as any, actor, { action: 'update', object: 'campaign', recordId: id });
  return toCampaign(v, await loadVisibleCampaign(tx, v, id));
}

export async function getCampaign(tx: Tx, p: Principal, id: string): Promise<Campaign> {
  const v = await campaignViewer(tx, p);
  return toCampaign(v, await loadVisibleCampaign(tx, v, id));
}

export async function listCampaigns(tx: Tx, p: Principal): Promise<{ items: Campaign[] }> {
  const v = await campaignViewer(tx, p);
  const rows = (
    await sql<any>`select ${columns} from campaigns c where c.tenant_id = ${p.tenantId} and ${campaignVisible(v)}
      order by c.starts_at desc limit 500`.execute(tx)
  ).rows;
  return { items: rows.map((r) => toCampaign(v, r)) };
}
