import type { Campaign, CampaignInput, CampaignPatch } from '@kehu/contracts/fission';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { conflict, invalid, notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { publicBaseUrl } from '../../core/mail/mailer.ts';
import { newPublicToken } from '../cards/index.ts';
import { getMaterial } from '../materials/index.ts';

export const joinUrl = (token: string) => `${publicBaseUrl()}/f/${token}`;

const COLUMNS = sql`k.*,
  (select count(*) from fission_participants p where p.tenant_id = k.tenant_id and p.campaign_id = k.id)::int as participants,
  (select count(*) from fission_invites i where i.tenant_id = k.tenant_id and i.campaign_id = k.id and i.status = 'counted')::int as new_customers,
  (select count(*) from fission_rewards r where r.tenant_id = k.tenant_id and r.campaign_id = k.id)::int as rewards`;

const day = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));

const toCampaign = (r: any): Campaign => ({
  id: r.id,
  name: r.name,
  startsOn: day(r.starts_on),
  endsOn: day(r.ends_on),
  posterMaterialId: r.poster_material_id,
  corpRef: r.corp_ref,
  staff: r.staff,
  inviteTarget: r.invite_target,
  task: r.task,
  groupChatIds: r.group_chat_ids ?? [],
  rewardType: r.reward_type,
  rewardText: r.reward_text,
  couponTemplateId: r.coupon_template_id ?? null,
  budget: r.budget === null ? null : Number(r.budget),
  rewardCost: Number(r.reward_cost),
  unitId: r.unit_id,
  joinUrl: joinUrl(r.token),
  participants: r.participants,
  newCustomers: r.new_customers,
  rewards: r.rewards,
  version: Number(r.version),
  createdAt: new Date(r.created_at).toISOString(),
});

/** Campaigns of the caller's unit and the units below it (a sibling dealer's are not theirs). */
export async function listCampaigns(tx: Tx, p: Principal) {
  const rows = (
    await sql<any>`select ${COLUMNS} from fission_campaigns k where k.tenant_id = ${p.tenantId}
      and k.deleted_at is null and k.unit_id = any(${p.subtreeUnitIds}::uuid[]) order by k.created_at desc`.execute(
      tx,
    )
  ).rows;
  return { items: rows.map(toCampaign) };
}

export async function getCampaign(tx: Tx, p: Principal, id: string): Promise<Campaign> {
  const r = (
    await sql<any>`select ${COLUMNS} from fission_campaigns k where k.tenant_id = ${p.tenantId} and k.id = ${id}
      and k.deleted_at is null and k.unit_id = any(${p.subtreeUnitIds}::uuid[])`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('fission_campaign');
  return toCampaign(r);
}

/** The corp must be one the caller sees, its staff active there, the poster a poster they may use. */
async function checkRefs(
  tx: Tx,
  p: Principal,
  corpRef: string | null,
  staff: string[] | null,
  poster?: string | null,
  coupon?: string | null,
  groups?: string[] | null,
) {
  if (corpRef) {
    const corp = (
      await sql`select 1 from wecom_corps where tenant_id = ${p.tenantId} and id = ${corpRef} and deleted_at is null
        and unit_id = any(${p.subtreeUnitIds}::uuid[])`.execute(tx)
    ).rows[0];
    if (!corp) throw invalid([{ field: 'corpRef', code: 'lookup_missing' }]);
  }
  if (corpRef && staff) {
    const known = new Set(
      (
        await sql<{
          userid: string;
        }>`select userid from wecom_staff where tenant_id = ${p.tenantId} and corp_ref = ${corpRef}
          and active and userid = any(${staff}::text[])`.execute(tx)
      ).rows.map((r) => r.userid),
    );
    const i = staff.findIndex((s) => !known.has(s));
    if (i >= 0) throw invalid([{ field: `staff.${i}`, code: 'unknown_staff' }]);
  }
  if (groups?.length && corpRef) {
    const known = new Set(
      (
        await sql<{
          chat_id: string;
        }>`select chat_id from wecom_groups where tenant_id = ${p.tenantId} and corp_ref = ${corpRef}
          and dismissed_at is null and chat_id = any(${groups}::text[])`.execute(tx)
      ).rows.map((r) => r.chat_id),
    );
    const i = groups.findIndex((g) => !known.has(g));
    if (i >= 0) throw invalid([{ field: `groupChatIds.${i}`, code: 'lookup_missing' }]);
  }
  if (coupon) {
    // A campaign issues coupons on its own later: only someone who may issue them may set one up,
    // and only with a template they see (its unit, a unit above or below theirs).
    if (!can(p, 'coupons:issue')) throw invalid([{ field: 'couponTemplateId', code: 'out_of_scope' }]);
    const path = (
      await sql<{
        path: string;
      }>`select path from units where tenant_id = ${p.tenantId} and id = ${p.unitId}`.execute(tx)
    ).rows[0]?.path;
    const above = path ? path.split('/').filter(Boolean) : [p.unitId];
    const t = (
      await sql`select 1 from coupon_templates where tenant_id = ${p.tenantId} and id = ${coupon} and status = 'active'
        and (unit_id = any(${above}::uuid[]) or unit_id = any(${p.subtreeUnitIds}::uuid[]))`.execute(tx)
    ).rows[0];
    if (!t) throw invalid([{ field: 'couponTemplateId', code: 'lookup_missing' }]);
  }
  if (poster) {
    let kind = '';
    try {
      kind = (await getMaterial(tx, p, poster)).kind;
    } catch {
      kind = '';
    }
    if (kind !== 'poster') throw invalid([{ field: 'posterMaterialId', code: 'lookup_missing' }]);
  }
}

export async function createCampaign(tx: Tx, p: Principal, actor: Actor, input: CampaignInput) {
  if (input.startsOn > input.endsOn) throw invalid([{ field: 'endsOn', code: 'ends_before_start' }]);
  const task = input.task ?? 'add_staff';
  const groups = task === 'join_group' ? [...new Set(input.groupChatIds ?? [])] : [];
  if (task === 'join_group' && !groups.length) throw invalid([{ field: 'groupChatIds', code: 'required' }]);
  const coupon = input.rewardType === 'coupon' ? (input.couponTemplateId ?? null) : null;
  if (input.rewardType === 'coupon' && !coupon)
    throw invalid([{ field: 'couponTemplateId', code: 'required' }]);
  await checkRefs(tx, p, input.corpRef, [...new Set(input.staff)], input.posterMaterialId, coupon, groups);
  const id = newId();
  await sql`insert into fission_campaigns (tenant_id, id, unit_id, token, name, starts_on, ends_on, poster_material_id,
      corp_ref, staff, invite_target, reward_type, reward_text, budget, reward_cost, created_by, task, group_chat_ids,
      coupon_template_id)
    values (${p.tenantId}, ${id}, ${p.unitId}, ${newPublicToken(p.tenantId)}, ${input.name}, ${input.startsOn}, ${input.endsOn},
      ${input.posterMaterialId ?? null}, ${input.corpRef}, ${JSON.stringify([...new Set(input.staff)])}::jsonb,
      ${input.inviteTarget}, ${input.rewardType}, ${input.rewardText}, ${input.budget ?? null}, ${input.rewardCost ?? 0},
      ${p.userId}, ${task}, ${JSON.stringify(groups)}::jsonb, ${coupon})`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'create',
    object: 'fission_campaign',
    recordId: id,
    meta: { ...input },
  });
  return getCampaign(tx, p, id);
}

