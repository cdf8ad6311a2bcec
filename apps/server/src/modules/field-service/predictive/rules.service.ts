import type { PredictiveRule, PredictiveRuleInput, PredictiveRulePatch } from '@kehu/contracts/field-service';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../../core/audit/audit.ts';
import { can, type Principal } from '../../../core/auth/principal.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import { notFound } from '../../../core/errors.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { newId } from '../../../core/ids.ts';
import { scopeFilterFor } from '../../cdp/index.ts';
import { fsProblem, fsText } from '../field-service.messages.ts';
import { periodKey, schedulePredictive, todayStart } from './run.service.ts';

/**
 * Predictive-service rules (R8.3): unit-owned, seen and edited by the unit's subtree. A rule's
 * segment must be one its author may read (a record segment needs `<object>:read`): rules see
 * what their author sees.
 */
const RULE_SQL = (t: string) => sql`select r.*, s.name as segment_name, s.object as segment_object,
    (select count(*)::int from fs_predictive_runs x where x.tenant_id = r.tenant_id and x.rule_id = r.id) as created
  from fs_predictive_rules r left join cdp_segments s on s.tenant_id = r.tenant_id and s.id = r.segment_id
  where r.tenant_id = ${t} and r.deleted_at is null`;

const toRule = (r: any): PredictiveRule => ({
  id: r.id,
  name: r.name,
  segmentId: r.segment_id,
  segmentName: r.segment_name ?? null,
  segmentObject: r.segment_object ?? null,
  categoryKey: r.category_key,
  priority: r.priority,
  dailyCap: r.daily_cap,
  period: r.period,
  active: r.active,
  unitId: r.unit_id,
  created: r.created,
  lastRunAt: r.last_run_at ? new Date(r.last_run_at).toISOString() : null,
  version: r.version,
});

export async function listRules(tx: Tx, p: Principal) {
  const r = await sql<any>`${RULE_SQL(p.tenantId)} and r.unit_id = any(${p.subtreeUnitIds}::uuid[])
    order by r.created_at desc`.execute(tx);
  return { items: r.rows.map(toRule) };
}

export async function getRule(tx: Tx, p: Principal, id: string): Promise<PredictiveRule> {
  const r = (
    await sql<any>`${RULE_SQL(p.tenantId)} and r.id = ${id} and r.unit_id = any(${p.subtreeUnitIds}::uuid[])`.execute(
      tx,
    )
  ).rows[0];
  if (!r) throw notFound('predictive_rule');
  return toRule(r);
}

/** The segment, if it exists and its author may read its subjects. */
export async function visibleSegment(tx: Tx, p: Principal, segmentId: string, locale: Locale) {
  const s = (
    await sql<{ id: string; name: string; object: string }>`select id, name, object from cdp_segments
      where tenant_id = ${p.tenantId} and id = ${segmentId}`.execute(tx)
  ).rows[0];
  const err = (key: string) =>
    fsProblem('validation', locale, key, {}, [
      { field: 'segmentId', code: `field_service.${key}`, message: fsText(locale, key) },
    ]);
  if (!s) throw err('segment_unknown');
  // Without read on the segment's object the scope is empty: a rule over it would act on records its author cannot see.
  if (s.object !== 'profile' && !can(p, `${s.object}:read`)) throw err('segment_hidden');
  return { ...s, scope: scopeFilterFor(p, s.object) };
}

export async function createRule(
  tx: Tx,
  p: Principal,
  actor: Actor,
  input: PredictiveRuleInput,
  locale: Locale,
) {
  await visibleSegment(tx, p, input.segmentId, locale);
  const id = newId();
  await sql`insert into fs_predictive_rules (tenant_id, id, unit_id, name, segment_id, category_key, priority, daily_cap,
      period, active, created_by)
    values (${p.tenantId}, ${id}, ${p.unitId}, ${input.name}, ${input.segmentId}, ${input.categoryKey}, ${input.priority},
      ${input.dailyCap}, ${input.period}, ${input.active}, ${p.userId})`.execute(tx);
  await writeAudit(tx as any, actor, { action: 'create', object: 'predictive_rule', recordId: id });
  await schedulePredictive(tx, p.tenantId);
  return getRule(tx, p, id);
}

export async function updateRule(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  patch: PredictiveRulePatch,
  locale: Locale,
) {
  const cur = await getRule(tx, p, id);
  if (patch.segmentId) await visibleSegment(tx, p, patch.segmentId, locale);
  const n = {
    name: patch.name ?? cur.name,
    segmentId: patch.segmentId ?? cur.segmentId,
    categoryKey: patch.categoryKey ?? cur.categoryKey,
    priority: patch.priority ?? cur.priority,
    dailyCap: patch.dailyCap ?? cur.dailyCap,
    period: patch.period ?? cur.period,
    active: patch.active ?? cur.active,
  };
  const r = await sql`update fs_predictive_rules set name = ${n.name}, segment_id = ${n.segmentId},
      category_key = ${n.categoryKey}, priority = ${n.priority}, daily_cap = ${n.dailyCap}, period = ${n.period},
      active = ${n.active}, version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id} and version = ${patch.version} and deleted_at is null`.execute(
    tx,
  );
  if (!r.numAffectedRows) throw fsProblem('conflict', locale, 'stale');
  await writeAudit(tx as any, actor, { action: 'update', object: 'predictive_rule', recordId: id });
  return getRule(tx, p, id);
}

export async function deleteRule(tx: Tx, p: Principal, actor: Actor, id: string) {
  await getRule(tx, p, id);
  await sql`update fs_predictive_rules set deleted_at = now(), active = false
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx as any, actor, { action: 'delete', object: 'predictive_rule', recordId: id });
}

/**
 * The live count while editing: the segment's members the author sees (cdp's scope filter), and
 * — for a saved rule — those without a ticket from it this period, and what the next run creates.
 */
export async function previewRule(
  tx: Tx,
  p: Principal,
  input: { segmentId: string; dailyCap: number; ruleId?: string; period?: string },
  locale: Locale,
) {
  const seg = await visibleSegment(tx, p, input.segmentId, locale);
  const t = p.tenantId;
  const members = (
    await sql<{ n: number }>`select count(*)::int as n from cdp_segment_members m
      where m.tenant_id = ${t} and m.segment_id = ${seg.id} and ${seg.scope.where(sql`m.subject_id`)}`.execute(
      tx,
    )
  ).rows[0]!.n;
  let due = members;
  let usedToday = 0;
  if (input.ruleId) {
    const now = new Date();
    const period = periodKey((input.period as any) ?? 'month', now);
    due = (
      await sql<{ n: number }>`select count(*)::int as n from cdp_segment_members m
        where m.tenant_id = ${t} and m.segment_id = ${seg.id} and ${seg.scope.where(sql`m.subject_id`)}
          and not exists (select 1 from fs_predictive_runs x where x.tenant_id = m.tenant_id and x.rule_id = ${input.ruleId}
            and x.subject_id = m.subject_id and x.period = ${period})`.execute(tx)
    ).rows[0]!.n;
    usedToday = (
      await sql<{ n: number }>`select count(*)::int as n from fs_predictive_runs where tenant_id = ${t}
        and rule_id = ${input.ruleId} and created_at >= ${todayStart(now)}`.execute(tx)
    ).rows[0]!.n;
  }
  return { members, due, nextRun: Math.max(0, Math.min(due, input.dailyCap - usedToday)) };
}
