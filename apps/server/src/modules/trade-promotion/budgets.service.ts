import type { Budget, BudgetInput } from '@kehu/contracts/trade-promotion';
import { TPM_PERMISSIONS } from '@kehu/contracts/trade-promotion';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { tpmProblem, tt, yuan } from './tpm.messages.ts';

export interface UnitRow {
  id: string;
  parent_id: string | null;
  name: string;
  type: string;
  path: string;
}

export async function unitRow(tx: Tx, tenantId: string, id: string): Promise<UnitRow | null> {
  return (
    (
      await sql<UnitRow>`select id, parent_id, name, type, path from units
        where tenant_id = ${tenantId} and id = ${id} and deleted_at is null`.execute(tx)
    ).rows[0] ?? null
  );
}

export type MoveKind = 'fund' | 'allocate_out' | 'allocate_in' | 'commit' | 'release' | 'use';

/** One row of the reconciliation trail (append-only). */
export async function recordMove(
  tx: Tx,
  tenantId: string,
  budgetId: string,
  kind: MoveKind,
  amount: number,
  ref: { activityId?: string; otherBudgetId?: string; userId?: string | null } = {},
) {
  await sql`insert into tpm_budget_moves (tenant_id, id, budget_id, kind, amount, activity_id, other_budget_id, by_user)
    values (${tenantId}, ${newId()}, ${budgetId}, ${kind}, ${amount}, ${ref.activityId ?? null},
      ${ref.otherBudgetId ?? null}, ${ref.userId ?? null})`.execute(tx);
}

const columns = sql`b.*, u.name as unit_name, u.type as unit_type`;

function toBudget(p: Principal, r: any): Budget {
  const n = (v: unknown) => Number(v);
  return {
    id: r.id,
    parentId: r.parent_id,
    unitId: r.unit_id,
    unitName: r.unit_name ?? null,
    unitType: r.unit_type ?? null,
    year: r.year,
    quarter: r.quarter,
    channel: r.channel,
    expenseType: r.expense_type,
    amount: n(r.amount),
    allocated: n(r.allocated),
    committed: n(r.committed),
    used: n(r.used),
    remaining: n(r.amount) - n(r.allocated) - n(r.committed) - n(r.used),
    version: r.version,
    canAllocate: can(p, TPM_PERMISSIONS.allocate) && p.subtreeUnitIds.includes(r.unit_id),
  };
}

/** Budgets of the caller's unit and every unit below it (the tree the caller manages). */
export async function listBudgets(tx: Tx, p: Principal, year?: number): Promise<Budget[]> {
  const rows = (
    await sql<any>`select ${columns} from tpm_budgets b
      left join units u on u.tenant_id = b.tenant_id and u.id = b.unit_id
      where b.tenant_id = ${p.tenantId} and b.unit_id = any(${p.subtreeUnitIds}::uuid[])
        and (${year ?? null}::int is null or b.year = ${year ?? null})
      order by b.year desc, b.expense_type, b.channel, b.quarter, u.path`.execute(tx)
  ).rows;
  return rows.map((r) => toBudget(p, r));
}

