import { type RawBuilder, sql } from 'kysely';
import { type AuditEntry, type FieldChange, writeAuditMany } from '../../core/audit/audit.ts';
import { rowScope } from '../../core/auth/principal.ts';
import { conflict, type FieldError, invalid, notFound } from '../../core/errors.ts';
import { kickDispatcher } from '../../core/events/dispatcher.ts';
import { emitEvents, type NewEvent } from '../../core/events/outbox.ts';
import { isUuid, newId } from '../../core/ids.ts';
import { coerceValue, type FieldDef, maskValue } from './field-types.ts';
import type { ObjectDef } from './object-def.ts';
import { runAfterWrite, runBeforeWrite, type WrittenItem } from './object-hooks.ts';
import { type RecordCtx, table } from './record-ctx.ts';
import { type RecordOut, type Row, rawValue } from './record-mapper.ts';
import { getRecord } from './record-read.service.ts';
import { baseWhere, scopeWhere } from './record-sql.ts';
import { claimUniqueValues, type Refused, releaseUniqueValues, uniqueFields } from './unique-values.ts';

/** Writing records: validation, references, unique values, hooks, audit and events in the write's transaction. */

interface Prepared {
  index: number;
  values: Record<string, unknown>;
  errors: FieldError[];
  existing: Row | null;
}

const SYSTEM_WRITABLE = new Set(['ownerId', 'unitId']);

/** Validates and normalises one input against the object's fields (no database access). */
function prepare(
  ctx: RecordCtx,
  index: number,
  input: Record<string, unknown>,
  existing: Row | null,
  trusted = false,
): Prepared {
  const values: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { index, values, existing, errors: [{ field: '', code: 'type', params: { expected: 'object' } }] };
  }
  for (const [key, raw] of Object.entries(input)) {
    // `version` is the concurrency token of an update (compared by the caller); on create it is tampering.
    if ((key === 'version' && existing) || key === '_display' || key === '_masked' || key === 'deletedAt')
      continue;
    const f = ctx.obj.fields.find((x) => x.apiName === key);
    if (!f) {
      errors.push({ field: key, code: 'unknown_field' });
      continue;
    }
    if ((f.system && !SYSTEM_WRITABLE.has(key)) || (f.readOnly && !trusted)) {
      if (existing && JSON.stringify(rawValue(ctx.obj, f, existing)) === JSON.stringify(raw)) continue;
      errors.push({ field: key, code: 'read_only' });
      continue;
    }
    const a = ctx.access.get(key);
    if (a === 'hidden') {
      errors.push({ field: key, code: 'hidden_field' });
      continue;
    }
    if (a === 'masked' && existing && raw !== null && raw === maskValue(f, rawValue(ctx.obj, f, existing)))
      continue;
    const r = coerceValue(f, raw);
    if (!r.ok) errors.push({ field: key, ...r.error });
    else values[key] = r.value;
  }
  for (const f of ctx.obj.fields) {
    if (f.system) continue;
    if (
      !existing &&
      values[f.apiName] === undefined &&
      f.defaultValue !== null &&
      f.defaultValue !== undefined
    )
      values[f.apiName] = f.defaultValue;
    const now =
      values[f.apiName] !== undefined ? values[f.apiName] : existing ? rawValue(ctx.obj, f, existing) : null;
    if (
      f.required &&
      (now === null || now === undefined || (Array.isArray(now) && now.length === 0)) &&
      !errors.some((e) => e.field === f.apiName)
    )
      errors.push({ field: f.apiName, code: 'required' });
  }
  return { index, values, errors, existing };
}

/**
 * Database checks for a batch: owner and unit within the caller's scope (mass-assignment
 * guard), lookups pointing at records the caller can see, unique custom fields.
 */
