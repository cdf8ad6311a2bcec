import { sql } from 'kysely';
import { notFound } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import type { RecordCtx } from '../../engine/records/record.service.ts';
import type { Row } from '../../engine/records/record-mapper.ts';
import { scopeWhere } from '../../engine/records/record-sql.ts';

/** A lead in the caller's data scope, locked for update; out of scope or unknown is 404. */
export async function lockLead(ctx: RecordCtx, id: string): Promise<Row> {
  if (!isUuid(id)) throw notFound('lead');
  const row = (
    await sql<Row>`select r.* from leads r where r.tenant_id = ${ctx.principal.tenantId} and r.deleted_at is null
      and ${scopeWhere(ctx.principal, ctx.obj)} and r.id = ${id} for update`.execute(ctx.tx)
  ).rows[0];
  if (!row) throw notFound('lead');
  return row;
}
