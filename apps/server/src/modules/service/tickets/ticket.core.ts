import type { TicketChannel, TicketPriority, TicketStatus } from '@kehu/contracts/service';
import { sql } from 'kysely';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import type { FieldError } from '../../../core/errors.ts';
import { emitEvent } from '../../../core/events/outbox.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { newId } from '../../../core/ids.ts';
import { enqueue } from '../../../core/jobs/queue.ts';
import { notify } from '../../notifications/index.ts';
import { serviceLabel, serviceProblem, st } from '../service.messages.ts';
import { addBusiness, type BusinessCalendar, businessBetween, loadCalendar } from '../sla/calendar.ts';
import { customerTierSource } from './customer-tier.ts';

/**
 * The ticket's life in one place: filing (any channel, idempotent), SLA deadlines in business
 * time, automatic assignment, status changes with the SLA clock paused while the customer is
 * awaited, reopening, and the domain events other modules (field service, surveys, the
 * timeline) build on. Authorisation is the caller's: routes check permissions and scope first.
 */

export interface CreateTicketInput {
  subject: string;
  description: string;
  categoryKey: string;
  priority: TicketPriority;
  channel: TicketChannel;
  contactId?: string;
  profileId?: string;
  unitId?: string;
  links?: { object: string; recordId: string }[];
  kind?: 'request' | 'complaint';
  createdBy?: string | null;
  idempotencyKey?: string;
  form?: Record<string, unknown>;
  locale?: Locale;
}

export interface TicketRow {
  id: string;
  number: string;
  subject: string;
  description: string;
  category_key: string;
  priority: TicketPriority;
  channel: TicketChannel;
  kind: 'request' | 'complaint';
  status: TicketStatus;
  form: Record<string, unknown>;
  contact_id: string | null;
  customer_id: string | null;
  profile_id: string | null;
  unit_id: string;
  assignee_id: string | null;
  created_by: string | null;
  merged_into: string | null;
  split_from: string | null;
  tier: string | null;
  first_response_due_at: Date | null;
  first_response_warn_at: Date | null;
  first_responded_at: Date | null;
  first_response_breached_at: Date | null;
  resolution_due_at: Date | null;
  resolution_warn_at: Date | null;
  resolution_breached_at: Date | null;
  warned_at: Record<string, string>;
  sla_paused_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  reopen_count: number;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export const SLA_QUEUE = 'service:sla';

/**
 * Every tenant has 通用 (general): a ticket can always be filed, before anyone configures
 * categories. It is virtual until the tenant saves a category with its key.
 */
export const GENERAL = {
  id: '00000000-0000-7000-8000-000000000000',
  key: 'general',
  name: '通用',
  nameEn: 'General',
};
async function generalCategory(tx: Tx, tenantId: string) {
  const saved =
    await sql`select 1 from service_categories where tenant_id = ${tenantId} and key = 'general'`.execute(tx);
  return saved.rows.length ? undefined : { key: GENERAL.key, name: GENERAL.name, fields: [] };
}
const PRIORITY_UP: Record<TicketPriority, TicketPriority> = {
  low: 'normal',
  normal: 'high',
  high: 'urgent',
  urgent: 'urgent',
};

export async function loadTicket(
  tx: Tx,
  tenantId: string,
  id: string,
  lock = false,
): Promise<TicketRow | null> {
  const r = await sql<TicketRow>`select * from service_tickets where tenant_id = ${tenantId} and id = ${id}
    ${lock ? sql`for update` : sql``}`.execute(tx);
  return r.rows[0] ?? null;
}

export async function historyEvent(
  tx: Tx,
  tenantId: string,
  ticketId: string,
  type: string,
  data: Record<string, unknown>,
  actorId: string | null,
) {
  await sql`insert into service_ticket_events (tenant_id, id, ticket_id, type, data, actor_id)
    values (${tenantId}, ${newId()}, ${ticketId}, ${type}, ${JSON.stringify(data)}::jsonb, ${actorId})`.execute(
    tx,
  );
}

const eventPayload = (t: TicketRow) => ({
  id: t.id,
  number: t.number,
  contactId: t.contact_id,
  profileId: t.profile_id,
  customerId: t.customer_id,
  categoryKey: t.category_key,
  unitId: t.unit_id,
  assigneeId: t.assignee_id,
  kind: t.kind,
  priority: t.priority,
});

/** Checks a category's own fields; returns the cleaned values or the field errors. */
export function validateForm(
  fields: { key: string; label: string; type: string; required?: boolean; options?: string[] }[],
  form: Record<string, unknown>,
  categoryName: string,
  locale: Locale,
): { value: Record<string, unknown>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const value: Record<string, unknown> = {};
  const err = (key: string, code: string, params: Record<string, unknown>) =>
    errors.push({ field: `form.${key}`, code, params, message: st(locale, code, params) });
  for (const k of Object.keys(form)) {
    if (!fields.some((f) => f.key === k)) err(k, 'field_unknown', { key: k, category: categoryName });
  }
  for (const f of fields) {
    const v = form[f.key];
    const p = { label: f.label, options: (f.options ?? []).join('、') };
    if (v === undefined || v === null || v === '') {
      if (f.required) err(f.key, 'field_required', p);
      continue;
    }
    if (f.type === 'number') {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
      if (!Number.isFinite(n)) err(f.key, 'field_number', p);
      else value[f.key] = n;
    } else if (f.type === 'date') {
      if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v)))
        err(f.key, 'field_date', p);
      else value[f.key] = v;
    } else if (f.type === 'select') {
      if (typeof v !== 'string' || !(f.options ?? []).includes(v)) err(f.key, 'field_option', p);
      else value[f.key] = v;
    } else if (f.type === 'boolean') {
      if (typeof v !== 'boolean') err(f.key, 'field_boolean', p);
      else value[f.key] = v;
    } else {
      if (typeof v !== 'string' || v.length > 500) err(f.key, 'field_text', p);
      else value[f.key] = v.trim();
    }
  }
  return { value, errors };
}

