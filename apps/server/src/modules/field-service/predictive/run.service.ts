import { sql } from 'kysely';
import { loadPrincipal } from '../../../core/auth/access-loader.ts';
import type { Principal } from '../../../core/auth/principal.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import { enqueue, type JobContext } from '../../../core/jobs/queue.ts';
import { profilesOfRecords, scopeFilterFor } from '../../cdp/index.ts';
import { createTicket } from '../../service/index.ts';
import { fsText } from '../field-service.messages.ts';

export const PREDICTIVE_QUEUE = 'field-service:predictive';
const CN_OFFSET = 8 * 3600_000;

/** The tenant day starts at 00:00 China time (the predictive run and its cap count in that day). */
export function todayStart(now: Date): Date {
  const local = new Date(now.getTime() + CN_OFFSET);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - CN_OFFSET);
}

/** One ticket per rule, member and period: `2026-12`, `2026-Q4` or `2026`. */
export function periodKey(period: 'month' | 'quarter' | 'year', now: Date): string {
  const local = new Date(now.getTime() + CN_OFFSET);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth() + 1;
  if (period === 'year') return String(y);
  if (period === 'quarter') return `${y}-Q${Math.ceil(m / 3)}`;
  return `${y}-${String(m).padStart(2, '0')}`;
}

/** The daily run at 08:00 China time, once per tenant and day (the dedupe key). */
export async function schedulePredictive(tx: Tx, tenantId: string, from = new Date()) {
  let at = new Date(todayStart(from).getTime() + 8 * 3600_000);
  if (at <= from) at = new Date(at.getTime() + 86_400_000);
  const day = new Date(at.getTime() + CN_OFFSET).toISOString().slice(0, 10);
  await enqueue(tx, tenantId, PREDICTIVE_QUEUE, { day }, { runAt: at, dedupeKey: `predictive:${day}` });
}

/** The daily job: every active rule, then the next day's run. */
export async function predictiveJob(_payload: { day?: string }, job: JobContext): Promise<void> {
  const rules = await job.tx(
    async (tx) =>
      (
        await sql<{ id: string }>`select id from fs_predictive_rules where tenant_id = ${job.tenantId}
          and active and deleted_at is null order by created_at`.execute(tx)
      ).rows,
    { readOnly: true },
  );
  for (const r of rules) await runRule(job, r.id);
  await job.tx((tx) => schedulePredictive(tx, job.tenantId));
}

/**
 * Runs one rule as its author: the segment's members the author sees (a record segment by their
 * record scope), minus those that already have a ticket from this rule this period, at most the
 * daily cap less what today's earlier runs made. Each ticket is created with an idempotency key
 * `predictive:<rule>:<member>:<period>` and recorded under the same primary key in the same
 * transaction, so a retried or concurrent run makes no second ticket.
 */
export async function runRule(
  job: Pick<JobContext, 'db' | 'tenantId' | 'tx'>,
  ruleId: string,
  now = new Date(),
): Promise<{ created: number; skipped: number }> {
  const t = job.tenantId;
  const rule = await job.tx(
    async (tx) =>
      (
        await sql<any>`select r.*, s.name as segment_name, s.object as segment_object, u.status as author_status
          from fs_predictive_rules r
          left join cdp_segments s on s.tenant_id = r.tenant_id and s.id = r.segment_id
          left join users u on u.tenant_id = r.tenant_id and u.id = r.created_by
          where r.tenant_id = ${t} and r.id = ${ruleId} and r.deleted_at is null`.execute(tx)
      ).rows[0],
    { readOnly: true },
  );
  if (!rule?.segment_object || !rule.created_by || rule.author_status !== 'active')
    return { created: 0, skipped: 0 };
  const authz = await job.tx(
    async (tx) =>
      (await sql<{ v: number }>`select authz_version as v from tenants where id = ${t}`.execute(tx)).rows[0]!
        .v,
    { readOnly: true },
  );
  const base = await loadPrincipal(job.db, t, rule.created_by, authz);
  if (!base) return { created: 0, skipped: 0 };
  const author = { ...base, kind: 'user' } as Principal;
  const period = periodKey(rule.period, now);
  return job.tx(async (tx) => {
    const used = (
      await sql<{ n: number }>`select count(*)::int as n from fs_predictive_runs where tenant_id = ${t}
        and rule_id = ${ruleId} and created_at >= ${todayStart(now)}`.execute(tx)
    ).rows[0]!.n;
    const room = rule.daily_cap - used;
    if (room <= 0) return { created: 0, skipped: 0 };
    const scope = scopeFilterFor(author, rule.segment_object);
    const due = (
      await sql<{ subject_id: string }>`select m.subject_id from cdp_segment_members m
        where m.tenant_id = ${t} and m.segment_id = ${rule.segment_id} and ${scope.where(sql`m.subject_id`)}
          and not exists (select 1 from fs_predictive_runs x where x.tenant_id = m.tenant_id and x.rule_id = ${ruleId}
            and x.subject_id = m.subject_id and x.period = ${period})
        order by m.entered_at, m.subject_id limit ${room}`.execute(tx)
    ).rows.map((x) => x.subject_id);
    const isProfile = rule.segment_object === 'profile';
    const profiles = isProfile
      ? new Map<string, string>()
      : await profilesOfRecords(tx, t, rule.segment_object, due);
    let created = 0;
    let skipped = 0;
    for (const subject of due) {
      const profileId = isProfile ? subject : profiles.get(subject);
      const out = await createTicket(tx, t, {
        subject: rule.name,
        description: fsText('zh-CN', 'description', { segment: rule.segment_name, rule: rule.name }),
        categoryKey: rule.category_key,
        priority: rule.priority,
        channel: 'predictive',
        ...(profileId ? { profileId } : {}),
        unitId: rule.unit_id,
        ...(isProfile ? {} : { links: [{ object: rule.segment_object, recordId: subject }] }),
        createdBy: undefined,
        idempotencyKey: `predictive:${ruleId}:${subject}:${period}`,
      });
      const ins = await sql`insert into fs_predictive_runs (tenant_id, rule_id, subject_id, period, ticket_id)
        values (${t}, ${ruleId}, ${subject}, ${period}, ${out.ticketId}) on conflict do nothing`.execute(tx);
      if (ins.numAffectedRows) created++;
      else skipped++;
    }
    await sql`update fs_predictive_rules set last_run_at = ${now} where tenant_id = ${t} and id = ${ruleId}`.execute(
      tx,
    );
    return { created, skipped };
  });
}
