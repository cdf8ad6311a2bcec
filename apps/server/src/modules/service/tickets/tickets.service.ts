import {
  OPEN_STATUSES,
  type SlaClock,
  TICKET_TRANSITIONS,
  type TicketDetail,
  type TicketInput,
  type TicketStatus,
  type TicketSummary,
  type TicketsQuery,
} from '@kehu/contracts/service';
import { sql } from 'kysely';
import type { z } from 'zod';
import { type Actor, writeAudit } from '../../../core/audit/audit.ts';
import { type Principal, rowScope } from '../../../core/auth/principal.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import { emitEvent } from '../../../core/events/outbox.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { newId } from '../../../core/ids.ts';
import { serviceProblem, st } from '../service.messages.ts';
import { type BusinessCalendar, businessBetween, loadCalendar } from '../sla/calendar.ts';
import {
  assignTicket,
  createTicket,
  historyEvent,
  loadTicket,
  markFirstResponse,
  reopenTicket,
  scheduleSla,
  setStatus,
  type TicketRow,
  validateForm,
} from './ticket.core.ts';
import { canHandle, contactVisible, HANDLER_ROLE, ticketVisible, visibleTicket } from './ticket-access.ts';

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

/** The clocks of a ticket, in business minutes of the tenant's calendar. */
export function slaClocks(t: TicketRow, cal: BusinessCalendar, now = new Date()): SlaClock[] {
  const clock = (
    target: SlaClock['target'],
    due: Date | null,
    warn: Date | null,
    metAt: Date | null,
    breachedAt: Date | null,
  ): SlaClock => {
    if (!due) return { target, dueAt: null, minutesLeft: null, state: 'none', metAt: null };
    if (metAt) {
      return {
        target,
        dueAt: iso(due),
        minutesLeft: null,
        state: breachedAt || new Date(metAt) > new Date(due) ? 'breached' : 'met',
        metAt: iso(metAt),
      };
    }
    const from = t.sla_paused_at ? new Date(t.sla_paused_at) : now;
    const left = Math.round(businessBetween(cal, from, new Date(due)));
    const state =
      breachedAt || left <= 0
        ? 'breached'
        : t.sla_paused_at
          ? 'paused'
          : warn && now >= new Date(warn)
            ? 'warning'
            : 'running';
    return { target, dueAt: iso(due), minutesLeft: left, state, metAt: null };
  };
  return [
    clock(
      'first_response',
      t.first_response_due_at,
      t.first_response_warn_at,
      t.first_responded_at,
      t.first_response_breached_at,
    ),
    clock(
      'resolution',
      t.resolution_due_at,
      t.resolution_warn_at,
      t.resolved_at ?? t.closed_at,
      t.resolution_breached_at,
    ),
  ];
}

/** The clock a list shows: first response until it is met, then resolution. */
export function currentClock(t: TicketRow, cal: BusinessCalendar, now = new Date()): SlaClock {
  const [fr, res] = slaClocks(t, cal, now) as [SlaClock, SlaClock];
  if (t.status === 'merged') return { ...res, state: 'none', minutesLeft: null };
  if (fr.state !== 'met' && fr.state !== 'none' && !t.first_responded_at && !t.resolved_at) return fr;
  return res;
}

function summary(r: any, cal: BusinessCalendar, now: Date): TicketSummary {
  return {
    id: r.id,
    number: r.number,
    subject: r.subject,
    categoryKey: r.category_key,
    categoryName: r.category_name ?? null,
    priority: r.priority,
    channel: r.channel,
    kind: r.kind,
    status: r.status,
    unitId: r.unit_id,
    unitName: r.unit_name ?? null,
    assigneeId: r.assignee_id,
    assigneeName: r.assignee_name ?? null,
    contactId: r.contact_id,
    contactName: r.contact_name ?? null,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    sla: currentClock(r, cal, now),
  };
}

