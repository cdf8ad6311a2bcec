import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../../core/audit/audit.ts';
import { can, type Principal } from '../../../core/auth/principal.ts';
import type { Db } from '../../../core/db/database.ts';
import { inTenant, type Tx } from '../../../core/db/tenant-scope.ts';
import { AppError, badRequest, type FieldError, invalid, notFound } from '../../../core/errors.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { t } from '../../../core/i18n/messages.ts';
import { newId } from '../../../core/ids.ts';
import { enqueue } from '../../../core/jobs/queue.ts';
import type { FieldDef } from '../field-types.ts';
import type { ObjectDef } from '../object-def.ts';
import { type RecordCtx, recordCtx } from '../record.service.ts';
import {
  CsvStructureCheck,
  chunkStream,
  type FileEncoding,
  type FileFormat,
  FileFormatError,
  headAndSample,
  sniffFormat,
  Utf8Check,
} from './file-reader.ts';

export const IMPORT_QUEUE = 'records.import';
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
export const CHUNK_BYTES = 1024 * 1024;
const SAMPLE_ROWS = 20;

export interface ImportRow {
  tenant_id: string;
  id: string;
  object: string;
  filename: string;
  format: FileFormat;
  encoding: FileEncoding;
  size_bytes: number;
  headers: string[];
  status: 'uploaded' | 'running' | 'done' | 'failed';
  mapping: Record<string, string> | null;
  dedupe_key: string | null;
  mode: 'create' | 'upsert';
  dry_run: boolean;
  total_rows: number | null;
  total_exact: boolean;
  processed_rows: number;
  created_count: number;
  updated_count: number;
  failed_count: number;
  error: string | null;
  created_by: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  locale: Locale;
  /** Set when an API key started the run: the job writes within the key's scopes. */
  api_key_id: string | null;
  api_scopes: string[] | null;
}

export interface ImportStatus {
  id: string;
  object: string;
  filename: string;
  format: FileFormat;
  encoding: FileEncoding;
  status: ImportRow['status'];
  mode: ImportRow['mode'];
  dedupeKey: string | null;
  dryRun: boolean;
  totalRows: number | null;
  totalExact: boolean;
  processedRows: number;
  created: number;
  updated: number;
  failed: number;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function toStatus(r: ImportRow): ImportStatus {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: r.id,
    object: r.object,
    filename: r.filename,
    format: r.format,
    encoding: r.encoding,
    status: r.status,
    mode: r.mode,
    dedupeKey: r.dedupe_key,
    dryRun: r.dry_run,
    totalRows: r.total_rows,
    totalExact: r.total_exact,
    processedRows: r.processed_rows,
    created: r.created_count,
    updated: r.updated_count,
    failed: r.failed_count,
    error: r.error,
    createdAt: new Date(r.created_at).toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

// ---------------------------------------------------------------- mapping

/** Fields an import may write: what the API lets this caller write, owner and unit included. */
export function importableFields(ctx: Pick<RecordCtx, 'obj' | 'access'>): FieldDef[] {
  return ctx.obj.fields.filter(
    (f) =>
      ctx.access.get(f.apiName) !== 'hidden' &&
      ((!f.system && !f.readOnly) || f.apiName === 'ownerId' || f.apiName === 'unitId'),
  );
}

const norm = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-*:：()（）]/g, '')
    .replace(/必填|required/g, '');

/** Header → field by zh-CN/en-US label or apiName, ignoring case, spaces and "*" marks. */
export function suggestMapping(headers: string[], fields: FieldDef[]): Record<string, string | null> {
  const byKey = new Map<string, string>();
  for (const f of fields)
    for (const k of [f.apiName, f.label['zh-CN'], f.label['en-US']])
      if (k && !byKey.has(norm(k))) byKey.set(norm(k), f.apiName);
  const used = new Set<string>();
  const out: Record<string, string | null> = {};
  for (const h of headers) {
    const f = byKey.get(norm(h));
    out[h] = f && !used.has(f) ? f : null;
    if (f) used.add(f);
  }
  return out;
}

// ---------------------------------------------------------------- upload

