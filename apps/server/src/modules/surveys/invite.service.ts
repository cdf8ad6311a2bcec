import type { SurveyAnswerInput } from '@kehu/contracts/surveys';
import { sql } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import type { DomainEvent } from '../../core/events/outbox.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import { newId } from '../../core/ids.ts';
import { enqueue, type JobContext } from '../../core/jobs/queue.ts';
import { publicBaseUrl } from '../../core/mail/mailer.ts';
import { newPublicToken, tenantOfPublicToken } from '../cards/index.ts';
import { sendMessage } from '../messaging/index.ts';
import { getTicket, reopenTicket } from '../service/index.ts';
import { getSurveySettings } from './settings.service.ts';
import { surveyProblem, surveyText } from './surveys.messages.ts';

export const SEND_QUEUE = 'surveys:send';
const DAY_MS = 86_400_000;
export const surveyUrl = (token: string) => `${publicBaseUrl()}/s/${token}`;

function localMinute(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  return (
    Number(parts.find((p) => p.type === 'hour')?.value) * 60 +
    Number(parts.find((p) => p.type === 'minute')?.value)
  );
}

/**
 * When a return visit goes out: `delay` after closing, moved past the tenant's quiet hours
 * (messaging's window and time zone — a survey is a service message, which messaging does not
 * hold back itself, yet nobody wants a rating request at 23:00), never later than 24 h after closing.
 */
export function sendTimeFor(
  closedAt: Date,
  delayMinutes: number,
  quiet: { start: number | null; end: number | null; timeZone: string },
): Date {
  const at = new Date(closedAt.getTime() + delayMinutes * 60_000);
  const deadline = new Date(closedAt.getTime() + DAY_MS - 60_000);
  const { start, end } = quiet;
  if (start === null || end === null || start === end) return at < deadline ? at : deadline;
  let zone = quiet.timeZone;
  try {
    localMinute(at, zone);
  } catch {
    zone = 'Asia/Shanghai';
  }
  const m = localMinute(at, zone);
  const inside = start < end ? m >= start && m < end : m >= start || m < end;
  const moved = inside ? new Date(at.getTime() + ((end - m + 1440) % 1440) * 60_000) : at;
  return moved < deadline ? moved : deadline;
}

async function quietWindow(tx: Tx, tenantId: string) {
  const r = (
    await sql<any>`select t.time_zone, s.quiet_start, s.quiet_end from tenants t
      left join messaging_settings s on s.tenant_id = t.id where t.id = ${tenantId}`.execute(tx)
  ).rows[0];
  return {
    start: r?.quiet_start ?? null,
    end: r?.quiet_end ?? null,
    timeZone: r?.time_zone ?? 'Asia/Shanghai',
  } as { start: number | null; end: number | null; timeZone: string };
}

/**
 * `ticket.closed` → one invite per closing (keyed on the event id, so a redelivered event is one
 * invite; a ticket reopened and closed again is surveyed again) and a durable send job.
 */
export async function scheduleReturnVisit(e: DomainEvent, job: JobContext): Promise<void> {
  const p = e.payload as Record<string, any>;
  const ticketId = String(p.id ?? e.recordId ?? '');
  if (!ticketId) return;
  await job.tx(async (tx) => {
    const settings = await getSurveySettings(tx, job.tenantId);
    if (!settings.enabled) return;
    const ticket = await getTicket(tx, job.tenantId, ticketId);
    if (!ticket) return;
    const closedAt = ticket.closedAt ? new Date(ticket.closedAt as any) : new Date(e.createdAt);
    const assigneeId = (ticket.assigneeId ?? p.assigneeId ?? null) as string | null;
    const team = assigneeId
      ? (
          await sql<{
            unit_id: string;
          }>`select unit_id from users where tenant_id = ${job.tenantId} and id = ${assigneeId}`.execute(tx)
        ).rows[0]?.unit_id
      : null;
    const sendAt = sendTimeFor(closedAt, settings.delayMinutes, await quietWindow(tx, job.tenantId));
    const id = newId();
    const inserted =
      await sql`insert into survey_invites (tenant_id, id, token, event_id, ticket_id, ticket_number,
        profile_id, unit_id, assignee_id, team_unit_id, category_key, channel, status, closed_at, send_at, expires_at)
      values (${job.tenantId}, ${id}, ${newPublicToken(job.tenantId)}, ${e.id}, ${ticketId}, ${ticket.number ?? null},
        ${ticket.profileId ?? p.profileId ?? null}, ${ticket.unitId ?? p.unitId ?? null}, ${assigneeId}, ${team ?? null},
        ${ticket.categoryKey ?? p.categoryKey ?? null}, ${settings.channel}, 'scheduled', ${closedAt}, ${sendAt},
        ${new Date(sendAt.getTime() + settings.expiresDays * DAY_MS)})
      on conflict do nothing`.execute(tx);
    if (!inserted.numAffectedRows) return;
    await enqueue(
      tx,
      job.tenantId,
      SEND_QUEUE,
      { inviteId: id },
      { runAt: sendAt, dedupeKey: `survey:${id}` },
    );
  });
}

