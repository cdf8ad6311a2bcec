import type { Program, ProgramInput, ProgramPatch, TierInput } from '@kehu/contracts/loyalty';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { FieldError } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { scheduleDaily } from './daily.job.ts';
import { scheduleEventScan } from './earn-rules.service.ts';
import { loyaltyProblem, lt } from './loyalty.messages.ts';

/**
 * A program is visible to the people of its unit, the units above it and every unit below it
 * (a dealer's store sees the brand program it enrols into); it is managed from its unit or above.
 */
export const programVisible = (p: Principal) => sql`(p.unit_id = any(${p.subtreeUnitIds}::uuid[])
  or exists (select 1 from units me join units pu on pu.tenant_id = me.tenant_id and pu.id = p.unit_id
    where me.tenant_id = p.tenant_id and me.id = ${p.unitId} and me.path like pu.path || '%'))`;

function tierErrors(locale: Locale, tiers: TierInput[]): FieldError[] {
  const errors: FieldError[] = [];
  const err = (field: string, code: string) => errors.push({ field, code, message: lt(locale, code) });
  if (tiers[0] && tiers[0].threshold !== 0) err('tiers.0.threshold', 'tier_base_zero');
  for (let i = 1; i < tiers.length; i++)
    if (tiers[i]!.threshold <= tiers[i - 1]!.threshold) err(`tiers.${i}.threshold`, 'tier_threshold_order');
  const names = new Set<string>();
  tiers.forEach((t, i) => {
    if (names.has(t.name)) err(`tiers.${i}.name`, 'tier_name_duplicate');
    names.add(t.name);
  });
  return errors;
}

async function checkCouponTemplates(tx: Tx, tenantId: string, locale: Locale, tiers: TierInput[]) {
  const errors: FieldError[] = [];
  for (const [i, t] of tiers.entries()) {
    if (!t.birthdayCouponTemplateId) continue;
    const found = (
      await sql`select 1 from coupon_templates where tenant_id = ${tenantId} and id = ${t.birthdayCouponTemplateId}`.execute(
        tx,
      )
    ).rows.length;
    if (!found)
      errors.push({
        field: `tiers.${i}.birthdayCouponTemplateId`,
        code: 'coupon_template_unknown',
        message: lt(locale, 'coupon_template_unknown'),
      });
  }
  return errors;
}

const invalid = (locale: Locale, errors: FieldError[]) =>
  loyaltyProblem('validation', locale, errors[0]!.code, {}, errors);

export async function createProgram(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: ProgramInput,
): Promise<Program> {
  const unitId = input.unitId ?? p.unitId;
  const tiers = input.tiers;
  const errors = [
    ...tierErrors(locale, tiers),
    ...(await checkCouponTemplates(tx, p.tenantId, locale, tiers)),
  ];
  if (!p.subtreeUnitIds.includes(unitId))
    errors.push({ field: 'unitId', code: 'unit_not_yours', message: lt(locale, 'unit_not_yours') });
  if (errors.length) throw invalid(locale, errors);
  const id = newId();
  await sql`insert into loyalty_programs (tenant_id, id, name, unit_id, status, member_prefix, points_per_yuan,
      channel_multipliers, category_multipliers, per_order_cap, per_day_cap, event_rules, expiry_days, tier_basis,
      tier_window_days, retention_percent, allow_transfer, auto_enrol_wecom, adjust_approval_threshold,
      point_value_minor, created_by, event_cursor)
    values (${p.tenantId}, ${id}, ${input.name}, ${unitId}, ${input.status ?? 'active'}, ${input.memberPrefix ?? 'M'},
      ${input.pointsPerYuan ?? 1}, ${JSON.stringify(input.channelMultipliers ?? {})}::jsonb,
      ${JSON.stringify(input.categoryMultipliers ?? {})}::jsonb, ${input.perOrderCap ?? null}, ${input.perDayCap ?? null},
      ${JSON.stringify(input.eventRules ?? [])}::jsonb, ${input.expiryDays ?? null}, ${input.tierBasis ?? 'points'},
      ${input.tierWindowDays ?? 365}, ${input.retentionPercent ?? 80}, ${input.allowTransfer ?? false},
      ${input.autoEnrolWecom ?? false}, ${input.adjustApprovalThreshold ?? 1000}, ${input.pointValueMinor ?? 1},
      ${p.userId}, jsonb_build_object('receivedAt', now(), 'id', '00000000-0000-0000-0000-000000000000'))`.execute(
    tx,
  );
  await writeTiers(tx, p.tenantId, id, tiers, locale);
  await writeAudit(tx, actor, { action: 'create', object: 'loyalty_program', recordId: id });
  await scheduleDaily(tx, p.tenantId);
  if (input.eventRules?.length) await scheduleEventScan(tx, p.tenantId);
  return getProgram(tx, p, locale, id);
}