export interface UploadResult {
  id: string;
  headers: string[];
  sample: string[][];
  encoding: FileEncoding;
  format: FileFormat;
  totalRows: number | null;
  suggestedMapping: Record<string, string | null>;
}

const tooLarge = () =>
  new AppError('payload_too_large', 413, { detailKey: 'payload_too_large', params: { limit: '512 MiB' } });

const REASONS: Record<string, Record<Locale, string>> = {
  CSV_QUOTE_NOT_CLOSED: {
    'zh-CN': '第 {line} 行的引号没有闭合',
    'en-US': 'the quote opened on line {line} is never closed',
  },
  CSV_INVALID_CLOSING_QUOTE: {
    'zh-CN': '第 {line} 行的引号后有多余字符',
    'en-US': 'unexpected characters after a closing quote on line {line}',
  },
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: {
    'zh-CN': '第 {line} 行的引号后有多余字符',
    'en-US': 'unexpected characters after a closing quote on line {line}',
  },
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: {
    'zh-CN': '第 {line} 行的列数与表头不一致',
    'en-US': 'line {line} has a different number of columns than the header',
  },
  XLSX_INVALID: { 'zh-CN': '不是有效的 XLSX 文件', 'en-US': 'not a valid XLSX file' },
  XLS_UNSUPPORTED: {
    'zh-CN': '不支持旧版 .xls 格式，请另存为 .xlsx 或 CSV',
    'en-US': 'legacy .xls is not supported; save as .xlsx or CSV',
  },
  EMPTY: { 'zh-CN': '文件为空或没有表头', 'en-US': 'the file is empty or has no header row' },
  NOT_A_FILE: {
    'zh-CN': '请以 text/csv 或 xlsx 类型上传文件内容',
    'en-US': 'upload the file content as text/csv or an xlsx type',
  },
  DUPLICATE_HEADER: { 'zh-CN': '表头“{header}”重复', 'en-US': 'the header "{header}" appears twice' },
};

export function fileProblem(reason: string, locale: Locale, params: Record<string, unknown> = {}): AppError {
  const template =
    REASONS[reason]?.[locale] ??
    (locale === 'zh-CN' ? `格式错误（${reason}）` : `malformed file (${reason})`);
  const text = template.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
  const line = typeof params.line === 'number' ? params.line : undefined;
  return new AppError('bad_request', 400, {
    detailKey: 'bad_request.file',
    params: { reason: text },
    extra: { reason, ...(line ? { line } : {}) },
  });
}

async function deleteChunks(db: Db, tenantId: string, id: string) {
  await inTenant(db, tenantId, (tx) =>
    sql`delete from import_chunks where tenant_id = ${tenantId} and import_id = ${id}`.execute(tx),
  );
}

/**
 * Streams an upload into `import_chunks` while checking it: size cap, format by magic bytes,
 * UTF-8 validity over the whole file (else GB18030), CSV structure and row count. Only the
 * first chunk stays in memory, to read the header and sample rows in the right encoding.
 */