async function nextNumber(tx: Tx, tenantId: string): Promise<string> {
  const r = await sql<{ value: string }>`insert into service_counters (tenant_id, name, value)
    values (${tenantId}, 'ticket', 1)
    on conflict (tenant_id, name) do update set value = service_counters.value + 1
    returning value`.execute(tx);
  return `GD${String(r.rows[0]!.value).padStart(6, '0')}`;
}

async function rootUnit(tx: Tx, tenantId: string): Promise<string> {
  const r = await sql<{ id: string }>`select id from units where tenant_id = ${tenantId} and parent_id is null
    and deleted_at is null order by created_at limit 1`.execute(tx);
  return r.rows[0]!.id;
}

/** The SLA targets for a ticket: the most specific policy (category+priority+tier … any category). */
export async function findPolicy(
  tx: Tx,
  tenantId: string,
  categoryKey: string,
  priority: TicketPriority,
  tier: string | null,
): Promise<{ first_response_minutes: number; resolution_minutes: number } | null> {
  const r = await sql<any>`select first_response_minutes, resolution_minutes from service_sla_policies
    where tenant_id = ${tenantId} and priority = ${priority}
      and (category_key = ${categoryKey} or category_key is null)
      and (tier is null or tier = ${tier})
    order by (category_key is null), (tier is null) limit 1`.execute(tx);
  return r.rows[0] ?? null;
}

/** Sets the deadlines from `start` (creation, or a reopen) in business time. */
async function setDeadlines(
  tx: Tx,
  tenantId: string,
  t: TicketRow,
  start: Date,
  cal: BusinessCalendar,
  opts: { firstResponse: boolean },
) {
  // A complaint (a reopened low score) runs on the complaint category's policy when there is one.
  let policy = null;
  if (t.kind === 'complaint') policy = await findPolicy(tx, tenantId, 'complaint', t.priority, t.tier);
  policy ??= await findPolicy(tx, tenantId, t.category_key, t.priority, t.tier);
  if (!policy) return;
  const frDue = addBusiness(cal, start, policy.first_response_minutes);
  const frWarn = addBusiness(cal, start, policy.first_response_minutes * 0.8);
  const resDue = addBusiness(cal, start, policy.resolution_minutes);
  const resWarn = addBusiness(cal, start, policy.resolution_minutes * 0.8);
  if (opts.firstResponse) {
    await sql`update service_tickets set first_response_due_at = ${frDue}, first_response_warn_at = ${frWarn},
        first_responded_at = null, first_response_breached_at = null,
        resolution_due_at = ${resDue}, resolution_warn_at = ${resWarn}, resolution_breached_at = null,
        warned_at = '{}'::jsonb
      where tenant_id = ${tenantId} and id = ${t.id}`.execute(tx);
  } else {
    await sql`update service_tickets set resolution_due_at = ${resDue}, resolution_warn_at = ${resWarn},
        resolution_breached_at = null, warned_at = warned_at - 'resolution'
      where tenant_id = ${tenantId} and id = ${t.id}`.execute(tx);
  }
}

