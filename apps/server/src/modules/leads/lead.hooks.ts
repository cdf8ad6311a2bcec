import { sql } from 'kysely';
import { writeAuditMany } from '../../core/audit/audit.ts';
import { dataScopeFor } from '../../core/auth/principal.ts';
import { emitEvents } from '../../core/events/outbox.ts';
import { enqueue } from '../../core/jobs/queue.ts';
import type { ObjectHooks, WriteItem, WrittenItem } from '../../engine/records/object-hooks.ts';
import type { RecordCtx } from '../../engine/records/record.service.ts';
import { Assigner, type AssignmentLog, type Decision, logAssignments } from './assignment.service.ts';
import { notifyAssignees } from './lead-notify.ts';
import {
  type LeadSettings,
  leadFacts,
  loadSettings,
  loadSettingsCached,
  scoreLead,
} from './scoring.service.ts';

export const NOTIFY_QUEUE = 'leads:notify';
export const TICK_QUEUE = 'leads:tick';
export const TRAIN_QUEUE = 'leads:train';

/** How a lead arrived, set by the intake services for the write they start. */
export interface IntakeContext {
  via: 'web_form' | 'channel_code';
  poolUnitId: string | null;
  forcedRuleId?: string | null;
  sourceId: string;
}
export const intakeContexts = new WeakMap<RecordCtx, IntakeContext>();

export interface DuplicateMatch {
  object: 'lead' | 'customer';
  id: string;
  ownerId: string | null;
  ownerName: string | null;
  on: 'phone' | 'email' | 'company';
  name: string;
}

interface Pending {
  decision: Decision | null;
  duplicate: DuplicateMatch | null;
}
const pendingByValues = new WeakMap<Record<string, unknown>, Pending>();
const assigners = new WeakMap<RecordCtx, Assigner>();

const SCORE_FIELDS = [
  'need',
  'budget',
  'decisionChain',
  'companySize',
  'industry',
  'channel',
  'phone',
  'email',
  'title',
  'company',
  'remark',
];

/**
 * Finds existing leads and customers sharing a phone, an email or a normalised company name
 * with any of `probes`. Customers win over leads: an owned customer is the strongest claim.
 */
export async function findDuplicates(
  ctx: Pick<RecordCtx, 'tx' | 'principal'>,
  probes: { phone?: unknown; email?: unknown; company?: unknown }[],
  excludeLeadIds: string[] = [],
): Promise<(DuplicateMatch | null)[]> {
  const tenantId = ctx.principal.tenantId;
  const phones = [...new Set(probes.map((p) => p.phone).filter((v): v is string => typeof v === 'string'))];
  const emails = [
    ...new Set(
      probes
        .map((p) => p.email)
        .filter((v): v is string => typeof v === 'string')
        .map((e) => e.toLowerCase()),
    ),
  ];
  const companies = probes.map((p) => (typeof p.company === 'string' ? p.company : null));
  if (!phones.length && !emails.length && !companies.some(Boolean)) return probes.map(() => null);
  const keys = companies.some(Boolean)
    ? (
        await sql<{
          k: string | null;
        }>`select kehu_norm_company(c) as k from unnest(${companies}::text[]) with ordinality as t(c, i) order by i`.execute(
          ctx.tx,
        )
      ).rows.map((r) => r.k)
    : companies.map(() => null);
  const companyKeys = [...new Set(keys.filter((k): k is string => !!k))];
  const customers =
    // Plain `=` on stored keys: the only index conditions PostgreSQL applies ahead of RLS (0012).
    (
      await sql<any>`select c.id, c.owner_id, c.name, c.phone, c.email, c.dedupe_company as ckey,
        (select u.name from users u where u.tenant_id = c.tenant_id and u.id = c.owner_id) as owner_name
      from customers c where c.tenant_id = ${tenantId} and c.deleted_at is null and (
        c.phone = any(${phones}::text[]) or c.email = any(${emails}::text[]) or c.dedupe_company = any(${companyKeys}::text[]))
      limit 200`.execute(ctx.tx)
    ).rows;
  const leads = (
    await sql<any>`select l.id, l.owner_id, l.name, l.phone, l.email, l.company_key as ckey,
        (select u.name from users u where u.tenant_id = l.tenant_id and u.id = l.owner_id) as owner_name
      from leads l where l.tenant_id = ${tenantId} and l.deleted_at is null and l.status not in ('disqualified', 'converted')
        and not (l.id = any(${excludeLeadIds}::uuid[])) and (
        l.phone = any(${phones}::text[]) or l.email = any(${emails}::text[]) or l.company_key = any(${companyKeys}::text[]))
      order by l.created_at limit 200`.execute(ctx.tx)
  ).rows;
  return probes.map((p, i) => {
    const email = typeof p.email === 'string' ? p.email.toLowerCase() : null;
    const key = keys[i];
    for (const [object, rows] of [
      ['customer', customers],
      ['lead', leads],
    ] as const) {
      for (const on of ['phone', 'email', 'company'] as const) {
        const hit = rows.find((r: any) =>
          on === 'phone'
            ? p.phone && r.phone === p.phone
            : on === 'email'
              ? email && r.email === email
              : key && r.ckey === key,
        );
        if (hit)
          return { object, id: hit.id, ownerId: hit.owner_id, ownerName: hit.owner_name, on, name: hit.name };
      }
    }
    return null;
  });
}