export async function uploadImport(
  db: Db,
  principal: Principal,
  locale: Locale,
  object: string,
  filename: string,
  body: unknown,
  declaredLength: number | null,
): Promise<UploadResult> {
  const tenantId = principal.tenantId;
  const actor: Actor = { tenantId, actorId: principal.userId, actorKind: principal.kind };
  const ctx = await inTenant(db, tenantId, (tx) => recordCtx(tx, principal, actor, object), {
    readOnly: true,
  });
  if (declaredLength !== null && declaredLength > MAX_UPLOAD_BYTES) throw tooLarge();
  if (!(body instanceof Readable)) throw fileProblem('NOT_A_FILE', locale);

  const id = newId();
  let seq = 0;
  let size = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let first: Buffer | null = null;
  let format: FileFormat | 'xls' | null = null;
  const utf8 = new Utf8Check();
  const structure = new CsvStructureCheck();
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    first ??= data;
    const s = seq++;
    await inTenant(db, tenantId, (tx) =>
      sql`insert into import_chunks (tenant_id, import_id, seq, data) values (${tenantId}, ${id}, ${s}, ${data})`.execute(
        tx,
      ),
    );
  };
  try {
    for await (const piece of body) {
      const buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array);
      size += buf.length;
      if (size > MAX_UPLOAD_BYTES) throw tooLarge();
      if (format === null) {
        format = sniffFormat(buf, filename);
        if (format === 'xls') throw fileProblem('XLS_UNSUPPORTED', locale);
      }
      if (format === 'csv') {
        utf8.push(buf);
        structure.push(buf);
      }
      pending.push(buf);
      pendingBytes += buf.length;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    await flush();
    if (size === 0 || !first) throw fileProblem('EMPTY', locale);
    const fmt = format as FileFormat;
    let encoding: FileEncoding = 'utf-8';
    let totalRows: number | null = null;
    let head: { headers: string[]; sample: string[][] };
    if (fmt === 'csv') {
      utf8.end();
      await structure.end();
      if (structure.error) throw fileProblem(structure.error.reason, locale, { line: structure.error.line });
      const bom = (first as Buffer).subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]));
      encoding = utf8.valid ? (bom ? 'utf-8-bom' : 'utf-8') : 'gb18030';
      totalRows = structure.rows;
      head = await headAndSample(Readable.from([first]), 'csv', encoding, SAMPLE_ROWS);
    } else {
      try {
        head = await headAndSample(chunkStream(db, tenantId, id), 'xlsx', encoding, SAMPLE_ROWS);
      } catch {
        throw fileProblem('XLSX_INVALID', locale);
      }
    }
    const headers = head.headers;
    if (headers.length === 0 || headers.every((h) => h === '')) throw fileProblem('EMPTY', locale);
    const dup = headers.find((h, i) => h !== '' && headers.indexOf(h) !== i);
    if (dup) throw fileProblem('DUPLICATE_HEADER', locale, { header: dup });
    await inTenant(db, tenantId, (tx) =>
      sql`insert into imports (tenant_id, id, object, filename, format, encoding, size_bytes, headers, total_rows, total_exact, created_by, locale)
        values (${tenantId}, ${id}, ${ctx.obj.apiName}, ${filename.slice(0, 255)}, ${fmt}, ${encoding}, ${size}, ${JSON.stringify(headers)}::jsonb,
          ${totalRows}, ${totalRows !== null}, ${principal.userId}, ${locale})`.execute(tx),
    );
    return {
      id,
      headers,
      sample: head.sample,
      encoding,
      format: fmt,
      totalRows,
      suggestedMapping: suggestMapping(headers, importableFields(ctx)),
    };
  } catch (err) {
    await deleteChunks(db, tenantId, id).catch(() => {});
    if (err instanceof FileFormatError) throw fileProblem(err.reason, locale, { line: err.line });
    throw err;
  }
}

// ---------------------------------------------------------------- status, list, start

/** An import is visible to the user who uploaded it and to administrators; other ids are 404. */
export async function loadImport(
  tx: Tx,
  principal: Principal,
  object: string,
  id: string,
  lock = false,
): Promise<ImportRow> {
  const row = (
    await sql<ImportRow>`select * from imports where tenant_id = ${principal.tenantId} and id = ${id} and object = ${object}
      ${lock ? sql`for update` : sql``}`.execute(tx)
  ).rows[0];
  if (!row || (row.created_by !== principal.userId && !can(principal, '*'))) throw notFound('import');
  return row;
}

export async function listImports(tx: Tx, principal: Principal, object: string): Promise<ImportStatus[]> {
  const mine = can(principal, '*') ? sql`true` : sql`created_by = ${principal.userId}`;
  const rows = (
    await sql<ImportRow>`select * from imports where tenant_id = ${principal.tenantId} and object = ${object} and ${mine}
      order by created_at desc limit 50`.execute(tx)
  ).rows;
  return rows.map(toStatus);
}

export interface StartInput {
  mapping: Record<string, string | null>;
  dedupeKey?: string;
  mode: 'create' | 'upsert';
  dryRun: boolean;
}