/** Schedules the SLA check at the next warning or deadline still ahead (durable job). */
export async function scheduleSla(tx: Tx, tenantId: string, ticketId: string) {
  const t = await loadTicket(tx, tenantId, ticketId);
  if (!t || t.sla_paused_at || !['new', 'assigned', 'in_progress', 'reopened'].includes(t.status)) return;
  const moments: Date[] = [];
  if (!t.first_responded_at && !t.first_response_breached_at) {
    if (t.first_response_warn_at && !t.warned_at.first_response) moments.push(t.first_response_warn_at);
    if (t.first_response_due_at) moments.push(t.first_response_due_at);
  }
  if (!t.resolution_breached_at) {
    if (t.resolution_warn_at && !t.warned_at.resolution) moments.push(t.resolution_warn_at);
    if (t.resolution_due_at) moments.push(t.resolution_due_at);
  }
  if (moments.length === 0) return;
  const at = new Date(Math.min(...moments.map((d) => new Date(d).getTime())));
  await enqueue(
    tx,
    tenantId,
    SLA_QUEUE,
    { ticketId },
    { runAt: at, dedupeKey: `sla:${ticketId}:${at.getTime()}` },
  );
}

/**
 * Picks the handler: people with the category's skill (or '*') in the ticket's unit, else the
 * nearest unit above that has any; among them the fewest open tickets, then whoever was given
 * one least recently (round robin). Null when nobody has the skill.
 */
export async function pickAssignee(
  tx: Tx,
  tenantId: string,
  unitId: string,
  categoryKey: string,
): Promise<string | null> {
  const r = await sql<{ user_id: string }>`
    with chain as (
      select un.id, un.depth from units un
      where un.tenant_id = ${tenantId}
        and (select path from units where tenant_id = ${tenantId} and id = ${unitId}) like un.path || '%'
    ), cand as (
      select s.user_id, c.depth, max(s.last_assigned_at) as last_at
      from service_agent_skills s
      join users u on u.tenant_id = s.tenant_id and u.id = s.user_id and u.status = 'active'
      join chain c on c.id = u.unit_id
      where s.tenant_id = ${tenantId} and s.category_key in (${categoryKey}, '*')
        and exists (select 1 from user_roles ur join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id
          where ur.tenant_id = u.tenant_id and ur.user_id = u.id
            and r.permissions && array['*', 'service:*', 'service:handle']::text[])
      group by s.user_id, c.depth
    )
    select cand.user_id from cand
    where cand.depth = (select max(depth) from cand)
    order by (select count(*) from service_tickets t where t.tenant_id = ${tenantId}
        and t.assignee_id = cand.user_id and t.status in ('new', 'assigned', 'in_progress', 'waiting_customer', 'reopened')),
      cand.last_at nulls first, cand.user_id
    limit 1`.execute(tx);
  return r.rows[0]?.user_id ?? null;
}

/** Assigns (or reassigns) and moves new/reopened tickets to assigned. */
export async function assignTicket(
  tx: Tx,
  tenantId: string,
  t: TicketRow,
  assigneeId: string | null,
  actorId: string | null,
  how: 'auto' | 'manual',
): Promise<TicketRow> {
  const to: TicketStatus =
    assigneeId && (t.status === 'new' || t.status === 'reopened') ? 'assigned' : t.status;
  const r = await sql<TicketRow>`update service_tickets set assignee_id = ${assigneeId}, status = ${to},
      version = version + 1, updated_at = now(), last_activity_at = now()
    where tenant_id = ${tenantId} and id = ${t.id} returning *`.execute(tx);
  const next = r.rows[0]!;
  if (assigneeId) {
    await sql`update service_agent_skills set last_assigned_at = clock_timestamp()
      where tenant_id = ${tenantId} and user_id = ${assigneeId}`.execute(tx);
  }
  await historyEvent(tx, tenantId, t.id, 'assigned', { from: t.assignee_id, to: assigneeId, how }, actorId);
  if (to !== t.status) await statusEvents(tx, tenantId, t.status, next, actorId);
  if (assigneeId && assigneeId !== actorId) {
    await notify(tx, tenantId, {
      userIds: [assigneeId],
      kind: 'service.ticket_assigned',
      title: {
        'zh-CN': st('zh-CN', 'n_assigned_title', { number: t.number, subject: t.subject }),
        'en-US': st('en-US', 'n_assigned_title', { number: t.number, subject: t.subject }),
      },
      body: serviceLabel('n_assigned_body'),
      link: `/service/tickets/${t.id}`,
      object: 'service_ticket',
      recordId: t.id,
    });
  }
  return next;
}

