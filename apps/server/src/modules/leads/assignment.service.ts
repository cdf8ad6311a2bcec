import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { cached } from './config-cache.ts';

/**
 * R3.3 assignment rules: ordered, the first enabled rule whose conditions match wins.
 * Conditions: region prefix (territory: "31" = Shanghai, "3101" = its districts), industry,
 * channel, score band. Strategies: round-robin, weighted (fewest recent assignments per
 * weight), least-loaded (fewest open leads), fixed owner. Members over capacity or outside
 * their working hours are skipped; a rule with nobody available sends the lead to its pool.
 */
export type Strategy = 'round_robin' | 'weighted' | 'least_loaded' | 'fixed';

export interface RuleConditions {
  regionPrefixes?: string[];
  industries?: string[];
  channels?: string[];
  scoreMin?: number;
  scoreMax?: number;
}

export interface AssignmentRule {
  id: string;
  position: number;
  name: string;
  enabled: boolean;
  conditions: RuleConditions;
  strategy: Strategy;
  members: { userId: string; weight?: number }[];
  poolUnitId: string | null;
}

export interface Decision {
  kind: 'assign' | 'pool' | 'keep';
  userId: string | null;
  unitId: string | null;
  ruleId: string | null;
  reason: Record<string, unknown>;
}

interface Candidate {
  userId: string;
  unitId: string;
  open: number;
  capacity: number | null;
  hours: WorkingHours | null;
  recent: number;
  weight: number;
}

export interface WorkingHours {
  days: number[];
  start: string;
  end: string;
}

export async function loadRules(tx: Tx, tenantId: string): Promise<AssignmentRule[]> {
  const rows = (
    await sql<any>`select id, position, name, enabled, conditions, strategy, members, pool_unit_id
      from lead_assignment_rules where tenant_id = ${tenantId} order by position, created_at`.execute(tx)
  ).rows;
  return rows.map((r) => ({
    id: r.id,
    position: r.position,
    name: r.name,
    enabled: r.enabled,
    conditions: r.conditions ?? {},
    strategy: r.strategy,
    members: r.members ?? [],
    poolUnitId: r.pool_unit_id,
  }));
}

export function ruleMatches(rule: AssignmentRule, lead: Record<string, unknown>): boolean {
  const c = rule.conditions;
  if (c.regionPrefixes?.length) {
    const region = String(lead.region ?? '');
    if (!c.regionPrefixes.some((p) => region.startsWith(p))) return false;
  }
  if (c.industries?.length && !c.industries.includes(String(lead.industry ?? ''))) return false;
  if (c.channels?.length && !c.channels.includes(String(lead.channel ?? ''))) return false;
  const score = Number(lead.score ?? 0);
  if (c.scoreMin !== undefined && c.scoreMin !== null && score < c.scoreMin) return false;
  if (c.scoreMax !== undefined && c.scoreMax !== null && score > c.scoreMax) return false;
  return true;
}

/** Tenant-local clock (China has one time zone; a per-tenant zone would go here). */
export function withinHours(h: WorkingHours | null, now = new Date()): boolean {
  if (!h) return true;
  const local = new Date(now.getTime() + 8 * 3600_000);
  const day = local.getUTCDay() === 0 ? 7 : local.getUTCDay();
  if (h.days?.length && !h.days.includes(day)) return false;
  const hm = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  return hm >= (h.start ?? '00:00') && hm < (h.end ?? '24:00');
}

/**
 * Assigns a batch of leads in one transaction. Load figures are read once and kept current
 * in memory as the batch assigns, so an import of 1,000 rows spreads like 1,000 single intakes.
 */
export class Assigner {
  readonly #tx: Tx;
  readonly #tenantId: string;
  #rules: AssignmentRule[] | null = null;
  readonly #candidates = new Map<string, Candidate>();
  readonly #rrBumps = new Map<string, number>();
  #rrBase = new Map<string, number>();

  constructor(tx: Tx, tenantId: string) {
    this.#tx = tx;
    this.#tenantId = tenantId;
  }