async function checkReferences(ctx: RecordCtx, items: Prepared[]): Promise<void> {
  const { tx, principal } = ctx;
  const tenantId = principal.tenantId;
  const scope = rowScope(principal, ctx.obj.apiName);
  const ownerIds = new Set<string>();
  for (const p of items) if (typeof p.values.ownerId === 'string') ownerIds.add(p.values.ownerId);
  const owners = new Map<string, string>();
  if (ownerIds.size) {
    const rows = (
      await sql<{
        id: string;
        unit_id: string;
      }>`select id, unit_id from users where tenant_id = ${tenantId} and id = any(${[...ownerIds]}::uuid[]) and status = 'active'`.execute(
        tx,
      )
    ).rows;
    for (const r of rows) owners.set(r.id, r.unit_id);
  }
  for (const p of items) {
    const o = p.values.ownerId as string | null | undefined;
    if (o === undefined) continue;
    const ownerUnit = o ? owners.get(o) : undefined;
    if (!o || !ownerUnit) p.errors.push({ field: 'ownerId', code: 'lookup_missing' });
    else if (
      scope.ownerId ? o !== principal.userId : scope.unitIds !== null && !scope.unitIds.includes(ownerUnit)
    )
      p.errors.push({ field: 'ownerId', code: 'out_of_scope' });
    // A record follows its new owner into the owner's unit unless a unit is given.
    else if (p.values.unitId === undefined) p.values.unitId = ownerUnit;
  }
  const unitIds = new Set<string>();
  for (const p of items) if (typeof p.values.unitId === 'string') unitIds.add(p.values.unitId);
  const knownUnits = new Set<string>();
  if (unitIds.size) {
    const rows = (
      await sql<{
        id: string;
      }>`select id from units where tenant_id = ${tenantId} and id = any(${[...unitIds]}::uuid[]) and deleted_at is null`.execute(
        tx,
      )
    ).rows;
    for (const r of rows) knownUnits.add(r.id);
  }
  for (const p of items) {
    const u = p.values.unitId as string | null | undefined;
    if (u === undefined) continue;
    if (!u || !knownUnits.has(u)) p.errors.push({ field: 'unitId', code: 'lookup_missing' });
    else if (scope.unitIds !== null && (scope.ownerId ? u !== principal.unitId : !scope.unitIds.includes(u)))
      p.errors.push({ field: 'unitId', code: 'out_of_scope' });
  }
  // Lookups and user/unit custom fields must point at something this caller may see.
  for (const f of ctx.obj.fields) {
    if (f.system || !['lookup', 'user', 'unit'].includes(f.type)) continue;
    const ids = [
      ...new Set(items.map((p) => p.values[f.apiName]).filter((v): v is string => typeof v === 'string')),
    ];
    if (ids.length === 0) continue;
    let found: Set<string>;
    if (f.type === 'user')
      found = new Set(
        (
          await sql<{
            id: string;
          }>`select id from users where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(tx)
        ).rows.map((r) => r.id),
      );
    else if (f.type === 'unit')
      found = new Set(
        (
          await sql<{
            id: string;
          }>`select id from units where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(tx)
        ).rows.map((r) => r.id),
      );
    else {
      const target = ctx.meta.objects.get(f.lookupObject ?? '');
      if (!target) continue;
      found = new Set(
        (
          await sql<{
            id: string;
          }>`select r.id from ${table(target)} where ${baseWhere(target, tenantId)} and ${scopeWhere(principal, target)}
            and r.id = any(${ids}::uuid[])`.execute(tx)
        ).rows.map((r) => r.id),
      );
    }
    for (const p of items) {
      const v = p.values[f.apiName];
      if (typeof v === 'string' && !found.has(v)) p.errors.push({ field: f.apiName, code: 'lookup_missing' });
    }
  }
  // Unique fields: two rows of one batch with the same value are caught here; values held by
  // other records are refused by the claim in record_unique_values when the batch is written.
  for (const f of uniqueFields(ctx.obj)) {
    const seen = new Set<string>();
    for (const p of items) {
      const v = p.values[f.apiName];
      if (v === null || v === undefined) continue;
      const key = JSON.stringify(v);
      if (seen.has(key)) p.errors.push({ field: f.apiName, code: 'unique' });
      seen.add(key);
    }
  }
}

