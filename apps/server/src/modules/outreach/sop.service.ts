import type { SopRuleInput, SopTask } from '@kehu/contracts/outreach';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { notify } from '../notifications/index.ts';
import { om } from './outreach.messages.ts';
import { recordScope } from './scope.ts';
import { isMessagingRule } from './send-task.ts';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

export async function createSopRule(tx: Tx, p: Principal, actor: Actor, input: SopRuleInput) {
  const id = newId();
  await sql`insert into sop_rules (tenant_id, id, name, kind, trigger, steps, enabled, contacts_since, unit_id, created_by)
    values (${p.tenantId}, ${id}, ${input.name}, ${input.kind}, ${JSON.stringify(input.trigger)}::jsonb,
      ${JSON.stringify(input.steps)}::jsonb, ${input.enabled},
      (select max(added_at) from wecom_external_contacts where tenant_id = ${p.tenantId}), ${p.unitId}, ${p.userId})`.execute(
    tx,
  );
  await writeAudit(tx, actor, { action: 'create', object: 'sop_rule', recordId: id });
  return { id, ...input, createdAt: new Date().toISOString() };
}

export async function listSopRules(tx: Tx, p: Principal) {
  const rows = (
    await sql<any>`select * from sop_rules r where r.tenant_id = ${p.tenantId}
      and ${recordScope(p, 'r.unit_id', 'r.created_by')}
      -- messaging's 1:1 tasks hang off an internal rule (send-task.ts) nobody edits
      and r.trigger->>'on' <> 'messaging'
      order by r.created_at desc`.execute(tx)
  ).rows;
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    trigger: r.trigger,
    steps: r.steps,
    enabled: r.enabled,
    createdAt: iso(r.created_at)!,
  }));
}

/** Due time of a step: the trigger's day (China time) plus the offset, at the step's hour. */
const dueSql = (base: string) =>
  sql`((date_trunc('day', ${sql.ref(base)} at time zone 'Asia/Shanghai') + make_interval(days => (s.step->>'dayOffset')::int,
    hours => coalesce((s.step->>'hour')::int, 10))) at time zone 'Asia/Shanghai')`;

/**
 * Turns rules into tasks (idempotent: one task per rule, step, customer and due time). Customer
 * SOPs start from what happened after the rule was made — a contact added to a staff member of
 * the rule's units, a tag set on a customer — so a new rule does not flood staff with the past.
 * Group SOPs post to the groups whose owners are in the rule's units, once or weekly.
 */
export async function generateSopTasks(tx: Tx, tenantId: string): Promise<number> {
  let n = 0;
  const steps = sql`cross join lateral jsonb_array_elements(r.steps) with ordinality as s(step, idx)`;
  const insert = sql`insert into sop_tasks (tenant_id, id, rule_id, step, kind, content, corp_ref, target, target_name,
      staff_userid, user_id, unit_id, due_at)`;
  const contact = await sql`${insert}
    select r.tenant_id, gen_random_uuid(), r.id, s.idx, s.step->>'kind', s.step->>'content', x.corp_ref, x.external_userid,
      x.name, x.userid, w.user_id, x.unit_id, ${dueSql('x.added_at')}
    from sop_rules r ${steps}
    join wecom_external_contacts x on x.tenant_id = r.tenant_id and x.status = 'active'
      and (r.contacts_since is null or x.added_at > r.contacts_since)
    left join wecom_staff w on w.tenant_id = x.tenant_id and w.corp_ref = x.corp_ref and w.userid = x.userid
    where r.tenant_id = ${tenantId} and r.enabled and r.kind = 'customer' and r.trigger->>'on' = 'contact_added'
      and x.unit_id in (select c.id from units c join units ru on ru.tenant_id = c.tenant_id and ru.id = r.unit_id
        where c.tenant_id = r.tenant_id and c.path like ru.path || '%')
    on conflict do nothing`.execute(tx);
  n += Number(contact.numAffectedRows ?? 0);
  const tagged = await sql`${insert}
    select r.tenant_id, gen_random_uuid(), r.id, s.idx, s.step->>'kind', s.step->>'content', x.corp_ref, x.external_userid,
      x.name, x.userid, w.user_id, x.unit_id, ${dueSql('t.set_at')}
    from sop_rules r ${steps}
    join cdp_subject_tags t on t.tenant_id = r.tenant_id and t.tag_id = (r.trigger->>'tagId')::uuid and t.set_at >= r.created_at
    join lateral (select * from wecom_external_contacts x where x.tenant_id = t.tenant_id and x.profile_id = t.subject_id
      and x.status = 'active' order by x.added_at limit 1) x on true
    left join wecom_staff w on w.tenant_id = x.tenant_id and w.corp_ref = x.corp_ref and w.userid = x.userid
    where r.tenant_id = ${tenantId} and r.enabled and r.kind = 'customer' and r.trigger->>'on' = 'tag_added'
    on conflict do nothing`.execute(tx);
  n += Number(tagged.numAffectedRows ?? 0);
  const groups = await sql`${insert}
    select r.tenant_id, gen_random_uuid(), r.id, s.idx, s.step->>'kind', s.step->>'content', g.corp_ref, g.chat_id, g.name,
      g.owner_userid, w.user_id, u.unit_id,
      (r.trigger->>'startAt')::timestamptz + make_interval(days => (s.step->>'dayOffset')::int + 7 * k.week)
    from sop_rules r ${steps}
    cross join generate_series(0, 52) as k(week)
    join wecom_groups g on g.tenant_id = r.tenant_id and g.dismissed_at is null
    join wecom_staff w on w.tenant_id = g.tenant_id and w.corp_ref = g.corp_ref and w.userid = g.owner_userid
    join users u on u.tenant_id = w.tenant_id and u.id = w.user_id
    where r.tenant_id = ${tenantId} and r.enabled and r.kind = 'group' and r.trigger->>'on' = 'schedule'
      and (k.week = 0 or r.trigger->>'repeat' = 'weekly')
      and (r.trigger->>'startAt')::timestamptz + make_interval(days => 7 * k.week) < now() + interval '7 days'
      and u.unit_id in (select c.id from units c join units ru on ru.tenant_id = c.tenant_id and ru.id = r.unit_id
        where c.tenant_id = r.tenant_id and c.path like ru.path || '%')
    on conflict do nothing`.execute(tx);
  n += Number(groups.numAffectedRows ?? 0);
  return n;
}

