import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../../core/audit/audit.ts';
import { loadPrincipal } from '../../../core/auth/access-loader.ts';
import { can, type Principal } from '../../../core/auth/principal.ts';
import type { Db } from '../../../core/db/database.ts';
import { inTenant, type Tx } from '../../../core/db/tenant-scope.ts';
import type { FieldError } from '../../../core/errors.ts';
import { t } from '../../../core/i18n/messages.ts';
import type { JobContext, JobHandler } from '../../../core/jobs/queue.ts';
import { coerceValue, type FieldDef } from '../field-types.ts';
import {
  createRecords,
  type RecordCtx,
  recordCtx,
  type UpdateInput,
  updateRecords,
  type WriteResult,
} from '../record.service.ts';
import { baseWhere, fieldExpr, scopeWhere, sqlType } from '../record-sql.ts';
import { rt } from '../records.messages.ts';
import { chunkStream, FileFormatError, type FileRow, fileRows } from './file-reader.ts';
import { fileProblem, type ImportRow, MAX_ATTEMPTS } from './import.service.ts';

export interface ImportJobPayload {
  importId: string;
}

/** Rows per transaction: one multi-row insert stays under PostgreSQL's 65 535 bind parameters. */
export const BATCH_ROWS = 1000;

export const importJob: JobHandler<ImportJobPayload> = (payload, ctx) =>
  runImport(ctx.db, ctx.tenantId, payload.importId, ctx);

interface RowError {
  line: number;
  field: string;
  code: string;
  params?: Record<string, unknown>;
  raw: string[];
}

interface BatchOutcome {
  created: number;
  updated: number;
  failed: number;
}

type JobHooks = Pick<JobContext, 'heartbeat' | 'attempt'> & {
  signal?: AbortSignal;
  /** Test hook: runs after each committed batch with the rows up to its end. */
  afterBatch?: (processed: number) => Promise<void> | void;
  concurrency?: number;
};

/**
 * Runs (or resumes) one import. Each batch of rows is one tenant transaction: the records,
 * their audit rows, the batch's error rows and the new `processed_rows` checkpoint commit
 * together, so a crash anywhere leaves whole batches only, and a re-run skips exactly the
 * rows already counted. In-file duplicate detection is rebuilt while skipping, so a resumed
 * run reports the same duplicates a straight run would.
 */
export async function runImport(db: Db, tenantId: string, importId: string, hooks: JobHooks): Promise<void> {
  const imp = await inTenant(
    db,
    tenantId,
    async (tx) =>
      (
        await sql<ImportRow>`select * from imports where tenant_id = ${tenantId} and id = ${importId}`.execute(
          tx,
        )
      ).rows[0],
    { readOnly: true },
  );
  if (imp?.status !== 'running' || !imp.mapping) return;
  const actor: Actor = {
    tenantId,
    actorId: imp.created_by,
    actorKind: imp.api_key_id ? 'api_key' : 'user',
    requestId: `import:${importId}`,
  };
  const authz = (
    await sql<{ authz_version: number }>`select authz_version from tenants where id = ${tenantId}`.execute(db)
  ).rows[0];
  const base = authz ? await loadPrincipal(db, tenantId, imp.created_by, authz.authz_version) : null;
  let principal: Principal | null = base ? { ...base, kind: 'user' } : null;
  if (principal && imp.api_key_id) {
    // The rows are written with no more rights than the key that started the import had.
    const key = await inTenant(
      db,
      tenantId,
      async (tx) =>
        (
          await sql<{
            revoked_at: Date | null;
          }>`select revoked_at from api_keys where tenant_id = ${tenantId} and id = ${imp.api_key_id}`.execute(
            tx,
          )
        ).rows[0],
      { readOnly: true },
    );
    if (!key || key.revoked_at) return finish(db, imp, actor, 'failed', rt(imp.locale, 'import_key_revoked'));
    principal = { ...principal, kind: 'api_key', apiKeyId: imp.api_key_id, apiScopes: imp.api_scopes ?? [] };
  }
  if (!principal || !can(principal, `${imp.object}:import`))
    return finish(db, imp, actor, 'failed', 'forbidden');
  // Import writes what its principal could write through the API: nothing to do without create
  // (and, when upserting, update) rights, so the whole import fails at once instead of row by row.
  const canCreate = can(principal, `${imp.object}:create`);
  if (!canCreate && (imp.mode === 'create' || !can(principal, `${imp.object}:update`))) {
    const denied = deniedError(principal, `${imp.object}:create`);
    return finish(db, imp, actor, 'failed', t(imp.locale, denied.code, denied.params));
  }

  try {
    await processFile(db, imp, principal, actor, hooks);
  } catch (err) {
    if (err instanceof FileFormatError) {
      const p = fileProblem(err.reason, imp.locale, { line: err.line });
      return finish(db, imp, actor, 'failed', t(imp.locale, 'bad_request.file', p.params));
    }
    // Transient failures are retried by the queue; the last attempt marks the import failed.
    if (hooks.attempt >= MAX_ATTEMPTS)
      await finish(db, imp, actor, 'failed', (err as Error).message.slice(0, 500));
    throw err;
  }
}

