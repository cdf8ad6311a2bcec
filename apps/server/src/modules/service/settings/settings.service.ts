import type { Calendar, Category, CategoryField, SlaPolicy, TicketPriority } from '@kehu/contracts/service';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../../core/audit/audit.ts';
import type { Principal } from '../../../core/auth/principal.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { newId } from '../../../core/ids.ts';
import { serviceProblem, st } from '../service.messages.ts';
import { CHINA_HOLIDAYS, DEFAULT_CALENDAR, loadCalendar } from '../sla/calendar.ts';
import { customerTierSource } from '../tickets/customer-tier.ts';
import { GENERAL } from '../tickets/ticket.core.ts';

/** Tenant-wide service settings: categories and their forms, SLA policies, the calendar, skills. */

const toCategory = (r: any): Category => ({
  id: r.id,
  key: r.key,
  name: r.name,
  nameEn: r.name_en ?? null,
  fields: r.fields ?? [],
  sort: r.sort,
  active: r.active,
  version: r.version,
});

export async function listCategories(tx: Tx, p: Principal) {
  const rows = (
    await sql<any>`select * from service_categories where tenant_id = ${p.tenantId} order by sort, key`.execute(
      tx,
    )
  ).rows;
  const items = rows.map(toCategory);
  if (!items.some((c) => c.key === GENERAL.key))
    items.unshift({ ...GENERAL, fields: [], sort: 0, active: true, version: 0 });
  return { items };
}

function checkFields(fields: CategoryField[], locale: Locale) {
  const seen = new Set<string>();
  for (const [i, f] of fields.entries()) {
    if (seen.has(f.key))
      throw serviceProblem('validation', locale, 'field_unknown', { key: f.key, category: '' }, [
        { field: `fields.${i}.key`, code: 'duplicate', message: `${f.key}` },
      ]);
    seen.add(f.key);
    if (f.type === 'select' && !(f.options ?? []).length)
      throw serviceProblem('validation', locale, 'field_option', { label: f.label, options: '' }, [
        {
          field: `fields.${i}.options`,
          code: 'required',
          message: st(locale, 'field_required', { label: f.label }),
        },
      ]);
  }
}

export async function createCategory(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  b: { key: string; name: string; nameEn?: string; fields: CategoryField[]; sort: number; active: boolean },
) {
  checkFields(b.fields, locale);
  const id = newId();
  const r =
    await sql<any>`insert into service_categories (tenant_id, id, key, name, name_en, fields, sort, active)
    values (${p.tenantId}, ${id}, ${b.key}, ${b.name}, ${b.nameEn ?? null}, ${JSON.stringify(b.fields)}::jsonb,
      ${b.sort}, ${b.active}) on conflict do nothing returning *`.execute(tx);
  if (!r.rows[0])
    throw serviceProblem('conflict', locale, 'category_key_taken', { key: b.key }, [
      { field: 'key', code: 'category_key_taken', message: st(locale, 'category_key_taken', { key: b.key }) },
    ]);
  await writeAudit(tx as any, actor, {
    action: 'create',
    object: 'service_category',
    recordId: id,
    meta: { key: b.key },
  });
  return toCategory(r.rows[0]);
}

export async function updateCategory(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  b: {
    version: number;
    name?: string;
    nameEn?: string;
    fields?: CategoryField[];
    sort?: number;
    active?: boolean;
  },
) {
  if (b.fields) checkFields(b.fields, locale);
  const cur = (
    await sql<any>`select * from service_categories where tenant_id = ${p.tenantId} and id = ${id}`.execute(
      tx,
    )
  ).rows[0];
  if (!cur && id === GENERAL.id && b.version === 0)
    return createCategory(tx, p, actor, locale, {
      key: GENERAL.key,
      name: b.name ?? GENERAL.name,
      nameEn: b.nameEn ?? GENERAL.nameEn,
      fields: b.fields ?? [],
      sort: b.sort ?? 0,
      active: b.active ?? true,
    });
  if (!cur) throw serviceProblem('not_found', locale, 'category_unknown');
  const r = await sql<any>`update service_categories set name = ${b.name ?? cur.name},
      name_en = ${b.nameEn ?? cur.name_en}, fields = ${JSON.stringify(b.fields ?? cur.fields)}::jsonb,
      sort = ${b.sort ?? cur.sort}, active = ${b.active ?? cur.active}, version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id} and version = ${b.version} returning *`.execute(tx);
  if (!r.rows[0]) throw serviceProblem('conflict', locale, 'version_conflict');
  await writeAudit(tx as any, actor, {
    action: 'update',
    object: 'service_category',
    recordId: id,
    meta: { ...b },
  });
  return toCategory(r.rows[0]);
}

const toPolicy = (r: any): SlaPolicy => ({
  id: r.id,
  categoryKey: r.category_key,
  priority: r.priority,
  tier: r.tier,
  firstResponseMinutes: r.first_response_minutes,
  resolutionMinutes: r.resolution_minutes,
  version: r.version,
});