const LIST_COLUMNS = sql`t.id, t.number, t.subject, t.category_key, t.priority, t.channel, t.kind, t.status,
  t.unit_id, t.assignee_id, t.contact_id, t.created_at, t.updated_at, t.first_response_due_at,
  t.first_response_warn_at, t.first_responded_at, t.first_response_breached_at, t.resolution_due_at,
  t.resolution_warn_at, t.resolution_breached_at, t.resolved_at, t.closed_at, t.sla_paused_at,
  c.name as category_name, un.name as unit_name, au.name as assignee_name, ct.name as contact_name`;
const LIST_JOINS = sql`left join service_categories c on c.tenant_id = t.tenant_id and c.key = t.category_key
  left join units un on un.tenant_id = t.tenant_id and un.id = t.unit_id
  left join users au on au.tenant_id = t.tenant_id and au.id = t.assignee_id
  left join contacts ct on ct.tenant_id = t.tenant_id and ct.id = t.contact_id`;

const encodeCursor = (at: unknown, id: string) =>
  Buffer.from(`${new Date(at as string).toISOString()}|${id}`).toString('base64url');
function decodeCursor(c: string | undefined): { at: string; id: string } | null {
  if (!c) return null;
  const [at, id] = Buffer.from(c, 'base64url').toString().split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  return { at, id };
}
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listTickets(
  tx: Tx,
  p: Principal,
  q: z.infer<typeof TicketsQuery>,
  now = new Date(),
): Promise<{ items: TicketSummary[]; nextCursor: string | null }> {
  const where = [sql`t.tenant_id = ${p.tenantId}`, ticketVisible(p)];
  if (q.status) {
    const list = q.status === 'open' ? OPEN_STATUSES : q.status.split(',').map((s) => s.trim());
    where.push(sql`t.status = any(${list}::text[])`);
  } else where.push(sql`t.status <> 'merged'`);
  if (q.priority) where.push(sql`t.priority = ${q.priority}`);
  if (q.categoryKey) where.push(sql`t.category_key = ${q.categoryKey}`);
  if (q.assignee === 'me') where.push(sql`t.assignee_id = ${p.userId}`);
  else if (q.assignee === 'none') where.push(sql`t.assignee_id is null`);
  else if (q.assignee) where.push(sql`t.assignee_id = ${q.assignee}`);
  if (q.contactId) where.push(sql`t.contact_id = ${q.contactId}`);
  if (q.profileId) where.push(sql`t.profile_id = ${q.profileId}`);
  if (q.q) {
    const like = `%${escapeLike(q.q)}%`;
    where.push(sql`(t.number ilike ${like} or t.subject ilike ${like})`);
  }
  if (q.breached === 'true')
    where.push(sql`t.status in ('new', 'assigned', 'in_progress', 'waiting_customer', 'reopened')
      and ((t.first_responded_at is null and t.first_response_due_at < ${now})
        or (t.resolved_at is null and t.resolution_due_at < ${now}))`);
  const cur = decodeCursor(q.cursor);
  if (cur) where.push(sql`(t.created_at, t.id) < (${cur.at}::timestamptz, ${cur.id}::uuid)`);
  const limit = q.limit ?? 50;
  const rows = (
    await sql<any>`select ${LIST_COLUMNS} from service_tickets t ${LIST_JOINS}
      where ${sql.join(where, sql` and `)}
      order by t.created_at desc, t.id desc limit ${limit + 1}`.execute(tx)
  ).rows;
  const cal = await loadCalendar(tx, p.tenantId);
  const more = rows.length > limit;
  const items = rows.slice(0, limit).map((r) => summary(r, cal, now));
  const last = rows[limit - 1];
  return { items, nextCursor: more && last ? encodeCursor(last.created_at, last.id) : null };
}