/**
 * An opportunity moved into a stage (sales' `opportunity.stage_changed`): customer SOPs triggered
 * by that stage (e.g. 方案 → day 0 send material X, day 2 call) become tasks for the staff member
 * who has the customer in WeCom — the opportunity owner when they do, else the earliest friend —
 * in the rule's units, counted from the move. Idempotent like the rest (a replayed event adds nothing).
 */
export async function stageSopTasks(
  tx: Tx,
  tenantId: string,
  move: { customerId: string; stage: string; ownerId: string | null; at: string },
): Promise<number> {
  const r =
    await sql`insert into sop_tasks (tenant_id, id, rule_id, step, kind, content, corp_ref, target, target_name,
      staff_userid, user_id, unit_id, due_at)
    select r.tenant_id, gen_random_uuid(), r.id, s.idx, s.step->>'kind', s.step->>'content', x.corp_ref, x.external_userid,
      x.name, x.userid, x.user_id, x.unit_id,
      ((date_trunc('day', ${move.at}::timestamptz at time zone 'Asia/Shanghai')
        + make_interval(days => (s.step->>'dayOffset')::int, hours => coalesce((s.step->>'hour')::int, 10)))
        at time zone 'Asia/Shanghai')
    from sop_rules r
    cross join lateral jsonb_array_elements(r.steps) with ordinality as s(step, idx)
    join lateral (
      select x.*, w.user_id from wecom_external_contacts x
      join contacts c on c.tenant_id = x.tenant_id and c.id = x.contact_id and c.customer_id = ${move.customerId}::uuid
        and c.deleted_at is null
      left join wecom_staff w on w.tenant_id = x.tenant_id and w.corp_ref = x.corp_ref and w.userid = x.userid
      where x.tenant_id = r.tenant_id and x.status = 'active'
        and x.unit_id in (select u.id from units u join units ru on ru.tenant_id = u.tenant_id and ru.id = r.unit_id
          where u.tenant_id = r.tenant_id and u.path like ru.path || '%')
      order by (w.user_id is not distinct from ${move.ownerId}::uuid) desc, x.added_at limit 1) x on true
    where r.tenant_id = ${tenantId} and r.enabled and r.kind = 'customer' and r.trigger->>'on' = 'opportunity_stage'
      and r.trigger->>'stage' = ${move.stage} and r.created_at <= ${move.at}::timestamptz
    on conflict do nothing`.execute(tx);
  return Number(r.numAffectedRows ?? 0);
}