/** Typed columns and the JSONB bag for a set of values. */
function toColumns(
  obj: ObjectDef,
  values: Record<string, unknown>,
): { cols: Map<string, RawBuilder<unknown>>; json: Record<string, unknown> } {
  const cols = new Map<string, RawBuilder<unknown>>();
  const json: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    const f = obj.fields.find((x) => x.apiName === k)!;
    if (f.column) {
      const isJson = f.type === 'currency' || f.type === 'json' || f.type === 'multipicklist';
      cols.set(f.column, isJson ? sql`${v === null ? null : JSON.stringify(v)}::jsonb` : sql`${v}`);
    } else json[k] = v;
  }
  return { cols, json };
}

export interface WriteResult {
  index: number;
  ok: boolean;
  id?: string;
  version?: number;
  errors?: FieldError[];
  code?: string;
}

export function rowErrors(items: { index: number; errors: FieldError[] }[]): never {
  const errors = items.flatMap((p) =>
    p.errors.map((e) => ({
      ...e,
      field: items.length > 1 || p.index > 0 ? `records[${p.index}].${e.field}` : e.field,
    })),
  );
  throw invalid(errors);
}

export interface CreateOptions {
  /** All-or-nothing (default) or per-row results. */
  atomic?: boolean;
  /** Audit/event action name (import marks its own). */
  via?: string;
  /**
   * Domain services may write fields that are read-only over the generic API (a lead's status,
   * an opportunity's stage) after enforcing their own rules. Never set from a request.
   */
  trusted?: boolean;
  /**
   * Updates only: the audit row's action and extra meta when a domain service's change is one
   * named event (a stage change), so the history shows it once instead of as an `update` too.
   */
  audit?: { action: string; meta?: Record<string, unknown> };
}

export async function createRecords(
  ctx: RecordCtx,
  inputs: Record<string, unknown>[],
  opts: CreateOptions = {},
): Promise<WriteResult[]> {
  const atomic = opts.atomic ?? true;
  const prepared = inputs.map((input, i) => prepare(ctx, i, input, null, opts.trusted));
  await checkReferences(
    ctx,
    prepared.filter((p) => p.errors.length === 0),
  );
  await runBeforeWrite(
    ctx,
    prepared.filter((p) => p.errors.length === 0),
    'create',
  );
  if (atomic && prepared.some((p) => p.errors.length > 0))
    rowErrors(prepared.filter((p) => p.errors.length > 0));
  const ids = new Map<number, string>();
  for (const p of prepared) if (p.errors.length === 0) ids.set(p.index, newId());
  await claimForCreate(ctx, prepared, ids, atomic);
  const bad = prepared.filter((p) => p.errors.length > 0);
  const good = prepared.filter((p) => p.errors.length === 0);
  const results = new Map<number, WriteResult>(
    bad.map((p) => [p.index, { index: p.index, ok: false, code: 'validation', errors: p.errors }]),
  );
  if (good.length) {
    const inserted = await insertRows(
      ctx,
      good,
      good.map((p) => ids.get(p.index)!),
      opts.via,
    );
    for (const r of inserted) results.set(r.index, r);
    await runAfterWrite(
      ctx,
      good.map((p, i) => ({ index: p.index, id: inserted[i]!.id!, values: p.values, existing: null })),
      'create',
    );
  }
  return inputs.map((_, i) => results.get(i)!);
}

/**
 * Claims the unique values of new records (one statement, only for objects with unique fields).
 * A refused row gets a `unique` error; its other claims are released when rows go on without it.
 */
async function claimForCreate(
  ctx: RecordCtx,
  prepared: Prepared[],
  ids: Map<number, string>,
  atomic: boolean,
): Promise<void> {
  if (uniqueFields(ctx.obj).length === 0) return;
  const live = prepared.filter((p) => p.errors.length === 0);
  const refused = await claimUniqueValues(
    ctx.tx,
    ctx.principal.tenantId,
    ctx.obj,
    live.map((p) => ({ recordId: ids.get(p.index)!, values: p.values })),
  );
  if (refused.length === 0) return;
  const failed = markRefused(live, (p) => ids.get(p.index)!, refused);
  if (atomic) rowErrors(failed);
  await releaseUniqueValues(
    ctx.tx,
    ctx.principal.tenantId,
    ctx.obj,
    failed.map((p) => ids.get(p.index)!),
  );
}