/** The send job: one message per invite (idempotency key = invite), through messaging's guards. */
export async function sendInviteJob(payload: { inviteId: string }, job: JobContext): Promise<void> {
  await job.tx(async (tx) => {
    const inv = (
      await sql<any>`select id, token, profile_id, ticket_number, channel, status, assignee_id from survey_invites
        where tenant_id = ${job.tenantId} and id = ${payload.inviteId} for update`.execute(tx)
    ).rows[0];
    if (inv?.status !== 'scheduled') return;
    if (!inv.profile_id) {
      await sql`update survey_invites set status = 'skipped', skip_reason = 'no_profile'
        where tenant_id = ${job.tenantId} and id = ${inv.id}`.execute(tx);
      return;
    }
    const url = surveyUrl(inv.token);
    const number = inv.ticket_number ?? '';
    const out = await sendMessage(tx, job.tenantId, {
      profileId: inv.profile_id,
      channel: inv.channel,
      purpose: 'service',
      content: {
        subject: surveyText('zh-CN', 'wecom_text', { number }),
        text: surveyText('zh-CN', inv.channel === 'sms' ? 'sms_text' : 'wecom_text', { number, url }),
        url,
      },
      idempotencyKey: `survey:${inv.id}`,
      source: { kind: 'manual', id: inv.id },
      ...(inv.assignee_id ? { ownerUserId: inv.assignee_id } : {}),
    });
    const skipped = out.status === 'skipped' || out.status === 'failed';
    await sql`update survey_invites set status = ${skipped ? 'skipped' : 'sent'}, skip_reason = ${out.reason ?? (skipped ? out.status : null)},
        message_id = ${out.messageId}, sent_at = ${skipped ? null : new Date()}
      where tenant_id = ${job.tenantId} and id = ${inv.id}`.execute(tx);
  });
}

export interface PublicInvite {
  tenantId: string;
  id: string;
  ticketNumber: string | null;
  status: string;
  expired: boolean;
  answered: boolean;
}

/** The invite behind a public token (the tenant is in the token; RLS stays on). */
export async function inviteByToken(database: Database, token: string): Promise<PublicInvite | null> {
  const tenantId = tenantOfPublicToken(token);
  if (!tenantId) return null;
  return inTenant(
    database.db,
    tenantId,
    async (tx) => {
      const r = (
        await sql<any>`select i.id, i.ticket_number, i.status, i.expires_at < now() as expired, a.invite_id is not null as answered
          from survey_invites i left join survey_answers a on a.tenant_id = i.tenant_id and a.invite_id = i.id
          where i.tenant_id = ${tenantId} and i.token = ${token}`.execute(tx)
      ).rows[0];
      return r
        ? {
            tenantId,
            id: r.id,
            ticketNumber: r.ticket_number,
            status: r.status,
            expired: r.expired,
            answered: r.answered,
          }
        : null;
    },
    { readOnly: true },
  );
}

/**
 * Records the one answer an invite takes (the primary key refuses a second, also under a race),
 * and — in the same transaction — reopens the ticket as a complaint when a score is at or below
 * the tenant's threshold. The answer becomes a CDP event on the profile (outbox → subscriber).
 */
export async function answerSurvey(
  database: Database,
  inv: PublicInvite,
  input: SurveyAnswerInput,
): Promise<{ low: boolean }> {
  const locale = 'zh-CN';
  if (inv.expired) throw surveyProblem('conflict', locale, 'expired');
  return inTenant(database.db, inv.tenantId, async (tx) => {
    const t = inv.tenantId;
    const settings = await getSurveySettings(tx, t);
    const low =
      (input.csat !== undefined && input.csat <= settings.csatLow) ||
      (input.nps !== undefined && input.nps <= settings.npsLow);
    const r = await sql`insert into survey_answers (tenant_id, invite_id, csat, nps, comment, low)
      values (${t}, ${inv.id}, ${input.csat ?? null}, ${input.nps ?? null}, ${input.comment || null}, ${low})
      on conflict do nothing`.execute(tx);
    if (!r.numAffectedRows) throw surveyProblem('conflict', locale, 'already_answered');
    const row = (
      await sql<any>`update survey_invites set status = 'answered' where tenant_id = ${t} and id = ${inv.id}
        returning ticket_id, profile_id, unit_id, category_key, assignee_id`.execute(tx)
    ).rows[0];
    if (low) {
      const ticket = await getTicket(tx, t, row.ticket_id);
      // Only a closed or resolved ticket is reopened: one already reopened (a second survey) stays as it is.
      if (ticket && (ticket.status === 'closed' || ticket.status === 'resolved')) {
        await reopenTicket(tx, t, row.ticket_id, {
          asComplaint: true,
          reason: surveyText(locale, 'complaint_reason', {
            csat: input.csat ?? '—',
            nps: input.nps ?? '—',
            comment: input.comment ?? '',
          }).trim(),
        });
        await sql`update survey_answers set reopened = true where tenant_id = ${t} and invite_id = ${inv.id}`.execute(
          tx,
        );
      }
    }
    await emitEvent(tx, t, {
      type: 'survey.answered',
      object: 'survey_invite',
      recordId: inv.id,
      payload: {
        inviteId: inv.id,
        ticketId: row.ticket_id,
        profileId: row.profile_id,
        categoryKey: row.category_key,
        csat: input.csat ?? null,
        nps: input.nps ?? null,
        low,
      },
    });
    return { low };
  });
}
