import type { Account, EntryKind } from '@kehu/contracts/dealers';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { expensePool } from '../trade-promotion/index.ts';
import { resolveDealer } from './catalogue.service.ts';
import { dmsProblem } from './dealers.messages.ts';

export async function ensureAccount(tx: Tx, tenantId: string, dealerUnitId: string) {
  await sql`insert into dms_accounts (tenant_id, dealer_unit_id) values (${tenantId}, ${dealerUnitId})
    on conflict do nothing`.execute(tx);
}

/**
 * One ledger entry and the balance move, in the caller's transaction. `floor` makes it a
 * conditional debit: the UPDATE only happens while balance + amount ≥ −credit limit, so two
 * racing orders cannot both spend the last of the credit. Returns false when that fails.
 */
export async function postEntry(
  tx: Tx,
  tenantId: string,
  e: {
    dealerUnitId: string;
    kind: EntryKind;
    amount: number;
    ref: string;
    orderId?: string | null;
    idempotencyKey?: string | null;
    userId?: string | null;
    checkCredit?: boolean;
    /** When the money moved (ERP 回款 back-dated to its month); now when absent. */
    at?: string | null;
  },
): Promise<boolean> {
  await ensureAccount(tx, tenantId, e.dealerUnitId);
  const r = await sql`update dms_accounts set balance = balance + ${e.amount}, updated_at = now()
    where tenant_id = ${tenantId} and dealer_unit_id = ${e.dealerUnitId}
      ${e.checkCredit ? sql`and balance + ${e.amount} >= -credit_limit` : sql``}`.execute(tx);
  if (!Number(r.numAffectedRows ?? 0)) return false;
  await sql`insert into dms_account_entries (tenant_id, id, dealer_unit_id, kind, amount, ref, order_id, idempotency_key, created_by, at)
    values (${tenantId}, ${newId()}, ${e.dealerUnitId}, ${e.kind}, ${e.amount}, ${e.ref}, ${e.orderId ?? null},
      ${e.idempotencyKey ?? null}, ${e.userId ?? null}, coalesce(${e.at ?? null}::timestamptz, now()))`.execute(
    tx,
  );
  return true;
}

const toAccount = (r: any, pool: number): Account => ({
  dealerUnitId: r.id,
  dealerName: r.name,
  tier: r.tier ?? null,
  creditLimit: Number(r.credit_limit ?? 0),
  balance: Number(r.balance ?? 0),
  available: Number(r.balance ?? 0) + Number(r.credit_limit ?? 0),
  poolBalance: pool,
});

/** Every dealer of the caller's subtree with its account (an account row appears on first use). */
export async function listAccounts(tx: Tx, p: Principal): Promise<Account[]> {
  const rows = (
    await sql<any>`select u.id, u.name, a.tier, a.credit_limit, a.balance from units u
      left join dms_accounts a on a.tenant_id = u.tenant_id and a.dealer_unit_id = u.id
      where u.tenant_id = ${p.tenantId} and u.type = 'dealer' and u.deleted_at is null
        and u.id = any(${p.subtreeUnitIds}::uuid[])
      order by u.path`.execute(tx)
  ).rows;
  const out: Account[] = [];
  for (const r of rows) out.push(toAccount(r, await expensePool.balance(tx, p.tenantId, r.id)));
  return out;
}

export async function getAccount(
  tx: Tx,
  p: Principal,
  locale: Locale,
  dealerUnitId?: string,
): Promise<Account> {
  const d = await resolveDealer(tx, p, locale, dealerUnitId);
  const a = (
    await sql<any>`select * from dms_accounts where tenant_id = ${p.tenantId} and dealer_unit_id = ${d.id}`.execute(
      tx,
    )
  ).rows[0];
  return toAccount({ ...a, id: d.id, name: d.name }, await expensePool.balance(tx, p.tenantId, d.id));
}

export async function updateAccount(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  dealerUnitId: string,
  input: { creditLimit?: number; tier?: string | null },
): Promise<Account> {
  const d = await resolveDealer(tx, p, locale, dealerUnitId);
  await ensureAccount(tx, p.tenantId, d.id);
  const cur = (
    await sql<any>`select * from dms_accounts where tenant_id = ${p.tenantId} and dealer_unit_id = ${d.id} for update`.execute(
      tx,
    )
  ).rows[0];
  const creditLimit = input.creditLimit ?? Number(cur.credit_limit);
  // A lower limit than what is already owed would break the account's CHECK: say so as a field error.
  if (Number(cur.balance) < -creditLimit)
    throw dmsProblem('validation', locale, 'credit_exceeded', { available: 0, amount: 0 }, [
      { field: 'creditLimit', code: 'too_small', params: { min: -Number(cur.balance) } },
    ]);
  const tier = input.tier === undefined ? cur.tier : input.tier;
  await sql`update dms_accounts set credit_limit = ${creditLimit}, tier = ${tier}, updated_at = now()
    where tenant_id = ${p.tenantId} and dealer_unit_id = ${d.id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'dms_account',
    recordId: d.id,
    changes: [
      { field: 'creditLimit', from: Number(cur.credit_limit), to: creditLimit },
      { field: 'tier', from: cur.tier, to: tier },
    ],
  });
  return getAccount(tx, p, locale, d.id);
}

/** HQ records money in (回款), a rebate (返利) or another credit; idempotent per key. */
export async function recordPayment(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  dealerUnitId: string,
  input: {
    kind: 'payment' | 'rebate' | 'credit';
    amount: number;
    ref: string;
    idempotencyKey?: string;
    /** Back-dated payment (ERP paidAt): the entry's date. */
    at?: string;
  },
): Promise<Account> {
  const d = await resolveDealer(tx, p, locale, dealerUnitId);
  await ensureAccount(tx, p.tenantId, d.id);
  // Lock the account first so a retry with the same key waits and then sees the first entry.
  await sql`select 1 from dms_accounts where tenant_id = ${p.tenantId} and dealer_unit_id = ${d.id} for update`.execute(
    tx,
  );
  if (input.idempotencyKey) {
    const prior = (
      await sql<any>`select dealer_unit_id, kind, amount from dms_account_entries
        where tenant_id = ${p.tenantId} and idempotency_key = ${input.idempotencyKey}`.execute(tx)
    ).rows[0];
    if (prior) {
      if (prior.dealer_unit_id !== d.id || prior.kind !== input.kind || Number(prior.amount) !== input.amount)
        throw dmsProblem('conflict', locale, 'entry_key_reused');
      return getAccount(tx, p, locale, d.id);
    }
  }
  // A back-dated entry lands in its month unless that month (or a later one) is already on an issued
  // statement: then it is booked now, so it shows on the next statement instead of on none.
  let at = input.at ?? null;
  if (at) {
    const period = new Date(Date.parse(at) + 8 * 3_600_000).toISOString().slice(0, 7);
    const closed = (
      await sql`select 1 from dms_statements where tenant_id = ${p.tenantId} and dealer_unit_id = ${d.id}
        and period >= ${period} limit 1`.execute(tx)
    ).rows[0];
    if (closed) at = null;
  }
  await postEntry(tx, p.tenantId, {
    dealerUnitId: d.id,
    kind: input.kind,
    amount: input.amount,
    ref: input.ref,
    idempotencyKey: input.idempotencyKey ?? null,
    userId: p.userId,
    at,
  });
  await writeAudit(tx, actor, {
    action: 'dms_payment',
    object: 'dms_account',
    recordId: d.id,
    meta: { kind: input.kind, amount: input.amount, ref: input.ref },
  });
  return getAccount(tx, p, locale, d.id);
}
