import { sql } from 'kysely';
import { writeAudit, writeAuditMany } from '../../core/audit/audit.ts';
import { can } from '../../core/auth/principal.ts';
import { AppError, conflict, forbidden, invalid, notFound } from '../../core/errors.ts';
import { emitEvents } from '../../core/events/outbox.ts';
import { isUuid } from '../../core/ids.ts';
import { type DeleteItem, hasDeleteHooks, runBeforeDelete } from './object-hooks.ts';
import { type RecordCtx, table } from './record-ctx.ts';
import { type RecordOut, type Row, rawValue } from './record-mapper.ts';
import { getRecord, loadRow } from './record-read.service.ts';
import { baseWhere, scopeWhere } from './record-sql.ts';
import { type CreateOptions, rowErrors, type WriteResult } from './record-write.service.ts';
import { claimStoredValues, releaseUniqueValues, uniqueFields } from './unique-values.ts';

/** A record's lifecycle after it is written: soft delete, restore, and audited unmasking. */
export async function deleteRecords(
  ctx: RecordCtx,
  ids: string[],
  opts: CreateOptions = {},
): Promise<WriteResult[]> {
  const { obj, principal } = ctx;
  const atomic = opts.atomic ?? true;
  let valid = ids.filter(isUuid);
  const refused = new Map<string, DeleteItem>();
  if (valid.length && hasDeleteHooks(obj.apiName)) {
    // Rows are locked while hooks judge them, so nothing (an approval starting, say) can change
    // what they decided on before the delete commits.
    const rows = (
      await sql<Row>`select r.* from ${table(obj)} where ${baseWhere(obj, principal.tenantId)} and ${scopeWhere(principal, obj)}
        and r.id = any(${valid}::uuid[]) order by r.id for update`.execute(ctx.tx)
    ).rows;
    const items: DeleteItem[] = rows.map((row) => ({
      index: ids.indexOf(row.id),
      id: row.id,
      existing: row,
      errors: [],
    }));
    await runBeforeDelete(ctx, items);
    for (const it of items) if (it.errors.length) refused.set(it.id, it);
    if (atomic && refused.size) {
      const first = [...refused.values()][0]!.errors[0]!;
      throw new AppError('conflict', 409, {
        detailKey: first.message ?? 'conflict.in_use',
        params: { what: obj.label[principal.locale] },
        errors: [...refused.values()].flatMap((it) =>
          it.errors.map((e) => ({
            ...e,
            field: ids.length > 1 ? `records[${it.index}].${e.field}` : e.field,
          })),
        ),
        extra: { reason: first.code },
      });
    }
    valid = valid.filter((id) => !refused.has(id));
  }
  const deleted = valid.length
    ? (
        await sql<{
          id: string;
        }>`update ${sql.table(obj.table)} as r set deleted_at = now(), version = version + 1, updated_at = now(), updated_by = ${principal.userId}
          where ${baseWhere(obj, principal.tenantId)} and ${scopeWhere(principal, obj)} and r.id = any(${valid}::uuid[]) returning r.id`.execute(
          ctx.tx,
        )
      ).rows.map((r) => r.id)
    : [];
  const done = new Set(deleted);
  if (uniqueFields(obj).length) await releaseUniqueValues(ctx.tx, principal.tenantId, obj, deleted);
  if (atomic && done.size !== ids.length) {
    if (ids.length === 1) throw notFound(obj.apiName);
    rowErrors(
      ids
        .map((id, i) => ({ index: i, id }))
        .filter((x) => !done.has(x.id))
        .map((x) => ({ index: x.index, errors: [{ field: 'id', code: 'not_found' }] })),
    );
  }
  await writeAuditMany(
    ctx.tx,
    ctx.actor,
    deleted.map((id) => ({ action: 'delete', object: obj.apiName, recordId: id })),
  );
  await emitEvents(
    ctx.tx,
    principal.tenantId,
    deleted.map((id) => ({
      type: `${obj.apiName}.deleted`,
      object: obj.apiName,
      recordId: id,
      payload: { id },
    })),
  );
  return ids.map((id, i) => {
    if (done.has(id)) return { index: i, ok: true, id };
    const no = refused.get(id);
    return no
      ? { index: i, ok: false, code: 'conflict', errors: no.errors }
      : { index: i, ok: false, code: 'not_found' };
  });
}

export async function restoreRecord(ctx: RecordCtx, id: string): Promise<RecordOut> {
  const row = await loadRow(ctx, id, { deleted: true, forUpdate: true });
  // The value may have gone to another record while this one was in the bin.
  const refused = await claimStoredValues(ctx.tx, ctx.principal.tenantId, ctx.obj, [row.id]);
  if (refused.length) {
    const f = ctx.obj.fields.find((x) => x.apiName === refused[0]!.field)!;
    throw conflict(
      'conflict.unique',
      { field: f.label[ctx.principal.locale] },
      refused.map((r) => ({ field: r.field, code: 'unique' })),
    );
  }
  await sql`update ${sql.table(ctx.obj.table)} set deleted_at = null, version = version + 1, updated_at = now(), updated_by = ${ctx.principal.userId}
    where tenant_id = ${ctx.principal.tenantId} and id = ${row.id}`.execute(ctx.tx);
  await writeAudit(ctx.tx, ctx.actor, { action: 'restore', object: ctx.obj.apiName, recordId: row.id });
  await emitEvents(ctx.tx, ctx.principal.tenantId, [
    {
      type: `${ctx.obj.apiName}.restored`,
      object: ctx.obj.apiName,
      recordId: row.id,
      payload: { id: row.id },
    },
  ]);
  return getRecord(ctx, id);
}

/** R13.3: revealing a masked value is its own permission and always leaves an audit row. */
export async function unmaskField(
  ctx: RecordCtx,
  id: string,
  fieldName: string,
): Promise<{ value: unknown }> {
  if (!can(ctx.principal, `${ctx.obj.apiName}:unmask`)) throw forbidden(`${ctx.obj.apiName}:unmask`);
  const f = ctx.obj.fields.find((x) => x.apiName === fieldName);
  const a = f ? ctx.access.get(f.apiName) : 'hidden';
  if (!f || a === 'hidden') throw invalid([{ field: 'field', code: 'hidden_field' }]);
  const row = await loadRow(ctx, id);
  await writeAudit(ctx.tx, ctx.actor, {
    action: 'unmask',
    object: ctx.obj.apiName,
    recordId: row.id,
    meta: { field: f.apiName },
  });
  return { value: rawValue(ctx.obj, f, row) };
}
