import { SALES_PERMISSIONS } from '@kehu/contracts/sales';
import { sql } from 'kysely';
import { writeAudit } from '../../core/audit/audit.ts';
import { can } from '../../core/auth/principal.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { kickDispatcher } from '../../core/events/dispatcher.ts';
import { emitEvents } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { isUuid } from '../../core/ids.ts';
import { getRecord, type RecordCtx, updateRecords } from '../../engine/records/record.service.ts';
import {
  attachDisplay,
  displayColumns,
  type RecordOut,
  type Row,
  toRecord,
} from '../../engine/records/record-mapper.ts';
import { baseWhere, scopeWhere } from '../../engine/records/record-sql.ts';
import type { Stage } from './pipeline.defaults.ts';
import { ensureDefaultPipeline, findPipeline, type Pipeline } from './pipeline.queries.ts';
import { salesProblem, st } from './sales.messages.ts';

/** A live (not deleted) record in the caller's scope, else 404. */
export async function liveRecord(ctx: RecordCtx, id: string): Promise<RecordOut> {
  if (!isUuid(id)) throw notFound(ctx.obj.apiName);
  const rec = await getRecord(ctx, id);
  if (rec.deletedAt) throw notFound(ctx.obj.apiName);
  return rec;
}

export async function pipelineOf(ctx: RecordCtx, pipelineId: unknown): Promise<Pipeline> {
  const tenantId = ctx.principal.tenantId;
  if (typeof pipelineId === 'string') {
    const p = await findPipeline(ctx.tx, tenantId, pipelineId);
    if (p) return p;
  }
  return ensureDefaultPipeline(ctx.tx, tenantId);
}

async function doneItems(ctx: RecordCtx, oppId: string): Promise<Set<string>> {
  const rows = (
    await sql<{ stage: string; item_key: string }>`select stage, item_key from opportunity_sop_items
      where tenant_id = ${ctx.principal.tenantId} and opportunity_id = ${oppId}`.execute(ctx.tx)
  ).rows;
  return new Set(rows.map((r) => `${r.stage}:${r.item_key}`));
}

export interface StageMove {
  stage: string;
  lostReason?: string;
  version?: number;
}

/**
 * R4.2: the guarded stage transition. Moving forward (or winning) needs every required SOP
 * item of the stage being left, and of any stage skipped over, done; losing needs a reason;
 * won and lost are terminal unless the caller may reopen (`opportunity:reopen`).
 */