export async function ticketDetail(tx: Tx, p: Principal, id: string, locale: Locale): Promise<TicketDetail> {
  await visibleTicket(tx, p, id, locale);
  const r = (
    await sql<any>`select t.*, c.name as category_name, c.fields as category_fields, un.name as unit_name,
        au.name as assignee_name, ct.name as contact_name
      from service_tickets t ${LIST_JOINS} where t.tenant_id = ${p.tenantId} and t.id = ${id}`.execute(tx)
  ).rows[0];
  const cal = await loadCalendar(tx, p.tenantId);
  const now = new Date();
  const messages = (
    await sql<any>`select m.*, u.name as author_name from service_ticket_messages m
      left join users u on u.tenant_id = m.tenant_id and u.id = m.author_id
      where m.tenant_id = ${p.tenantId} and m.ticket_id = ${id} order by m.created_at, m.id`.execute(tx)
  ).rows;
  const files = (
    await sql<any>`select id, message_id, file_name, mime, size from service_ticket_attachments
      where tenant_id = ${p.tenantId} and ticket_id = ${id} order by created_at`.execute(tx)
  ).rows;
  const events = (
    await sql<any>`select e.*, u.name as actor_name from service_ticket_events e
      left join users u on u.tenant_id = e.tenant_id and u.id = e.actor_id
      where e.tenant_id = ${p.tenantId} and e.ticket_id = ${id} order by e.at, e.id`.execute(tx)
  ).rows;
  const links = (
    await sql<any>`select object, record_id from service_ticket_links where tenant_id = ${p.tenantId}
      and ticket_id = ${id} order by created_at`.execute(tx)
  ).rows;
  const handle = canHandle(p);
  const next = handle ? TICKET_TRANSITIONS[r.status as TicketStatus] : [];
  const file = (f: any) => ({ id: f.id, fileName: f.file_name, mime: f.mime, size: f.size });
  return {
    ...summary(r, cal, now),
    description: r.description,
    form: r.form ?? {},
    profileId: r.profile_id,
    customerId: r.customer_id,
    mergedInto: r.merged_into,
    splitFrom: r.split_from,
    reopenCount: r.reopen_count,
    closedAt: iso(r.closed_at),
    resolvedAt: iso(r.resolved_at),
    version: r.version,
    clocks: slaClocks(r, cal, now),
    links: links.map((l) => ({ object: l.object, recordId: l.record_id, label: null })),
    messages: messages.map((m) => ({
      id: m.id,
      kind: m.kind,
      body: m.body,
      authorId: m.author_id,
      authorName: m.author_name ?? null,
      fromTicketId: m.from_ticket_id,
      createdAt: iso(m.created_at)!,
      attachments: files.filter((f) => f.message_id === m.id).map(file),
    })),
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      data: e.data ?? {},
      actorId: e.actor_id,
      actorName: e.actor_name ?? null,
      at: iso(e.at)!,
    })),
    categoryFields: r.category_fields ?? [],
    next,
    canHandle: handle,
  };
}

/** Files a ticket for the caller: the contact must be one they see, the unit one of theirs. */
export async function fileTicket(tx: Tx, p: Principal, locale: Locale, body: TicketInput) {
  let contactUnit: string | null = null;
  if (body.contactId) {
    const c = await contactVisible(tx, p, body.contactId);
    if (!c)
      throw serviceProblem('validation', locale, 'contact_unknown', {}, [
        { field: 'contactId', code: 'contact_unknown', message: st(locale, 'contact_unknown') },
      ]);
    contactUnit = c.unit_id;
  }
  let unitId = body.unitId ?? contactUnit ?? p.unitId;
  const scope = rowScope(p, 'service_ticket');
  if (body.unitId && scope.unitIds !== null && !p.subtreeUnitIds.includes(body.unitId))
    throw serviceProblem('validation', locale, 'unit_outside', {}, [
      { field: 'unitId', code: 'unit_outside', message: st(locale, 'unit_outside') },
    ]);
  // A contact of a unit the caller cannot file for (a shared record): the ticket stays theirs.
  if (!body.unitId && scope.unitIds !== null && !p.subtreeUnitIds.includes(unitId)) unitId = p.unitId;
  const r = await createTicket(tx, p.tenantId, {
    ...body,
    unitId,
    createdBy: p.userId,
    locale,
  });
  return ticketDetail(tx, p, r.ticketId, locale);
}

export interface TicketPatchBody {
  version: number;
  status?: TicketStatus;
  priority?: TicketRow['priority'];
  assigneeId?: string | null;
  subject?: string;
  categoryKey?: string;
  form?: Record<string, unknown>;
}

