import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { canonical } from './canonical.ts';
import { ensureCounters } from './counters.ts';
import { computeSegment, segmentSql } from './evaluation.service.ts';
import { maskTraits, profileName } from './masking.ts';
import { personLabels } from './person-label.ts';
import { lockTenantCdp } from './process.job.ts';
import { recordSource } from './record-source.ts';
import { assertRuleVisibleTo, crmScopeFor, scopeFilterFor } from './rule-access.ts';
import { collectEventRules, counterDef, type Rule } from './rules.ts';
import { recordNames } from './subject-tags.service.ts';
import { scheduleTick } from './tick-schedule.ts';
import type { Viewer } from './viewer.ts';

/** Segments (R2.2, R2.3): definition, live preview, members, history, export, recompute. */

export interface SegmentInput {
  name: string;
  description?: string | null;
  object?: string;
  purpose?: 'analytics' | 'marketing' | 'service';
  rule: Rule;
}

const segOut = (s: any) => ({
  id: s.id,
  name: s.name,
  description: s.description,
  object: s.object,
  purpose: s.purpose,
  rule: s.rule,
  ownerId: s.owner_id,
  memberCount: s.member_count,
  computedAt: s.computed_at,
  createdAt: s.created_at,
});

/**
 * Member counts as a viewer sees them: the stored count is tenant-wide (membership is computed
 * by the system); a viewer with a narrower data scope gets the count of their own subjects.
 */
async function withScopedCounts(tx: Tx, viewer: Viewer, rows: any[]) {
  const out = rows.map(segOut);
  for (const object of new Set(out.map((g) => g.object as string))) {
    const scope = scopeFilterFor(viewer, object);
    if (scope.all) continue;
    const mine = out.filter((g) => g.object === object);
    const r = await sql<{
      segment_id: string;
      n: number;
    }>`select m.segment_id, count(*)::int as n from cdp_segment_members m
      where m.tenant_id = ${viewer.principal.tenantId} and m.segment_id = any(${mine.map((g) => g.id)}::uuid[])
        and ${scope.where(sql`m.subject_id`)} group by m.segment_id`.execute(tx);
    const n = new Map(r.rows.map((x) => [x.segment_id, x.n]));
    for (const g of mine) g.memberCount = n.get(g.id) ?? 0;
  }
  return out;
}

export async function listSegments(tx: Tx, viewer: Viewer) {
  const r =
    await sql`select * from cdp_segments where tenant_id = ${viewer.principal.tenantId} order by created_at`.execute(
      tx,
    );
  return { items: await withScopedCounts(tx, viewer, r.rows) };
}

/** A segment as stored (its member count tenant-wide): for the service's own use. */
async function segmentRow(tx: Tx, tenantId: string, id: string) {
  const r = await sql<any>`select * from cdp_segments where tenant_id = ${tenantId} and id = ${id}`.execute(
    tx,
  );
  if (!r.rows[0]) throw notFound('segment');
  return segOut(r.rows[0]);
}

/** A segment as the viewer sees it (member count over their data scope). */
export async function getSegment(tx: Tx, viewer: Viewer, id: string) {
  const r =
    await sql<any>`select * from cdp_segments where tenant_id = ${viewer.principal.tenantId} and id = ${id}`.execute(
      tx,
    );
  if (!r.rows[0]) throw notFound('segment');
  return (await withScopedCounts(tx, viewer, r.rows))[0]!;
}

async function checkSegment(tx: Tx, viewer: Viewer, input: SegmentInput, locale: Locale) {
  const object = input.object ?? 'profile';
  // Event conditions read the events of the profiles linked to the records' people (rules.ts).
  await assertRuleVisibleTo(tx, viewer, object, [{ rule: input.rule, path: 'rule' }], locale);
}

