import { randomInt } from 'node:crypto';
import type { Activity, ActivityInput } from '@kehu/contracts/trade-promotion';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { type FieldError, invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { type Decision, submitForApproval } from '../approvals/index.ts';
import { recordMove, unitRow } from './budgets.service.ts';
import { expensePool } from './expense-pool.ts';
import { ACTIVITY_STATUS_LABEL, tpmProblem, tt, yuan } from './tpm.messages.ts';

export const ACTIVITY_OBJECT = 'tpm_activity';
/** Share of executed activities drawn for a full photo audit (flagged ones always are). */
export const SAMPLE_PERCENT = 30;

/**
 * Who sees an activity: the units above and at its dealer (the dealer's subtree is in theirs),
 * and the reps of its stores. A sibling dealer sees nothing of it (404).
 */
const visible = (p: Principal) =>
  sql`(a.dealer_unit_id = any(${p.subtreeUnitIds}::uuid[]) or a.store_unit_ids && ${p.subtreeUnitIds}::uuid[])`;

const columns = sql`a.*, d.name as dealer_name, us.name as proposer_name,
  (select count(*)::int from tpm_proofs f where f.tenant_id = a.tenant_id and f.activity_id = a.id) as proof_count,
  (select count(*)::int from tpm_proofs f where f.tenant_id = a.tenant_id and f.activity_id = a.id and f.status = 'flagged') as flagged_count,
  (select coalesce(json_agg(json_build_object('id', s.id, 'name', s.name) order by s.path), '[]') from units s
    where s.tenant_id = a.tenant_id and s.id = any(a.store_unit_ids)) as stores,
  (select coalesce(json_agg(json_build_object('lineNo', l.line_no, 'budgetId', l.budget_id, 'amount', l.amount,
    'committed', l.committed, 'used', l.used) order by l.line_no), '[]') from tpm_activity_lines l
    where l.tenant_id = a.tenant_id and l.activity_id = a.id) as lines`;
const joins = sql`left join units d on d.tenant_id = a.tenant_id and d.id = a.dealer_unit_id
  left join users us on us.tenant_id = a.tenant_id and us.id = a.proposed_by`;

const day = (d: unknown) =>
  d instanceof Date
    ? `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
    : String(d).slice(0, 10);

export function toActivity(r: any): Activity {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: r.id,
    name: r.name,
    activityType: r.activity_type,
    dealerUnitId: r.dealer_unit_id,
    dealerName: r.dealer_name ?? null,
    stores: (typeof r.stores === 'string' ? JSON.parse(r.stores) : r.stores) ?? [],
    startsOn: day(r.starts_on),
    endsOn: day(r.ends_on),
    description: r.description,
    status: r.status,
    amount: Number(r.amount),
    committed: Number(r.committed),
    used: Number(r.used),
    sampled: r.sampled,
    verifiedAmount: n(r.verified_amount),
    verifiedAt: r.verified_at ? new Date(r.verified_at).toISOString() : null,
    verifyComment: r.verify_comment,
    proposedBy: { id: r.proposed_by, name: r.proposer_name ?? null },
    proofCount: r.proof_count ?? 0,
    flaggedCount: r.flagged_count ?? 0,
    lines: ((typeof r.lines === 'string' ? JSON.parse(r.lines) : r.lines) ?? []).map((l: any) => ({
      lineNo: l.lineNo,
      budgetId: l.budgetId,
      amount: Number(l.amount),
      committed: Number(l.committed),
      used: Number(l.used),
    })),
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export async function loadActivity(tx: Tx, p: Principal, id: string, lock = false): Promise<any> {
  if (lock)
    await sql`select 1 from tpm_activities a where a.tenant_id = ${p.tenantId} and a.id = ${id} and ${visible(p)}
      for update`.execute(tx);
  const r = (
    await sql<any>`select ${columns} from tpm_activities a ${joins}
      where a.tenant_id = ${p.tenantId} and a.id = ${id} and ${visible(p)}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('tpm_activity');
  return r;
}

export async function getActivity(tx: Tx, p: Principal, id: string): Promise<Activity> {
  return toActivity(await loadActivity(tx, p, id));
}

export async function listActivities(
  tx: Tx,
  p: Principal,
  q: { status?: string; dealerUnitId?: string; queue?: boolean },
): Promise<Activity[]> {
  const rows = (
    await sql<any>`select ${columns} from tpm_activities a ${joins}
      where a.tenant_id = ${p.tenantId} and ${visible(p)}
        and (${q.status ?? null}::text is null or a.status = ${q.status ?? null})
        and (${q.dealerUnitId ?? null}::uuid is null or a.dealer_unit_id = ${q.dealerUnitId ?? null})
        ${q.queue ? sql`and a.dealer_unit_id = any(${p.subtreeUnitIds}::uuid[]) and a.proposed_by <> ${p.userId}` : sql``}
      order by ${q.queue ? sql`a.sampled desc nulls last,` : sql``} a.created_at desc limit 500`.execute(tx)
  ).rows;
  return rows.map(toActivity);
}