/** Tells each staff member once about a task past due (a notification with a link to their list). */
export async function alertOverdue(tx: Tx, tenantId: string, now = new Date()): Promise<number> {
  const due = (
    await sql<{ id: string; user_id: string; content: string; due_at: Date; rule: string }>`
      update sop_tasks t set alerted_at = now()
      from sop_rules r, users u
      where t.tenant_id = ${tenantId} and t.status = 'open' and t.due_at < ${now} and t.alerted_at is null
        and t.user_id is not null and r.tenant_id = t.tenant_id and r.id = t.rule_id
        and u.tenant_id = t.tenant_id and u.id = t.user_id
      returning t.id, t.user_id, t.content, t.due_at, r.name as rule`.execute(tx)
  ).rows;
  const both = (key: string, params: Record<string, unknown>) => ({
    'zh-CN': om.text('zh-CN', key, params),
    'en-US': om.text('en-US', key, params),
  });
  for (const t of due)
    await notify(tx, tenantId, {
      userIds: [t.user_id],
      kind: 'sop_overdue',
      title: both('sop_overdue_title', { rule: t.rule }),
      body: both('sop_overdue_body', { content: t.content, due: new Date(t.due_at).toISOString() }),
      link: '/outreach/sop',
      object: 'sop_task',
      recordId: t.id,
    });
  return due.length;
}

function toTask(r: any, now: Date): SopTask {
  return {
    id: r.id,
    ruleId: r.rule_id,
    ruleName: r.rule_name,
    kind: r.kind,
    content: r.content,
    target: r.target,
    targetName: r.target_name,
    staffUserid: r.staff_userid,
    dueAt: iso(r.due_at)!,
    status: r.status,
    overdue: r.status === 'open' && new Date(r.due_at) < now,
    doneAt: iso(r.done_at),
  };
}

/** My SOP tasks (the sidebar and the web list): open ones first by due time, then recent done ones. */
export async function mySopTasks(tx: Tx, p: Principal, q: { status?: string; target?: string }) {
  const now = new Date();
  const rows = (
    await sql<any>`select t.*, r.name as rule_name from sop_tasks t
      join sop_rules r on r.tenant_id = t.tenant_id and r.id = t.rule_id
      where t.tenant_id = ${p.tenantId} and t.user_id = ${p.userId}
        ${q.status ? sql`and t.status = ${q.status}` : sql``}
        ${q.target ? sql`and t.target = ${q.target}` : sql``}
      order by (t.status <> 'open'), t.due_at limit 200`.execute(tx)
  ).rows;
  return rows.map((r) => toTask(r, now));
}

export async function closeSopTask(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  how: 'done' | 'sent',
  locale: Locale,
) {
  const r = (
    await sql<any>`select t.*, r.name as rule_name, r.trigger as rule_trigger from sop_tasks t
      join sop_rules r on r.tenant_id = t.tenant_id and r.id = t.rule_id
      where t.tenant_id = ${p.tenantId} and t.id = ${id} and t.user_id = ${p.userId}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('sop_task');
  if (r.status !== 'open') throw om.problem('conflict', locale, 'sop_task_closed');
  const done = (
    await sql<any>`update sop_tasks set status = ${how}, done_at = now() where tenant_id = ${p.tenantId} and id = ${id}
      returning *`.execute(tx)
  ).rows[0];
  await writeAudit(tx, actor, { action: `outreach.sop_${how}`, object: 'sop_task', recordId: id });
  // Messaging's 1:1 tasks: the close is the message's delivery state (messaging subscribes).
  if (isMessagingRule(r.rule_trigger))
    await emitEvent(tx, p.tenantId, {
      type: 'outreach.send_task_closed',
      object: 'sop_task',
      recordId: id,
      payload: { taskId: id, how },
    });
  return toTask({ ...done, rule_name: r.rule_name }, new Date());
}

/** Completion rate by staff member for managers: tasks due so far, done, overdue; scoped like the lead data. */
export async function sopCompletion(tx: Tx, p: Principal) {
  const rows = (
    await sql<any>`select t.user_id, coalesce(u.name, t.staff_userid, '—') as name, count(*)::int as total,
        count(*) filter (where t.status <> 'open')::int as done,
        count(*) filter (where t.status = 'open' and t.due_at < now())::int as overdue
      from sop_tasks t left join users u on u.tenant_id = t.tenant_id and u.id = t.user_id
      where t.tenant_id = ${p.tenantId} and t.due_at < now() + interval '1 day'
        and ${recordScope(p, 't.unit_id', 't.user_id')}
      group by t.user_id, coalesce(u.name, t.staff_userid, '—') order by total desc limit 100`.execute(tx)
  ).rows;
  return {
    items: rows.map((r) => ({
      userId: r.user_id,
      name: r.name,
      total: r.total,
      done: r.done,
      overdue: r.overdue,
      rate: r.total ? Math.round((r.done / r.total) * 1000) / 1000 : 0,
    })),
  };
}