/** Adds a `unique` error per refused claim; returns the items that got one. */
function markRefused(items: Prepared[], idOf: (p: Prepared) => string, refused: Refused[]): Prepared[] {
  const out: Prepared[] = [];
  for (const p of items) {
    const mine = refused.filter((r) => r.recordId === idOf(p));
    if (mine.length === 0) continue;
    for (const r of mine) p.errors.push({ field: r.field, code: 'unique' });
    out.push(p);
  }
  return out;
}

async function insertRows(
  ctx: RecordCtx,
  items: Prepared[],
  ids: string[],
  via?: string,
): Promise<WriteResult[]> {
  const { principal, obj } = ctx;
  // Rows that set the same typed columns go in one statement; columns a row leaves unset keep
  // their database default, so a batch is grouped by which columns it sets.
  const groups = new Map<string, number[]>();
  items.forEach((p, i) => {
    const key = obj.fields
      .filter((f) => f.column && !f.system && p.values[f.apiName] !== undefined)
      .map((f) => f.column)
      .join(',');
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  for (const [key, members] of groups) {
    const typed = key ? key.split(',').map((c) => obj.fields.find((f) => f.column === c)!) : [];
    await insertGroup(
      ctx,
      typed,
      members.map((i) => ({ id: ids[i]!, p: items[i]! })),
    );
  }
  const audits: AuditEntry[] = items.map((p, i) => ({
    action: 'create',
    object: obj.apiName,
    recordId: ids[i],
    changes: Object.entries(p.values)
      .filter(([, v]) => v !== null)
      .map(([field, to]) => ({ field, from: null, to })),
    ...(via ? { meta: { via } } : {}),
  }));
  await writeAuditMany(ctx.tx, ctx.actor, audits);
  const events: NewEvent[] =
    items.length > 20
      ? [{ type: `${obj.apiName}.bulk_created`, object: obj.apiName, payload: { ids, via: via ?? 'bulk' } }]
      : ids.map((id) => ({
          type: `${obj.apiName}.created`,
          object: obj.apiName,
          recordId: id,
          payload: { id, via: via ?? 'api' },
        }));
  await emitEvents(ctx.tx, principal.tenantId, events);
  kickDispatcher();
  return items.map((p, i) => ({ index: p.index, ok: true, id: ids[i], version: 1 }));
}

/** PostgreSQL type a typed column's values are cast to from their text form. */
function columnType(f: FieldDef): string {
  switch (f.type) {
    case 'currency':
    case 'json':
    case 'multipicklist':
      return 'jsonb';
    case 'number':
    case 'percent':
      return 'numeric';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamptz';
    case 'lookup':
    case 'user':
    case 'unit':
      return 'uuid';
    default:
      return 'text';
  }
}

const asText = (f: FieldDef | null, v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (f && columnType(f) === 'jsonb') return JSON.stringify(v);
  return String(v);
};

/**
 * One INSERT … SELECT FROM unnest(…) for many rows: one array parameter per column instead of
 * one parameter per value, which keeps statement building and parsing flat as batches grow.
 */
async function insertGroup(
  ctx: RecordCtx,
  typed: FieldDef[],
  rows: { id: string; p: Prepared }[],
): Promise<void> {
  const { principal, obj } = ctx;
  const cols: { name: string; type: string; values: (string | null)[] }[] = [
    { name: 'id', type: 'uuid', values: rows.map((r) => r.id) },
    {
      name: 'owner_id',
      type: 'uuid',
      values: rows.map((r) => (r.p.values.ownerId as string | undefined) ?? principal.userId),
    },
    {
      name: 'unit_id',
      type: 'uuid',
      values: rows.map((r) => (r.p.values.unitId as string | undefined) ?? principal.unitId),
    },
    ...typed.map((f) => ({
      name: f.column!,
      type: columnType(f),
      values: rows.map((r) => asText(f, r.p.values[f.apiName])),
    })),
    {
      name: obj.jsonColumn,
      type: 'jsonb',
      values: rows.map((r) => {
        const json: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r.p.values))
          if (!obj.fields.find((f) => f.apiName === k)?.column) json[k] = v;
        return JSON.stringify(json);
      }),
    },
  ];
  const names = [
    'tenant_id',
    ...cols.map((c) => c.name),
    'created_by',
    'updated_by',
    ...(obj.discriminator ? ['object'] : []),
  ];
  const selects = [
    sql`${principal.tenantId}::uuid`,
    ...cols.map((c, i) => sql`${sql.ref(`u.c${i}`)}::${sql.raw(c.type)}`),
    sql`${principal.userId}::uuid`,
    sql`${principal.userId}::uuid`,
    ...(obj.discriminator ? [sql`${obj.discriminator}`] : []),
  ];
  const arrays = cols.map((c) => sql`${c.values}::text[]`);
  const aliases = cols.map((_, i) => sql.raw(`c${i}`));
  await sql`insert into ${sql.table(obj.table)} (${sql.join(names.map((c) => sql.ref(c)))})
    select ${sql.join(selects)} from unnest(${sql.join(arrays)}) as u(${sql.join(aliases)})`.execute(ctx.tx);
}