function badStatus(locale: Locale, status: string) {
  return tpmProblem('conflict', locale, 'bad_status', {
    status: ACTIVITY_STATUS_LABEL[status]?.[locale] ?? status,
  });
}

function checkVersion(locale: Locale, cur: any, version?: number) {
  if (version !== undefined && version !== cur.version)
    throw tpmProblem('conflict', locale, 'version_conflict', { current: cur.version });
}

const quarterOf = (iso: string) => Math.floor((Number(iso.slice(5, 7)) - 1) / 3) + 1;

export async function createActivity(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: ActivityInput,
): Promise<Activity> {
  const errors: FieldError[] = [];
  const err = (field: string, code: string) => errors.push({ field, code, message: tt(locale, code) });
  const dealer = await unitRow(tx, p.tenantId, input.dealerUnitId);
  if (!dealer || !p.subtreeUnitIds.includes(dealer.id)) err('dealerUnitId', 'dealer_outside');
  else if (dealer.type !== 'dealer') err('dealerUnitId', 'not_a_dealer');
  if (input.endsOn < input.startsOn) err('endsOn', 'dates_order');
  const stores = [...new Set(input.storeUnitIds)];
  if (dealer) {
    const ok = (
      await sql<{
        id: string;
      }>`select id from units where tenant_id = ${p.tenantId} and id = any(${stores}::uuid[])
        and parent_id = ${dealer.id} and type = 'store' and deleted_at is null`.execute(tx)
    ).rows;
    if (ok.length !== stores.length) err('storeUnitIds', 'store_not_of_dealer');
  }
  const budgetIds = input.lines.map((l) => l.budgetId);
  if (new Set(budgetIds).size !== budgetIds.length) err('lines', 'lines_duplicate');
  const budgets = (
    await sql<any>`select id, unit_id, year, quarter, expense_type from tpm_budgets
      where tenant_id = ${p.tenantId} and id = any(${budgetIds}::uuid[])`.execute(tx)
  ).rows;
  for (const [i, l] of input.lines.entries()) {
    const b = budgets.find((x) => x.id === l.budgetId);
    if (!b || !dealer || b.unit_id !== dealer.id) {
      err(`lines.${i}.budgetId`, 'budget_not_dealer');
      continue;
    }
    if (b.expense_type !== input.activityType) {
      err(`lines.${i}.budgetId`, 'budget_type_mismatch');
      continue;
    }
    const inPeriod = (d: string) =>
      Number(d.slice(0, 4)) === b.year && (b.quarter === 0 || quarterOf(d) === b.quarter);
    if (!inPeriod(input.startsOn) || !inPeriod(input.endsOn))
      err(`lines.${i}.budgetId`, 'budget_period_mismatch');
  }
  if (errors.length) throw invalid(errors);
  const id = newId();
  const amount = input.lines.reduce((s, l) => s + l.amount, 0);
  await sql`insert into tpm_activities (tenant_id, id, name, activity_type, dealer_unit_id, store_unit_ids, starts_on,
      ends_on, description, amount, proposed_by)
    values (${p.tenantId}, ${id}, ${input.name}, ${input.activityType}, ${input.dealerUnitId}, ${stores}::uuid[],
      ${input.startsOn}, ${input.endsOn}, ${input.description ?? null}, ${amount}, ${p.userId})`.execute(tx);
  for (const [i, l] of input.lines.entries())
    await sql`insert into tpm_activity_lines (tenant_id, activity_id, line_no, budget_id, amount)
      values (${p.tenantId}, ${id}, ${i + 1}, ${l.budgetId}, ${l.amount})`.execute(tx);
  await writeAudit(tx, actor, { action: 'create', object: ACTIVITY_OBJECT, recordId: id, meta: { amount } });
  return getActivity(tx, p, id);
}