export async function moveStage(
  ctx: RecordCtx,
  id: string,
  move: StageMove,
  locale: Locale,
): Promise<RecordOut> {
  const rec = await liveRecord(ctx, id);
  const pipeline = await pipelineOf(ctx, rec.pipelineId);
  const stages = pipeline.stages;
  const fromIdx = stages.findIndex((s) => s.key === rec.stage);
  const from = stages[fromIdx];
  const toIdx = stages.findIndex((s) => s.key === move.stage);
  const to = stages[toIdx];
  const label = (s: Stage | undefined, fallback: string) => s?.label[locale] ?? fallback;
  if (!to)
    throw salesProblem('validation', locale, 'stage_unknown', { stage: move.stage }, [
      {
        field: 'stage',
        code: 'option',
        params: { value: move.stage },
        message: st(locale, 'stage_unknown', { stage: move.stage }),
      },
    ]);
  if (move.version !== undefined && move.version !== rec.version)
    throw salesProblem('conflict', locale, 'conflict.version', { current: rec.version });
  if (from && from.key === to.key)
    throw salesProblem('conflict', locale, 'stage_same', { stage: label(to, to.key) });
  if (from && from.kind !== 'open' && !can(ctx.principal, SALES_PERMISSIONS.opportunity.reopen))
    throw salesProblem('conflict', locale, 'stage_terminal', { stage: label(from, String(rec.stage)) });
  if (to.kind === 'lost' && !move.lostReason)
    throw salesProblem('validation', locale, 'lost_reason_required', {}, [
      { field: 'lostReason', code: 'required', message: st(locale, 'lost_reason_required') },
    ]);
  // Forward moves check the stage being left and every open stage jumped over.
  const forward = to.kind === 'won' || (to.kind === 'open' && (fromIdx < 0 || toIdx > fromIdx));
  if (forward && from?.kind === 'open') {
    const done = await doneItems(ctx, rec.id);
    const lastChecked = to.kind === 'won' ? stages.length : toIdx;
    const missing: { stage: Stage; item: Stage['sop'][number] }[] = [];
    for (let i = fromIdx; i < lastChecked; i++) {
      const s = stages[i]!;
      if (s.kind !== 'open') continue;
      for (const item of s.sop)
        if (item.required && !done.has(`${s.key}:${item.key}`)) missing.push({ stage: s, item });
    }
    if (missing.length) {
      const items = missing.map((m) => m.item.label[locale]).join(locale === 'en-US' ? '; ' : '；');
      throw salesProblem(
        'validation',
        locale,
        'sop_incomplete',
        { stage: label(from, from.key), items },
        missing.map((m) => ({
          field: `sop.${m.stage.key}.${m.item.key}`,
          code: 'sop_incomplete',
          params: { stage: m.stage.key, item: m.item.key },
          message: st(locale, 'sop_item', { item: m.item.label[locale] }),
        })),
      );
    }
  }
  const now = new Date().toISOString();
  const changes: Record<string, unknown> = {
    stage: to.key,
    probability: to.probability,
    stageEnteredAt: now,
    closedAt: to.kind === 'open' ? null : now,
    lostReason: to.kind === 'lost' ? move.lostReason : null,
  };
  // One audit row per move (the field changes, stage first, under `stage_change`): the history
  // shows a move once, not as a stage change plus a field update.
  const [r] = await updateRecords(ctx, [{ id: rec.id, changes }], {
    trusted: true,
    via: 'stage_change',
    audit: { action: 'stage_change', meta: { pipelineId: pipeline.id, lostReason: move.lostReason ?? null } },
  });
  if (!r?.ok) throw invalid(r?.errors ?? [{ field: 'stage', code: 'option' }]);
  await emitEvents(ctx.tx, ctx.principal.tenantId, [
    {
      type: 'opportunity.stage_changed',
      object: 'opportunity',
      recordId: rec.id,
      payload: {
        id: rec.id,
        customerId: rec.customerId,
        pipelineId: pipeline.id,
        from: rec.stage,
        to: to.key,
        kind: to.kind,
        amount: rec.amount,
        lostReason: move.lostReason ?? null,
        ownerId: rec.ownerId,
      },
    },
  ]);
  kickDispatcher();
  return getRecord(ctx, rec.id);
}

export interface SopView {
  pipeline: { id: string; name: Pipeline['name'] };
  currentStage: string | null;
  stages: {
    key: string;
    label: Stage['label'];
    kind: Stage['kind'];
    probability: number;
    items: (Stage['sop'][number] & {
      done: boolean;
      doneAt: string | null;
      doneBy: string | null;
      note: string | null;
    })[];
  }[];
}

export async function sopView(ctx: RecordCtx, id: string): Promise<SopView> {
  const rec = await liveRecord(ctx, id);
  const pipeline = await pipelineOf(ctx, rec.pipelineId);
  const rows = (
    await sql<{
      stage: string;
      item_key: string;
      done_at: Date;
      done_by: string | null;
      note: string | null;
      by_name: string | null;
    }>`
      select s.stage, s.item_key, s.done_at, s.done_by, s.note, u.name as by_name from opportunity_sop_items s
      left join users u on u.tenant_id = s.tenant_id and u.id = s.done_by
      where s.tenant_id = ${ctx.principal.tenantId} and s.opportunity_id = ${rec.id}`.execute(ctx.tx)
  ).rows;
  const byKey = new Map(rows.map((r) => [`${r.stage}:${r.item_key}`, r]));
  return {
    pipeline: { id: pipeline.id, name: pipeline.name },
    currentStage: (rec.stage as string) ?? null,
    stages: pipeline.stages.map((s) => ({
      key: s.key,
      label: s.label,
      kind: s.kind,
      probability: s.probability,
      items: s.sop.map((i) => {
        const d = byKey.get(`${s.key}:${i.key}`);
        return {
          ...i,
          done: !!d,
          doneAt: d ? new Date(d.done_at).toISOString() : null,
          doneBy: d?.by_name ?? null,
          note: d?.note ?? null,
        };
      }),
    })),
  };
}