export async function createSegment(tx: Tx, viewer: Viewer, input: SegmentInput, locale: Locale = 'zh-CN') {
  const actor = viewer.actor;
  await checkSegment(tx, viewer, input, locale);
  const id = newId();
  await sql`insert into cdp_segments (tenant_id, id, object, name, description, purpose, rule, owner_id)
    values (${actor.tenantId}, ${id}, ${input.object ?? 'profile'}, ${input.name}, ${input.description ?? null}, ${input.purpose ?? 'analytics'},
      ${JSON.stringify(input.rule)}::jsonb, ${actor.actorId})`.execute(tx);
  await lockTenantCdp(tx, actor.tenantId);
  await ensureCounters(tx, actor.tenantId, collectEventRules(input.rule).map(counterDef));
  await computeSegment(
    tx,
    actor.tenantId,
    { id, object: input.object ?? 'profile', purpose: input.purpose ?? 'analytics', rule: input.rule },
    new Date(),
    'created',
  );
  await writeAudit(tx, actor, {
    action: 'create',
    object: 'cdp_segment',
    recordId: id,
    meta: { name: input.name },
  });
  await scheduleTick(tx, actor.tenantId);
  return getSegment(tx, viewer, id);
}

export async function updateSegment(
  tx: Tx,
  viewer: Viewer,
  id: string,
  input: Partial<SegmentInput>,
  locale: Locale = 'zh-CN',
) {
  const actor = viewer.actor;
  const cur = await segmentRow(tx, actor.tenantId, id);
  const next = { ...cur, ...input, object: cur.object } as SegmentInput & { id: string };
  // A rule sent back unchanged was checked when it was saved; a changed one is checked for its editor.
  if (canonical(cur.rule) !== canonical(next.rule)) await checkSegment(tx, viewer, next, locale);
  await sql`update cdp_segments set name = ${next.name}, description = ${next.description ?? null}, purpose = ${next.purpose ?? 'analytics'},
    rule = ${JSON.stringify(next.rule)}::jsonb, updated_at = now() where tenant_id = ${actor.tenantId} and id = ${id}`.execute(
    tx,
  );
  await lockTenantCdp(tx, actor.tenantId);
  await ensureCounters(tx, actor.tenantId, collectEventRules(next.rule).map(counterDef));
  await computeSegment(
    tx,
    actor.tenantId,
    { id, object: cur.object, purpose: next.purpose ?? 'analytics', rule: next.rule },
    new Date(),
    'updated',
  );
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'cdp_segment',
    recordId: id,
    changes: (['name', 'description', 'purpose', 'rule'] as const)
      .filter((f) => canonical(cur[f]) !== canonical(next[f]))
      .map((f) => ({ field: f, from: cur[f] ?? null, to: next[f] ?? null })),
    meta: { name: next.name },
  });
  return getSegment(tx, viewer, id);
}

export async function deleteSegment(tx: Tx, actor: Actor, id: string) {
  const r =
    await sql`delete from cdp_segments where tenant_id = ${actor.tenantId} and id = ${id} returning id`.execute(
      tx,
    );
  if (!r.rows.length) throw notFound('segment');
  await sql`delete from cdp_segment_members where tenant_id = ${actor.tenantId} and segment_id = ${id}`.execute(
    tx,
  );
  await sql`delete from cdp_segment_history where tenant_id = ${actor.tenantId} and segment_id = ${id}`.execute(
    tx,
  );
  await writeAudit(tx, actor, { action: 'delete', object: 'cdp_segment', recordId: id });
}

/** Live count while editing: the SQL evaluator over the subjects in the viewer's scope, nothing stored. */
export async function previewSegment(tx: Tx, viewer: Viewer, input: SegmentInput, locale: Locale = 'zh-CN') {
  const tenantId = viewer.principal.tenantId;
  await checkSegment(tx, viewer, input, locale);
  const object = input.object ?? 'profile';
  const scope = scopeFilterFor(viewer, object);
  const q = segmentSql(
    { object, purpose: input.purpose ?? 'analytics', rule: input.rule },
    tenantId,
    new Date(),
    crmScopeFor(viewer),
  );
  const n = await sql<{
    n: number;
  }>`select count(*)::int as n from (${q}) x where ${scope.where(sql`x.id`)}`.execute(tx);
  // Out of what the segment selects from, as far as the viewer sees it: profiles, or the object's records.
  const src = object === 'profile' ? null : recordSource(object);
  const total = await sql<{ n: number }>`select count(*)::int as n from ${
    src
      ? sql`(select r.id from ${src.table} where ${src.where(tenantId)}) x`
      : sql`(select p.id from cdp_profiles p where p.tenant_id = ${tenantId} and p.merged_into is null) x`
  } where ${scope.where(sql`x.id`)}`.execute(tx);
  return { count: n.rows[0]!.n, total: total.rows[0]!.n };
}

