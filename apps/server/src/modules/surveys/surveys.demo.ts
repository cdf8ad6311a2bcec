import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import type { DemoContext } from '../../engine/module.ts';
import { newPublicToken } from '../cards/index.ts';
import { createTicket } from '../service/index.ts';

/** Deterministic pseudo-random numbers (the demo is the same on every start). */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Thirty days of return visits for the satisfaction report: closed tickets of three categories
 * in the stores, their surveys (most answered, some low and reopened as complaints).
 */
export async function seedSurveys(ctx: DemoContext): Promise<void> {
  const t = ctx.tenantId;
  const rand = rng(ctx.seed + 13);
  await inTenant(ctx.database.db, t, async (tx) => {
    const cats = [
      ['install', '安装'],
      ['repair', '维修'],
      ['maintenance', '保养'],
    ];
    for (const [key, name] of cats)
      await sql`insert into service_categories (tenant_id, id, key, name, fields)
        select ${t}, ${newId()}, ${key}, ${name}, '[]'::jsonb
        where not exists (select 1 from service_categories where tenant_id = ${t} and key = ${key})`.execute(
        tx,
      );
    const stores = (
      await sql<{
        id: string;
      }>`select id from units where tenant_id = ${t} and deleted_at is null and depth >= 2
        order by path limit 6`.execute(tx)
    ).rows.map((r) => r.id);
    const agents = (
      await sql<{ id: string; unit_id: string }>`select id, unit_id from users where tenant_id = ${t}
        and login in ('zhou.xiaoyan', 'lin.lijuan')`.execute(tx)
    ).rows;
    if (!stores.length || !agents.length) return;
    // The service demo gives these categories required form fields: fill them as a person would.
    const forms = new Map<string, Record<string, unknown>>();
    for (const [key] of cats) {
      const fields =
        (
          await sql<{
            fields: { key: string; type: string; required?: boolean; options?: string[] }[];
          }>`select fields from service_categories where tenant_id = ${t} and key = ${key}`.execute(tx)
        ).rows[0]?.fields ?? [];
      const sample = (f: { type: string; options?: string[] }) =>
        f.type === 'select'
          ? f.options?.[0]
          : f.type === 'number'
            ? 1
            : f.type === 'date'
              ? '2026-11-01'
              : '演示';
      forms.set(key!, Object.fromEntries(fields.filter((f) => f.required).map((f) => [f.key, sample(f)])));
    }
    for (let i = 0; i < 60; i++) {
      const cat = cats[i % 3]![0]!;
      const agent = agents[i % agents.length]!;
      const closedAt = new Date(
        ctx.now - (1 + Math.floor(rand() * 29)) * 86_400_000 - Math.floor(rand() * 8) * 3600_000,
      );
      const r = await createTicket(tx, t, {
        subject: `${cats[i % 3]![1]}服务 #${i + 1}`,
        description: '演示数据',
        categoryKey: cat,
        form: forms.get(cat) ?? {},
        priority: 'normal',
        channel: 'phone',
        unitId: stores[i % stores.length],
        idempotencyKey: `demo-survey-${i}`,
      });
      // The service contract has no close function yet: the demo's history is written as closed.
      await sql`update service_tickets set status = 'closed', resolved_at = ${closedAt}, closed_at = ${closedAt}
        where tenant_id = ${t} and id = ${r.ticketId}`.execute(tx);
      const sendAt = new Date(closedAt.getTime() + 2 * 3600_000);
      const inviteId = newId();
      const answered = rand() < 0.72;
      await sql`insert into survey_invites (tenant_id, id, token, event_id, ticket_id, ticket_number, unit_id, assignee_id,
          team_unit_id, category_key, channel, status, closed_at, send_at, sent_at, expires_at)
        values (${t}, ${inviteId}, ${newPublicToken(t)}, ${newId()}, ${r.ticketId}, ${r.number}, ${stores[i % stores.length]},
          ${agent.id}, ${agent.unit_id}, ${cat}, 'sms', ${answered ? 'answered' : 'sent'}, ${closedAt}, ${sendAt}, ${sendAt},
          ${new Date(sendAt.getTime() + 7 * 86_400_000)}) on conflict do nothing`.execute(tx);
      if (!answered) continue;
      const csat = Math.min(5, Math.max(1, Math.round(3.6 + (rand() - 0.35) * 3)));
      const nps = Math.min(10, Math.max(0, csat * 2 + Math.round(rand() * 2) - 1));
      const low = csat <= 2 || nps <= 6;
      await sql`insert into survey_answers (tenant_id, invite_id, csat, nps, comment, low, reopened, answered_at)
        values (${t}, ${inviteId}, ${csat}, ${nps}, ${low ? '师傅迟到了一个小时，问题也没彻底解决' : csat === 5 ? '师傅很专业，准时上门' : null},
          ${low}, ${low}, ${new Date(sendAt.getTime() + 3600_000)}) on conflict do nothing`.execute(tx);
    }
  });
}