async function writeTiers(tx: Tx, tenantId: string, programId: string, tiers: TierInput[], locale: Locale) {
  const existing = (
    await sql<{ id: string; members: number }>`select t.id, (select count(*)::int from loyalty_members m
        where m.tenant_id = t.tenant_id and m.tier_id = t.id) as members
      from loyalty_tiers t where t.tenant_id = ${tenantId} and t.program_id = ${programId}`.execute(tx)
  ).rows;
  const kept = new Set(tiers.map((t) => t.id).filter(Boolean));
  const errors: FieldError[] = [];
  for (const e of existing)
    if (!kept.has(e.id) && e.members > 0)
      errors.push({
        field: 'tiers',
        code: 'tier_in_use',
        message: lt(locale, 'tier_in_use', { n: e.members }),
      });
  tiers.forEach((t, i) => {
    if (t.id && !existing.some((e) => e.id === t.id))
      errors.push({ field: `tiers.${i}.id`, code: 'tier_unknown', message: lt(locale, 'tier_unknown') });
  });
  if (errors.length) throw invalid(locale, errors);
  await sql`delete from loyalty_tiers where tenant_id = ${tenantId} and program_id = ${programId}
    and not (id = any(${[...kept]}::uuid[]))`.execute(tx);
  // Ranks move out of the way first: (program, rank) is unique.
  await sql`update loyalty_tiers set rank = rank + 1000 where tenant_id = ${tenantId} and program_id = ${programId}`.execute(
    tx,
  );
  for (const [rank, t] of tiers.entries()) {
    const values = sql`${t.name}, ${rank}, ${t.threshold}, ${t.discountPercent ?? null},
      ${JSON.stringify(t.freeServices ?? [])}::jsonb, ${t.birthdayPoints ?? null}, ${t.birthdayCouponTemplateId ?? null}`;
    if (t.id)
      await sql`update loyalty_tiers set (name, rank, threshold, discount_percent, free_services, birthday_points,
          birthday_coupon_template_id) = (${values})
        where tenant_id = ${tenantId} and id = ${t.id}`.execute(tx);
    else
      await sql`insert into loyalty_tiers (tenant_id, id, program_id, name, rank, threshold, discount_percent, free_services,
          birthday_points, birthday_coupon_template_id)
        values (${tenantId}, ${newId()}, ${programId}, ${values})`.execute(tx);
  }
}

