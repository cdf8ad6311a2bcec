import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import type { RecordCtx } from '../../engine/records/record.service.ts';
import type { Row } from '../../engine/records/record-mapper.ts';
import { leadsProblem, lt } from './leads.messages.ts';

/** Who owns a lead or customer, for the messages that name them. */

export async function ownerName(tx: Tx, tenantId: string, userId: string | null): Promise<string> {
  if (!userId) return '?';
  return (
    (
      await sql<{
        name: string;
      }>`select name from users where tenant_id = ${tenantId} and id = ${userId}`.execute(tx)
    ).rows[0]?.name ?? '?'
  );
}

/** 撞单 guard: the lead duplicates a prospect someone else owns. */
export async function assertNoForeignOwner(ctx: RecordCtx, row: Row, locale: Locale): Promise<void> {
  if (!row.duplicate_of_id) return;
  const table = row.duplicate_of_object === 'customer' ? 'customers' : 'leads';
  const hit = (
    await sql<{ owner_id: string | null; name: string }>`select owner_id, name from ${sql.table(table)}
      where tenant_id = ${ctx.principal.tenantId} and id = ${row.duplicate_of_id} and deleted_at is null`.execute(
      ctx.tx,
    )
  ).rows[0];
  if (!hit?.owner_id || hit.owner_id === ctx.principal.userId) return;
  if (table === 'leads') {
    const st = (
      await sql<{
        status: string;
      }>`select status from leads where tenant_id = ${ctx.principal.tenantId} and id = ${row.duplicate_of_id}`.execute(
        ctx.tx,
      )
    ).rows[0]?.status;
    if (st === 'disqualified') return;
  }
  const owner = await ownerName(ctx.tx, ctx.principal.tenantId, hit.owner_id);
  throw leadsProblem(
    'conflict',
    locale,
    'duplicate_owned',
    { owner, object: lt(locale, `object_${row.duplicate_of_object ?? 'lead'}`), name: hit.name },
    undefined,
    { ownerId: hit.owner_id, ownerName: owner, duplicateOfId: row.duplicate_of_id },
  );
}
