import { createHash } from 'node:crypto';
import {
  CMP_OPS,
  type CmpOp,
  type CrmRule,
  DATE_OPS,
  type DateCond,
  type DateOp,
  type EventRule,
  type FieldCond,
  type PropCond,
  type Rule,
  type TagRule,
  type TraitRule,
  type ValueCond,
} from '@kehu/contracts/cdp';
import { type RawBuilder, sql } from 'kysely';
import { standardObjects } from '../../engine/records/standard-objects.ts';

/**
 * One rule AST for tags and segments (ARCHITECTURE §5) with two evaluators that must agree:
 * `evaluate` (in memory, per event, over a profile's state and rolling day counters) and
 * `compileRule` (SQL, batch over every profile and the raw events). The property test in
 * rules.int.test.ts generates random rules and profiles and holds them equal.
 *
 * Shared semantics, chosen so both sides can compute them exactly:
 * - a value comparison is typed by the rule's value: numbers order numerically, strings and
 *   booleans compare for equality (`contains` is a case-sensitive substring test); a missing or
 *   differently typed value makes the comparison false, and `ne` is exactly `not eq`;
 * - an event window of N days means "from 00:00 UTC N-1 days before `now`'s day on", in whole
 *   UTC days, which is what a per-day counter can answer;
 * - `sum` adds a numeric property (other values count 0);
 * - a relative-date condition (`withinNext`, `withinLast`, `moreThanDaysAgo`, `moreThanDaysAhead`
 *   with `days`) reads a field as a calendar day in the tenant's zone and counts whole days from
 *   today there: `YYYY-MM-DD` is that day, a date-time with an offset (`…T10:00Z`, `…+08:00`, as
 *   PostgreSQL prints timestamptz) is moved into the zone first, one without an offset is taken
 *   as wall time there. Anything else (numbers, other text, impossible dates) never matches.
 */

export type {
  CmpOp,
  CrmRule,
  DateCond,
  DateOp,
  EventRule,
  FieldCond,
  PropCond,
  Rule,
  TagRule,
  TraitRule,
  ValueCond,
};
// The AST's wire form (and its zod schema) lives in the contract both apps import.
export { CMP_OPS, DATE_OPS };
export const isEventRule = (r: Rule): r is EventRule => 'event' in r;
export const isDateCond = (c: { op?: string }): c is DateCond =>
  (DATE_OPS as readonly string[]).includes(c.op!);

// ---------------------------------------------------------------- counters

/** The counter an event condition reads: event name + property filter + summed property. */
export function counterKey(r: Pick<EventRule, 'event' | 'where' | 'agg' | 'property'>): string {
  // Key order is fixed here: rules come back from jsonb with their keys reordered.
  const where = (r.where ?? []).map((w) => [w.prop, w.op, w.value ?? null]);
  const def = { event: r.event, where, property: r.agg === 'sum' ? (r.property ?? null) : null };
  return createHash('sha1').update(JSON.stringify(def)).digest('hex').slice(0, 20);
}
export interface CounterDef {
  key: string;
  event: string;
  where: PropCond[];
  property: string | null;
}
export const counterDef = (r: EventRule): CounterDef => ({
  key: counterKey(r),
  event: r.event,
  where: r.where ?? [],
  property: r.agg === 'sum' ? (r.property ?? null) : null,
});

export function collectEventRules(r: Rule, out: EventRule[] = []): EventRule[] {
  if ('and' in r) for (const c of r.and) collectEventRules(c, out);
  else if ('or' in r) for (const c of r.or) collectEventRules(c, out);
  else if ('not' in r) collectEventRules(r.not, out);
  else if (isEventRule(r)) out.push(r);
  return out;
}
export function collectTags(r: Rule, out: string[] = []): string[] {
  if ('and' in r) for (const c of r.and) collectTags(c, out);
  else if ('or' in r) for (const c of r.or) collectTags(c, out);
  else if ('not' in r) collectTags(r.not, out);
  else if ('tag' in r) out.push(r.tag);
  return out;
}
/** Whether a rule compares a date with today anywhere (so time alone can change it). */
export function hasDateCond(r: Rule): boolean {
  if ('and' in r) return r.and.some(hasDateCond);
  if ('or' in r) return r.or.some(hasDateCond);
  if ('not' in r) return hasDateCond(r.not);
  return ('trait' in r || 'crm' in r) && isDateCond(r);
}
/**
 * A rule whose truth can change with the passing of time alone: windowed event conditions and
 * dates relative to today.
 */
