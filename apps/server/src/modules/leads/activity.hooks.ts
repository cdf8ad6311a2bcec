import { sql } from 'kysely';
import type { ObjectHooks } from '../../engine/records/object-hooks.ts';
import { recordCtx, updateRecords } from '../../engine/records/record.service.ts';
import { isResponse } from './activity.object.ts';
import { scoreStoredLeads } from './scoring.service.ts';

/**
 * Activities on a lead: a connected call, a visit or a WeCom chat stops the first-response clock
 * (and moves a new lead to contacted) — an unanswered, refused or invalid-number call does not;
 * every activity counts as follow-up for the reclaim rule and re-scores the lead. An
 * activity logged on a converted lead lands on its customer too.
 */
export const activityHooks: ObjectHooks = {
  async beforeWrite(ctx, items, op) {
    for (const it of items) {
      const v = it.values;
      const type = v.type ?? it.existing?.type;
      // Only a call has an outcome (接通/未接通/空号/拒接).
      if (v.outcome !== undefined && v.outcome !== null && type !== 'call')
        it.errors.push({ field: 'outcome', code: 'option', params: { value: v.outcome } });
      if (op === 'create') {
        v.occurredAt ??= v.type === 'task' ? null : new Date().toISOString();
        if (v.type === 'task' || v.dueAt) v.status ??= 'open';
      }
    }
    const leadIds = [
      ...new Set(items.map((it) => it.values.leadId).filter((x): x is string => typeof x === 'string')),
    ];
    if (leadIds.length === 0) return;
    const converted = (
      await sql<{ id: string; converted_customer_id: string | null; converted_contact_id: string | null }>`
        select id, converted_customer_id, converted_contact_id from leads
        where tenant_id = ${ctx.principal.tenantId} and id = any(${leadIds}::uuid[]) and converted_customer_id is not null`.execute(
        ctx.tx,
      )
    ).rows;
    for (const it of items) {
      const c = converted.find((r) => r.id === it.values.leadId);
      if (!c) continue;
      it.values.customerId ??= c.converted_customer_id;
      it.values.contactId ??= c.converted_contact_id;
    }
  },
  async afterWrite(ctx, items, op) {
    if (op !== 'create') return;
    const byLead = new Map<string, { responded: boolean; at: string }>();
    for (const it of items) {
      const leadId = it.values.leadId;
      if (typeof leadId !== 'string') continue;
      const responded = isResponse(it.values.type, it.values.outcome);
      const at = (it.values.occurredAt as string | null) ?? new Date().toISOString();
      const cur = byLead.get(leadId);
      byLead.set(leadId, { responded: (cur?.responded ?? false) || responded, at });
    }
    if (byLead.size === 0) return;
    const leads = (
      await sql<{ id: string; status: string; first_responded_at: Date | null; version: number }>`
        select id, status, first_responded_at, version from leads
        where tenant_id = ${ctx.principal.tenantId} and id = any(${[...byLead.keys()]}::uuid[]) and deleted_at is null`.execute(
        ctx.tx,
      )
    ).rows;
    // Every activity can move the score (engagement; a call's outcome): re-scored from what is
    // stored now, this activity included.
    const open = leads.filter((l) => !['converted', 'disqualified'].includes(l.status)).map((l) => l.id);
    const scores = await scoreStoredLeads(ctx.tx, ctx.principal.tenantId, open);
    const leadCtx = await recordCtx(ctx.tx, ctx.principal, ctx.actor, 'lead');
    // Through the engine (trusted), so the status change and the stopped clock are audited
    // and emitted like any other change. The lead was visible to the activity's author
    // (lookup check), so the same principal may write it.
    const updates = leads.map((l) => {
      const a = byLead.get(l.id)!;
      const changes: Record<string, unknown> = { lastActivityAt: new Date().toISOString() };
      if (a.responded && !l.first_responded_at) changes.firstRespondedAt = a.at;
      if (a.responded && l.status === 'new') changes.status = 'contacted';
      const s = scores.get(l.id);
      if (s) Object.assign(changes, { score: s.score, scoreReasons: s.reasons, scoreSource: s.source });
      return { id: l.id, changes };
    });
    if (updates.length)
      await updateRecords(leadCtx, updates, { trusted: true, via: 'activity', atomic: false });
  },
};