/** Ticks or unticks one SOP item on one opportunity (audited, evented). */
export async function setSopItem(
  ctx: RecordCtx,
  id: string,
  input: { stage: string; item: string; done: boolean; note?: string },
): Promise<SopView> {
  const rec = await liveRecord(ctx, id);
  const pipeline = await pipelineOf(ctx, rec.pipelineId);
  const stage = pipeline.stages.find((s) => s.key === input.stage);
  if (!stage) throw invalid([{ field: 'stage', code: 'option', params: { value: input.stage } }]);
  if (!stage.sop.some((i) => i.key === input.item))
    throw invalid([{ field: 'item', code: 'option', params: { value: input.item } }]);
  const tenantId = ctx.principal.tenantId;
  const item = stage.sop.find((i) => i.key === input.item)!;
  // Ticking a ticked item (a double click, two people on one deal) only updates its note: the
  // history says "完成 SOP：…" once per item, and an untick of an unticked item says nothing.
  const changed = input.done
    ? (
        await sql<{
          inserted: boolean;
        }>`insert into opportunity_sop_items (tenant_id, opportunity_id, stage, item_key, done_by, note)
          values (${tenantId}, ${rec.id}, ${stage.key}, ${input.item}, ${ctx.principal.userId}, ${input.note ?? null})
          on conflict (tenant_id, opportunity_id, stage, item_key) do update set note = coalesce(excluded.note, opportunity_sop_items.note)
          returning (xmax = 0) as inserted`.execute(ctx.tx)
      ).rows[0]!.inserted
    : (
        await sql`delete from opportunity_sop_items where tenant_id = ${tenantId} and opportunity_id = ${rec.id}
          and stage = ${stage.key} and item_key = ${input.item} returning item_key`.execute(ctx.tx)
      ).rows.length > 0;
  if (!changed) return sopView(ctx, id);
  await writeAudit(ctx.tx, ctx.actor, {
    action: input.done ? 'sop_done' : 'sop_undone',
    object: 'opportunity',
    recordId: rec.id,
    // The labels as configured now, so the history still reads after the SOP is edited.
    meta: {
      stage: stage.key,
      item: input.item,
      stageLabel: stage.label,
      itemLabel: item.label,
      note: input.note ?? null,
    },
  });
  await emitEvents(ctx.tx, tenantId, [
    {
      type: 'opportunity.sop_updated',
      object: 'opportunity',
      recordId: rec.id,
      payload: { id: rec.id, stage: stage.key, item: input.item, done: input.done },
    },
  ]);
  return sopView(ctx, id);
}

export interface KanbanQuery {
  pipeline?: string;
  unit?: string;
  owner?: string;
  q?: string;
  limit?: number;
}

export interface KanbanColumn {
  stage: string;
  label: Stage['label'];
  kind: Stage['kind'];
  probability: number;
  count: number;
  amount: number | null;
  weighted: number | null;
  cards: RecordOut[];
  hasMore: boolean;
  sop?: Record<string, { done: number; total: number }>;
}

/** Unit subtree predicate for `unit=`; the caller's scope still applies on top. */
export function unitSubtreeSql(tenantId: string, unit: string | undefined) {
  if (!unit) return sql`true`;
  if (!isUuid(unit)) throw invalid([{ field: 'unit', code: 'lookup_missing' }]);
  return sql`r.unit_id in (select u.id from units u where u.tenant_id = ${tenantId}
    and u.path like (select p.path || '%' from units p where p.tenant_id = ${tenantId} and p.id = ${unit}))`;
}

/**
 * Kanban: per-stage count, sum and weighted sum over every opportunity the caller may see
 * (one grouped query on the stage index), plus the first page of cards per stage through the
 * record engine (same masking and display names as the list page).
 */