/** Commits every line on its budget (one conditional UPDATE each): all or nothing. */
async function commitLines(
  tx: Tx,
  tenantId: string,
  activityId: string,
  userId: string | null,
  locale: Locale,
) {
  const lines = (
    await sql<any>`select l.line_no, l.budget_id, l.amount from tpm_activity_lines l
      where l.tenant_id = ${tenantId} and l.activity_id = ${activityId} order by l.budget_id`.execute(tx)
  ).rows;
  for (const l of lines) {
    const r =
      await sql`update tpm_budgets set committed = committed + ${l.amount}, version = version + 1, updated_at = now()
      where tenant_id = ${tenantId} and id = ${l.budget_id} and amount - allocated - committed - used >= ${l.amount}`.execute(
        tx,
      );
    if (!Number(r.numAffectedRows ?? 0)) {
      const b = (
        await sql<any>`select amount - allocated - committed - used as remaining from tpm_budgets
          where tenant_id = ${tenantId} and id = ${l.budget_id}`.execute(tx)
      ).rows[0];
      throw tpmProblem('conflict', locale, 'insufficient_budget', {
        remaining: yuan(Number(b?.remaining ?? 0)),
        amount: yuan(Number(l.amount)),
      });
    }
    await sql`update tpm_activity_lines set committed = ${l.amount} where tenant_id = ${tenantId}
      and activity_id = ${activityId} and line_no = ${l.line_no}`.execute(tx);
    await recordMove(tx, tenantId, l.budget_id, 'commit', Number(l.amount), { activityId, userId });
  }
  await sql`update tpm_activities set status = 'approved', committed = amount, version = version + 1, updated_at = now()
    where tenant_id = ${tenantId} and id = ${activityId}`.execute(tx);
}

/** Returns what is still committed on each line to its budget. */
async function releaseLines(tx: Tx, tenantId: string, activityId: string, userId: string | null) {
  const lines = (
    await sql<any>`select line_no, budget_id, committed from tpm_activity_lines
      where tenant_id = ${tenantId} and activity_id = ${activityId} and committed > 0 order by budget_id`.execute(
      tx,
    )
  ).rows;
  for (const l of lines) {
    await sql`update tpm_budgets set committed = committed - ${l.committed}, version = version + 1, updated_at = now()
      where tenant_id = ${tenantId} and id = ${l.budget_id}`.execute(tx);
    await sql`update tpm_activity_lines set committed = 0 where tenant_id = ${tenantId}
      and activity_id = ${activityId} and line_no = ${l.line_no}`.execute(tx);
    await recordMove(tx, tenantId, l.budget_id, 'release', Number(l.committed), { activityId, userId });
  }
}

/** Draft → approval (the approvals engine); with no flow that applies, straight to approved. */
export async function submitActivity(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  version?: number,
): Promise<Activity> {
  const cur = await loadActivity(tx, p, id, true);
  checkVersion(locale, cur, version);
  if (cur.status !== 'draft') throw badStatus(locale, cur.status);
  const request = await submitForApproval(
    tx,
    p,
    actor,
    {
      object: ACTIVITY_OBJECT,
      recordId: id,
      recordName: cur.name,
      unitId: cur.dealer_unit_id,
      facts: { amount: Number(cur.amount), activityType: cur.activity_type },
      summary: {
        amount: Number(cur.amount),
        activityType: cur.activity_type,
        dealer: cur.dealer_name,
        startsOn: day(cur.starts_on),
        endsOn: day(cur.ends_on),
      },
    },
    locale,
  );
  if (request)
    await sql`update tpm_activities set status = 'pending', version = version + 1, updated_at = now()
      where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  else await commitLines(tx, p.tenantId, id, p.userId, locale);
  await writeAudit(tx, actor, { action: 'tpm_activity_submit', object: ACTIVITY_OBJECT, recordId: id });
  return getActivity(tx, p, id);
}

/**
 * The approvals engine's decision. Approval commits the budget now (not at proposal): when the
 * budget no longer covers it the approval itself fails with 409 and nothing changes.
 */
export async function onActivityDecision(
  tx: Tx,
  principal: Principal,
  _actor: Actor,
  recordId: string,
  decision: Decision,
) {
  const tenantId = principal.tenantId;
  const cur = (
    await sql<any>`select status from tpm_activities where tenant_id = ${tenantId} and id = ${recordId} for update`.execute(
      tx,
    )
  ).rows[0];
  if (cur?.status !== 'pending') return;
  if (decision === 'approved') await commitLines(tx, tenantId, recordId, principal.userId, principal.locale);
  else if (decision !== 'submitted')
    await sql`update tpm_activities set status = ${decision === 'rejected' ? 'rejected' : 'draft'},
        version = version + 1, updated_at = now() where tenant_id = ${tenantId} and id = ${recordId}`.execute(
      tx,
    );
}

/** Cancel: whatever the activity still holds goes back to its budgets. */
export async function cancelActivity(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  version?: number,
): Promise<Activity> {
  const cur = await loadActivity(tx, p, id, true);
  checkVersion(locale, cur, version);
  if (!['draft', 'approved', 'executed'].includes(cur.status)) throw badStatus(locale, cur.status);
  await releaseLines(tx, p.tenantId, id, p.userId);
  await sql`update tpm_activities set status = 'cancelled', committed = 0, version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, { action: 'tpm_activity_cancel', object: ACTIVITY_OBJECT, recordId: id });
  return getActivity(tx, p, id);
}

