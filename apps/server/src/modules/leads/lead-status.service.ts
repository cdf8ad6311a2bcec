import type { LeadStatus } from '@kehu/contracts/leads';
import { emitEvents } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { getRecord, type RecordCtx, updateRecords } from '../../engine/records/record.service.ts';
import { slaMinutes } from './lead.hooks.ts';
import { lockLead } from './lead-lock.ts';
import { leadsProblem, statusName } from './leads.messages.ts';
import { loadSettings } from './scoring.service.ts';

/** Guarded status transitions (R3, quality bar): anything else is a 409 with both names. */
const TRANSITIONS: Record<LeadStatus, LeadStatus[]> = {
  new: ['contacted', 'qualified', 'disqualified'],
  contacted: ['qualified', 'disqualified'],
  qualified: ['contacted', 'disqualified'],
  disqualified: ['new'],
  // Leaving the pool is a claim; leaving converted is not possible.
  pooled: [],
  converted: [],
};

export async function changeStatus(
  ctx: RecordCtx,
  id: string,
  body: { status: LeadStatus; reason?: string; version?: number },
  locale: Locale,
) {
  const row = await lockLead(ctx, id);
  const from = row.status as LeadStatus;
  if (!TRANSITIONS[from]?.includes(body.status))
    throw leadsProblem('conflict', locale, 'transition', {
      from: statusName(locale, from),
      to: statusName(locale, body.status),
    });
  if (body.status === 'disqualified' && !body.reason?.trim())
    throw leadsProblem('validation', locale, 'reason_required', {}, [{ field: 'reason', code: 'required' }]);
  const changes: Record<string, unknown> = { status: body.status, statusReason: body.reason?.trim() || null };
  if (body.status === 'new' && from === 'disqualified') {
    const settings = await loadSettings(ctx.tx, ctx.principal.tenantId);
    changes.firstResponseDueAt = new Date(
      Date.now() + slaMinutes(settings, row.channel) * 60_000,
    ).toISOString();
  }
  await updateRecords(ctx, [{ id, version: body.version, changes }], { trusted: true, via: 'lead_status' });
  await emitEvents(ctx.tx, ctx.principal.tenantId, [
    {
      type: 'lead.status_changed',
      object: 'lead',
      recordId: id,
      payload: { id, from, to: body.status, reason: body.reason ?? null },
    },
  ]);
  return getRecord(ctx, id);
}