/**
 * Daily entries, exits and sizes are tenant-wide figures: only a viewer who sees every subject
 * of the segment's object gets them.
 */
export async function segmentHistory(tx: Tx, viewer: Viewer, id: string) {
  const tenantId = viewer.principal.tenantId;
  const seg = await segmentRow(tx, tenantId, id);
  if (!scopeFilterFor(viewer, seg.object).all) return { items: [] };
  const r = await sql<any>`select day::text as day, entered, exited, members from cdp_segment_history
    where tenant_id = ${tenantId} and segment_id = ${id} order by day desc limit 90`.execute(tx);
  return { items: r.rows.reverse() };
}

/**
 * A segment's members as the viewer sees them: only subjects in their data scope; profiles with
 * their personal values masked unless `unmasked`, records with the name the record lists show.
 */
export async function segmentMembers(tx: Tx, viewer: Viewer, id: string, limit: number, unmasked: boolean) {
  const tenantId = viewer.principal.tenantId;
  const seg = await segmentRow(tx, tenantId, id);
  const scope = scopeFilterFor(viewer, seg.object);
  if (seg.object !== 'profile') {
    const r = await sql<any>`select m.subject_id, m.entered_at from cdp_segment_members m
      where m.tenant_id = ${tenantId} and m.segment_id = ${id} and ${scope.where(sql`m.subject_id`)}
      order by m.entered_at desc, m.subject_id limit ${limit}`.execute(tx);
    const names = await recordNames(
      tx,
      viewer,
      seg.object,
      r.rows.map((m) => m.subject_id),
    );
    return {
      items: r.rows.map((m) => ({
        id: m.subject_id,
        name: names.get(m.subject_id) ?? null,
        visible: names.has(m.subject_id),
        enteredAt: m.entered_at,
      })),
    };
  }
  const r = await sql<any>`select p.id, p.traits, m.entered_at from cdp_segment_members m
    join cdp_profiles p on p.tenant_id = m.tenant_id and p.id = m.subject_id
    where m.tenant_id = ${tenantId} and m.segment_id = ${id} and ${scope.where(sql`m.subject_id`)}
    order by m.entered_at desc, p.id limit ${limit}`.execute(tx);
  const labels = await personLabels(
    tx,
    tenantId,
    r.rows.map((m) => m.id),
    unmasked,
  );
  return {
    items: r.rows.map((m) => {
      const { traits } = maskTraits(m.traits, unmasked);
      return {
        id: m.id,
        name: profileName(m.traits, unmasked),
        label: labels.get(m.id),
        phone: traits.phone ?? null,
        email: traits.email ?? null,
        enteredAt: m.entered_at,
      };
    }),
  };
}

/** Export (CSV) of a segment's members in the viewer's scope, masked unless they may unmask; audited. */
export async function exportSegment(tx: Tx, viewer: Viewer, id: string, unmasked: boolean) {
  const actor = viewer.actor;
  const seg = await segmentRow(tx, actor.tenantId, id);
  const { items } = await segmentMembers(tx, viewer, id, 100_000, unmasked);
  const esc = (v: unknown) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`; // formula injection
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [
    'id,name,phone,email,entered_at',
    ...items.map((m: any) =>
      [m.id, m.name, m.phone, m.email, new Date(m.enteredAt).toISOString()].map(esc).join(','),
    ),
  ];
  await writeAudit(tx, actor, {
    action: 'export',
    object: 'cdp_segment',
    recordId: id,
    meta: { rows: items.length, masked: !unmasked, name: seg.name },
  });
  return `\uFEFF${lines.join('\n')}\n`;
}

/** Recomputes a segment; the figures returned are the viewer's (tenant-wide only for tenant scope). */
export async function manualRecompute(tx: Tx, viewer: Viewer, segmentId: string) {
  const tenantId = viewer.principal.tenantId;
  const seg = await segmentRow(tx, tenantId, segmentId);
  await lockTenantCdp(tx, tenantId);
  const r = await computeSegment(
    tx,
    tenantId,
    { id: seg.id, object: seg.object, purpose: seg.purpose, rule: seg.rule },
    new Date(),
    'manual',
  );
  if (scopeFilterFor(viewer, seg.object).all) return r;
  return { entered: null, exited: null, members: (await getSegment(tx, viewer, segmentId)).memberCount };
}