async function statusEvents(
  tx: Tx,
  tenantId: string,
  from: TicketStatus,
  t: TicketRow,
  actorId: string | null,
) {
  await historyEvent(tx, tenantId, t.id, 'status', { from, to: t.status }, actorId);
  const payload = { ...eventPayload(t), from, to: t.status };
  await emitEvent(tx, tenantId, {
    type: 'ticket.status_changed',
    object: 'service_ticket',
    recordId: t.id,
    payload,
  });
  if (t.status === 'closed')
    await emitEvent(tx, tenantId, {
      type: 'ticket.closed',
      object: 'service_ticket',
      recordId: t.id,
      payload,
    });
}

/**
 * Moves a ticket to `to` (the caller checked the transition). Waiting for the customer pauses
 * the SLA clock: on resume every deadline not yet met moves by the business time it was paused.
 */
export async function setStatus(
  tx: Tx,
  tenantId: string,
  t: TicketRow,
  to: TicketStatus,
  actorId: string | null,
): Promise<TicketRow> {
  const now = new Date();
  const sets: ReturnType<typeof sql>[] = [sql`status = ${to}`];
  if (to === 'waiting_customer' && !t.sla_paused_at) sets.push(sql`sla_paused_at = ${now}`);
  if (t.status === 'waiting_customer' && to !== 'waiting_customer' && t.sla_paused_at) {
    const cal = await loadCalendar(tx, tenantId);
    const paused = businessBetween(cal, new Date(t.sla_paused_at), now);
    const shift = (d: Date | null) => (d ? addBusiness(cal, new Date(d), paused) : null);
    sets.push(sql`sla_paused_at = null`);
    if (paused > 0) {
      if (!t.first_responded_at && !t.first_response_breached_at)
        sets.push(
          sql`first_response_due_at = ${shift(t.first_response_due_at)}, first_response_warn_at = ${shift(t.first_response_warn_at)}`,
        );
      if (!t.resolution_breached_at)
        sets.push(
          sql`resolution_due_at = ${shift(t.resolution_due_at)}, resolution_warn_at = ${shift(t.resolution_warn_at)}`,
        );
    }
    await historyEvent(
      tx,
      tenantId,
      t.id,
      'sla_resumed',
      { pausedBusinessMinutes: Math.round(paused) },
      actorId,
    );
  }
  if (to === 'resolved') sets.push(sql`resolved_at = ${now}`);
  if (to === 'in_progress' && t.status === 'resolved') sets.push(sql`resolved_at = null`);
  if (to === 'closed') sets.push(sql`closed_at = ${now}, resolved_at = coalesce(resolved_at, ${now})`);
  const r = await sql<TicketRow>`update service_tickets set ${sql.join(sets)}, version = version + 1,
      updated_at = now(), last_activity_at = now()
    where tenant_id = ${tenantId} and id = ${t.id} returning *`.execute(tx);
  const next = r.rows[0]!;
  await statusEvents(tx, tenantId, t.status, next, actorId);
  await scheduleSla(tx, tenantId, t.id);
  return next;
}

