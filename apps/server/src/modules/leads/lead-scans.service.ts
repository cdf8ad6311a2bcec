import { sql } from 'kysely';
import { writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { emitEvents } from '../../core/events/outbox.ts';
import type { Row } from '../../engine/records/record-mapper.ts';
import { notify } from '../notifications/index.ts';
import { ownerName } from './lead-owners.ts';
import { moveToPool } from './pool.service.ts';
import { loadSettings } from './scoring.service.ts';

/** The leads module's background scans (system): SLA breaches, reminders, reclaim to the pool. */

const SYSTEM = (tenantId: string) => ({ tenantId, actorId: null, actorKind: 'system' as const });

/**
 * SLA breaches: unanswered leads past their deadline are flagged, the owner is told, and the
 * owner's managers are escalated to: users holding `lead:update` with a unit_tree or tenant
 * scope on leads whose unit is the owner's unit or above it, nearest level first.
 */
export async function runSlaScan(tx: Tx, tenantId: string): Promise<{ breached: number; escalated: number }> {
  const rows = (
    await sql<{
      id: string;
      owner_id: string;
      name: string;
      company: string | null;
      first_response_due_at: Date;
      unit_id: string;
    }>`
      update leads set sla_breached = true, version = version + 1, updated_at = now()
      where tenant_id = ${tenantId} and first_responded_at is null and not sla_breached and deleted_at is null
        and owner_id is not null and status in ('new', 'contacted', 'qualified') and first_response_due_at < now()
      returning id, owner_id, name, company, first_response_due_at, unit_id`.execute(tx)
  ).rows;
  let escalated = 0;
  for (const l of rows) {
    const managers = await managersOf(tx, tenantId, l.owner_id);
    await writeAudit(tx, SYSTEM(tenantId), {
      action: 'lead_sla_breached',
      object: 'lead',
      recordId: l.id,
      changes: [{ field: 'slaBreached', from: false, to: true }],
      meta: { dueAt: new Date(l.first_response_due_at).toISOString(), escalatedTo: managers },
    });
    await emitEvents(tx, tenantId, [
      {
        type: 'lead.sla_breached',
        object: 'lead',
        recordId: l.id,
        payload: { id: l.id, ownerId: l.owner_id, escalatedTo: managers },
      },
    ]);
    const who = l.company ? `${l.name}（${l.company}）` : l.name;
    const owner = await ownerName(tx, tenantId, l.owner_id);
    await notify(tx, tenantId, {
      userIds: [l.owner_id],
      kind: 'lead.sla_breached',
      title: { 'zh-CN': `线索响应超时：${who}`, 'en-US': `First response overdue: ${who}` },
      body: {
        'zh-CN': '已超过首次响应时限，已通知你的主管',
        'en-US': 'The first-response deadline has passed; your manager was notified',
      },
      link: `/leads/inbox`,
      object: 'lead',
      recordId: l.id,
    });
    if (managers.length) {
      escalated++;
      await notify(tx, tenantId, {
        userIds: managers,
        kind: 'lead.sla_escalated',
        title: {
          'zh-CN': `超时升级：${owner} 未按时响应 ${who}`,
          'en-US': `Escalation: ${owner} missed the first response to ${who}`,
        },
        link: `/leads/inbox/${l.id}`,
        object: 'lead',
        recordId: l.id,
      });
    }
  }
  return { breached: rows.length, escalated };
}

export async function managersOf(tx: Tx, tenantId: string, userId: string): Promise<string[]> {
  const rows = (
    await sql<{ id: string; depth: number }>`
      with owner as (select u.unit_id, x.path from users u join units x on x.tenant_id = u.tenant_id and x.id = u.unit_id
                     where u.tenant_id = ${tenantId} and u.id = ${userId})
      select distinct m.id, mu.depth from users m
        join units mu on mu.tenant_id = m.tenant_id and mu.id = m.unit_id
        join user_roles ur on ur.tenant_id = m.tenant_id and ur.user_id = m.id
        join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id, owner o
      where m.tenant_id = ${tenantId} and m.id <> ${userId} and m.status = 'active'
        and o.path like mu.path || '%'
        and (r.permissions && array['lead:update', 'lead:*', '*']::text[])
        and coalesce(r.data_scopes->>'lead', r.data_scopes->>'*') in ('unit_tree', 'tenant')`.execute(tx)
  ).rows;
  if (rows.length === 0) return [];
  const nearest = Math.max(...rows.map((r) => r.depth));
  return rows.filter((r) => r.depth === nearest).map((r) => r.id);
}

/** Follow-up reminders: open activities whose `dueAt` has come, once each. */
export async function runReminders(tx: Tx, tenantId: string): Promise<number> {
  const rows = (
    await sql<{
      id: string;
      owner_id: string;
      subject: string | null;
      lead_id: string | null;
      customer_id: string | null;
    }>`
      update activities set reminded_at = now()
      where tenant_id = ${tenantId} and status = 'open' and due_at <= now() and reminded_at is null and deleted_at is null
      returning id, owner_id, subject, lead_id, customer_id`.execute(tx)
  ).rows;
  for (const a of rows)
    await notify(tx, tenantId, {
      userIds: [a.owner_id],
      kind: 'activity.due',
      title: {
        'zh-CN': `跟进提醒：${a.subject ?? '待办'}`,
        'en-US': `Follow-up due: ${a.subject ?? 'task'}`,
      },
      link: a.lead_id
        ? `/leads/inbox/${a.lead_id}`
        : a.customer_id
          ? `/o/customer/${a.customer_id}`
          : `/o/activity/${a.id}`,
      object: 'activity',
      recordId: a.id,
    });
  return rows.length;
}

/** Reclaim rule: owned open leads with no follow-up for `reclaimDays` go back to their unit's pool. */
export async function runReclaim(tx: Tx, tenantId: string): Promise<number> {
  const settings = await loadSettings(tx, tenantId);
  const days = settings.pool.reclaimDays;
  if (!days || days <= 0) return 0;
  const rows = (
    await sql<Row>`select * from leads where tenant_id = ${tenantId} and owner_id is not null and deleted_at is null
      and status in ('new', 'contacted', 'qualified')
      and coalesce(last_activity_at, created_at) < now() - make_interval(days => ${days})
      order by id limit 1000 for update skip locked`.execute(tx)
  ).rows;
  for (const r of rows) {
    await moveToPool(tx, tenantId, SYSTEM(tenantId), r, 'reclaim', { code: 'no_follow_up', days });
    await notify(tx, tenantId, {
      userIds: [r.owner_id],
      kind: 'lead.reclaimed',
      title: {
        'zh-CN': `线索已收回公海：${r.name}（${days} 天未跟进）`,
        'en-US': `Lead returned to the pool: ${r.name} (no follow-up in ${days} days)`,
      },
      object: 'lead',
      recordId: r.id,
    });
  }
  return rows.length;
}