export const isTimeDependent = (r: Rule) => collectEventRules(r).length > 0 || hasDateCond(r);

/** Does an event count for a counter (name and property filter)? */
export function eventMatches(def: CounterDef, event: string | null, props: Record<string, unknown>): boolean {
  if (event !== def.event) return false;
  return def.where.every((w) => compare(props[w.prop], w));
}
export function counterAmount(def: CounterDef, props: Record<string, unknown>): number {
  if (!def.property) return 0;
  const v = props[def.property];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export const DAY_MS = 86_400_000;
export const utcDay = (t: Date | number) =>
  new Date(Math.floor(+t / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
export const windowStart = (now: Date, days: number) =>
  new Date((Math.floor(+now / DAY_MS) - (days - 1)) * DAY_MS);

// ---------------------------------------------------------------- relative dates

/**
 * Tenants have no time zone setting yet: relative dates use the product's default zone,
 * Asia/Shanghai. It has kept UTC+8 without daylight saving since 1991, so a fixed offset is
 * exact and both evaluators do the same integer arithmetic (no zone database needed in PGlite).
 */
export const RULE_TIME_ZONE = 'Asia/Shanghai';
const ZONE_OFFSET_MIN = 480;

/** Today in the rule zone, as days since 1970-01-01. */
export const zoneDay = (now: Date) => Math.floor((Math.floor(+now / 60_000) + ZONE_OFFSET_MIN) / 1440);

/**
 * Date or date-time text. Groups: 1 year, 2 month, 3 day, 4 hour, 5 minute, 6 offset (Z or
 * ±HH[[:]MM]), 7 its sign, 8 hours, 9 minutes. Written for both JavaScript and PostgreSQL.
 */
const DATE_TEXT =
  '^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::[0-9]{2}(?:[.][0-9]+)?)?(Z|([+-])([0-9]{2})(?::?([0-9]{2}))?)?)?$';
const DATE_RE = new RegExp(DATE_TEXT);

/** Days since 1970-01-01 of a proleptic Gregorian date, year ≥ 1 (H. Hinnant's days_from_civil). */
function civilDays(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}
const monthDays = (y: number, m: number) =>
  m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;

/** The calendar day (days since 1970-01-01, in the rule zone) a value names, or null. */
export function valueDay(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const g = DATE_RE.exec(v);
  if (!g) return null;
  const [y, m, d] = [Number(g[1]), Number(g[2]), Number(g[3])];
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > monthDays(y, m)) return null;
  const days = civilDays(y, m, d);
  if (g[4] === undefined) return days;
  const [h, mi] = [Number(g[4]), Number(g[5])];
  if (h > 23 || mi > 59) return null;
  if (g[6] === undefined) return days;
  const off = g[6] === 'Z' ? 0 : (g[7] === '-' ? -1 : 1) * (Number(g[8]) * 60 + Number(g[9] ?? 0));
  return Math.floor((days * 1440 + h * 60 + mi - off + ZONE_OFFSET_MIN) / 1440);
}

/** The day range [from, to] (either end open when null) a relative-date condition accepts. */
function dateRange(c: DateCond, today: number): [number | null, number | null] {
  switch (c.op) {
    case 'withinNext':
      return [today, today + c.days];
    case 'withinLast':
      return [today - c.days, today];
    case 'moreThanDaysAgo':
      return [null, today - c.days - 1];
    default:
      return [today + c.days + 1, null];
  }
}

export function matchDate(v: unknown, c: DateCond, now: Date): boolean {
  const day = valueDay(v);
  if (day === null) return false;
  const [from, to] = dateRange(c, zoneDay(now));
  return (from === null || day >= from) && (to === null || day <= to);
}

// ---------------------------------------------------------------- in-memory evaluator

export interface SubjectState {
  traits: Record<string, unknown>;
  /** tag key → value (true for boolean tags). */
  tags: Map<string, unknown>;
  /** counter key → day (YYYY-MM-DD) → {n, total}. */
  counters: Map<string, Map<string, { n: number; total: number }>>;
  /** Linked CRM records as stored (snake_case columns), any of which may match. */
  crm?: { contact?: Record<string, unknown>[]; customer?: Record<string, unknown>[] };
}

/** A field condition on a value: a relative date (needs `now`) or a value comparison. */
export const matchField = (v: unknown, c: FieldCond, now: Date): boolean =>
  isDateCond(c) ? matchDate(v, c, now) : compare(v, c);

export function compare(v: unknown, c: ValueCond): boolean {
  const want = c.value;
  switch (c.op) {
    case 'exists':
      return v !== undefined && v !== null;
    case 'notExists':
      return v === undefined || v === null;
    case 'ne':
      return !compare(v, { op: 'eq', value: want });
    case 'in':
      return Array.isArray(want) && want.some((w) => compare(v, { op: 'eq', value: w }));
    case 'contains':
      return typeof v === 'string' && typeof want === 'string' && v.includes(want);
    case 'eq':
      if (typeof want === 'number') return typeof v === 'number' && v === want;
      return (typeof want === 'string' || typeof want === 'boolean') && v === want;
    default: {
      if (typeof want !== 'number' || typeof v !== 'number') return false;
      if (c.op === 'gt') return v > want;
      if (c.op === 'gte') return v >= want;
      if (c.op === 'lt') return v < want;
      return v <= want;
    }
  }
}

export function aggregate(
  r: Pick<EventRule, 'event' | 'where' | 'agg' | 'property' | 'withinDays'>,
  s: SubjectState,
  now: Date,
): number {
  const days = s.counters.get(counterKey(r));
  if (!days) return 0;
  const from = utcDay(windowStart(now, r.withinDays));
  let acc = 0;
  for (const [day, c] of days) if (day >= from) acc += r.agg === 'sum' ? c.total : c.n;
  return acc;
}

export function evaluate(r: Rule, s: SubjectState, now: Date): boolean {
  if ('and' in r) return r.and.every((c) => evaluate(c, s, now));
  if ('or' in r) return r.or.some((c) => evaluate(c, s, now));
  if ('not' in r) return !evaluate(r.not, s, now);
  if (isEventRule(r)) return compare(aggregate(r, s, now), { op: r.op, value: r.value });
  if ('tag' in r) {
    const has = s.tags.has(r.tag);
    if (!r.op || r.op === 'has') return has;
    if (r.op === 'notHas') return !has;
    return compare(s.tags.get(r.tag), { op: r.op, value: r.value });
  }
  if ('crm' in r) return (s.crm?.[r.crm] ?? []).some((rec) => matchField(rec[snake(r.field)], r, now));
  return matchField(s.traits[r.trait], r, now);
}

// ---------------------------------------------------------------- SQL evaluator

/** SQL boolean (never NULL) for a comparison of the jsonb expression `j` with a condition. */
export function compareSql(j: RawBuilder<unknown>, c: ValueCond): RawBuilder<unknown> {
  const want = c.value;
  const typed = (type: string, expr: RawBuilder<unknown>) =>
    sql`coalesce(jsonb_typeof(${j}) = ${type} and ${expr}, false)`;
  switch (c.op) {
    case 'exists':
      return sql`coalesce(jsonb_typeof(${j}) <> 'null', false)`;
    case 'notExists':
      return sql`coalesce(jsonb_typeof(${j}) = 'null', true)`;
    case 'ne':
      return sql`not ${compareSql(j, { op: 'eq', value: want })}`;
    case 'in':
      if (!Array.isArray(want) || want.length === 0) return sql`false`;
      return sql`(${sql.join(
        want.map((w) => compareSql(j, { op: 'eq', value: w })),
        sql` or `,
      )})`;
    case 'contains':
      if (typeof want !== 'string') return sql`false`;
      return typed('string', sql`strpos(${j} #>> '{}', ${want}) > 0`);
    case 'eq':
      if (typeof want === 'number') return typed('number', sql`(${j})::numeric = ${String(want)}::numeric`);
      if (typeof want === 'string') return typed('string', sql`${j} #>> '{}' = ${want}`);
      if (typeof want === 'boolean') return typed('boolean', sql`(${j})::boolean = ${want}`);
      return sql`false`;
    default: {
      if (typeof want !== 'number') return sql`false`;
      const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[c.op];
      return typed('number', sql`(${j})::numeric ${sql.raw(op)} ${String(want)}::numeric`);
    }
  }
}

/**
 * SQL for `valueDay`: the same pattern and integer arithmetic, NULL for anything that is not a
 * date. Nothing is cast to a date type, so impossible dates give NULL rather than an error.
 */
export function valueDaySql(j: RawBuilder<unknown>): RawBuilder<unknown> {
  const civil = sql`(v.era * 146097 + v.yoe * 365 + v.yoe / 4 - v.yoe / 100 + (153 * ((v.m + 9) % 12) + 2) / 5 + v.d - 1 - 719468)`;
  const dim = sql`case when v.m = 2 then case when (v.y % 4 = 0 and v.y % 100 <> 0) or v.y % 400 = 0 then 29 else 28 end
    when v.m in (4, 6, 9, 11) then 30 else 31 end`;
  const off = sql`case when v.z = 'Z' then 0 else (case when v.sg = '-' then -1 else 1 end) * (v.oh * 60 + v.om) end`;
  return sql`(select case when v.y >= 1 and v.m between 1 and 12 and v.d between 1 and ${dim}
        and (v.h is null or (v.h <= 23 and v.mi <= 59)) then
      case when v.h is null or v.z is null then ${civil}
        else floor((${civil}::bigint * 1440 + v.h * 60 + v.mi - ${off} + ${ZONE_OFFSET_MIN})::numeric / 1440)::int end end
    from (select u.*, u.yy / 400 as era, u.yy - (u.yy / 400) * 400 as yoe
      from (select g[1]::int as y, g[2]::int as m, g[3]::int as d, g[4]::int as h, g[5]::int as mi, g[6] as z,
          g[7] as sg, g[8]::int as oh, coalesce(g[9]::int, 0) as om, g[1]::int - (g[2]::int <= 2)::int as yy
        from (select regexp_match(case when jsonb_typeof(${j}) = 'string' then ${j} #>> '{}' end, ${DATE_TEXT}) as g) a) u) v)`;
}

/** SQL boolean (never NULL) for a relative-date condition on the jsonb expression `j`. */
export function dateSql(j: RawBuilder<unknown>, c: DateCond, now: Date): RawBuilder<unknown> {
  const [from, to] = dateRange(c, zoneDay(now));
  const day = valueDaySql(j);
  const conds = [
    ...(from === null ? [] : [sql`${day} >= ${from}`]),
    ...(to === null ? [] : [sql`${day} <= ${to}`]),
  ];
  // One read of the value when both ends apply.
  if (conds.length === 2) return sql`coalesce(${day} between ${from} and ${to}, false)`;
  return sql`coalesce(${conds[0]!}, false)`;
}

/** SQL for a field condition on the jsonb expression `j` (see `matchField`). */
export const fieldSql = (j: RawBuilder<unknown>, c: FieldCond, now: Date): RawBuilder<unknown> =>
  isDateCond(c) ? dateSql(j, c, now) : compareSql(j, c);

const numCmp = (expr: RawBuilder<unknown>, op: EventRule['op'], value: number) =>
  sql`${expr} ${sql.raw({ gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=' }[op])} ${String(value)}::numeric`;

/**
 * Which CRM records (`contact`, `customer`) a `crm` condition may read, as a predicate over the
 * record's id: a rule evaluated for a person sees only their scope (rule-access.ts); the system
 * evaluating a saved segment sees every record.
 */
export type CrmScope = (object: string, id: RawBuilder<unknown>) => RawBuilder<unknown>;

export interface CompiledRule {
  /**
   * CTEs (name → body) the condition joins; one per distinct event aggregate. `inner`: every
   * matching profile has a row there, so it is inner-joined (and may carry its comparison).
   */
  ctes: { name: string; body: RawBuilder<unknown>; inner?: boolean }[];
  /** Boolean over alias `p` (a live profile row) and the CTE aliases. */
  where: RawBuilder<unknown>;
}

/** What one event adds to a sum: only numbers count (jsonb → numeric directly, no text round trip). */
const amount = (r: EventRule) =>
  r.agg === 'sum' && r.property
    ? sql`case when jsonb_typeof(e.properties -> ${r.property}) = 'number' then (e.properties -> ${r.property})::numeric else 0 end`
    : sql`0`;

/** Does a match need at least one event (is the comparison false at 0)? */
const needsEvents = (r: EventRule) => !compare(0, { op: r.op, value: r.value });

/**
 * Compiles a rule over live profiles `p` (cdp_profiles). Event conditions become one grouped
 * scan of the event table per distinct (event, filter, window), attributed to profiles through
 * the identity the event carries (userId, else anonymousId), left-joined to `p` — or
 * inner-joined with the comparison as HAVING when the rule cannot hold without such events.
 */
export function compileRule(rule: Rule, tenantId: string, now: Date, crmScope?: CrmScope): CompiledRule {
  const ctes: { name: string; r: EventRule; uses: { required: boolean; cmp: RawBuilder<unknown> }[] }[] = [];
  const byKey = new Map<string, (typeof ctes)[number]>();
  // `required`: reached from the root through ANDs only, so the condition must hold itself.
  const walk = (r: Rule, required: boolean): RawBuilder<unknown> => {
    if ('and' in r)
      return sql`(${sql.join(
        r.and.map((c) => walk(c, required)),
        sql` and `,
      )})`;
    if ('or' in r)
      return sql`(${sql.join(
        r.or.map((c) => walk(c, false)),
        sql` or `,
      )})`;
    if ('not' in r) return sql`(not ${walk(r.not, false)})`;
    if (isEventRule(r)) {
      const key = `${counterKey(r)}:${r.withinDays}`;
      let cte = byKey.get(key);
      if (!cte) {
        cte = { name: `ev${ctes.length}`, r, uses: [] };
        byKey.set(key, cte);
        ctes.push(cte);
      }
      const col = r.agg === 'sum' ? 'total' : 'n';
      cte.uses.push({
        required: required && needsEvents(r),
        cmp: numCmp(col === 'n' ? sql`count(*)` : sql`sum(a.amount)`, r.op, r.value),
      });
      return numCmp(sql`coalesce(${sql.ref(`${cte.name}.${col}`)}, 0)`, r.op, r.value);
    }
    if ('tag' in r) {
      const tagged = (extra: RawBuilder<unknown>) =>
        sql`exists (select 1 from cdp_subject_tags st join cdp_tags t on t.tenant_id = st.tenant_id and t.id = st.tag_id
          where st.tenant_id = p.tenant_id and st.subject_id = p.id and t.object = 'profile' and t.key = ${r.tag} and ${extra})`;
      if (!r.op || r.op === 'has') return tagged(sql`true`);
      if (r.op === 'notHas') return sql`not ${tagged(sql`true`)}`;
      return tagged(compareSql(sql`st.value`, { op: r.op, value: r.value }));
    }
    if ('crm' in r) {
      const table = r.crm === 'contact' ? 'contacts' : 'customers';
      return sql`exists (select 1 from cdp_profile_links l join ${sql.table(table)} c on c.tenant_id = l.tenant_id and c.id = l.record_id
        where l.tenant_id = p.tenant_id and l.profile_id = p.id and l.object = ${r.crm} and c.deleted_at is null
          and ${fieldSql(sql`to_jsonb(c) -> ${snake(r.field)}`, r, now)}
          ${crmScope ? sql`and ${crmScope(r.crm, sql`c.id`)}` : sql``})`;
    }
    return fieldSql(sql`p.traits -> ${r.trait}`, r, now);
  };
  const where = walk(rule, true);
  return {
    where,
    ctes: ctes.map(({ name, r, uses }) => {
      const filters = (r.where ?? []).map((w) => compareSql(sql`e.properties -> ${w.prop}`, w));
      // A required use needs a row here; when every use is required, their comparisons filter
      // the profile-level groups (per identity would be wrong: a profile may own several).
      const inner = uses.some((u) => u.required);
      const having = uses.every((u) => u.required)
        ? sql`having ${sql.join(
            uses.map((u) => u.cmp),
            sql` and `,
          )}`
        : sql``;
      return {
        name,
        inner,
        // Attributed row by row and grouped once: the join keys keep their column statistics
        // (a pre-aggregated identity key loses them and the plan misjudges every row count).
        // OFFSET 0 keeps the projection below the grouping, so a spilling hash aggregate writes
        // (profile, amount) rather than whole property documents.
        body: sql`select a.pid, count(*) as n, sum(a.amount) as total
          from (select i.profile_id as pid, ${amount(r)} as amount from cdp_events e
            join cdp_identities i on i.tenant_id = ${tenantId} and i.kind = e.ident_kind and i.namespace = '' and i.value = e.ident
            where e.tenant_id = ${tenantId} and e.event = ${r.event} and e.ts >= ${windowStart(now, r.withinDays)}
              ${filters.length ? sql`and ${sql.join(filters, sql` and `)}` : sql``}
            offset 0) a
          group by a.pid ${having}`,
      };
    }),
  };
}

export const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** `select p.id from live profiles where <rule>` with the CTEs joined. */
export function ruleQuery(
  rule: Rule,
  tenantId: string,
  now: Date,
  opts: { excludeWithdrawn?: string; limit?: number; countOnly?: boolean; crmScope?: CrmScope } = {},
): RawBuilder<{ id?: string; n?: number }> {
  const c = compileRule(rule, tenantId, now, opts.crmScope);
  const withs = c.ctes.length
    ? sql`with ${sql.join(
        c.ctes.map((x) => sql`${sql.ref(x.name)} as (${x.body})`),
        sql`, `,
      )} `
    : sql``;
  const joins = sql.join(
    c.ctes.map(
      (x) =>
        sql`${sql.raw(x.inner ? 'join' : 'left join')} ${sql.ref(x.name)} on ${sql.ref(`${x.name}.pid`)} = p.id`,
    ),
    sql` `,
  );
  const consent = opts.excludeWithdrawn
    ? sql`and not exists (select 1 from cdp_consents k where k.tenant_id = p.tenant_id and k.profile_id = p.id and k.purpose = ${opts.excludeWithdrawn} and not k.granted)`
    : sql``;
  const select = opts.countOnly ? sql`count(*)::int as n` : sql`p.id`;
  return sql`${withs}select ${select} from cdp_profiles p ${c.ctes.length ? joins : sql``}
    where p.tenant_id = ${tenantId} and p.merged_into is null and ${c.where} ${consent}
    ${opts.limit ? sql`limit ${opts.limit}` : sql``}` as RawBuilder<{ id?: string; n?: number }>;
}

/** The people (CRM objects) a profile links to: a record of these is a person with events. */
const PERSON_OBJECTS = ['customer', 'contact'];

/**
 * Which linked people a record's events come from: a customer or contact is one itself; any
 * other record through its lookup fields to a customer or contact (a vehicle's owner): the
 * standard object's declared lookups, and the tenant's custom lookup fields (read in SQL, so a
 * field added later counts at once). Each yields `(object, record id)` pairs.
 */
export function linkedPeopleSql(object: string, data: RawBuilder<unknown>, idExpr: RawBuilder<unknown>) {
  if (PERSON_OBJECTS.includes(object)) return sql`select ${object}::text as object, (${idExpr})::uuid as id`;
  const std = standardObjects().find((o) => o.apiName === object);
  const declared = (std?.fields ?? []).filter(
    (f) => f.type === 'lookup' && f.lookupObject && PERSON_OBJECTS.includes(f.lookupObject),
  );
  const parts = declared.map(
    (f) =>
      sql`select ${f.lookupObject}::text as object, (${data} ->> ${f.apiName})::uuid as id where ${data} ->> ${f.apiName} ~ ${UUID_TEXT}`,
  );
  parts.push(sql`select fd.lookup_object as object, (${data} ->> fd.api_name)::uuid as id from field_defs fd
    where fd.tenant_id = kehu_tenant() and fd.object_api_name = ${object} and fd.type = 'lookup'
      and fd.lookup_object in ('customer', 'contact') and fd.deleted_at is null and ${data} ->> fd.api_name ~ ${UUID_TEXT}`);
  return sql.join(parts, sql` union all `);
}
const UUID_TEXT = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * An event condition over a record (issue 9 §4: "customers who viewed a product 3 times in 30
 * days"): the events of the profiles linked to the record's people (itself when a customer or
 * contact, else the people its lookups name), counted or summed over the window exactly as for
 * a profile, all linked profiles together.
 */
function recordEventSql(
  r: EventRule,
  object: string,
  data: RawBuilder<unknown>,
  idExpr: RawBuilder<unknown>,
  now: Date,
): RawBuilder<unknown> {
  const filters = (r.where ?? []).map((w) => compareSql(sql`e.properties -> ${w.prop}`, w));
  const agg = r.agg === 'sum' ? sql`coalesce(sum(${amount(r)}), 0)` : sql`count(*)`;
  return numCmp(
    sql`(select ${agg} from cdp_events e
      join cdp_identities i on i.tenant_id = e.tenant_id and i.kind = e.ident_kind and i.namespace = '' and i.value = e.ident
      where e.tenant_id = kehu_tenant() and e.event = ${r.event} and e.ts >= ${windowStart(now, r.withinDays)}
        ${filters.length ? sql`and ${sql.join(filters, sql` and `)}` : sql``}
        and i.profile_id in (select l.profile_id from cdp_profile_links l
          join (${linkedPeopleSql(object, data, idExpr)}) pp on pp.object = l.object and pp.id = l.record_id
          where l.tenant_id = kehu_tenant()))`,
    r.op,
    r.value,
  );
}

/**
 * Rules over records of any record-engine object (R2.2): field conditions, tags, and event
 * conditions through the profiles linked to the record's people. `data` is the record as jsonb.
 */
export function compileRecordRule(
  rule: Rule,
  data: RawBuilder<unknown>,
  idExpr: RawBuilder<unknown>,
  object: string,
  now: Date,
): RawBuilder<unknown> {
  const walk = (r: Rule): RawBuilder<unknown> => {
    if ('and' in r) return sql`(${sql.join(r.and.map(walk), sql` and `)})`;
    if ('or' in r) return sql`(${sql.join(r.or.map(walk), sql` or `)})`;
    if ('not' in r) return sql`(not ${walk(r.not)})`;
    if ('tag' in r) {
      const tagged = sql`exists (select 1 from cdp_subject_tags st join cdp_tags t on t.tenant_id = st.tenant_id and t.id = st.tag_id
          where st.tenant_id = kehu_tenant() and st.subject_id = ${idExpr} and t.object = ${object} and t.key = ${r.tag})`;
      return r.op === 'notHas' ? sql`not ${tagged}` : tagged;
    }
    if (isEventRule(r)) return recordEventSql(r, object, data, idExpr, now);
    if ('trait' in r) return fieldSql(sql`${data} -> ${r.trait}`, r, now);
    return sql`false`;
  };
  return walk(rule);
}
