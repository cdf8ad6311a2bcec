import type { Statement } from '@kehu/contracts/dealers';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { safeCell } from '../../engine/records/export/cells.ts';
import { resolveDealer } from './catalogue.service.ts';
import { dmsProblem, dt } from './dealers.messages.ts';
import { emitStatementEvent } from './erp-events.ts';

export const STATEMENT_OBJECT = 'dms_statement';

/** Month bounds in China time: a statement month is a calendar month where the dealer lives. */
export function monthBounds(period: string): { from: string; to: string } {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: `${period}-01T00:00:00+08:00`, to: `${next}-01T00:00:00+08:00` };
}

/**
 * The hand-written aggregate a statement is: the opening balance (every entry before the month)
 * and the month's movements by kind. closing = opening − orders + payments + rebates + deductions
 * + credits (order reversals count as credits) — the table's CHECK holds it.
 */
export const statementTotalsSql = (
  tenantId: string,
  dealerUnitId: string,
  from: string,
  to: string,
) => sql<any>`
  select coalesce(sum(amount) filter (where at < ${from}::timestamptz), 0) as opening,
    coalesce(-sum(amount) filter (where at >= ${from}::timestamptz and kind = 'order'), 0) as orders,
    coalesce(sum(amount) filter (where at >= ${from}::timestamptz and kind = 'payment'), 0) as payments,
    coalesce(sum(amount) filter (where at >= ${from}::timestamptz and kind = 'rebate'), 0) as rebates,
    coalesce(sum(amount) filter (where at >= ${from}::timestamptz and kind = 'pool_deduction'), 0) as deductions,
    coalesce(sum(amount) filter (where at >= ${from}::timestamptz and kind in ('credit', 'order_reversal')), 0) as credits
  from dms_account_entries where tenant_id = ${tenantId} and dealer_unit_id = ${dealerUnitId} and at < ${to}::timestamptz`;

const statementStatus = (lines: { status: string }[]) =>
  lines.some((l) => l.status === 'disputed')
    ? 'disputed'
    : lines.length > 0 && lines.every((l) => l.status !== 'pending')
      ? 'confirmed'
      : lines.length === 0
        ? 'confirmed'
        : 'open';

function toStatement(r: any, lines: any[]): Statement {
  const ls = lines.map((l) => ({
    lineNo: l.line_no,
    kind: l.kind,
    ref: l.ref,
    amount: Number(l.amount),
    at: new Date(l.at).toISOString(),
    status: l.status,
    disputeReason: l.dispute_reason,
    resolution: l.resolution,
  }));
  return {
    id: r.id,
    dealerUnitId: r.dealer_unit_id,
    dealerName: r.dealer_name ?? null,
    period: r.period,
    opening: Number(r.opening),
    orders: Number(r.orders),
    payments: Number(r.payments),
    rebates: Number(r.rebates),
    deductions: Number(r.deductions),
    credits: Number(r.credits),
    closing: Number(r.closing),
    status: r.status ?? statementStatus(ls),
    lines: ls,
    createdAt: new Date(r.created_at).toISOString(),
    version: Number(r.version),
  };
}

const statusSql = sql`case
  when exists (select 1 from dms_statement_lines l where l.tenant_id = s.tenant_id and l.statement_id = s.id and l.status = 'disputed') then 'disputed'
  when exists (select 1 from dms_statement_lines l where l.tenant_id = s.tenant_id and l.statement_id = s.id and l.status = 'pending') then 'open'
  else 'confirmed' end`;