/** The contract's createTicket (see service-contract.md). */
export async function createTicket(
  tx: Tx,
  tenantId: string,
  input: CreateTicketInput,
): Promise<{ ticketId: string; number: string; created: boolean }> {
  const locale = input.locale ?? 'zh-CN';
  if (input.idempotencyKey) {
    const again = await byKey(tx, tenantId, input.idempotencyKey);
    if (again) return again;
  }
  const cat =
    (
      await sql<any>`select key, name, fields from service_categories
      where tenant_id = ${tenantId} and key = ${input.categoryKey} and active`.execute(tx)
    ).rows[0] ?? (input.categoryKey === GENERAL.key ? await generalCategory(tx, tenantId) : undefined);
  if (!cat)
    throw serviceProblem('validation', locale, 'category_unknown', {}, [
      { field: 'categoryKey', code: 'category_unknown', message: st(locale, 'category_unknown') },
    ]);
  const { value: form, errors } = validateForm(cat.fields, input.form ?? {}, cat.name, locale);
  if (errors.length) throw serviceProblem('validation', locale, errors[0]!.code, errors[0]!.params, errors);

  let customerId: string | null = null;
  let contactUnit: string | null = null;
  if (input.contactId) {
    const c = (
      await sql<{ customer_id: string | null; unit_id: string }>`select customer_id, unit_id from contacts
        where tenant_id = ${tenantId} and id = ${input.contactId} and deleted_at is null`.execute(tx)
    ).rows[0];
    if (!c)
      throw serviceProblem('validation', locale, 'contact_unknown', {}, [
        { field: 'contactId', code: 'contact_unknown', message: st(locale, 'contact_unknown') },
      ]);
    customerId = c.customer_id;
    contactUnit = c.unit_id;
  }
  let profileId: string | null = null;
  if (input.profileId) {
    const p = (
      await sql<{ id: string }>`select coalesce(merged_into, id) as id from cdp_profiles
        where tenant_id = ${tenantId} and id = ${input.profileId}`.execute(tx)
    ).rows[0];
    if (!p)
      throw serviceProblem('validation', locale, 'profile_unknown', {}, [
        { field: 'profileId', code: 'profile_unknown', message: st(locale, 'profile_unknown') },
      ]);
    profileId = p.id;
  }
  // The contact's person (One ID links CRM contacts to profiles): the ticket joins their timeline
  // and their member tier picks the SLA.
  if (!profileId && input.contactId) profileId = await contactProfile(tx, tenantId, input.contactId);
  const tier = profileId ? ((await customerTierSource()?.tierOf(tx, tenantId, profileId)) ?? null) : null;
  let unitId = input.unitId ?? contactUnit;
  if (!unitId && input.createdBy) {
    unitId =
      (
        await sql<{
          unit_id: string;
        }>`select unit_id from users where tenant_id = ${tenantId} and id = ${input.createdBy}`.execute(tx)
      ).rows[0]?.unit_id ?? null;
  }
  if (unitId) {
    const u =
      await sql`select 1 from units where tenant_id = ${tenantId} and id = ${unitId} and deleted_at is null`.execute(
        tx,
      );
    if (!u.rows.length)
      throw serviceProblem('validation', locale, 'unit_unknown', {}, [
        { field: 'unitId', code: 'unit_unknown', message: st(locale, 'unit_unknown') },
      ]);
  } else unitId = await rootUnit(tx, tenantId);

  const id = newId();
  const number = await nextNumber(tx, tenantId);
  const inserted =
    await sql<TicketRow>`insert into service_tickets (tenant_id, id, number, subject, description,
      category_key, priority, channel, kind, form, contact_id, customer_id, profile_id, unit_id, created_by,
      idempotency_key, tier)
    values (${tenantId}, ${id}, ${number}, ${input.subject}, ${input.description ?? ''}, ${cat.key},
      ${input.priority}, ${input.channel}, ${input.kind ?? 'request'}, ${JSON.stringify(form)}::jsonb,
      ${input.contactId ?? null}, ${customerId}, ${profileId}, ${unitId}, ${input.createdBy ?? null},
      ${input.idempotencyKey ?? null}, ${tier})
    on conflict do nothing returning *`.execute(tx);
  let t = inserted.rows[0];
  if (!t) {
    // the same idempotency key committed concurrently
    const again = await byKey(tx, tenantId, input.idempotencyKey!);
    if (again) return again;
    throw new Error('service: ticket insert conflicted without an idempotency key');
  }
  const links = dedupeLinks(input.links ?? []);
  if (links.length)
    await sql`insert into service_ticket_links (tenant_id, ticket_id, object, record_id)
      values ${sql.join(links.map((l) => sql`(${tenantId}, ${id}, ${l.object}, ${l.recordId})`))}
      on conflict do nothing`.execute(tx);
  if (input.description?.trim())
    await sql`insert into service_ticket_messages (tenant_id, id, ticket_id, kind, body, author_id)
      values (${tenantId}, ${newId()}, ${id}, 'customer', ${input.description.trim()}, null)`.execute(tx);
  const cal = await loadCalendar(tx, tenantId);
  await setDeadlines(tx, tenantId, t, new Date(t.created_at), cal, { firstResponse: true });
  await historyEvent(
    tx,
    tenantId,
    id,
    'created',
    { channel: input.channel, ...(tier ? { tier } : {}) },
    input.createdBy ?? null,
  );
  t = (await loadTicket(tx, tenantId, id))!;
  await emitEvent(tx, tenantId, {
    type: 'ticket.created',
    object: 'service_ticket',
    recordId: id,
    payload: { ...eventPayload(t), channel: t.channel, subject: t.subject, links },
  });
  const who = await pickAssignee(tx, tenantId, unitId, cat.key);
  if (who) t = await assignTicket(tx, tenantId, t, who, input.createdBy ?? null, 'auto');
  await scheduleSla(tx, tenantId, id);
  return { ticketId: id, number, created: true };
}

