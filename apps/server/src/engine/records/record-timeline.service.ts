import { sql } from 'kysely';
import type { FieldChange } from '../../core/audit/audit.ts';
import { maskValue } from './field-types.ts';
import type { RecordCtx } from './record-ctx.ts';
import { attachDisplay, type RecordOut } from './record-mapper.ts';
import { loadRow } from './record-read.service.ts';

/** A record's history as people read it: audit entries with field changes and names. */
export interface TimelineEntry {
  id: string;
  at: string;
  action: string;
  actor: { id: string | null; name: string | null; kind: string };
  changes: TimelineChange[];
  meta: unknown;
}

/** The record's history from the audit log, with every value shown as this viewer may see it. */
export async function recordTimeline(ctx: RecordCtx, id: string, limit = 100): Promise<TimelineEntry[]> {
  const row = await loadRow(ctx, id, { deleted: 'any' });
  const rows = (
    await sql<{
      id: string;
      at: Date;
      action: string;
      actor_id: string | null;
      actor_kind: string;
      changes: FieldChange[] | null;
      meta: unknown;
      actor_name: string | null;
    }>`
      select a.id, a.at, a.action, a.actor_id, a.actor_kind, a.changes, a.meta, u.name as actor_name
      from audit_log a left join users u on u.tenant_id = a.tenant_id and u.id = a.actor_id
      where a.tenant_id = ${ctx.principal.tenantId} and a.object = ${ctx.obj.apiName} and a.record_id = ${row.id}
      order by a.id desc limit ${limit}`.execute(ctx.tx)
  ).rows;
  const entries = rows.map((r) => ({
    id: r.id,
    at: new Date(r.at).toISOString(),
    action: r.action,
    actor: { id: r.actor_id, name: r.actor_name, kind: r.actor_kind },
    meta: r.meta,
    changes: (r.changes ?? []).flatMap((c): TimelineChange[] => {
      const f = ctx.obj.fields.find((x) => x.apiName === c.field);
      const a = f ? ctx.access.get(f.apiName) : 'hidden';
      if (!f || a === 'hidden') return [];
      if (a === 'masked') return [{ field: c.field, from: maskValue(f, c.from), to: maskValue(f, c.to) }];
      return [{ field: c.field, from: c.from, to: c.to }];
    }),
  }));
  await attachChangeNames(ctx, entries);
  return entries;
}

export interface TimelineChange extends FieldChange {
  fromDisplay?: string;
  toDisplay?: string;
}

/**
 * Names for ids in reference fields of the changes, resolved as the list does (one query per
 * target, the viewer's row scope applied), so a linked record the viewer may not read keeps its id.
 */
async function attachChangeNames(ctx: RecordCtx, entries: { changes: TimelineChange[] }[]): Promise<void> {
  const refs = new Set(
    ctx.obj.fields
      .filter((f) => ['lookup', 'user', 'unit'].includes(f.type) && ctx.access.get(f.apiName) === 'full')
      .map((f) => f.apiName),
  );
  const sides: { change: TimelineChange; side: 'from' | 'to'; rec: RecordOut }[] = [];
  for (const e of entries)
    for (const change of e.changes)
      if (refs.has(change.field))
        for (const side of ['from', 'to'] as const)
          if (typeof change[side] === 'string')
            sides.push({ change, side, rec: { id: '', [change.field]: change[side] } as RecordOut });
  if (sides.length === 0) return;
  await attachDisplay(
    ctx.tx,
    ctx.principal.tenantId,
    ctx.meta.objects,
    ctx.obj,
    sides.map((s) => s.rec),
    new Set(),
    ctx.principal,
  );
  for (const s of sides) {
    const n = s.rec._display?.[s.change.field];
    if (n !== undefined) s.change[s.side === 'from' ? 'fromDisplay' : 'toDisplay'] = n;
  }
}