export async function listPolicies(tx: Tx, p: Principal) {
  const rows = (
    await sql<any>`select * from service_sla_policies where tenant_id = ${p.tenantId}
      order by category_key nulls last, array_position(array['urgent','high','normal','low'], priority), tier nulls first`.execute(
      tx,
    )
  ).rows;
  return { items: rows.map(toPolicy) };
}

/** The member tiers a policy can target, through the `ticket-customer-tier` point. */
export async function listTiers(tx: Tx, p: Principal) {
  return { items: (await customerTierSource()?.tiers(tx, p)) ?? [] };
}

export async function createPolicy(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  b: {
    categoryKey: string | null;
    priority: TicketPriority;
    tier: string | null;
    firstResponseMinutes: number;
    resolutionMinutes: number;
  },
) {
  if (b.categoryKey) {
    const c =
      await sql`select 1 from service_categories where tenant_id = ${p.tenantId} and key = ${b.categoryKey}`.execute(
        tx,
      );
    if (!c.rows.length)
      throw serviceProblem('validation', locale, 'category_unknown', {}, [
        { field: 'categoryKey', code: 'category_unknown', message: st(locale, 'category_unknown') },
      ]);
  }
  if (b.tier && !(await listTiers(tx, p)).items.some((t) => t.key === b.tier))
    throw serviceProblem('validation', locale, 'tier_unknown', {}, [
      { field: 'tier', code: 'tier_unknown', message: st(locale, 'tier_unknown') },
    ]);
  const id = newId();
  const r = await sql<any>`insert into service_sla_policies (tenant_id, id, category_key, priority, tier,
      first_response_minutes, resolution_minutes)
    values (${p.tenantId}, ${id}, ${b.categoryKey}, ${b.priority}, ${b.tier}, ${b.firstResponseMinutes},
      ${b.resolutionMinutes}) on conflict do nothing returning *`.execute(tx);
  if (!r.rows[0]) throw serviceProblem('conflict', locale, 'policy_duplicate');
  await writeAudit(tx as any, actor, {
    action: 'create',
    object: 'service_sla_policy',
    recordId: id,
    meta: { ...b },
  });
  return toPolicy(r.rows[0]);
}

export async function updatePolicy(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  b: { version: number; firstResponseMinutes: number; resolutionMinutes: number },
) {
  const r = await sql<any>`update service_sla_policies set first_response_minutes = ${b.firstResponseMinutes},
      resolution_minutes = ${b.resolutionMinutes}, version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id} and version = ${b.version} returning *`.execute(tx);
  if (!r.rows[0]) {
    const exists =
      await sql`select 1 from service_sla_policies where tenant_id = ${p.tenantId} and id = ${id}`.execute(
        tx,
      );
    throw serviceProblem(
      exists.rows.length ? 'conflict' : 'not_found',
      locale,
      exists.rows.length ? 'version_conflict' : 'policy_not_found',
    );
  }
  await writeAudit(tx as any, actor, {
    action: 'update',
    object: 'service_sla_policy',
    recordId: id,
    meta: { ...b },
  });
  return toPolicy(r.rows[0]);
}