export async function patchTicket(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  body: TicketPatchBody,
) {
  let t = await visibleTicket(tx, p, id, locale, true);
  if (t.version !== body.version) throw serviceProblem('conflict', locale, 'version_conflict');
  if (t.status === 'merged' || t.status === 'closed') {
    if (body.status || body.assigneeId !== undefined || body.priority || body.subject || body.categoryKey)
      throw serviceProblem('conflict', locale, 'ticket_closed');
  }
  if (body.categoryKey !== undefined || body.form !== undefined) {
    const key = body.categoryKey ?? t.category_key;
    const cat = (
      await sql<any>`select key, name, fields from service_categories where tenant_id = ${p.tenantId}
        and key = ${key} and active`.execute(tx)
    ).rows[0];
    if (!cat)
      throw serviceProblem('validation', locale, 'category_unknown', {}, [
        { field: 'categoryKey', code: 'category_unknown', message: st(locale, 'category_unknown') },
      ]);
    const { value, errors } = validateForm(cat.fields, body.form ?? t.form ?? {}, cat.name, locale);
    if (errors.length) throw serviceProblem('validation', locale, errors[0]!.code, errors[0]!.params, errors);
    await sql`update service_tickets set category_key = ${key}, form = ${JSON.stringify(value)}::jsonb
      where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
    if (key !== t.category_key)
      await historyEvent(tx, p.tenantId, id, 'category', { from: t.category_key, to: key }, p.userId);
  }
  if (body.subject !== undefined && body.subject !== t.subject) {
    await sql`update service_tickets set subject = ${body.subject} where tenant_id = ${p.tenantId} and id = ${id}`.execute(
      tx,
    );
  }
  if (body.priority && body.priority !== t.priority) {
    await sql`update service_tickets set priority = ${body.priority} where tenant_id = ${p.tenantId} and id = ${id}`.execute(
      tx,
    );
    await historyEvent(tx, p.tenantId, id, 'priority', { from: t.priority, to: body.priority }, p.userId);
  }
  t = (await loadTicket(tx, p.tenantId, id))!;
  if (body.assigneeId !== undefined && body.assigneeId !== t.assignee_id) {
    if (body.assigneeId) {
      // The new handler must be able to handle, and to see the ticket (its unit or a unit above).
      const ok =
        await sql`select 1 from users u where u.tenant_id = ${p.tenantId} and u.id = ${body.assigneeId}
          and u.status = 'active' and ${HANDLER_ROLE}
          and (select path from units where tenant_id = ${p.tenantId} and id = ${t.unit_id})
            like (select path from units where tenant_id = ${p.tenantId} and id = u.unit_id) || '%'`.execute(
          tx,
        );
      if (!ok.rows.length)
        throw serviceProblem('validation', locale, 'assignee_cannot_handle', {}, [
          {
            field: 'assigneeId',
            code: 'assignee_cannot_handle',
            message: st(locale, 'assignee_cannot_handle'),
          },
        ]);
    }
    t = await assignTicket(tx, p.tenantId, t, body.assigneeId, p.userId, 'manual');
  }
  if (body.status && body.status !== t.status) {
    if (!TICKET_TRANSITIONS[t.status].includes(body.status))
      throw serviceProblem('conflict', locale, 'bad_transition', {
        from: st(locale, `s_${t.status}`),
        to: st(locale, `s_${body.status}`),
      });
    t = await setStatus(tx, p.tenantId, t, body.status, p.userId);
  }
  await sql`update service_tickets set version = ${body.version + 1}, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx as any, actor, {
    action: 'update',
    object: 'service_ticket',
    recordId: id,
    meta: { ...body, version: undefined },
  });
  return ticketDetail(tx, p, id, locale);
}

