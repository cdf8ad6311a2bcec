import type { PoolAccount, PoolLedger } from '@kehu/contracts/trade-promotion';
import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { tpmProblem, yuan } from './tpm.messages.ts';

/**
 * The dealer expense pool 费用池: verified promotion money a dealer may use as a deduction on its
 * next order (DMS, next session) or be paid out. A balance row per dealer, locked for every
 * change, and an append-only ledger (the application role has no UPDATE/DELETE on it). Every
 * entry carries an idempotency key: a retried credit or deduction is the same entry.
 */
export interface PoolChange {
  dealerUnitId: string;
  /** Fen, > 0. */
  amount: number;
  /** What it is for, shown on statements ("TPM 核销 …", "订单 SO-…"). */
  ref: string;
  idempotencyKey: string;
  activityId?: string | null;
  userId?: string | null;
  locale?: Locale;
}

export interface PoolEntryOut {
  entryId: string;
  balance: number;
  /** false when the key had been used already and the earlier entry is returned. */
  created: boolean;
}

async function lockAccount(tx: Tx, tenantId: string, dealerUnitId: string): Promise<number> {
  await sql`insert into tpm_pool_accounts (tenant_id, dealer_unit_id) values (${tenantId}, ${dealerUnitId})
    on conflict do nothing`.execute(tx);
  return Number(
    (
      await sql<{ balance: string }>`select balance from tpm_pool_accounts
        where tenant_id = ${tenantId} and dealer_unit_id = ${dealerUnitId} for update`.execute(tx)
    ).rows[0]!.balance,
  );
}

async function change(
  tx: Tx,
  tenantId: string,
  kind: 'credit' | 'deduct',
  c: PoolChange,
): Promise<PoolEntryOut> {
  const locale = c.locale ?? 'zh-CN';
  // Lock first: two requests with the same key then see each other's entry, not a unique violation.
  const balance = await lockAccount(tx, tenantId, c.dealerUnitId);
  const prior = (
    await sql<any>`select id, kind, amount, dealer_unit_id, balance_after from tpm_pool_entries
      where tenant_id = ${tenantId} and idempotency_key = ${c.idempotencyKey}`.execute(tx)
  ).rows[0];
  if (prior) {
    if (prior.kind !== kind || Number(prior.amount) !== c.amount || prior.dealer_unit_id !== c.dealerUnitId)
      throw tpmProblem('conflict', locale, 'pool_key_reused');
    return { entryId: prior.id, balance, created: false };
  }
  if (!Number.isInteger(c.amount) || c.amount <= 0) throw new Error('pool amount must be a positive integer');
  if (kind === 'deduct' && balance < c.amount)
    throw tpmProblem('conflict', locale, 'pool_insufficient', {
      balance: yuan(balance),
      amount: yuan(c.amount),
    });
  const after = kind === 'credit' ? balance + c.amount : balance - c.amount;
  await sql`update tpm_pool_accounts set balance = ${after}, updated_at = now()
    where tenant_id = ${tenantId} and dealer_unit_id = ${c.dealerUnitId}`.execute(tx);
  const id = newId();
  await sql`insert into tpm_pool_entries (tenant_id, id, dealer_unit_id, kind, amount, balance_after, ref, activity_id,
      idempotency_key, created_by)
    values (${tenantId}, ${id}, ${c.dealerUnitId}, ${kind}, ${c.amount}, ${after}, ${c.ref}, ${c.activityId ?? null},
      ${c.idempotencyKey}, ${c.userId ?? null})`.execute(tx);
  return { entryId: id, balance: after, created: true };
}

/** The exported seam (index.ts `expensePool`): DMS orders deduct, TPM verification credits. */
export const expensePool = {
  async balance(tx: Tx, tenantId: string, dealerUnitId: string): Promise<number> {
    const r = (
      await sql<{ balance: string }>`select balance from tpm_pool_accounts
        where tenant_id = ${tenantId} and dealer_unit_id = ${dealerUnitId}`.execute(tx)
    ).rows[0];
    return r ? Number(r.balance) : 0;
  },
  /** 409 `pool_insufficient` when the balance does not cover it; nothing is written then. */
  deduct: (tx: Tx, tenantId: string, c: PoolChange) => change(tx, tenantId, 'deduct', c),
  credit: (tx: Tx, tenantId: string, c: PoolChange) => change(tx, tenantId, 'credit', c),
};

const accountColumns = sql`a.dealer_unit_id, u.name as dealer_name, a.balance,
  coalesce((select sum(amount) from tpm_pool_entries e where e.tenant_id = a.tenant_id and e.dealer_unit_id = a.dealer_unit_id and e.kind = 'credit'), 0) as credited,
  coalesce((select sum(amount) from tpm_pool_entries e where e.tenant_id = a.tenant_id and e.dealer_unit_id = a.dealer_unit_id and e.kind = 'deduct'), 0) as deducted`;

const toAccount = (r: any): PoolAccount => ({
  dealerUnitId: r.dealer_unit_id,
  dealerName: r.dealer_name ?? null,
  balance: Number(r.balance),
  credited: Number(r.credited),
  deducted: Number(r.deducted),
});

/** Pools of the dealers in the caller's subtree. */
export async function listPools(tx: Tx, p: Principal): Promise<PoolAccount[]> {
  const rows = (
    await sql<any>`select ${accountColumns} from tpm_pool_accounts a
      left join units u on u.tenant_id = a.tenant_id and u.id = a.dealer_unit_id
      where a.tenant_id = ${p.tenantId} and a.dealer_unit_id = any(${p.subtreeUnitIds}::uuid[])
      order by u.path`.execute(tx)
  ).rows;
  return rows.map(toAccount);
}

export async function poolLedger(tx: Tx, p: Principal, dealerUnitId: string): Promise<PoolLedger> {
  const a = (
    await sql<any>`select ${accountColumns} from tpm_pool_accounts a
      left join units u on u.tenant_id = a.tenant_id and u.id = a.dealer_unit_id
      where a.tenant_id = ${p.tenantId} and a.dealer_unit_id = ${dealerUnitId}
        and a.dealer_unit_id = any(${p.subtreeUnitIds}::uuid[])`.execute(tx)
  ).rows[0];
  if (!a) throw notFound('tpm_pool');
  const entries = (
    await sql<any>`select id, kind, amount, balance_after, ref, activity_id, created_at from tpm_pool_entries
      where tenant_id = ${p.tenantId} and dealer_unit_id = ${dealerUnitId} order by created_at desc, id desc limit 200`.execute(
      tx,
    )
  ).rows;
  return {
    account: toAccount(a),
    entries: entries.map((e) => ({
      id: e.id,
      kind: e.kind,
      amount: Number(e.amount),
      balanceAfter: Number(e.balance_after),
      ref: e.ref,
      activityId: e.activity_id,
      createdAt: new Date(e.created_at).toISOString(),
    })),
  };
}