export async function deletePolicy(tx: Tx, p: Principal, actor: Actor, locale: Locale, id: string) {
  const r =
    await sql`delete from service_sla_policies where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  if (!Number(r.numAffectedRows ?? 0)) throw serviceProblem('not_found', locale, 'policy_not_found');
  await writeAudit(tx as any, actor, { action: 'delete', object: 'service_sla_policy', recordId: id });
  return { ok: true as const };
}

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const minutesOf = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

export async function getCalendar(tx: Tx, p: Principal): Promise<Calendar> {
  const cal = await loadCalendar(tx, p.tenantId);
  let days: { day: string; kind: 'holiday' | 'workday'; name: string }[];
  if (cal.saved) {
    days = (
      await sql<any>`select to_char(day, 'YYYY-MM-DD') as day, kind, name from service_calendar_days
        where tenant_id = ${p.tenantId} order by day`.execute(tx)
    ).rows;
  } else days = CHINA_HOLIDAYS;
  return {
    utcOffsetMinutes: cal.utcOffsetMinutes,
    dayStart: hhmm(cal.dayStart),
    dayEnd: hhmm(cal.dayEnd),
    weekdays: cal.weekdays,
    days,
    version: cal.version,
    saved: cal.saved,
  };
}

/**
 * Saves the whole calendar (working hours, weekdays, the day list). Version 0 is the unsaved
 * default; a stale version answers 409. Deadlines already set keep their instants: a change
 * applies to clocks started (or resumed) after it.
 */
export async function saveCalendar(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  b: Omit<Calendar, 'saved'>,
): Promise<Calendar> {
  const start = minutesOf(b.dayStart);
  const end = minutesOf(b.dayEnd);
  if (end <= start)
    throw serviceProblem('validation', locale, 'calendar_window', {}, [
      { field: 'dayEnd', code: 'calendar_window', message: st(locale, 'calendar_window') },
    ]);
  const seen = new Set<string>();
  for (const [i, d] of b.days.entries()) {
    if (seen.has(d.day) || Number.isNaN(Date.parse(`${d.day}T00:00:00Z`)))
      throw serviceProblem('validation', locale, 'calendar_duplicate_day', { day: d.day }, [
        {
          field: `days.${i}.day`,
          code: 'calendar_duplicate_day',
          message: st(locale, 'calendar_duplicate_day', { day: d.day }),
        },
      ]);
    seen.add(d.day);
  }
  const weekdays = [...new Set(b.weekdays)].sort();
  if (b.version === 0) {
    const r =
      await sql`insert into service_calendars (tenant_id, utc_offset_minutes, day_start, day_end, weekdays)
      values (${p.tenantId}, ${b.utcOffsetMinutes}, ${start}, ${end}, ${weekdays}::int[]) on conflict do nothing`.execute(
        tx,
      );
    if (!Number(r.numAffectedRows ?? 0)) throw serviceProblem('conflict', locale, 'version_conflict');
  } else {
    const r =
      await sql`update service_calendars set utc_offset_minutes = ${b.utcOffsetMinutes}, day_start = ${start},
        day_end = ${end}, weekdays = ${weekdays}::int[], version = version + 1, updated_at = now()
      where tenant_id = ${p.tenantId} and version = ${b.version}`.execute(tx);
    if (!Number(r.numAffectedRows ?? 0)) throw serviceProblem('conflict', locale, 'version_conflict');
  }
  await sql`delete from service_calendar_days where tenant_id = ${p.tenantId}`.execute(tx);
  if (b.days.length)
    await sql`insert into service_calendar_days (tenant_id, day, kind, name) values ${sql.join(
      b.days.map((d) => sql`(${p.tenantId}, ${d.day}::date, ${d.kind}, ${d.name})`),
    )}`.execute(tx);
  await writeAudit(tx as any, actor, {
    action: 'update',
    object: 'service_calendar',
    meta: { dayStart: b.dayStart, dayEnd: b.dayEnd, weekdays, days: b.days.length },
  });
  return getCalendar(tx, p);
}

export { DEFAULT_CALENDAR };

/** People who can handle tickets, their skills and open load. */
export async function listAgents(tx: Tx, p: Principal) {
  const rows = (
    await sql<any>`select u.id, u.name, un.name as unit_name,
        coalesce((select array_agg(s.category_key order by s.category_key) from service_agent_skills s
          where s.tenant_id = u.tenant_id and s.user_id = u.id), '{}') as keys,
        (select count(*)::int from service_tickets t where t.tenant_id = u.tenant_id and t.assignee_id = u.id
          and t.status in ('new', 'assigned', 'in_progress', 'waiting_customer', 'reopened')) as open
      from users u left join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
      where u.tenant_id = ${p.tenantId} and u.status = 'active'
        and exists (select 1 from user_roles ur join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id
          where ur.tenant_id = u.tenant_id and ur.user_id = u.id
            and r.permissions && array['*', 'service:*', 'service:handle']::text[])
      order by un.depth nulls last, u.name`.execute(tx)
  ).rows;
  return {
    items: rows.map((r) => ({
      userId: r.id,
      userName: r.name,
      unitName: r.unit_name ?? null,
      categoryKeys: r.keys,
      openTickets: r.open,
    })),
  };
}

export async function setSkills(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  userId: string,
  keys: string[],
) {
  const u = await sql`select 1 from users where tenant_id = ${p.tenantId} and id = ${userId}`.execute(tx);
  if (!u.rows.length) throw serviceProblem('not_found', locale, 'user_unknown');
  const wanted = [...new Set(keys)];
  const known = (
    await sql<{ key: string }>`select key from service_categories where tenant_id = ${p.tenantId}
      and key = any(${wanted}::text[])`.execute(tx)
  ).rows.map((r) => r.key);
  const bad = wanted.filter((k) => k !== '*' && !known.includes(k));
  if (bad.length)
    throw serviceProblem('validation', locale, 'category_unknown', {}, [
      { field: 'categoryKeys', code: 'category_unknown', message: st(locale, 'category_unknown') },
    ]);
  await sql`delete from service_agent_skills where tenant_id = ${p.tenantId} and user_id = ${userId}
    and category_key <> all(${wanted}::text[])`.execute(tx);
  if (wanted.length)
    await sql`insert into service_agent_skills (tenant_id, user_id, category_key)
      values ${sql.join(wanted.map((k) => sql`(${p.tenantId}, ${userId}, ${k})`))} on conflict do nothing`.execute(
      tx,
    );
  await writeAudit(tx as any, actor, {
    action: 'update',
    object: 'service_agent_skills',
    recordId: userId,
    meta: { keys: wanted },
  });
  return listAgents(tx, p);
}