export async function startImport(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  locale: Locale,
  object: string,
  id: string,
  input: StartInput,
): Promise<ImportStatus> {
  const ctx = await recordCtx(tx, principal, actor, object);
  const row = await loadImport(tx, principal, ctx.obj.apiName, id, true);
  // A finished dry run may be followed by the real run of the same file.
  const restartable =
    row.status === 'uploaded' || row.status === 'failed' || (row.status === 'done' && row.dry_run);
  if (!restartable) throw badRequest('bad_request.import_state', { status: row.status });
  const mapping = validateMapping(ctx, row.headers, input);
  await sql`delete from import_errors where tenant_id = ${principal.tenantId} and import_id = ${id}`.execute(
    tx,
  );
  await sql`delete from import_batches where tenant_id = ${principal.tenantId} and import_id = ${id}`.execute(
    tx,
  );
  const jobId = await enqueue(
    tx,
    principal.tenantId,
    IMPORT_QUEUE,
    { importId: id },
    { maxAttempts: MAX_ATTEMPTS },
  );
  const updated = (
    await sql<ImportRow>`update imports set status = 'running', mapping = ${JSON.stringify(mapping)}::jsonb, dedupe_key = ${input.dedupeKey ?? null},
      mode = ${input.mode}, dry_run = ${input.dryRun}, processed_rows = 0, created_count = 0, updated_count = 0, failed_count = 0,
      error = null, started_at = now(), finished_at = null, job_id = ${jobId}, locale = ${locale},
      api_key_id = ${principal.apiKeyId ?? null}, api_scopes = ${principal.apiScopes ?? null}::text[],
      total_rows = case when total_exact then total_rows else null end
      where tenant_id = ${principal.tenantId} and id = ${id} returning *`.execute(tx)
  ).rows[0]!;
  await writeAudit(tx, actor, {
    action: 'import',
    object: ctx.obj.apiName,
    meta: {
      phase: 'start',
      importId: id,
      filename: row.filename,
      format: row.format,
      mode: input.mode,
      dryRun: input.dryRun,
      dedupeKey: input.dedupeKey ?? null,
      mapping,
    },
  });
  return toStatus(updated);
}

export const MAX_ATTEMPTS = 5;

function validateMapping(ctx: RecordCtx, headers: string[], input: StartInput): Record<string, string> {
  const errors: FieldError[] = [];
  const allowed = new Map(importableFields(ctx).map((f) => [f.apiName, f]));
  const out: Record<string, string> = {};
  const used = new Set<string>();
  for (const [header, field] of Object.entries(input.mapping)) {
    if (!field) continue;
    const key = `mapping.${header}`;
    if (!headers.includes(header)) errors.push({ field: key, code: 'unknown_field' });
    else if (!allowed.has(field)) {
      const f = ctx.obj.fields.find((x) => x.apiName === field);
      errors.push({
        field: key,
        code: !f ? 'unknown_field' : ctx.access.get(field) === 'hidden' ? 'hidden_field' : 'read_only',
      });
    } else if (used.has(field)) errors.push({ field: key, code: 'unique' });
    else {
      used.add(field);
      out[header] = field;
    }
  }
  if (input.dedupeKey !== undefined && !used.has(input.dedupeKey))
    errors.push({ field: 'dedupeKey', code: 'unknown_field' });
  if (input.mode === 'upsert' && !input.dedupeKey) errors.push({ field: 'dedupeKey', code: 'required' });
  if (Object.keys(out).length === 0 && errors.length === 0)
    errors.push({ field: 'mapping', code: 'required' });
  if (errors.length) throw invalid(errors);
  return out;
}

// ---------------------------------------------------------------- error report

export const errorLine = (locale: Locale, code: string, params?: Record<string, unknown>) =>
  t(locale, code, params ?? {});

export async function* errorRows(
  db: Db,
  principal: Principal,
  importId: string,
): AsyncGenerator<{ line: number; field: string; message: string; raw: string[] | null }[]> {
  let after: [number, string] = [-1, ''];
  for (;;) {
    const rows = await inTenant(
      db,
      principal.tenantId,
      async (tx) =>
        (
          await sql<{ line: number; field: string; message: string; raw: string[] | null }>`
            select line, field, message, raw from import_errors where tenant_id = ${principal.tenantId} and import_id = ${importId}
              and (line, field) > (${after[0]}, ${after[1]}) order by line, field limit 2000`.execute(tx)
        ).rows,
      { readOnly: true },
    );
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1]!;
    after = [last.line, last.field];
  }
}

export type { ObjectDef };