export function slaMinutes(settings: LeadSettings, channel: unknown): number {
  return settings.sla.byChannel[String(channel ?? '')] ?? settings.sla.defaultMinutes;
}

async function beforeCreate(ctx: RecordCtx, items: WriteItem[]): Promise<void> {
  const tenantId = ctx.principal.tenantId;
  const intake = intakeContexts.get(ctx);
  const settings = await loadSettingsCached(ctx.tx, tenantId);
  const dups = await findDuplicates(
    ctx,
    items.map((it) => it.values),
  );
  const assigner = new Assigner(ctx.tx, tenantId);
  await assigner.prepareBatch(items.length);
  // A salesperson who can see only their own leads keeps what they enter: reassigning it
  // would hide their own record from them. Duplicates are flagged and guarded at conversion.
  const selfOwned = !intake && dataScopeFor(ctx.principal, 'lead') === 'own';
  const now = Date.now();
  for (const [i, it] of items.entries()) {
    const v = it.values;
    v.status = 'new';
    const s = scoreLead(settings, v);
    v.score = s.score;
    v.scoreReasons = s.reasons;
    v.scoreSource = s.source;
    const dup = dups[i] ?? null;
    if (dup) {
      v.duplicateOfId = dup.id;
      v.duplicateOfObject = dup.object;
    }
    let decision: Decision | null = null;
    if (v.ownerId !== undefined) {
      decision = {
        kind: 'keep',
        userId: v.ownerId as string,
        unitId: null,
        ruleId: null,
        reason: { code: 'explicit_owner' },
      };
    } else if (selfOwned) {
      decision = {
        kind: 'keep',
        userId: ctx.principal.userId,
        unitId: null,
        ruleId: null,
        reason: { code: 'entered_by_owner' },
      };
    } else if (dup?.ownerId) {
      // 撞单 protection: the prospect already belongs to someone; the new lead follows them.
      const owner = (
        await sql<{
          unit_id: string;
        }>`select unit_id from users where tenant_id = ${tenantId} and id = ${dup.ownerId} and status = 'active'`.execute(
          ctx.tx,
        )
      ).rows[0];
      if (owner)
        decision = {
          kind: 'assign',
          userId: dup.ownerId,
          unitId: owner.unit_id,
          ruleId: null,
          reason: {
            code: 'duplicate_owner',
            object: dup.object,
            id: dup.id,
            on: dup.on,
            owner: dup.ownerName,
          },
        };
    }
    decision ??= await assigner.decide(v, {
      forcedRuleId: intake?.forcedRuleId ?? null,
      fallbackPoolUnitId: intake?.poolUnitId ?? null,
    });
    decision ??= {
      kind: 'keep',
      userId: ctx.principal.userId,
      unitId: null,
      ruleId: null,
      reason: { code: 'no_rule_matched' },
    };
    if (decision.kind === 'assign') {
      v.ownerId = decision.userId;
      v.unitId = decision.unitId;
    }
    if (decision.kind === 'pool') {
      const unit = decision.unitId ?? ctx.principal.unitId;
      decision.unitId = unit;
      v.status = 'pooled';
      v.unitId = unit;
      v.poolId = unit;
      v.pooledAt = new Date(now).toISOString();
    } else {
      v.firstResponseDueAt = new Date(now + slaMinutes(settings, v.channel) * 60_000).toISOString();
    }
    pendingByValues.set(v, { decision, duplicate: dup });
  }
  assigners.set(ctx, assigner);
}