export interface UpdateInput {
  id: string;
  /** Required for interactive edits; bulk jobs may omit it (last writer wins, audited). */
  version?: number;
  changes: Record<string, unknown>;
}

export async function updateRecords(
  ctx: RecordCtx,
  inputs: UpdateInput[],
  opts: CreateOptions = {},
): Promise<WriteResult[]> {
  const atomic = opts.atomic ?? true;
  const { obj, principal } = ctx;
  const ids = inputs.map((u) => u.id).filter(isUuid);
  const rows = ids.length
    ? (
        await sql<Row>`select r.* from ${table(obj)} where ${baseWhere(obj, principal.tenantId)} and ${scopeWhere(principal, obj)}
          and r.id = any(${ids}::uuid[]) order by r.id for update`.execute(ctx.tx)
      ).rows
    : [];
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  const results = new Map<number, WriteResult>();
  const prepared: Prepared[] = [];
  const existing = new Map<number, Row>();
  for (const [i, u] of inputs.entries()) {
    const row = byId.get(u.id);
    if (!row) {
      results.set(i, { index: i, ok: false, code: 'not_found' });
      continue;
    }
    if (u.version !== undefined && u.version !== row.version) {
      results.set(i, {
        index: i,
        ok: false,
        code: 'conflict',
        errors: [{ field: 'version', code: 'conflict', params: { current: row.version } }],
      });
      continue;
    }
    existing.set(i, row);
    prepared.push(prepare(ctx, i, u.changes, row, opts.trusted));
  }
  await checkReferences(
    ctx,
    prepared.filter((p) => p.errors.length === 0),
  );
  await runBeforeWrite(
    ctx,
    prepared.filter((p) => p.errors.length === 0),
    'update',
  );
  for (const p of prepared)
    if (p.errors.length)
      results.set(p.index, { index: p.index, ok: false, code: 'validation', errors: p.errors });
  if (atomic && results.size) {
    const first = [...results.values()][0]!;
    if (inputs.length === 1 && first.code === 'not_found') throw notFound(obj.apiName);
    if (inputs.length === 1 && first.code === 'conflict')
      throw conflict('conflict.version', { current: first.errors?.[0]?.params?.current }, first.errors);
    rowErrors(
      [...results.values()].map((r) => ({
        index: r.index,
        errors: r.errors ?? [{ field: 'id', code: r.code ?? 'not_found' }],
      })),
    );
  }
  const audits: AuditEntry[] = [];
  const events: NewEvent[] = [];
  const written: WrittenItem[] = [];
  const changing: { p: Prepared; row: Row; changes: FieldChange[] }[] = [];
  for (const p of prepared.filter((x) => x.errors.length === 0)) {
    const row = existing.get(p.index)!;
    const changes: FieldChange[] = [];
    for (const [k, v] of Object.entries(p.values)) {
      const f = obj.fields.find((x) => x.apiName === k)!;
      const before = rawValue(obj, f, row);
      if (JSON.stringify(before) !== JSON.stringify(v)) changes.push({ field: k, from: before, to: v });
    }
    if (changes.length === 0) {
      results.set(p.index, { index: p.index, ok: true, id: row.id, version: row.version });
      continue;
    }
    changing.push({ p, row, changes });
  }
  for (const p of await claimForUpdate(ctx, changing, atomic))
    results.set(p.index, { index: p.index, ok: false, code: 'validation', errors: p.errors });
  for (const { p, row, changes } of changing) {
    if (p.errors.length) continue;
    const changed = Object.fromEntries(changes.map((c) => [c.field, c.to]));
    const { cols, json } = toColumns(obj, changed);
    const sets = [
      ...[...cols].map(([c, v]) => sql`${sql.ref(c)} = ${v}`),
      ...(Object.keys(json).length
        ? [sql`${sql.ref(obj.jsonColumn)} = ${sql.ref(obj.jsonColumn)} || ${JSON.stringify(json)}::jsonb`]
        : []),
      sql`version = version + 1`,
      sql`updated_at = now()`,
      sql`updated_by = ${principal.userId}`,
    ];
    await sql`update ${sql.table(obj.table)} set ${sql.join(sets)} where tenant_id = ${principal.tenantId} and id = ${row.id}`.execute(
      ctx.tx,
    );
    const meta = { ...(opts.via ? { via: opts.via } : {}), ...opts.audit?.meta };
    audits.push({
      action: opts.audit?.action ?? 'update',
      object: obj.apiName,
      recordId: row.id,
      changes,
      ...(Object.keys(meta).length ? { meta } : {}),
    });
    events.push({
      type: `${obj.apiName}.updated`,
      object: obj.apiName,
      recordId: row.id,
      payload: { id: row.id, fields: changes.map((c) => c.field) },
    });
    results.set(p.index, { index: p.index, ok: true, id: row.id, version: row.version + 1 });
    written.push({ index: p.index, id: row.id, values: changed, existing: row });
  }
  await runAfterWrite(ctx, written, 'update');
  await writeAuditMany(ctx.tx, ctx.actor, audits);
  await emitEvents(ctx.tx, principal.tenantId, events);
  if (events.length) kickDispatcher();
  return inputs.map((_, i) => results.get(i)!);
}