/**
 * Batches in flight at once. PostgreSQL works on batch n+1 while this process prepares batch
 * n+2: on a 2-core box that overlap is most of the speed-up. Safe because every batch commits
 * its own `import_batches` row and in-file duplicates are decided here, in file order, before
 * a batch is dispatched. PGlite has one connection, so there batches simply queue.
 */
const CONCURRENCY = Math.max(1, Number(process.env.KEHU_IMPORT_CONCURRENCY ?? 3));

interface PendingRow extends FileRow {
  /** Normalised dedupe value when this row is its first occurrence in the file. */
  key: string | null;
  /** Line of the earlier row with the same dedupe value. */
  duplicateOf?: number;
}

async function processFile(
  db: Db,
  imp: ImportRow,
  principal: Principal,
  actor: Actor,
  hooks: JobHooks,
): Promise<void> {
  const tenantId = imp.tenant_id;
  const mapping = imp.mapping!;
  let bytesRead = 0;
  const source = chunkStream(db, tenantId, imp.id, (_seq, n) => {
    bytesRead += n;
  });
  const rows = fileRows(source, imp.format, imp.encoding);
  const done = new Set(
    await inTenant(
      db,
      tenantId,
      async (tx) =>
        (
          await sql<{
            batch_no: number;
          }>`select batch_no from import_batches where tenant_id = ${tenantId} and import_id = ${imp.id}`.execute(
            tx,
          )
        ).rows.map((r) => r.batch_no),
      { readOnly: true },
    ),
  );
  let header: string[] | null = null;
  let columns: { index: number; field: string }[] = [];
  let dedupeField: FieldDef | null = null;
  let dedupeCol = -1;
  const seen = new Map<string, number>(); // dedupe key → first line with it
  let index = 0;
  let batch: PendingRow[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  const concurrency = hooks.concurrency ?? CONCURRENCY;

  const runBatch = async (batchNo: number, rowsNow: PendingRow[]) => {
    const estimate = imp.total_exact
      ? null
      : Math.max(index, Math.round((index * imp.size_bytes) / Math.max(bytesRead, 1)));
    await inTenant(db, tenantId, async (tx) => {
      const ctx = await recordCtx(tx, principal, actor, imp.object);
      const out = await importBatch(ctx, imp, columns, dedupeField, rowsNow);
      await sql`insert into import_batches (tenant_id, import_id, batch_no, rows) values (${tenantId}, ${imp.id}, ${batchNo}, ${rowsNow.length})`.execute(
        tx,
      );
      await sql`update imports set processed_rows = processed_rows + ${rowsNow.length}, created_count = created_count + ${out.created},
        updated_count = updated_count + ${out.updated}, failed_count = failed_count + ${out.failed}
        ${estimate !== null ? sql`, total_rows = greatest(${estimate}::int, processed_rows + ${rowsNow.length})` : sql``}
        where tenant_id = ${tenantId} and id = ${imp.id} and status = 'running'`.execute(tx);
    });
    await hooks.heartbeat();
    await hooks.afterBatch?.((batchNo + 1) * BATCH_ROWS);
  };

  const dispatch = async () => {
    if (batch.length === 0) return;
    const batchNo = Math.floor((index - 1) / BATCH_ROWS);
    const rowsNow = batch;
    batch = [];
    if (done.has(batchNo)) return; // committed before a crash
    const p: Promise<void> = runBatch(batchNo, rowsNow)
      .catch((err) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) throw failure;
    if (hooks.signal?.aborted) throw new Error('import interrupted by shutdown');
  };

  try {
    for await (const row of rows) {
      if (!header) {
        header = row.cells.map((c) => c.trim());
        // Metadata comes from a short read here; each batch re-reads it inside its own transaction.
        const meta = await inTenant(db, tenantId, (tx) => recordCtx(tx, principal, actor, imp.object), {
          readOnly: true,
        });
        const fields = meta.obj.fields;
        columns = Object.entries(mapping).flatMap(([h, field]) => {
          const i = header!.indexOf(h);
          return i >= 0 && fields.some((f) => f.apiName === field) ? [{ index: i, field }] : [];
        });
        dedupeField = imp.dedupe_key ? (fields.find((f) => f.apiName === imp.dedupe_key) ?? null) : null;
        dedupeCol = dedupeField ? (columns.find((c) => c.field === dedupeField!.apiName)?.index ?? -1) : -1;
        continue;
      }
      index++;
      const pending: PendingRow = { ...row, key: null };
      // In-file duplicates are decided in file order, also for batches already committed.
      if (dedupeField && dedupeCol >= 0) {
        const k = dedupeKeyOf(dedupeField, row.cells[dedupeCol]);
        if (k !== null) {
          const first = seen.get(k);
          if (first !== undefined) pending.duplicateOf = first;
          else {
            seen.set(k, row.line);
            pending.key = k;
          }
        }
      }
      batch.push(pending);
      if (batch.length >= BATCH_ROWS) await dispatch();
    }
    await dispatch();
  } finally {
    await Promise.allSettled([...inFlight]);
  }
  if (failure) throw failure;
  await finish(db, imp, actor, 'done', null, index);
}

/** The row error for a write this principal may not make (an API key's scope, or a missing permission). */
function deniedError(p: Principal, permission: string): { code: string; params: Record<string, unknown> } {
  return p.kind === 'api_key' && can({ ...p, apiScopes: undefined }, permission)
    ? { code: 'auth.scope', params: { scope: permission } }
    : { code: 'forbidden', params: { permission } };
}

/** The normalised value a row is deduplicated on (phones as stored), or null when it has none. */
function dedupeKeyOf(f: FieldDef, raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  const r = coerceValue(f, raw);
  if (!r.ok || r.value === null) return null;
  return typeof r.value === 'string' ? r.value : JSON.stringify(r.value);
}

async function importBatch(
  ctx: RecordCtx,
  imp: ImportRow,
  columns: { index: number; field: string }[],
  dedupeField: FieldDef | null,
  rows: PendingRow[],
): Promise<BatchOutcome> {
  const errors: RowError[] = [];
  const failedLines = new Set<number>();
  const fail = (row: FileRow, e: Omit<RowError, 'line' | 'raw'>) => {
    errors.push({ line: row.line, raw: row.cells, ...e });
    failedLines.add(row.line);
  };
  // Empty cells mean "no value given": defaults apply on create and upserts leave the field as it is.
  const inputs = rows.map((row) => {
    const input: Record<string, unknown> = {};
    for (const c of columns) {
      const v = row.cells[c.index];
      if (v !== undefined && v.trim() !== '') input[c.field] = v;
    }
    return input;
  });
  for (const row of rows)
    if (row.duplicateOf !== undefined)
      fail(row, {
        field: dedupeField!.apiName,
        code: 'duplicate_in_file',
        params: { line: row.duplicateOf },
      });
  const keys = rows.map((r) => r.key);
  const existing = dedupeField
    ? await findExisting(
        ctx,
        dedupeField,
        keys.filter((k): k is string => k !== null),
      )
    : new Map<string, string>();

  const creates: { i: number; input: Record<string, unknown> }[] = [];
  const updates: { i: number; input: UpdateInput }[] = [];
  const mayCreate = can(ctx.principal, `${ctx.obj.apiName}:create`);
  const mayUpdate = can(ctx.principal, `${ctx.obj.apiName}:update`);
  rows.forEach((row, i) => {
    if (failedLines.has(row.line)) return;
    const k = keys[i];
    const id = k != null ? existing.get(k) : undefined;
    if (id && imp.mode === 'upsert') {
      if (mayUpdate) updates.push({ i, input: { id, changes: inputs[i]! } });
      else fail(row, { field: '', ...deniedError(ctx.principal, `${ctx.obj.apiName}:update`) });
    } else if (id) fail(row, { field: dedupeField!.apiName, code: 'unique' });
    else if (mayCreate) creates.push({ i, input: inputs[i]! });
    else fail(row, { field: '', ...deniedError(ctx.principal, `${ctx.obj.apiName}:create`) });
  });

  // A dry run does everything a real run does, then rolls its writes back: the report is exact.
  if (imp.dry_run) await sql`savepoint import_dry_run`.execute(ctx.tx);
  const collect = (list: { i: number }[], results: WriteResult[]) => {
    let ok = 0;
    results.forEach((r, j) => {
      const row = rows[list[j]!.i]!;
      if (r.ok) {
        ok++;
        return;
      }
      const errs: FieldError[] = r.errors?.length
        ? r.errors
        : [{ field: '', code: r.code ?? 'not_found', params: { what: ctx.obj.apiName } }];
      for (const e of errs) fail(row, { field: e.field, code: e.code, params: e.params });
    });
    return ok;
  };
  const created = creates.length
    ? collect(
        creates,
        await createRecords(
          ctx,
          creates.map((c) => c.input),
          { atomic: false, via: 'import' },
        ),
      )
    : 0;
  const updated = updates.length
    ? collect(
        updates,
        await updateRecords(
          ctx,
          updates.map((u) => u.input),
          { atomic: false, via: 'import' },
        ),
      )
    : 0;
  if (imp.dry_run) await sql`rollback to savepoint import_dry_run`.execute(ctx.tx);

  await writeErrors(ctx.tx, imp, errors);
  return { created, updated, failed: failedLines.size };
}

/** Existing records in the caller's scope with these dedupe values: one query per batch. */
async function findExisting(ctx: RecordCtx, f: FieldDef, keys: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (keys.length === 0) return out;
  const type = sqlType(f);
  const expr = fieldExpr(ctx.obj, f);
  const keyExpr = type === 'text' ? expr : sql`${expr}::text`;
  const rows = (
    await sql<{ id: string; k: string }>`select r.id, ${keyExpr} as k from ${sql.table(ctx.obj.table)} as r
      where ${baseWhere(ctx.obj, ctx.principal.tenantId)} and ${scopeWhere(ctx.principal, ctx.obj)}
        and ${keyExpr} = any(${keys}::text[]) order by r.created_at, r.id`.execute(ctx.tx)
  ).rows;
  for (const r of rows) if (!out.has(r.k)) out.set(r.k, r.id);
  return out;
}

async function writeErrors(tx: Tx, imp: ImportRow, errors: RowError[]): Promise<void> {
  if (errors.length === 0) return;
  const unique = new Map<string, RowError>();
  for (const e of errors)
    if (!unique.has(`${e.line}\u0000${e.field}`)) unique.set(`${e.line}\u0000${e.field}`, e);
  const list = [...unique.values()];
  for (let i = 0; i < list.length; i += 2000) {
    const values = list
      .slice(i, i + 2000)
      .map(
        (e) =>
          sql`(${imp.tenant_id}, ${imp.id}, ${e.line}, ${e.field}, ${t(imp.locale, e.code, e.params ?? {})}, ${JSON.stringify(e.raw)}::jsonb)`,
      );
    await sql`insert into import_errors (tenant_id, import_id, line, field, message, raw) values ${sql.join(values)}
      on conflict do nothing`.execute(tx);
  }
}

async function finish(
  db: Db,
  imp: ImportRow,
  actor: Actor,
  status: 'done' | 'failed',
  error: string | null,
  totalRows?: number,
): Promise<void> {
  await inTenant(db, imp.tenant_id, async (tx) => {
    const row = (
      await sql<ImportRow>`update imports set status = ${status}, error = ${error}, finished_at = now(),
        total_rows = coalesce(${totalRows ?? null}::int, total_rows), total_exact = total_exact or ${totalRows !== undefined}
        where tenant_id = ${imp.tenant_id} and id = ${imp.id} and status = 'running' returning *`.execute(tx)
    ).rows[0];
    if (!row) return; // someone else finished it
    await writeAudit(tx, actor, {
      action: 'import',
      object: imp.object,
      meta: {
        phase: 'finish',
        importId: imp.id,
        status,
        dryRun: row.dry_run,
        totalRows: row.total_rows,
        processedRows: row.processed_rows,
        created: row.created_count,
        updated: row.updated_count,
        failed: row.failed_count,
        ...(error ? { error } : {}),
      },
    });
  });
}