export async function updateProgram(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  patch: ProgramPatch,
): Promise<Program> {
  const cur = await getProgram(tx, p, locale, id);
  if (!cur.canManage) throw loyaltyProblem('not_found', locale, 'program_not_found');
  const errors: FieldError[] = [];
  if (patch.tiers)
    errors.push(
      ...tierErrors(locale, patch.tiers),
      ...(await checkCouponTemplates(tx, p.tenantId, locale, patch.tiers)),
    );
  if (patch.unitId && !p.subtreeUnitIds.includes(patch.unitId))
    errors.push({ field: 'unitId', code: 'unit_not_yours', message: lt(locale, 'unit_not_yours') });
  if (errors.length) throw invalid(locale, errors);
  const set = (col: string, v: unknown, json = false) =>
    v === undefined
      ? null
      : json
        ? sql`${sql.ref(col)} = ${JSON.stringify(v)}::jsonb`
        : sql`${sql.ref(col)} = ${v}`;
  const sets = [
    set('name', patch.name),
    set('unit_id', patch.unitId),
    set('status', patch.status),
    set('member_prefix', patch.memberPrefix),
    set('points_per_yuan', patch.pointsPerYuan),
    set('channel_multipliers', patch.channelMultipliers, true),
    set('category_multipliers', patch.categoryMultipliers, true),
    set('per_order_cap', patch.perOrderCap),
    set('per_day_cap', patch.perDayCap),
    set('event_rules', patch.eventRules, true),
    set('expiry_days', patch.expiryDays),
    set('tier_basis', patch.tierBasis),
    set('tier_window_days', patch.tierWindowDays),
    set('retention_percent', patch.retentionPercent),
    set('allow_transfer', patch.allowTransfer),
    set('auto_enrol_wecom', patch.autoEnrolWecom),
    set('adjust_approval_threshold', patch.adjustApprovalThreshold),
    set('point_value_minor', patch.pointValueMinor),
  ].filter((s) => s !== null);
  const won =
    await sql`update loyalty_programs set ${sql.join([...sets, sql`version = version + 1`, sql`updated_at = now()`])}
    where tenant_id = ${p.tenantId} and id = ${id} and version = ${patch.version} returning id`.execute(tx);
  if (!won.rows.length) throw loyaltyProblem('conflict', locale, 'version_conflict');
  if (patch.tiers) await writeTiers(tx, p.tenantId, id, patch.tiers, locale);
  if (patch.eventRules?.length) await scheduleEventScan(tx, p.tenantId);
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'loyalty_program',
    recordId: id,
    meta: { fields: Object.keys(patch).filter((k) => k !== 'version') },
  });
  return getProgram(tx, p, locale, id);
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toProgram(p: Principal, r: any, tiers: any[]): Program {
  return {
    id: r.id,
    name: r.name,
    unitId: r.unit_id,
    unitName: r.unit_name ?? null,
    status: r.status,
    memberPrefix: r.member_prefix,
    pointsPerYuan: Number(r.points_per_yuan),
    channelMultipliers: r.channel_multipliers,
    categoryMultipliers: r.category_multipliers,
    perOrderCap: num(r.per_order_cap),
    perDayCap: num(r.per_day_cap),
    eventRules: r.event_rules,
    expiryDays: num(r.expiry_days),
    tierBasis: r.tier_basis,
    tierWindowDays: r.tier_window_days,
    retentionPercent: r.retention_percent,
    allowTransfer: r.allow_transfer,
    autoEnrolWecom: r.auto_enrol_wecom,
    adjustApprovalThreshold: r.adjust_approval_threshold,
    pointValueMinor: Number(r.point_value_minor),
    tiers: tiers
      .filter((t) => t.program_id === r.id)
      .map((t) => ({
        id: t.id,
        name: t.name,
        rank: t.rank,
        threshold: Number(t.threshold),
        discountPercent: num(t.discount_percent),
        freeServices: t.free_services,
        birthdayPoints: num(t.birthday_points),
        birthdayCouponTemplateId: t.birthday_coupon_template_id,
        members: Number(t.members),
      })),
    members: tiers.filter((t) => t.program_id === r.id).reduce((s, t) => s + Number(t.members), 0),
    canManage: p.subtreeUnitIds.includes(r.unit_id),
    version: r.version,
  };
}

async function load(tx: Tx, p: Principal, where: ReturnType<typeof sql>) {
  const rows = (
    await sql<any>`select p.*, u.name as unit_name from loyalty_programs p
      left join units u on u.tenant_id = p.tenant_id and u.id = p.unit_id
      where p.tenant_id = ${p.tenantId} and ${programVisible(p)} and ${where} order by p.created_at`.execute(
      tx,
    )
  ).rows;
  if (!rows.length) return [];
  const tiers = (
    await sql<any>`select t.*, (select count(*) from loyalty_members m where m.tenant_id = t.tenant_id
        and m.tier_id = t.id) as members
      from loyalty_tiers t where t.tenant_id = ${p.tenantId}
        and t.program_id = any(${rows.map((r) => r.id)}::uuid[]) order by t.rank`.execute(tx)
  ).rows;
  return rows.map((r) => toProgram(p, r, tiers));
}

export async function listPrograms(tx: Tx, p: Principal): Promise<{ items: Program[] }> {
  return { items: await load(tx, p, sql`true`) };
}

export async function getProgram(tx: Tx, p: Principal, locale: Locale, id: string): Promise<Program> {
  const [program] = await load(tx, p, sql`p.id = ${id}`);
  if (!program) throw loyaltyProblem('not_found', locale, 'program_not_found');
  return program;
}