async function afterCreate(ctx: RecordCtx, items: WrittenItem[]): Promise<void> {
  const tenantId = ctx.principal.tenantId;
  const logs: AssignmentLog[] = [];
  const pooled: string[] = [];
  const notifyIds: string[] = [];
  for (const it of items) {
    const p = pendingByValues.get(it.values);
    if (!p?.decision) continue;
    const d = p.decision;
    const kind = d.reason.code === 'duplicate_owner' ? 'duplicate_owner' : d.kind;
    logs.push({
      leadId: it.id,
      kind,
      ruleId: d.ruleId,
      toUserId:
        d.kind === 'pool' ? null : ((it.values.ownerId as string | undefined) ?? ctx.principal.userId),
      unitId: d.unitId ?? (it.values.unitId as string | undefined) ?? ctx.principal.unitId,
      reason: d.reason,
      actorId: ctx.actor.actorId,
    });
    if (d.kind === 'pool') pooled.push(it.id);
    else if (d.kind === 'assign' || intakeContexts.has(ctx)) notifyIds.push(it.id);
  }
  if (pooled.length)
    await sql`update leads set owner_id = null where tenant_id = ${tenantId} and id = any(${pooled}::uuid[])`.execute(
      ctx.tx,
    );
  await logAssignments(ctx.tx, tenantId, logs);
  // The decision and its reason also go to the audit trail (R3.3: every decision recorded).
  await writeAuditMany(
    ctx.tx,
    ctx.actor,
    logs.map((l) => ({
      action: l.kind === 'pool' ? 'lead_pooled' : 'lead_assigned',
      object: 'lead',
      recordId: l.leadId,
      meta: { kind: l.kind, ruleId: l.ruleId, toUserId: l.toUserId, unitId: l.unitId, reason: l.reason },
    })),
  );
  if (logs.length <= 20)
    await emitEvents(
      ctx.tx,
      tenantId,
      logs.map((l) => ({
        type: l.kind === 'pool' ? 'lead.pooled' : 'lead.assigned',
        object: 'lead',
        recordId: l.leadId,
        payload: { id: l.leadId, ownerId: l.toUserId, kind: l.kind, ruleId: l.ruleId ?? null },
      })),
    );
  // In the intake transaction, not a job per lead: at 60 intakes/s one job per lead outran
  // the worker (p50 intake→notification 23 s in the benchmark); here it commits with the lead.
  if (notifyIds.length)
    await notifyAssignees(
      ctx.tx,
      tenantId,
      notifyIds,
      items
        .filter((it) => notifyIds.includes(it.id))
        .map((it) => ({
          id: it.id,
          owner_id: ((it.values.ownerId as string | undefined) ?? ctx.principal.userId) as string,
          name: it.values.name as string,
          company: (it.values.company as string | null) ?? null,
          score: (it.values.score as number | null) ?? null,
          first_response_due_at: (it.values.firstResponseDueAt as string | null) ?? null,
        })),
    );
  // Background work for the tenant (SLA breaches, reminders, reclaim, daily retrain) keeps
  // itself scheduled once the tenant has leads; the dedupe key makes this a no-op when pending.
  await scheduleTick(ctx.tx, tenantId);
  await scheduleTrain(ctx.tx, tenantId);
  // The round-robin cursors this write took turns from (their rows are locked since the decision).
  await assigners.get(ctx)?.flush();
  assigners.delete(ctx);
}

/** Per process: the tenant's next tick/train slots already queued (saves two inserts per intake). */
const scheduled = new Map<string, number>();

/**
 * Scheduled work is keyed by its time slot: every path that schedules the next tick (a new
 * lead, the tick itself) lands on the same slot, and the queue's dedupe key keeps one job per slot.
 */
export async function scheduleTick(tx: RecordCtx['tx'], tenantId: string): Promise<void> {
  const slot = Math.floor(Date.now() / 60_000) + 1;
  if (scheduled.get(`tick:${tenantId}`) === slot) return;
  scheduled.set(`tick:${tenantId}`, slot);
  await enqueue(tx, tenantId, TICK_QUEUE, {}, { dedupeKey: `tick:${slot}`, runAt: new Date(slot * 60_000) });
}

export async function scheduleTrain(tx: RecordCtx['tx'], tenantId: string): Promise<void> {
  // The next 02:00 China time (18:00 UTC), when nobody works leads.
  const day = 86_400_000;
  const offset = 18 * 3600_000;
  const at = Math.floor((Date.now() - offset) / day) * day + offset + day;
  if (scheduled.get(`train:${tenantId}`) === at) return;
  scheduled.set(`train:${tenantId}`, at);
  await enqueue(tx, tenantId, TRAIN_QUEUE, {}, { dedupeKey: `train:${at}`, runAt: new Date(at) });
}

async function beforeUpdate(ctx: RecordCtx, items: WriteItem[]): Promise<void> {
  const touched = items.filter((it) => SCORE_FIELDS.some((f) => it.values[f] !== undefined));
  if (touched.length === 0) return;
  const settings = await loadSettings(ctx.tx, ctx.principal.tenantId);
  // An edit re-scores with what the lead's activities and calls said, not only its fields.
  const facts = await leadFacts(
    ctx.tx,
    ctx.principal.tenantId,
    touched.map((it) => String(it.existing?.id ?? '')).filter(Boolean),
  );
  for (const it of touched) {
    const merged: Record<string, unknown> = { ...facts.get(String(it.existing?.id ?? '')) };
    for (const f of SCORE_FIELDS) {
      const col = ctx.obj.fields.find((x) => x.apiName === f)!.column!;
      merged[f] = it.values[f] !== undefined ? it.values[f] : (it.existing?.[col] ?? null);
    }
    const s = scoreLead(settings, merged);
    it.values.score = s.score;
    it.values.scoreReasons = s.reasons;
    it.values.scoreSource = s.source;
  }
}

export const leadHooks: ObjectHooks = {
  async beforeWrite(ctx, items, op) {
    if (op === 'create') await beforeCreate(ctx, items);
    else await beforeUpdate(ctx, items);
  },
  async afterWrite(ctx, items, op) {
    if (op === 'create') await afterCreate(ctx, items);
  },
};
