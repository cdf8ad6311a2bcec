import type { Dashboard, Figures, MetricDef } from '@kehu/contracts/staff-analytics';
import { sql } from 'kysely';
import { dataScopeFor, type Principal, rowScope } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { type MetricSpec, type StaffDayRow, staffFigureSources } from './figure-sources.ts';
import { daysOf } from './period.ts';

export interface Selection {
  from: string;
  to: string;
  unitId?: string;
  tree?: boolean;
  staffUserId?: string;
}

interface Staff {
  userId: string;
  name: string;
  unitId: string;
  unitName: string | null;
}

type Raw = Map<string, number>;

/**
 * The staff a caller may see, as the `lead` data scope says (own → themself; unit / unit tree →
 * people of those units; tenant → everyone), narrowed to a team (a unit, with the units below when
 * `tree`) or one person. A team or person outside the scope reads as not found.
 */
async function visibleStaff(tx: Tx, p: Principal, s: Selection): Promise<Staff[]> {
  const t = p.tenantId;
  const scope = rowScope(p, 'lead');
  const scoped =
    scope.unitIds === null
      ? sql`true`
      : scope.ownerId
        ? sql`u.id = ${scope.ownerId}`
        : sql`u.unit_id = any(${scope.unitIds}::uuid[])`;
  if (s.unitId) {
    const unit = (
      await sql<{ id: string }>`select id from units where tenant_id = ${t} and id = ${s.unitId}
        and deleted_at is null`.execute(tx)
    ).rows[0];
    const inScope = scope.unitIds === null || (!scope.ownerId && scope.unitIds.includes(s.unitId));
    if (!unit || !inScope) throw notFound('unit');
  }
  const team = !s.unitId
    ? sql`true`
    : s.tree
      ? sql`un.path like (select p.path || '%' from units p where p.tenant_id = ${t} and p.id = ${s.unitId})`
      : sql`u.unit_id = ${s.unitId}`;
  const rows = (
    await sql<Staff>`
      select u.id as "userId", u.name, u.unit_id as "unitId", un.name as "unitName"
      from users u join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
      where u.tenant_id = ${t} and u.status = 'active' and ${scoped} and ${team}
        ${s.staffUserId ? sql`and u.id = ${s.staffUserId}` : sql``}
      order by u.name, u.id`.execute(tx)
  ).rows;
  if (s.staffUserId && !rows.length) throw notFound('user');
  return rows;
}

/** Staff mapped to a WeCom member: on the dashboard even in a period without a figure. */
async function wecomStaffIds(tx: Tx, tenantId: string): Promise<Set<string>> {
  const rows = (
    await sql<{ user_id: string }>`select distinct s.user_id from wecom_staff s
      join wecom_corps c on c.tenant_id = s.tenant_id and c.id = s.corp_ref and c.deleted_at is null
      where s.tenant_id = ${tenantId} and s.user_id is not null and s.active`.execute(tx)
  ).rows;
  return new Set(rows.map((r) => r.user_id));
}

const add = (into: Raw, from: Raw) => {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
};

function figuresOf(raw: Raw, metrics: MetricSpec[]): Figures {
  const out: Figures = {};
  for (const m of metrics) {
    if (m.hidden) continue;
    if (m.ratio) {
      const den = raw.get(m.ratio.den) ?? 0;
      out[m.key] = den
        ? Math.round(((raw.get(m.ratio.num) ?? 0) / den) * (m.ratio.factor ?? 1) * 10) / 10
        : null;
    } else out[m.key] = raw.get(m.key) ?? 0;
  }
  return out;
}

/**
 * The dashboard of a team or one staff member over a period: every contributed figure per staff
 * member (the ranking), per team (unit), per day (the trend) and in total, plus adds by channel
 * code. Rows of staff the caller may not see are dropped even if a source returned them.
 */
export async function staffDashboard(tx: Tx, p: Principal, s: Selection): Promise<Dashboard> {
  // Each source totals 500 staff × 90 days in one GROUP BY of ~100k rows: with the default 4 MB
  // those sorts and hashes spill to disk. This transaction only (a read-only report).
  await sql`set local work_mem = '32MB'`.execute(tx);
  const staff = await visibleStaff(tx, p, s);
  const byId = new Map(staff.map((x) => [x.userId, x]));
  const sources = staffFigureSources();
  const metrics = sources.flatMap((x) => x.metrics);
  const perStaff = new Map<string, Raw>();
  const perDay = new Map<string, Raw>(daysOf(s.from, s.to).map((d) => [d, new Map()]));
  const channels = new Map<string, number>();
  for (const source of sources) {
    // Only this source's counts: a row of one source carries none of the others'.
    const rawKeys = source.metrics.filter((m) => !m.ratio).map((m) => m.key);
    const rows: StaffDayRow[] = staff.length ? await source.load(tx, p, { from: s.from, to: s.to }) : [];
    for (const r of rows) {
      if (!byId.has(r.staffUserId)) continue;
      const raw: Raw = new Map();
      for (const k of rawKeys) {
        const v = r[k];
        if (typeof v === 'number' && v) raw.set(k, v);
      }
      if (!perStaff.has(r.staffUserId)) perStaff.set(r.staffUserId, new Map());
      add(perStaff.get(r.staffUserId)!, raw);
      const day = perDay.get(r.day);
      if (day) add(day, raw);
      const byChannel = r.byChannel as Record<string, number> | undefined;
      for (const [c, n] of Object.entries(byChannel ?? {})) channels.set(c, (channels.get(c) ?? 0) + n);
    }
  }
  const mapped = await wecomStaffIds(tx, p.tenantId);
  const shown = staff.filter(
    (x) => perStaff.has(x.userId) || mapped.has(x.userId) || x.userId === s.staffUserId,
  );
  const total: Raw = new Map();
  const teams = new Map<string, { unitId: string; unitName: string | null; staff: number; raw: Raw }>();
  for (const x of shown) {
    const raw = perStaff.get(x.userId) ?? new Map();
    add(total, raw);
    const team = teams.get(x.unitId) ?? { unitId: x.unitId, unitName: x.unitName, staff: 0, raw: new Map() };
    team.staff += 1;
    add(team.raw, raw);
    teams.set(x.unitId, team);
  }
  const defs: MetricDef[] = sources.flatMap((src) =>
    src.metrics
      .filter((m) => !m.hidden)
      .map((m) => ({ key: m.key, source: src.key, label: m.label, kind: m.kind, headline: !!m.headline })),
  );
  const scope = dataScopeFor(p, 'lead');
  return {
    from: s.from,
    to: s.to,
    scope: scope === 'tenant' || scope === 'unit' || scope === 'unit_tree' ? scope : 'own',
    metrics: defs,
    total: figuresOf(total, metrics),
    staff: shown.map((x) => ({ ...x, figures: figuresOf(perStaff.get(x.userId) ?? new Map(), metrics) })),
    teams: [...teams.values()]
      .sort((a, b) => (a.unitName ?? '').localeCompare(b.unitName ?? '', 'zh-CN'))
      .map((t) => ({
        unitId: t.unitId,
        unitName: t.unitName,
        staff: t.staff,
        figures: figuresOf(t.raw, metrics),
      })),
    daily: [...perDay].map(([day, raw]) => ({ day, figures: figuresOf(raw, metrics) })),
    channels: [...channels]
      .map(([channel, added]) => ({ channel, added }))
      .sort((a, b) => b.added - a.added || a.channel.localeCompare(b.channel)),
  };
}