export async function kanban(
  ctx: RecordCtx,
  q: KanbanQuery,
): Promise<{ pipeline: Pipeline; columns: KanbanColumn[] }> {
  const tenantId = ctx.principal.tenantId;
  const pipeline = q.pipeline
    ? await findPipeline(ctx.tx, tenantId, q.pipeline)
    : await ensureDefaultPipeline(ctx.tx, tenantId);
  if (!pipeline) throw notFound('pipeline');
  if (q.owner && !isUuid(q.owner)) throw invalid([{ field: 'owner', code: 'lookup_missing' }]);
  const ownerSql = q.owner ? sql`r.owner_id = ${q.owner}` : sql`true`;
  const term = q.q?.trim();
  // A name the caller sees masked matches only in full (a part would read it back), as in the lists.
  const nameAccess = ctx.access.get(ctx.obj.nameField);
  const searchSql = !term
    ? sql`true`
    : nameAccess === 'full'
      ? sql`r.name ilike ${`%${term.replace(/[\\%_]/g, (m) => `\\${m}`)}%`}`
      : nameAccess === 'masked'
        ? sql`r.name = ${term}`
        : sql`false`;
  // Totals come from the trigger-maintained per (stage, unit, owner) table (migration 0022): the
  // same scope predicate applies, since scopes are by unit or owner. A text search has no such
  // shortcut and aggregates the matching rows.
  const stats = q.q
    ? (
        await sql<{ stage: string; n: number; amount: string; weighted: string }>`
          select r.stage, count(*)::int as n, coalesce(sum(r.amount_minor), 0)::text as amount,
            coalesce(round(sum(r.amount_minor * r.probability / 100)), 0)::text as weighted
          from opportunities r
          where r.tenant_id = ${tenantId} and r.pipeline_id = ${pipeline.id} and r.deleted_at is null
            and ${scopeWhere(ctx.principal, ctx.obj)} and ${unitSubtreeSql(tenantId, q.unit)} and ${ownerSql}
            and ${searchSql}
          group by r.stage`.execute(ctx.tx)
      ).rows
    : (
        await sql<{ stage: string; n: number; amount: string; weighted: string }>`
          select r.stage, sum(r.n)::int as n, sum(r.amount)::text as amount, round(sum(r.weighted))::text as weighted
          from opportunity_stage_stats r
          where r.tenant_id = ${tenantId} and r.pipeline_id = ${pipeline.id}
            and ${scopeWhere(ctx.principal, ctx.obj)} and ${unitSubtreeSql(tenantId, q.unit)} and ${ownerSql}
          group by r.stage`.execute(ctx.tx)
      ).rows;
  const byStage = new Map(stats.map((s) => [s.stage, s]));
  // Sums of an amount the caller sees masked or not at all would read back what masking hides.
  const amountsShown = ctx.access.get('amount') === 'full';
  const limit = Math.min(Math.max(q.limit ?? 20, 1), 100);
  // First page of every stage in one statement: a LATERAL index walk per stage (newest first)
  // under the same scope, mapped and masked by the record engine's mapper.
  const keys = pipeline.stages.filter((s) => (byStage.get(s.key)?.n ?? 0) > 0).map((s) => s.key);
  const display = displayColumns(ctx.obj, ctx.access);
  const rows = keys.length
    ? (
        await sql<Row>`select c.* from unnest(${keys}::text[]) as s(stage) cross join lateral (
            select r.*${display.sql} from opportunities as r
            where ${baseWhere(ctx.obj, tenantId)} and ${scopeWhere(ctx.principal, ctx.obj)} and ${unitSubtreeSql(tenantId, q.unit)}
              and ${ownerSql} and ${searchSql} and r.pipeline_id = ${pipeline.id} and r.stage = s.stage
            order by r.id desc limit ${limit + 1}) as c`.execute(ctx.tx)
      ).rows
    : [];
  const byKey = new Map<string, Row[]>();
  for (const r of rows) byKey.set(r.stage, [...(byKey.get(r.stage) ?? []), r]);
  const shown = [...byKey.values()].flatMap((rs) => rs.slice(0, limit));
  const records = shown.map((r) => toRecord(ctx.obj, r, ctx.access));
  await attachDisplay(ctx.tx, tenantId, ctx.meta.objects, ctx.obj, records, display.fields);
  const recordById = new Map(records.map((r) => [r.id, r]));
  // Checklist progress of each shown card on its current stage (the cards' own rows only).
  const ticked = records.length
    ? (
        await sql<{ opportunity_id: string; stage: string; item_key: string }>`
          select opportunity_id, stage, item_key from opportunity_sop_items
          where tenant_id = ${tenantId} and opportunity_id = any(${records.map((r) => r.id)}::uuid[])`.execute(
          ctx.tx,
        )
      ).rows
    : [];
  const doneOf = new Set(ticked.map((t) => `${t.opportunity_id}:${t.stage}:${t.item_key}`));
  const columns: KanbanColumn[] = pipeline.stages.map((s) => {
    const st = byStage.get(s.key);
    const rs = byKey.get(s.key) ?? [];
    const sop =
      s.kind === 'open' && s.sop.length
        ? Object.fromEntries(
            rs.slice(0, limit).map((r) => [
              r.id as string,
              {
                done: s.sop.filter((i) => doneOf.has(`${r.id}:${s.key}:${i.key}`)).length,
                total: s.sop.length,
              },
            ]),
          )
        : undefined;
    return {
      ...(sop ? { sop } : {}),
      stage: s.key,
      label: s.label,
      kind: s.kind,
      probability: s.probability,
      count: st?.n ?? 0,
      amount: amountsShown ? Number(st?.amount ?? 0) : null,
      weighted: amountsShown ? Number(st?.weighted ?? 0) : null,
      cards: rs.slice(0, limit).map((r) => recordById.get(r.id)!),
      hasMore: rs.length > limit,
    };
  });
  return { pipeline, columns };
}