export async function loadBudget(tx: Tx, p: Principal, id: string, lock = false): Promise<any> {
  const r = (
    await sql<any>`select ${columns} from tpm_budgets b
      left join units u on u.tenant_id = b.tenant_id and u.id = b.unit_id
      where b.tenant_id = ${p.tenantId} and b.id = ${id} and b.unit_id = any(${p.subtreeUnitIds}::uuid[])
      ${lock ? sql`for update of b` : sql``}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('tpm_budget');
  return r;
}

export async function getBudget(tx: Tx, p: Principal, id: string): Promise<Budget> {
  return toBudget(p, await loadBudget(tx, p, id));
}

/**
 * The origin of all promotion money: a year (or quarter) budget of the top unit. Only people
 * sitting at the top unit may fund it; everyone below receives money by allocation only.
 */
export async function createRootBudget(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: BudgetInput,
): Promise<Budget> {
  const unit = await unitRow(tx, p.tenantId, p.unitId);
  if (!unit || unit.parent_id !== null) throw tpmProblem('forbidden', locale, 'fund_not_root');
  const dup = (
    await sql<{ id: string }>`select id from tpm_budgets where tenant_id = ${p.tenantId} and parent_id is null
      and unit_id = ${unit.id} and year = ${input.year} and quarter = ${input.quarter}
      and channel = ${input.channel} and expense_type = ${input.expenseType}`.execute(tx)
  ).rows[0];
  if (dup) throw tpmProblem('conflict', locale, 'budget_exists', {}, undefined, { budgetId: dup.id });
  const id = newId();
  await sql`insert into tpm_budgets (tenant_id, id, parent_id, unit_id, year, quarter, channel, expense_type, amount, created_by)
    values (${p.tenantId}, ${id}, null, ${unit.id}, ${input.year}, ${input.quarter}, ${input.channel},
      ${input.expenseType}, ${input.amount}, ${p.userId})`.execute(tx);
  await recordMove(tx, p.tenantId, id, 'fund', input.amount, { userId: p.userId });
  await writeAudit(tx, actor, {
    action: 'tpm_budget_fund',
    object: 'tpm_budget',
    recordId: id,
    meta: { amount: input.amount },
  });
  return getBudget(tx, p, id);
}

/**
 * Moves `amount` from a budget of the caller's units to a direct sub-unit of its unit. The
 * source row is locked and debited by one conditional UPDATE first, so two allocations racing
 * for the last yuan cannot both succeed, and nobody hands down money their unit does not hold.
 */
export async function allocateBudget(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  budgetId: string,
  input: { unitId: string; amount: number; version?: number },
): Promise<Budget> {
  const src = await loadBudget(tx, p, budgetId, true);
  if (input.version !== undefined && input.version !== src.version)
    throw tpmProblem('conflict', locale, 'version_conflict', { current: src.version });
  const target = await unitRow(tx, p.tenantId, input.unitId);
  if (!target || target.parent_id !== src.unit_id)
    throw invalid([
      { field: 'unitId', code: 'allocate_not_child', message: tt(locale, 'allocate_not_child') },
    ]);
  const debited =
    await sql`update tpm_budgets set allocated = allocated + ${input.amount}, version = version + 1,
      updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${budgetId}
      and amount - allocated - committed - used >= ${input.amount}`.execute(tx);
  if (!Number(debited.numAffectedRows ?? 0)) {
    const remaining = Number(src.amount) - Number(src.allocated) - Number(src.committed) - Number(src.used);
    throw tpmProblem(
      'conflict',
      locale,
      'insufficient_budget',
      { remaining: yuan(remaining), amount: yuan(input.amount) },
      [{ field: 'amount', code: 'insufficient_budget' }],
    );
  }
  const existing = (
    await sql<{ id: string }>`select id from tpm_budgets where tenant_id = ${p.tenantId}
      and parent_id = ${budgetId} and unit_id = ${target.id} for update`.execute(tx)
  ).rows[0];
  let childId: string;
  if (existing) {
    childId = existing.id;
    await sql`update tpm_budgets set amount = amount + ${input.amount}, version = version + 1, updated_at = now()
      where tenant_id = ${p.tenantId} and id = ${childId}`.execute(tx);
  } else {
    childId = newId();
    await sql`insert into tpm_budgets (tenant_id, id, parent_id, unit_id, year, quarter, channel, expense_type, amount, created_by)
      values (${p.tenantId}, ${childId}, ${budgetId}, ${target.id}, ${src.year}, ${src.quarter}, ${src.channel},
        ${src.expense_type}, ${input.amount}, ${p.userId})`.execute(tx);
  }
  await recordMove(tx, p.tenantId, budgetId, 'allocate_out', input.amount, {
    otherBudgetId: childId,
    userId: p.userId,
  });
  await recordMove(tx, p.tenantId, childId, 'allocate_in', input.amount, {
    otherBudgetId: budgetId,
    userId: p.userId,
  });
  await writeAudit(tx, actor, {
    action: 'tpm_budget_allocate',
    object: 'tpm_budget',
    recordId: budgetId,
    meta: { to: childId, unitId: target.id, amount: input.amount },
  });
  return getBudget(tx, p, childId);
}