async function loadStatement(tx: Tx, p: Principal, id: string, lock = false): Promise<any> {
  const r = (
    await sql<any>`select s.*, u.name as dealer_name from dms_statements s
      left join units u on u.tenant_id = s.tenant_id and u.id = s.dealer_unit_id
      where s.tenant_id = ${p.tenantId} and s.id = ${id} and s.dealer_unit_id = any(${p.subtreeUnitIds}::uuid[])
      ${lock ? sql`for update of s` : sql``}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('dms_statement');
  return r;
}

export async function getStatement(tx: Tx, p: Principal, id: string): Promise<Statement> {
  const r = await loadStatement(tx, p, id);
  const lines = (
    await sql<any>`select * from dms_statement_lines where tenant_id = ${p.tenantId} and statement_id = ${id}
      order by line_no`.execute(tx)
  ).rows;
  return toStatement({ ...r, status: undefined }, lines);
}

export async function listStatements(tx: Tx, p: Principal, dealerUnitId?: string) {
  const rows = (
    await sql<any>`select s.*, u.name as dealer_name, ${statusSql} as status from dms_statements s
      left join units u on u.tenant_id = s.tenant_id and u.id = s.dealer_unit_id
      where s.tenant_id = ${p.tenantId} and s.dealer_unit_id = any(${p.subtreeUnitIds}::uuid[])
        and (${dealerUnitId ?? null}::uuid is null or s.dealer_unit_id = ${dealerUnitId ?? null})
      order by s.period desc, u.path limit 500`.execute(tx)
  ).rows;
  return rows.map((r) => {
    const { lines: _lines, ...rest } = toStatement(r, []);
    return rest;
  });
}

/** HQ issues the month's statement for one dealer: totals and one line per ledger entry. */
export async function createStatement(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: { dealerUnitId: string; period: string; reissue?: boolean },
): Promise<Statement> {
  const d = await resolveDealer(tx, p, locale, input.dealerUnitId);
  // One statement per dealer and month; the account lock orders it after any posting in flight.
  await sql`select 1 from dms_accounts where tenant_id = ${p.tenantId} and dealer_unit_id = ${d.id} for update`.execute(
    tx,
  );
  const exists = (
    await sql<any>`select id from dms_statements where tenant_id = ${p.tenantId} and dealer_unit_id = ${d.id}
      and period = ${input.period} for update`.execute(tx)
  ).rows[0];
  if (exists && !input.reissue)
    throw dmsProblem('conflict', locale, 'statement_exists', { period: input.period });
  if (exists) {
    // Re-issued with the month's latest entries, only while the dealer has decided none of its lines.
    const decided = (
      await sql`select 1 from dms_statement_lines where tenant_id = ${p.tenantId} and statement_id = ${exists.id}
        and status <> 'pending' limit 1`.execute(tx)
    ).rows[0];
    if (decided) throw dmsProblem('conflict', locale, 'statement_decided');
    await sql`delete from dms_statement_lines where tenant_id = ${p.tenantId} and statement_id = ${exists.id}`.execute(
      tx,
    );
  }
  const { from, to } = monthBounds(input.period);
  const t = (await statementTotalsSql(p.tenantId, d.id, from, to).execute(tx)).rows[0];
  const n = (k: string) => Number(t[k]);
  const closing = n('opening') - n('orders') + n('payments') + n('rebates') + n('deductions') + n('credits');
  const id = exists?.id ?? newId();
  if (exists)
    await sql`update dms_statements set opening = ${n('opening')}, orders = ${n('orders')}, payments = ${n('payments')},
        rebates = ${n('rebates')}, deductions = ${n('deductions')}, credits = ${n('credits')}, closing = ${closing},
        created_by = ${p.userId}, created_at = now(), version = version + 1
      where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  else
    await sql`insert into dms_statements (tenant_id, id, dealer_unit_id, period, opening, orders, payments, rebates, deductions,
        credits, closing, created_by)
      values (${p.tenantId}, ${id}, ${d.id}, ${input.period}, ${n('opening')}, ${n('orders')}, ${n('payments')}, ${n('rebates')},
        ${n('deductions')}, ${n('credits')}, ${closing}, ${p.userId})`.execute(tx);
  await sql`insert into dms_statement_lines (tenant_id, statement_id, line_no, entry_id, kind, ref, amount, at)
    select tenant_id, ${id}, row_number() over (order by at, id), id, kind, ref, amount, at from dms_account_entries
    where tenant_id = ${p.tenantId} and dealer_unit_id = ${d.id} and at >= ${from}::timestamptz and at < ${to}::timestamptz`.execute(
    tx,
  );
  await writeAudit(tx, actor, {
    action: exists ? 'dms_statement_reissue' : 'create',
    object: STATEMENT_OBJECT,
    recordId: id,
    meta: { period: input.period },
  });
  await emitStatementEvent(tx, p.tenantId, id, 'issued');
  return getStatement(tx, p, id);
}

async function lockLine(tx: Tx, p: Principal, id: string, lineNo: number) {
  await loadStatement(tx, p, id, true);
  const l = (
    await sql<any>`select * from dms_statement_lines where tenant_id = ${p.tenantId} and statement_id = ${id}
      and line_no = ${lineNo} for update`.execute(tx)
  ).rows[0];
  if (!l) throw notFound('dms_statement_line');
  return l;
}

const lineStatus = (locale: Locale, s: string) => dt(locale, `s_${s}`);

/** A decision is made on the version the caller saw: stale (re-issued or decided since) → 409. */
async function checkVersion(tx: Tx, p: Principal, locale: Locale, st: any, version: number) {
  if (Number(st.version) !== version)
    throw dmsProblem('conflict', locale, 'version_conflict', { current: st.version });
  await sql`update dms_statements set version = version + 1 where tenant_id = ${p.tenantId} and id = ${st.id}`.execute(
    tx,
  );
}

/** The dealer's own user confirms or disputes a line (or every pending line at once: lineNo null). */
export async function decideLines(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  lineNo: number | null,
  decision: { status: 'confirmed' } | { status: 'disputed'; reason: string },
  version: number,
): Promise<Statement> {
  const st = await loadStatement(tx, p, id, true);
  const dealer = await resolveDealer(tx, p, locale, null);
  if (st.dealer_unit_id !== dealer.id) throw notFound('dms_statement');
  await checkVersion(tx, p, locale, st, version);
  if (lineNo === null) {
    await sql`update dms_statement_lines set status = 'confirmed', decided_by = ${p.userId}, decided_at = now()
      where tenant_id = ${p.tenantId} and statement_id = ${id} and status = 'pending'`.execute(tx);
  } else {
    const l = await lockLine(tx, p, id, lineNo);
    if (l.status !== 'pending')
      throw dmsProblem('conflict', locale, 'line_not_pending', { status: lineStatus(locale, l.status) });
    await sql`update dms_statement_lines set status = ${decision.status},
        dispute_reason = ${decision.status === 'disputed' ? decision.reason : null}, decided_by = ${p.userId}, decided_at = now()
      where tenant_id = ${p.tenantId} and statement_id = ${id} and line_no = ${lineNo}`.execute(tx);
  }
  await writeAudit(tx, actor, {
    action: decision.status === 'confirmed' ? 'dms_statement_confirm' : 'dms_statement_dispute',
    object: STATEMENT_OBJECT,
    recordId: id,
    meta: { lineNo, reason: decision.status === 'disputed' ? decision.reason : undefined },
  });
  if (decision.status === 'confirmed') await emitStatementEvent(tx, p.tenantId, id, 'confirmed');
  return getStatement(tx, p, id);
}

/** HQ resolves a disputed line; the resolution and who gave it stay on the line and in the audit log. */
export async function resolveLine(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  lineNo: number,
  resolution: string,
  version: number,
): Promise<Statement> {
  const st = await loadStatement(tx, p, id, true);
  await checkVersion(tx, p, locale, st, version);
  const l = await lockLine(tx, p, id, lineNo);
  if (l.status !== 'disputed') throw dmsProblem('conflict', locale, 'line_not_disputed');
  await sql`update dms_statement_lines set status = 'resolved', resolution = ${resolution}, decided_by = ${p.userId},
      decided_at = now() where tenant_id = ${p.tenantId} and statement_id = ${id} and line_no = ${lineNo}`.execute(
    tx,
  );
  await writeAudit(tx, actor, {
    action: 'dms_statement_resolve',
    object: STATEMENT_OBJECT,
    recordId: id,
    changes: [{ field: `lines.${lineNo}.status`, from: 'disputed', to: 'resolved' }],
    meta: { lineNo, reason: l.dispute_reason, resolution },
  });
  return getStatement(tx, p, id);
}

/** A statement about to leave as a file: the export is audited. */
export async function statementForExport(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  format: 'xlsx' | 'pdf' = 'xlsx',
): Promise<Statement> {
  const s = await getStatement(tx, p, id);
  await writeAudit(tx, actor, { action: 'export', object: STATEMENT_OBJECT, recordId: id, meta: { format } });
  return s;
}

/** The statement as an Excel workbook (cells formula-safe), in the caller's language. */
export async function statementXlsx(s: Statement, locale: Locale): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(`${dt(locale, 'sheet_title')} ${s.period}`);
  const y = (fen: number) => Math.round(fen) / 100;
  ws.addRow([safeCell(s.dealerName ?? ''), s.period]);
  ws.addRow([dt(locale, 'opening'), y(s.opening)]);
  ws.addRow([]);
  ws.addRow(
    ['col_date', 'col_kind', 'col_ref', 'col_amount', 'col_status', 'col_dispute', 'col_resolution'].map(
      (k) => dt(locale, k),
    ),
  ).font = { bold: true };
  for (const l of s.lines)
    ws.addRow([
      l.at.slice(0, 10),
      dt(locale, `k_${l.kind}`),
      safeCell(l.ref),
      y(l.amount),
      dt(locale, `s_${l.status}`),
      safeCell(l.disputeReason ?? ''),
      safeCell(l.resolution ?? ''),
    ]);
  ws.addRow([]);
  for (const [k, v] of [
    ['k_order', -s.orders],
    ['k_payment', s.payments],
    ['k_rebate', s.rebates],
    ['k_pool_deduction', s.deductions],
    ['k_credit', s.credits],
    ['closing', s.closing],
  ] as const)
    ws.addRow([dt(locale, k), y(v)]);
  ws.getColumn(4).numFmt = '#,##0.00';
  ws.getColumn(2).numFmt = '#,##0.00';
  ws.columns.forEach((c) => {
    c.width = 18;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