/** The One ID profile a CRM contact is linked to (cdp's link table, kept current on merges). */
export async function contactProfile(tx: Tx, tenantId: string, contactId: string): Promise<string | null> {
  const r = await sql<{ id: string }>`select coalesce(p.merged_into, p.id) as id from cdp_profile_links l
    join cdp_profiles p on p.tenant_id = l.tenant_id and p.id = l.profile_id
    where l.tenant_id = ${tenantId} and l.object = 'contact' and l.record_id = ${contactId}`.execute(tx);
  return r.rows[0]?.id ?? null;
}

function dedupeLinks(links: { object: string; recordId: string }[]) {
  const seen = new Set<string>();
  return links.filter((l) => {
    const k = `${l.object}:${l.recordId}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

async function byKey(tx: Tx, tenantId: string, key: string) {
  const r = (
    await sql<{ id: string; number: string }>`select id, number from service_tickets
      where tenant_id = ${tenantId} and idempotency_key = ${key}`.execute(tx)
  ).rows[0];
  return r ? { ticketId: r.id, number: r.number, created: false } : null;
}

/** The contract's reopenTicket: a resolved or closed ticket comes back (a low CSAT → a complaint). */
export async function reopenTicket(
  tx: Tx,
  tenantId: string,
  ticketId: string,
  opts: { asComplaint: boolean; reason: string; actorId?: string; locale?: Locale },
): Promise<void> {
  const locale = opts.locale ?? 'zh-CN';
  const t = await loadTicket(tx, tenantId, ticketId, true);
  if (!t) throw serviceProblem('not_found', locale, 'ticket_not_found');
  if (t.status !== 'resolved' && t.status !== 'closed')
    throw serviceProblem('conflict', locale, 'not_reopenable');
  const actor = opts.actorId ?? null;
  const r = await sql<TicketRow>`update service_tickets set status = 'reopened',
      kind = ${opts.asComplaint ? 'complaint' : t.kind}, reopen_count = reopen_count + 1,
      closed_at = null, resolved_at = null, sla_paused_at = null, version = version + 1, updated_at = now(),
      last_activity_at = now()
    where tenant_id = ${tenantId} and id = ${ticketId} returning *`.execute(tx);
  let next = r.rows[0]!;
  await historyEvent(
    tx,
    tenantId,
    ticketId,
    'reopened',
    { reason: opts.reason, asComplaint: opts.asComplaint },
    actor,
  );
  await sql`insert into service_ticket_messages (tenant_id, id, ticket_id, kind, body, author_id)
    values (${tenantId}, ${newId()}, ${ticketId}, 'note', ${opts.reason}, ${actor})`.execute(tx);
  await statusEvents(tx, tenantId, t.status, next, actor);
  const cal = await loadCalendar(tx, tenantId);
  await setDeadlines(tx, tenantId, next, new Date(), cal, { firstResponse: true });
  next = (await loadTicket(tx, tenantId, ticketId))!;
  // back to whoever had it, if they still can; else the rules
  let who: string | null = null;
  if (t.assignee_id) {
    const still = await sql`select 1 from users where tenant_id = ${tenantId} and id = ${t.assignee_id}
      and status = 'active'`.execute(tx);
    if (still.rows.length) who = t.assignee_id;
  }
  who ??= await pickAssignee(tx, tenantId, next.unit_id, next.category_key);
  if (who) await assignTicket(tx, tenantId, next, who, actor, 'auto');
  await scheduleSla(tx, tenantId, ticketId);
}

/**
 * Closes a ticket for another module — a field visit the customer signed off. The note is kept in
 * the conversation; a ticket already closed stays as it is. The close emits `ticket.closed`, so the
 * satisfaction survey follows as for any other closed ticket.
 */
export async function closeTicket(
  tx: Tx,
  tenantId: string,
  ticketId: string,
  opts: { actorId?: string; note?: string; locale?: Locale },
): Promise<void> {
  const t = await loadTicket(tx, tenantId, ticketId, true);
  if (!t) throw serviceProblem('not_found', opts.locale ?? 'zh-CN', 'ticket_not_found');
  if (t.status === 'closed') return;
  const actor = opts.actorId ?? null;
  if (opts.note)
    await sql`insert into service_ticket_messages (tenant_id, id, ticket_id, kind, body, author_id)
      values (${tenantId}, ${newId()}, ${ticketId}, 'note', ${opts.note}, ${actor})`.execute(tx);
  await setStatus(tx, tenantId, t, 'closed', actor);
}

/** The contract's getTicket: the facts other modules need, or null. */
export async function getTicket(tx: Tx, tenantId: string, ticketId: string) {
  const t = await loadTicket(tx, tenantId, ticketId);
  if (!t) return null;
  return {
    id: t.id,
    number: t.number,
    status: t.status,
    subject: t.subject,
    categoryKey: t.category_key,
    priority: t.priority,
    kind: t.kind,
    contactId: t.contact_id,
    profileId: t.profile_id,
    unitId: t.unit_id,
    assigneeId: t.assignee_id,
    closedAt: t.closed_at ? new Date(t.closed_at).toISOString() : null,
  };
}

/** Marks the first response when staff first replies to the customer. */
export async function markFirstResponse(tx: Tx, tenantId: string, ticketId: string) {
  await sql`update service_tickets set first_responded_at = now()
    where tenant_id = ${tenantId} and id = ${ticketId} and first_responded_at is null`.execute(tx);
}

/**
 * The SLA check job: warns the assignee at 80 %, and on a breach marks it, raises the priority
 * one step, tells the assignee's manager and emits `ticket.sla_breached`; then schedules itself
 * for the next moment. Idempotent: every step is a conditional update.
 */
export async function checkSla(tx: Tx, tenantId: string, ticketId: string, now = new Date()) {
  const t = await loadTicket(tx, tenantId, ticketId, true);
  if (!t || t.sla_paused_at || !['new', 'assigned', 'in_progress', 'reopened'].includes(t.status)) return;
  const cal = await loadCalendar(tx, tenantId);
  const targets = [
    {
      target: 'first_response' as const,
      met: !!t.first_responded_at,
      due: t.first_response_due_at,
      warn: t.first_response_warn_at,
      breached: t.first_response_breached_at,
      col: sql.ref('first_response_breached_at'),
    },
    {
      target: 'resolution' as const,
      met: !!t.resolved_at,
      due: t.resolution_due_at,
      warn: t.resolution_warn_at,
      breached: t.resolution_breached_at,
      col: sql.ref('resolution_breached_at'),
    },
  ];
  let priority = t.priority;
  for (const x of targets) {
    if (x.met || x.breached || !x.due) continue;
    const label = (l: Locale) => st(l, `t_${x.target}`);
    if (now >= new Date(x.due)) {
      const up = PRIORITY_UP[priority];
      const r =
        await sql`update service_tickets set ${x.col} = ${now}, priority = ${up}, version = version + 1,
          updated_at = now()
        where tenant_id = ${tenantId} and id = ${t.id} and ${x.col} is null`.execute(tx);
      if (!r.numAffectedRows) continue;
      await historyEvent(
        tx,
        tenantId,
        t.id,
        'sla_breached',
        { target: x.target, from: priority, to: up },
        null,
      );
      const managers = await managersOf(tx, tenantId, t.assignee_id, t.unit_id);
      const assignee = t.assignee_id
        ? ((
            await sql<{
              name: string;
            }>`select name from users where tenant_id = ${tenantId} and id = ${t.assignee_id}`.execute(tx)
          ).rows[0]?.name ?? '')
        : null;
      const params = (l: Locale) => ({
        target: label(l),
        assignee: assignee ?? st(l, 'nobody'),
        priority: st(l, `p_${up}`),
        number: t.number,
      });
      await notify(tx, tenantId, {
        userIds: [...managers, ...(t.assignee_id ? [t.assignee_id] : [])],
        kind: 'service.sla_breached',
        title: {
          'zh-CN': st('zh-CN', 'n_breach_title', params('zh-CN')),
          'en-US': st('en-US', 'n_breach_title', params('en-US')),
        },
        body: {
          'zh-CN': st('zh-CN', 'n_breach_body', params('zh-CN')),
          'en-US': st('en-US', 'n_breach_body', params('en-US')),
        },
        link: `/service/tickets/${t.id}`,
        object: 'service_ticket',
        recordId: t.id,
      });
      await emitEvent(tx, tenantId, {
        type: 'ticket.sla_breached',
        object: 'service_ticket',
        recordId: t.id,
        payload: {
          id: t.id,
          target: x.target,
          number: t.number,
          unitId: t.unit_id,
          assigneeId: t.assignee_id,
        },
      });
      priority = up;
    } else if (x.warn && now >= new Date(x.warn) && !t.warned_at[x.target]) {
      await sql`update service_tickets set warned_at = warned_at || jsonb_build_object(${x.target}::text, ${now.toISOString()}::text)
        where tenant_id = ${tenantId} and id = ${t.id}`.execute(tx);
      const minutes = Math.max(0, Math.round(businessBetween(cal, now, new Date(x.due))));
      if (t.assignee_id) {
        const params = (l: Locale) => ({ target: label(l), minutes, number: t.number });
        await notify(tx, tenantId, {
          userIds: [t.assignee_id],
          kind: 'service.sla_warning',
          title: {
            'zh-CN': st('zh-CN', 'n_warn_title', params('zh-CN')),
            'en-US': st('en-US', 'n_warn_title', params('en-US')),
          },
          body: {
            'zh-CN': st('zh-CN', 'n_warn_body', params('zh-CN')),
            'en-US': st('en-US', 'n_warn_body', params('en-US')),
          },
          link: `/service/tickets/${t.id}`,
          object: 'service_ticket',
          recordId: t.id,
        });
      }
      await historyEvent(tx, tenantId, t.id, 'sla_warning', { target: x.target, minutesLeft: minutes }, null);
    }
  }
  await scheduleSla(tx, tenantId, t.id);
}

/** The assignee's manager: holders of service:manage in their unit or the nearest unit above; else admins. */
async function managersOf(
  tx: Tx,
  tenantId: string,
  assigneeId: string | null,
  ticketUnit: string,
): Promise<string[]> {
  const unitId = assigneeId
    ? ((
        await sql<{
          unit_id: string;
        }>`select unit_id from users where tenant_id = ${tenantId} and id = ${assigneeId}`.execute(tx)
      ).rows[0]?.unit_id ?? ticketUnit)
    : ticketUnit;
  const rows = (
    await sql<{ id: string; depth: number }>`
      select u.id, un.depth from users u join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
      where u.tenant_id = ${tenantId} and u.status = 'active' and u.id is distinct from ${assigneeId}
        and (select path from units where tenant_id = ${tenantId} and id = ${unitId}) like un.path || '%'
        and exists (select 1 from user_roles ur join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id
          where ur.tenant_id = u.tenant_id and ur.user_id = u.id
            and r.permissions && array['service:*', 'service:manage']::text[])
      order by un.depth desc`.execute(tx)
  ).rows;
  const top = rows[0]?.depth;
  let ids = rows.filter((r) => r.depth === top).map((r) => r.id);
  if (ids.length === 0)
    ids = (
      await sql<{
        id: string;
      }>`select u.id from users u join user_roles ur on ur.tenant_id = u.tenant_id and ur.user_id = u.id
        join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id
        where u.tenant_id = ${tenantId} and u.status = 'active' and r.permissions && array['*']::text[]`.execute(
        tx,
      )
    ).rows.map((r) => r.id);
  return [...new Set(ids)];
}