/**
 * Claims the new values of changed unique fields and releases the old ones (one statement, only
 * when a unique field changes). Returns the refused items; in a non-atomic batch an item refused
 * on one field gets back the claims its other fields just gave up.
 */
async function claimForUpdate(
  ctx: RecordCtx,
  changing: { p: Prepared; row: Row; changes: FieldChange[] }[],
  atomic: boolean,
): Promise<Prepared[]> {
  const fields = new Set(uniqueFields(ctx.obj).map((f) => f.apiName));
  const claims = changing.flatMap(({ row, changes }) => {
    const values = Object.fromEntries(changes.filter((c) => fields.has(c.field)).map((c) => [c.field, c.to]));
    return Object.keys(values).length ? [{ recordId: row.id as string, values }] : [];
  });
  if (claims.length === 0) return [];
  const { tx, principal, obj } = ctx;
  const refused = await claimUniqueValues(tx, principal.tenantId, obj, claims);
  if (refused.length === 0) return [];
  const items = changing.map((c) => c.p);
  const rowOf = new Map(changing.map((c) => [c.p, c.row]));
  const failed = markRefused(items, (p) => rowOf.get(p)!.id, refused);
  if (atomic) rowErrors(failed);
  const undo = failed.flatMap((p) => {
    const row = rowOf.get(p)!;
    const given = changing
      .find((c) => c.p === p)!
      .changes.filter((c) => fields.has(c.field) && !p.errors.some((e) => e.field === c.field));
    return given.length
      ? [{ recordId: row.id as string, values: Object.fromEntries(given.map((c) => [c.field, c.from])) }]
      : [];
  });
  if (undo.length) await claimUniqueValues(tx, principal.tenantId, obj, undo);
  return failed;
}

export async function createRecord(ctx: RecordCtx, input: Record<string, unknown>): Promise<RecordOut> {
  const [r] = await createRecords(ctx, [input]);
  return getRecord(ctx, r!.id!);
}

export async function updateRecord(
  ctx: RecordCtx,
  id: string,
  version: number,
  changes: Record<string, unknown>,
): Promise<RecordOut> {
  if (!isUuid(id)) throw notFound(ctx.obj.apiName);
  await updateRecords(ctx, [{ id, version, changes }]);
  return getRecord(ctx, id);
}