  async #load(): Promise<AssignmentRule[]> {
    if (this.#rules) return this.#rules;
    this.#rules = (await cached(`rules:${this.#tenantId}`, () => loadRules(this.#tx, this.#tenantId))).filter(
      (r) => r.enabled,
    );
    const userIds = [...new Set(this.#rules.flatMap((r) => r.members.map((m) => m.userId)))];
    // Open-lead counts cost an index range per member: only least-loaded rules and members
    // with a capacity need them; recent assignments only weighted rules.
    const allOpen = this.#rules.some((r) => r.strategy === 'least_loaded');
    const recent = this.#rules.some((r) => r.strategy === 'weighted');
    if (userIds.length) {
      const rows = (
        await sql<any>`select u.id, u.unit_id, s.max_open_leads, s.working_hours,
            case when ${allOpen} or s.max_open_leads is not null then
              (select count(*)::int from leads l where l.tenant_id = u.tenant_id and l.owner_id = u.id
                and l.status in ('new', 'contacted', 'qualified') and l.deleted_at is null) else 0 end as open,
            case when ${recent} then
              (select count(*)::int from lead_assignments a where a.tenant_id = u.tenant_id and a.to_user_id = u.id
                and a.kind = 'assign' and a.created_at > now() - interval '30 days') else 0 end as recent
          from users u left join lead_user_settings s on s.tenant_id = u.tenant_id and s.user_id = u.id
          where u.tenant_id = ${this.#tenantId} and u.id = any(${userIds}::uuid[]) and u.status = 'active'`.execute(
          this.#tx,
        )
      ).rows;
      for (const r of rows)
        this.#candidates.set(r.id, {
          userId: r.id,
          unitId: r.unit_id,
          open: r.open,
          capacity: r.max_open_leads,
          hours: r.working_hours,
          recent: r.recent,
          weight: 1,
        });
    }
    return this.#rules;
  }

  /** Picks an owner for one lead. `forcedRuleId` comes from a channel code. */
  async decide(
    lead: Record<string, unknown>,
    opts: { forcedRuleId?: string | null; fallbackPoolUnitId?: string | null } = {},
  ): Promise<Decision | null> {
    const rules = await this.#load();
    const rule = opts.forcedRuleId
      ? rules.find((r) => r.id === opts.forcedRuleId)
      : rules.find((r) => ruleMatches(r, lead));
    if (!rule) {
      if (opts.fallbackPoolUnitId)
        return {
          kind: 'pool',
          userId: null,
          unitId: opts.fallbackPoolUnitId,
          ruleId: null,
          reason: { code: 'no_rule_matched' },
        };
      return null;
    }
    const now = new Date();
    const skipped: { userId: string; why: string }[] = [];
    const available: Candidate[] = [];
    for (const m of rule.members) {
      const c = this.#candidates.get(m.userId);
      if (!c) {
        skipped.push({ userId: m.userId, why: 'inactive' });
        continue;
      }
      if (c.capacity !== null && c.capacity !== undefined && c.open >= c.capacity) {
        skipped.push({ userId: m.userId, why: 'capacity' });
        continue;
      }
      if (!withinHours(c.hours, now)) {
        skipped.push({ userId: m.userId, why: 'off_hours' });
        continue;
      }
      available.push({ ...c, weight: Math.max(0.01, m.weight ?? 1) });
    }
    const base = { rule: rule.name, strategy: rule.strategy, skipped };
    if (available.length === 0) {
      return {
        kind: 'pool',
        userId: null,
        unitId: rule.poolUnitId ?? opts.fallbackPoolUnitId ?? null,
        ruleId: rule.id,
        reason: { code: 'no_member_available', ...base },
      };
    }
    let chosen: Candidate;
    let detail: Record<string, unknown> = {};
    switch (rule.strategy) {
      case 'fixed':
        chosen = available[0]!;
        break;
      case 'least_loaded':
        chosen = available.reduce((a, b) => (b.open < a.open ? b : a));
        detail = { openLeads: chosen.open };
        break;
      case 'weighted':
        chosen = available.reduce((a, b) => ((b.recent + 1) / b.weight < (a.recent + 1) / a.weight ? b : a));
        detail = { weight: chosen.weight, recentAssignments: chosen.recent };
        break;
      default: {
        const cursor = await this.#rrCursor(rule.id);
        // The cursor walks the member list; unavailable members are passed over.
        const order = rule.members.map((m) => m.userId);
        let pick: Candidate | undefined;
        for (let i = 0; i < order.length && !pick; i++) {
          const id = order[(cursor + i) % order.length]!;
          pick = available.find((c) => c.userId === id);
          if (pick) this.#rrBumps.set(rule.id, (this.#rrBumps.get(rule.id) ?? 0) + i + 1);
        }
        chosen = pick ?? available[0]!;
        detail = { position: cursor % order.length };
      }
    }
    const c = this.#candidates.get(chosen.userId)!;
    c.open++;
    c.recent++;
    return {
      kind: 'assign',
      userId: chosen.userId,
      unitId: chosen.unitId,
      ruleId: rule.id,
      reason: { code: 'rule_matched', ...base, ...detail },
    };
  }

  /**
   * Round-robin position. The rule's cursor row is locked (FOR UPDATE) on first use, so a
   * concurrent intake on the same rule waits here until this one commits and then reads the
   * advanced cursor: every intake gets its own turn. Only intakes matching the same rule wait
   * for each other, and only from this decision to commit (the lead insert, audit and
   * notification rows); reading the cursor unlocked let concurrent intakes share a turn (8/1/3
   * over 12 concurrent intakes for 3 members).
   */
  async #rrCursor(ruleId: string): Promise<number> {
    if (!this.#rrBase.has(ruleId)) await this.#lockCursors([ruleId]);
    return this.#rrBase.get(ruleId)! + (this.#rrBumps.get(ruleId) ?? 0);
  }

  async #lockCursors(ruleIds: string[]): Promise<void> {
    const rows = (
      await sql<{ id: string; rr_cursor: number }>`select id, rr_cursor from lead_assignment_rules
        where tenant_id = ${this.#tenantId} and id = any(${ruleIds}::uuid[]) order by id for update`.execute(
        this.#tx,
      )
    ).rows;
    for (const id of ruleIds) this.#rrBase.set(id, rows.find((r) => r.id === id)?.rr_cursor ?? 0);
  }

  /**
   * A batch (import, bulk) may need several round-robin rules: it locks all of them up front in
   * id order, so two batches cannot deadlock; a single intake locks only its one rule.
   */
  async prepareBatch(size: number): Promise<void> {
    if (size < 2) return;
    const ids = (await this.#load())
      .filter((r) => r.strategy === 'round_robin')
      .map((r) => r.id)
      .sort();
    if (ids.length) await this.#lockCursors(ids);
  }

  async flush(): Promise<void> {
    for (const [id, n] of this.#rrBumps)
      await sql`update lead_assignment_rules set rr_cursor = rr_cursor + ${n} where tenant_id = ${this.#tenantId} and id = ${id}`.execute(
        this.#tx,
      );
    this.#rrBumps.clear();
    this.#rrBase = new Map();
  }
}

export interface AssignmentLog {
  leadId: string;
  kind: 'assign' | 'pool' | 'keep' | 'claim' | 'return' | 'reclaim' | 'duplicate_owner' | 'transfer';
  ruleId?: string | null;
  fromUserId?: string | null;
  toUserId?: string | null;
  unitId?: string | null;
  reason: Record<string, unknown>;
  actorId?: string | null;
}

export async function logAssignments(tx: Tx, tenantId: string, logs: AssignmentLog[]): Promise<void> {
  if (logs.length === 0) return;
  await sql`insert into lead_assignments (tenant_id, id, lead_id, kind, rule_id, from_user_id, to_user_id, unit_id, reason, actor_id)
    values ${sql.join(
      logs.map(
        (l) =>
          sql`(${tenantId}, ${newId()}, ${l.leadId}, ${l.kind}, ${l.ruleId ?? null}, ${l.fromUserId ?? null},
            ${l.toUserId ?? null}, ${l.unitId ?? null}, ${JSON.stringify(l.reason)}::jsonb, ${l.actorId ?? null})`,
      ),
    )}`.execute(tx);
}