/**
 * Execution done → the verification queue. Activities with flagged proof are always audited;
 * of the rest a random SAMPLE_PERCENT are drawn for a full look at the photos.
 */
export async function completeActivity(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  version?: number,
): Promise<Activity> {
  const cur = await loadActivity(tx, p, id, true);
  checkVersion(locale, cur, version);
  if (cur.status !== 'approved') throw badStatus(locale, cur.status);
  if (!cur.proof_count) throw tpmProblem('validation', locale, 'no_proofs');
  const sampled = cur.flagged_count > 0 || randomInt(100) < SAMPLE_PERCENT;
  await sql`update tpm_activities set status = 'executed', sampled = ${sampled}, version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, { action: 'tpm_activity_complete', object: ACTIVITY_OBJECT, recordId: id });
  return getActivity(tx, p, id);
}

/**
 * 核销: the reviewer approves an amount ≤ the commitment. It becomes `used` on the budgets (lines
 * filled in order), the rest of the commitment is released, and the amount is credited to the
 * dealer's expense pool — one transaction, keyed so a retry credits once.
 */
export async function verifyActivity(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  input: { amount: number; comment?: string; proofsReviewed?: boolean; version?: number },
): Promise<Activity> {
  const cur = await loadActivity(tx, p, id, true);
  if (!p.subtreeUnitIds.includes(cur.dealer_unit_id)) throw notFound('tpm_activity');
  checkVersion(locale, cur, input.version);
  if (cur.status !== 'executed') throw badStatus(locale, cur.status);
  if (cur.proposed_by === p.userId) throw tpmProblem('forbidden', locale, 'verify_own');
  const errors: FieldError[] = [];
  if (input.amount > Number(cur.committed))
    errors.push({
      field: 'amount',
      code: 'verify_too_much',
      message: tt(locale, 'verify_too_much', { committed: yuan(Number(cur.committed)) }),
    });
  if (cur.sampled && !input.proofsReviewed)
    errors.push({
      field: 'proofsReviewed',
      code: 'verify_needs_review',
      message: tt(locale, 'verify_needs_review'),
    });
  if (cur.flagged_count > 0 && !input.comment)
    errors.push({
      field: 'comment',
      code: 'verify_flag_comment',
      message: tt(locale, 'verify_flag_comment'),
    });
  if (errors.length) throw invalid(errors);
  let left = input.amount;
  const lines = (
    await sql<any>`select line_no, budget_id, committed from tpm_activity_lines
      where tenant_id = ${p.tenantId} and activity_id = ${id} order by line_no`.execute(tx)
  ).rows;
  for (const l of lines) {
    const committed = Number(l.committed);
    const use = Math.min(left, committed);
    left -= use;
    await sql`update tpm_budgets set committed = committed - ${committed}, used = used + ${use}, version = version + 1,
        updated_at = now() where tenant_id = ${p.tenantId} and id = ${l.budget_id}`.execute(tx);
    await sql`update tpm_activity_lines set committed = 0, used = ${use} where tenant_id = ${p.tenantId}
      and activity_id = ${id} and line_no = ${l.line_no}`.execute(tx);
    if (use > 0)
      await recordMove(tx, p.tenantId, l.budget_id, 'use', use, { activityId: id, userId: p.userId });
    if (committed - use > 0)
      await recordMove(tx, p.tenantId, l.budget_id, 'release', committed - use, {
        activityId: id,
        userId: p.userId,
      });
  }
  await sql`update tpm_activities set status = 'verified', committed = 0, used = ${input.amount},
      verified_amount = ${input.amount}, verified_by = ${p.userId}, verified_at = now(), verify_comment = ${input.comment ?? null},
      version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  if (input.amount > 0)
    await expensePool.credit(tx, p.tenantId, {
      dealerUnitId: cur.dealer_unit_id,
      amount: input.amount,
      ref: `TPM 核销 · ${cur.name}`,
      activityId: id,
      idempotencyKey: `tpm-verify:${id}`,
      userId: p.userId,
      locale,
    });
  await writeAudit(tx, actor, {
    action: 'tpm_activity_verify',
    object: ACTIVITY_OBJECT,
    recordId: id,
    meta: { amount: input.amount, committed: Number(cur.committed), sampled: cur.sampled },
  });
  return getActivity(tx, p, id);
}