export async function updateCampaign(tx: Tx, p: Principal, actor: Actor, id: string, input: CampaignPatch) {
  const before = await getCampaign(tx, p, id);
  const stale = () =>
    conflict('conflict.version', { current: before.version }, [
      { field: 'version', code: 'conflict.version', params: { current: before.version } },
    ]);
  if (input.version !== before.version) throw stale();
  if ((input.startsOn ?? before.startsOn) > (input.endsOn ?? before.endsOn))
    throw invalid([{ field: 'endsOn', code: 'ends_before_start' }]);
  const rewardType = input.rewardType ?? before.rewardType;
  const coupon =
    rewardType !== 'coupon'
      ? null
      : input.couponTemplateId === undefined
        ? before.couponTemplateId
        : input.couponTemplateId;
  if (rewardType === 'coupon' && !coupon) throw invalid([{ field: 'couponTemplateId', code: 'required' }]);
  const couponChanged = coupon !== before.couponTemplateId;
  await checkRefs(tx, p, null, null, input.posterMaterialId, couponChanged ? coupon : null);
  // The version check and the write are one statement: of two editors holding the same version, one wins.
  const won = await sql`update fission_campaigns set
      name = coalesce(${input.name ?? null}, name),
      starts_on = coalesce(${input.startsOn ?? null}::date, starts_on),
      ends_on = coalesce(${input.endsOn ?? null}::date, ends_on),
      poster_material_id = ${input.posterMaterialId === undefined ? sql`poster_material_id` : input.posterMaterialId},
      invite_target = coalesce(${input.inviteTarget ?? null}::int, invite_target),
      reward_type = coalesce(${input.rewardType ?? null}, reward_type),
      reward_text = coalesce(${input.rewardText ?? null}, reward_text),
      budget = ${input.budget === undefined ? sql`budget` : input.budget},
      reward_cost = coalesce(${input.rewardCost ?? null}::numeric, reward_cost),
      coupon_template_id = ${coupon},
      version = version + 1,
      updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id} and version = ${input.version} returning id`.execute(tx);
  if (!won.rows.length) throw stale();
  // Another poster: the participants' cached posters go now (their content address would miss anyway).
  if (input.posterMaterialId !== undefined && input.posterMaterialId !== before.posterMaterialId)
    await sql`delete from fission_posters f using fission_participants x
      where f.tenant_id = ${p.tenantId} and x.tenant_id = ${p.tenantId} and x.campaign_id = ${id}
        and f.participant_id = x.id`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'fission_campaign',
    recordId: id,
    meta: { ...input, version: before.version + 1 },
  });
  return getCampaign(tx, p, id);
}

/** Ends a campaign: its join page and participants' pages go; the records stay for the report. */
export async function deleteCampaign(tx: Tx, p: Principal, actor: Actor, id: string) {
  await getCampaign(tx, p, id);
  await sql`update fission_campaigns set deleted_at = now() where tenant_id = ${p.tenantId} and id = ${id}`.execute(
    tx,
  );
  await writeAudit(tx, actor, { action: 'delete', object: 'fission_campaign', recordId: id });
}
