import type { Technician, TechnicianInput } from '@kehu/contracts/field-service';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../../core/audit/audit.ts';
import type { Principal } from '../../../core/auth/principal.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import { notFound } from '../../../core/errors.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { fsProblem } from '../field-service.messages.ts';
import { todayStart } from '../predictive/run.service.ts';

/** Technicians are users of my unit and below with skills and service areas (R8.1). */
export async function listTechnicians(tx: Tx, p: Principal): Promise<{ items: Technician[] }> {
  const day = todayStart(new Date());
  const r = await sql<any>`select t.user_id, u.name, u.unit_id, t.skills, t.areas, t.active, t.version,
      (select count(*)::int from fs_work_orders w join fs_slots s on s.tenant_id = w.tenant_id and s.id = w.slot_id
        where w.tenant_id = t.tenant_id and w.technician_id = t.user_id and w.status <> 'cancelled'
          and s.starts_at >= ${day} and s.starts_at < ${new Date(day.getTime() + 86_400_000)}) as today
    from fs_technicians t join users u on u.tenant_id = t.tenant_id and u.id = t.user_id
    where t.tenant_id = ${p.tenantId} and u.unit_id = any(${p.subtreeUnitIds}::uuid[]) and u.status = 'active'
    order by u.name`.execute(tx);
  return {
    items: r.rows.map((x) => ({
      userId: x.user_id,
      name: x.name,
      unitId: x.unit_id,
      skills: x.skills,
      areas: x.areas,
      active: x.active,
      today: x.today,
      version: x.version,
    })),
  };
}

/** Makes a user of my unit or below a technician, or changes their skills and areas (version-checked). */
export async function putTechnician(
  tx: Tx,
  p: Principal,
  actor: Actor,
  userId: string,
  input: TechnicianInput,
  locale: Locale,
): Promise<Technician> {
  const t = p.tenantId;
  const u = (
    await sql`select 1 from users where tenant_id = ${t} and id = ${userId} and status = 'active'
      and unit_id = any(${p.subtreeUnitIds}::uuid[])`.execute(tx)
  ).rows[0];
  if (!u) throw notFound('user');
  const clean = (xs: string[]) => [...new Set(xs.map((x) => x.trim()))];
  const r =
    input.version === 0
      ? await sql`insert into fs_technicians (tenant_id, user_id, skills, areas, active)
          values (${t}, ${userId}, ${clean(input.skills)}, ${clean(input.areas)}, ${input.active}) on conflict do nothing`.execute(
          tx,
        )
      : await sql`update fs_technicians set skills = ${clean(input.skills)}, areas = ${clean(input.areas)},
            active = ${input.active}, version = version + 1, updated_at = now()
          where tenant_id = ${t} and user_id = ${userId} and version = ${input.version}`.execute(tx);
  if (!r.numAffectedRows) throw fsProblem('conflict', locale, 'stale');
  await writeAudit(tx as any, actor, { action: 'update', object: 'technician', recordId: userId });
  const all = await listTechnicians(tx, p);
  return all.items.find((x) => x.userId === userId)!;
}
