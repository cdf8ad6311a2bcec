import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { type AssignmentRule, loadRules } from './assignment.service.ts';
import { invalidateTenant } from './config-cache.ts';
import {
  DEFAULT_SCORECARD,
  loadSettings,
  rescoreOpenLeads,
  type Scorecard,
  saveSettings,
} from './scoring.service.ts';
import { assertOwnRefs } from './tenant-refs.ts';

export type RuleInput = Omit<AssignmentRule, 'id' | 'position'> & { position?: number };

export async function listRules(tx: Tx, tenantId: string) {
  return { items: await loadRules(tx, tenantId) };
}

/** A rule's pool unit and members must be the tenant's own. */
const ruleRefs = (tx: Tx, tenantId: string, input: Partial<RuleInput>) =>
  assertOwnRefs(tx, tenantId, [
    { field: 'poolUnitId', table: 'units', id: input.poolUnitId },
    ...(input.members ?? []).map((m, i) => ({
      field: `members.${i}.userId`,
      table: 'users' as const,
      id: m.userId,
    })),
  ]);

export async function createRule(tx: Tx, actor: Actor, tenantId: string, input: RuleInput) {
  await ruleRefs(tx, tenantId, input);
  invalidateTenant(tenantId);
  const id = newId();
  const pos =
    input.position ??
    ((
      await sql<{
        m: number | null;
      }>`select max(position) as m from lead_assignment_rules where tenant_id = ${tenantId}`.execute(tx)
    ).rows[0]?.m ?? 0) + 10;
  await sql`insert into lead_assignment_rules (tenant_id, id, position, name, enabled, conditions, strategy, members, pool_unit_id)
    values (${tenantId}, ${id}, ${pos}, ${input.name}, ${input.enabled ?? true}, ${JSON.stringify(input.conditions ?? {})}::jsonb,
      ${input.strategy}, ${JSON.stringify(input.members ?? [])}::jsonb, ${input.poolUnitId ?? null})`.execute(
    tx,
  );
  await writeAudit(tx, actor, {
    action: 'lead_rule_create',
    object: 'lead_assignment_rule',
    recordId: id,
    meta: { ...input },
  });
  return (await loadRules(tx, tenantId)).find((r) => r.id === id)!;
}

export async function updateRule(
  tx: Tx,
  actor: Actor,
  tenantId: string,
  id: string,
  input: Partial<RuleInput>,
) {
  await ruleRefs(tx, tenantId, input);
  invalidateTenant(tenantId);
  const r = await sql`update lead_assignment_rules set
      name = coalesce(${input.name ?? null}, name),
      enabled = coalesce(${input.enabled ?? null}, enabled),
      position = coalesce(${input.position ?? null}, position),
      conditions = coalesce(${input.conditions ? JSON.stringify(input.conditions) : null}::jsonb, conditions),
      strategy = coalesce(${input.strategy ?? null}, strategy),
      members = coalesce(${input.members ? JSON.stringify(input.members) : null}::jsonb, members),
      pool_unit_id = case when ${input.poolUnitId !== undefined} then ${input.poolUnitId ?? null}::uuid else pool_unit_id end,
      updated_at = now()
    where tenant_id = ${tenantId} and id = ${id} returning id`.execute(tx);
  if (!r.rows[0]) throw notFound('lead_assignment_rule');
  await writeAudit(tx, actor, {
    action: 'lead_rule_update',
    object: 'lead_assignment_rule',
    recordId: id,
    meta: { ...input },
  });
  return (await loadRules(tx, tenantId)).find((x) => x.id === id)!;
}

export async function deleteRule(tx: Tx, actor: Actor, tenantId: string, id: string) {
  invalidateTenant(tenantId);
  const r =
    await sql`delete from lead_assignment_rules where tenant_id = ${tenantId} and id = ${id} returning id`.execute(
      tx,
    );
  if (!r.rows[0]) throw notFound('lead_assignment_rule');
  await writeAudit(tx, actor, { action: 'lead_rule_delete', object: 'lead_assignment_rule', recordId: id });
}

export async function getSettings(tx: Tx, tenantId: string) {
  const s = await loadSettings(tx, tenantId);
  const m = s.model;
  return {
    scorecard: s.scorecard,
    defaultScorecard: DEFAULT_SCORECARD,
    sla: s.sla,
    pool: s.pool,
    model: m
      ? {
          trainedAt: m.trainedAt,
          samples: m.samples,
          auc: m.auc,
          scorecardAuc: m.scorecardAuc,
          features: m.features,
          weights: m.weights,
        }
      : null,
  };
}

export async function updateSettings(
  tx: Tx,
  actor: Actor,
  tenantId: string,
  patch: { scorecard?: Scorecard; sla?: unknown; pool?: unknown },
) {
  await saveSettings(tx, tenantId, patch);
  await writeAudit(tx, actor, {
    action: 'lead_settings_update',
    object: 'lead_settings',
    meta: { ...patch },
  });
  if (patch.scorecard) await rescoreOpenLeads(tx, tenantId);
  return getSettings(tx, tenantId);
}

export async function listUserSettings(tx: Tx, tenantId: string) {
  const rows = (
    await sql<any>`select s.user_id, s.max_open_leads, s.working_hours, u.name from lead_user_settings s
      join users u on u.tenant_id = s.tenant_id and u.id = s.user_id where s.tenant_id = ${tenantId} order by u.name`.execute(
      tx,
    )
  ).rows;
  return {
    items: rows.map((r) => ({
      userId: r.user_id,
      name: r.name,
      maxOpenLeads: r.max_open_leads,
      workingHours: r.working_hours,
    })),
  };
}

export async function putUserSettings(
  tx: Tx,
  actor: Actor,
  tenantId: string,
  userId: string,
  input: { maxOpenLeads?: number | null; workingHours?: unknown },
) {
  const u = (await sql`select 1 from users where tenant_id = ${tenantId} and id = ${userId}`.execute(tx))
    .rows[0];
  if (!u) throw notFound('user');
  await sql`insert into lead_user_settings (tenant_id, user_id, max_open_leads, working_hours)
    values (${tenantId}, ${userId}, ${input.maxOpenLeads ?? null}, ${input.workingHours ? JSON.stringify(input.workingHours) : null}::jsonb)
    on conflict (tenant_id, user_id) do update set max_open_leads = excluded.max_open_leads,
      working_hours = excluded.working_hours, updated_at = now()`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'lead_user_settings',
    object: 'user',
    recordId: userId,
    meta: { ...input },
  });
  return { userId, maxOpenLeads: input.maxOpenLeads ?? null, workingHours: input.workingHours ?? null };
}