export async function addMessage(
  tx: Tx,
  p: Principal,
  locale: Locale,
  id: string,
  body: {
    kind: 'reply' | 'note' | 'customer';
    body: string;
    attachmentIds?: string[];
    idempotencyKey?: string;
  },
) {
  const t = await visibleTicket(tx, p, id, locale, true);
  if (body.idempotencyKey) {
    const again = await sql`select 1 from service_ticket_messages where tenant_id = ${p.tenantId}
      and ticket_id = ${id} and idempotency_key = ${body.idempotencyKey}`.execute(tx);
    if (again.rows.length) return ticketDetail(tx, p, id, locale);
  }
  if (t.status === 'closed' || t.status === 'merged')
    throw serviceProblem('conflict', locale, 'ticket_closed');
  const mid = newId();
  await sql`insert into service_ticket_messages (tenant_id, id, ticket_id, kind, body, author_id, idempotency_key)
    values (${p.tenantId}, ${mid}, ${id}, ${body.kind}, ${body.body}, ${body.kind === 'customer' ? null : p.userId},
      ${body.idempotencyKey ?? null})`.execute(tx);
  if (body.attachmentIds?.length) {
    const r = await sql`update service_ticket_attachments set message_id = ${mid}
      where tenant_id = ${p.tenantId} and ticket_id = ${id} and id = any(${body.attachmentIds}::uuid[])
        and message_id is null`.execute(tx);
    if (Number(r.numAffectedRows ?? 0) !== new Set(body.attachmentIds).size)
      throw serviceProblem('validation', locale, 'attachment_unknown', {}, [
        { field: 'attachmentIds', code: 'attachment_unknown', message: st(locale, 'attachment_unknown') },
      ]);
  }
  if (body.kind === 'reply') {
    await markFirstResponse(tx, p.tenantId, id);
    // replying takes the ticket in hand
    if (t.status === 'assigned' || t.status === 'new' || t.status === 'reopened') {
      if (!t.assignee_id) await assignTicket(tx, p.tenantId, t, p.userId, p.userId, 'manual');
      await setStatus(tx, p.tenantId, (await loadTicket(tx, p.tenantId, id))!, 'in_progress', p.userId);
    }
  } else if (body.kind === 'customer' && t.status === 'waiting_customer') {
    await setStatus(tx, p.tenantId, t, 'in_progress', p.userId);
  }
  await sql`update service_tickets set last_activity_at = now(), updated_at = now(), version = version + 1
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await scheduleSla(tx, p.tenantId, id);
  return ticketDetail(tx, p, id, locale);
}

const MIMES: Record<string, (b: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8,
  'image/gif': (b) => b.subarray(0, 4).toString('latin1') === 'GIF8',
  'image/webp': (b) => b.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
  'text/plain': (b) => !b.includes(0),
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': (b) =>
    b[0] === 0x50 && b[1] === 0x4b,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': (b) => b[0] === 0x50 && b[1] === 0x4b,
};
export const MAX_ATTACHMENT = 5 * 1024 * 1024;

export async function addAttachment(
  tx: Tx,
  p: Principal,
  locale: Locale,
  id: string,
  body: { fileName: string; mime: string; content: string },
) {
  const t = await visibleTicket(tx, p, id, locale);
  if (t.status === 'closed' || t.status === 'merged')
    throw serviceProblem('conflict', locale, 'ticket_closed');
  const check = MIMES[body.mime];
  if (!check)
    throw serviceProblem('validation', locale, 'attachment_type', { mime: body.mime }, [
      { field: 'mime', code: 'attachment_type', message: st(locale, 'attachment_type', { mime: body.mime }) },
    ]);
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(body.content)
    ? Buffer.from(body.content, 'base64')
    : Buffer.alloc(0);
  if (bytes.length === 0)
    throw serviceProblem('validation', locale, 'attachment_empty', {}, [
      { field: 'content', code: 'attachment_empty', message: st(locale, 'attachment_empty') },
    ]);
  if (bytes.length > MAX_ATTACHMENT)
    throw serviceProblem('validation', locale, 'attachment_size', {}, [
      { field: 'content', code: 'attachment_size', message: st(locale, 'attachment_size') },
    ]);
  if (!check(bytes))
    throw serviceProblem('validation', locale, 'attachment_type', { mime: body.mime }, [
      {
        field: 'content',
        code: 'attachment_type',
        message: st(locale, 'attachment_type', { mime: body.mime }),
      },
    ]);
  const aid = newId();
  const name = body.fileName.replace(/[\\/\r\n"]/g, '_');
  await sql`insert into service_ticket_attachments (tenant_id, id, ticket_id, file_name, mime, size, content, uploaded_by)
    values (${p.tenantId}, ${aid}, ${id}, ${name}, ${body.mime}, ${bytes.length}, ${bytes}, ${p.userId})`.execute(
    tx,
  );
  return { id: aid, fileName: name, mime: body.mime, size: bytes.length };
}

export async function attachmentFile(tx: Tx, p: Principal, locale: Locale, attachmentId: string) {
  const a = (
    await sql<any>`select a.* from service_ticket_attachments a join service_tickets t
        on t.tenant_id = a.tenant_id and t.id = a.ticket_id
      where a.tenant_id = ${p.tenantId} and a.id = ${attachmentId} and ${ticketVisible(p)}`.execute(tx)
  ).rows[0];
  if (!a) throw serviceProblem('not_found', locale, 'attachment_unknown');
  return { fileName: a.file_name as string, mime: a.mime as string, content: a.content as Buffer };
}

export async function mergeTicket(
  tx: Tx,
  p: Principal,
  locale: Locale,
  id: string,
  body: { intoTicketId: string; version: number },
) {
  if (id === body.intoTicketId) throw serviceProblem('conflict', locale, 'merge_self');
  // lock in id order so two opposite merges cannot deadlock
  const [first, second] = [id, body.intoTicketId].sort();
  await visibleTicket(tx, p, first!, locale, true);
  await visibleTicket(tx, p, second!, locale, true);
  const src = (await loadTicket(tx, p.tenantId, id))!;
  const dst = (await loadTicket(tx, p.tenantId, body.intoTicketId))!;
  if (src.version !== body.version) throw serviceProblem('conflict', locale, 'version_conflict');
  for (const t of [src, dst])
    if (t.status === 'closed' || t.status === 'merged')
      throw serviceProblem('conflict', locale, 'merge_closed');
  await sql`update service_ticket_messages set ticket_id = ${dst.id}, from_ticket_id = coalesce(from_ticket_id, ${src.id})
    where tenant_id = ${p.tenantId} and ticket_id = ${src.id}`.execute(tx);
  await sql`update service_ticket_attachments set ticket_id = ${dst.id} where tenant_id = ${p.tenantId}
    and ticket_id = ${src.id}`.execute(tx);
  await sql`insert into service_ticket_links (tenant_id, ticket_id, object, record_id)
    select tenant_id, ${dst.id}, object, record_id from service_ticket_links
    where tenant_id = ${p.tenantId} and ticket_id = ${src.id} on conflict do nothing`.execute(tx);
  await sql`insert into service_ticket_links (tenant_id, ticket_id, object, record_id)
    values (${p.tenantId}, ${dst.id}, 'service_ticket', ${src.id}) on conflict do nothing`.execute(tx);
  await sql`update service_tickets set merged_into = ${dst.id}, status = 'merged', version = version + 1,
      updated_at = now(), sla_paused_at = null
    where tenant_id = ${p.tenantId} and id = ${src.id}`.execute(tx);
  await historyEvent(
    tx,
    p.tenantId,
    src.id,
    'merged_into',
    { ticketId: dst.id, number: dst.number },
    p.userId,
  );
  await historyEvent(
    tx,
    p.tenantId,
    dst.id,
    'merged_from',
    { ticketId: src.id, number: src.number },
    p.userId,
  );
  const merged = (await loadTicket(tx, p.tenantId, src.id))!;
  await historyEvent(tx, p.tenantId, src.id, 'status', { from: src.status, to: 'merged' }, p.userId);
  await emitEvent(tx, p.tenantId, {
    type: 'ticket.status_changed',
    object: 'service_ticket',
    recordId: src.id,
    payload: {
      id: src.id,
      from: src.status,
      to: 'merged',
      contactId: merged.contact_id,
      profileId: merged.profile_id,
      categoryKey: merged.category_key,
      unitId: merged.unit_id,
      assigneeId: merged.assignee_id,
      kind: merged.kind,
      mergedInto: dst.id,
    },
  });
  await sql`update service_tickets set version = version + 1, updated_at = now(), last_activity_at = now()
    where tenant_id = ${p.tenantId} and id = ${dst.id}`.execute(tx);
  return ticketDetail(tx, p, dst.id, locale);
}

export async function splitTicket(
  tx: Tx,
  p: Principal,
  locale: Locale,
  id: string,
  body: { messageIds: string[]; subject: string; version: number },
) {
  const t = await visibleTicket(tx, p, id, locale, true);
  if (t.version !== body.version) throw serviceProblem('conflict', locale, 'version_conflict');
  if (t.status === 'closed' || t.status === 'merged')
    throw serviceProblem('conflict', locale, 'ticket_closed');
  const ids = [...new Set(body.messageIds)];
  const owned = await sql<{
    id: string;
  }>`select id from service_ticket_messages where tenant_id = ${p.tenantId}
    and ticket_id = ${id} and id = any(${ids}::uuid[])`.execute(tx);
  if (owned.rows.length !== ids.length)
    throw serviceProblem('validation', locale, 'split_message_unknown', {}, [
      { field: 'messageIds', code: 'split_message_unknown', message: st(locale, 'split_message_unknown') },
    ]);
  const created = await createTicket(tx, p.tenantId, {
    subject: body.subject,
    description: '',
    categoryKey: t.category_key,
    priority: t.priority,
    channel: t.channel,
    kind: t.kind,
    contactId: t.contact_id ?? undefined,
    profileId: t.profile_id ?? undefined,
    unitId: t.unit_id,
    createdBy: p.userId,
    form: t.form,
    locale,
  });
  await sql`update service_ticket_messages set ticket_id = ${created.ticketId}, from_ticket_id = coalesce(from_ticket_id, ${id})
    where tenant_id = ${p.tenantId} and ticket_id = ${id} and id = any(${ids}::uuid[])`.execute(tx);
  await sql`update service_ticket_attachments set ticket_id = ${created.ticketId}
    where tenant_id = ${p.tenantId} and ticket_id = ${id} and message_id = any(${ids}::uuid[])`.execute(tx);
  await sql`update service_tickets set split_from = ${id} where tenant_id = ${p.tenantId} and id = ${created.ticketId}`.execute(
    tx,
  );
  await sql`insert into service_ticket_links (tenant_id, ticket_id, object, record_id)
    select tenant_id, ${created.ticketId}, object, record_id from service_ticket_links
    where tenant_id = ${p.tenantId} and ticket_id = ${id} on conflict do nothing`.execute(tx);
  await historyEvent(
    tx,
    p.tenantId,
    id,
    'split_to',
    { ticketId: created.ticketId, number: created.number, messages: ids.length },
    p.userId,
  );
  await historyEvent(
    tx,
    p.tenantId,
    created.ticketId,
    'split_from',
    { ticketId: id, number: t.number },
    p.userId,
  );
  await sql`update service_tickets set version = version + 1, updated_at = now() where tenant_id = ${p.tenantId}
    and id = ${id}`.execute(tx);
  return ticketDetail(tx, p, created.ticketId, locale);
}

export async function reopenVisible(
  tx: Tx,
  p: Principal,
  locale: Locale,
  id: string,
  body: { asComplaint: boolean; reason: string },
) {
  await visibleTicket(tx, p, id, locale);
  await reopenTicket(tx, p.tenantId, id, { ...body, actorId: p.userId, locale });
  return ticketDetail(tx, p, id, locale);
}

export async function addLink(
  tx: Tx,
  p: Principal,
  locale: Locale,
  id: string,
  body: { object: string; recordId: string },
) {
  await visibleTicket(tx, p, id, locale);
  await sql`insert into service_ticket_links (tenant_id, ticket_id, object, record_id)
    values (${p.tenantId}, ${id}, ${body.object}, ${body.recordId}) on conflict do nothing`.execute(tx);
  await historyEvent(tx, p.tenantId, id, 'linked', body, p.userId);
  return ticketDetail(tx, p, id, locale);
}

/**
 * The queue's counters (decision 0069). Counts by status and category come from
 * `service_ticket_counts` (tenant × unit × assignee × status × category, kept by triggers in the
 * ticket's own transaction), so the cost follows the number of units and handlers, not tickets.
 * The reader's scope is the same as the list's (`ticketVisible`): rows of their units or assigned
 * to them, plus — read from the tickets, by the created_by index — what they filed outside both.
 * "breached" depends on the clock, so it reads open tickets through the partial due-date indexes.
 */
export async function serviceStats(tx: Tx, p: Principal) {
  const now = new Date();
  const open = sql`t.status in ('new', 'assigned', 'in_progress', 'waiting_customer', 'reopened')`;
  const s = rowScope(p, 'service_ticket');
  const counted =
    s.unitIds === null
      ? sql`true`
      : sql`(c.unit_id = any(${s.unitIds}::uuid[]) or c.assignee_id = ${p.userId})`;
  const groups = (
    await sql<{
      status: string;
      category_key: string;
      n: number;
    }>`select c.status, c.category_key, sum(c.n)::int as n from service_ticket_counts c
      where c.tenant_id = ${p.tenantId} and ${counted} and c.n <> 0
      group by c.status, c.category_key`.execute(tx)
  ).rows;
  if (s.unitIds !== null)
    groups.push(
      ...(
        await sql<{ status: string; category_key: string; n: number }>`
          select t.status, t.category_key, count(*)::int as n from service_tickets t
          where t.tenant_id = ${p.tenantId} and t.created_by = ${p.userId}
            and not (t.unit_id = any(${s.unitIds}::uuid[]) or t.assignee_id is not distinct from ${p.userId})
          group by t.status, t.category_key`.execute(tx)
      ).rows,
    );
  const mine = (
    await sql<{ n: number }>`select coalesce(sum(c.n), 0)::int as n from service_ticket_counts c
      where c.tenant_id = ${p.tenantId} and c.assignee_id = ${p.userId}
        and c.status in ('new', 'assigned', 'in_progress', 'waiting_customer', 'reopened')`.execute(tx)
  ).rows[0]!.n;
  // Two arms, each matching one partial index (open, not yet met, due before now): a BitmapOr.
  const breached = (
    await sql<{ n: number }>`select count(*)::int as n from service_tickets t
      where t.tenant_id = ${p.tenantId} and ${ticketVisible(p)} and ${open}
        and ((t.first_responded_at is null and t.first_response_due_at < ${now})
          or (t.resolved_at is null and t.resolution_due_at < ${now}))`.execute(tx)
  ).rows[0]!.n;
  const OPEN = new Set(['new', 'assigned', 'in_progress', 'waiting_customer', 'reopened']);
  const byStatus = new Map<string, number>();
  const byCategory = new Map<string, number>();
  for (const g of groups) {
    byStatus.set(g.status, (byStatus.get(g.status) ?? 0) + g.n);
    if (OPEN.has(g.status)) byCategory.set(g.category_key, (byCategory.get(g.category_key) ?? 0) + g.n);
  }
  const keys = [...byCategory.keys()];
  const names = new Map(
    (
      await sql<{ key: string; name: string }>`select key, name from service_categories
        where tenant_id = ${p.tenantId} and key = any(${keys}::text[])`.execute(tx)
    ).rows.map((r) => [r.key, r.name]),
  );
  return {
    open: [...byCategory.values()].reduce((a, b) => a + b, 0),
    breached,
    mine,
    byStatus: [...byStatus]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([status, n]) => ({ status, n })),
    byCategory: [...byCategory]
      .sort((a, b) => b[1] - a[1])
      .map(([categoryKey, n]) => ({ categoryKey, name: names.get(categoryKey) ?? null, n })),
  };
}
