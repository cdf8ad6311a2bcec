import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { type CounterDef, compareSql, counterAmount, eventMatches, utcDay } from './rules.ts';

/**
 * Per-profile rolling counters (one row per profile, counter and UTC day) answer windowed
 * event conditions in memory on each event. A counter is defined by the rules that need it and
 * filled from the raw events when first defined, then kept current by the event processor.
 */
export async function loadCounterDefs(tx: Tx, tenantId: string): Promise<CounterDef[]> {
  const rows = (
    await sql<{ def: CounterDef }>`select def from cdp_counter_defs where tenant_id = ${tenantId}`.execute(tx)
  ).rows;
  return rows.map((r) => r.def);
}

function fillSql(tenantId: string, def: CounterDef, profiles: string[] | null) {
  const filters = def.where.map((w) => compareSql(sql`e.properties -> ${w.prop}`, w));
  const amount = def.property
    ? sql`sum(case when jsonb_typeof(e.properties -> ${def.property}) = 'number' then (e.properties ->> ${def.property})::float8 else 0 end)`
    : sql`0`;
  return sql`insert into cdp_counters (tenant_id, profile_id, counter, day, n, total)
    select ${tenantId}, i.profile_id, ${def.key}, (e.ts at time zone 'UTC')::date, count(*), ${amount}
    from cdp_events e
    join cdp_identities i on i.tenant_id = e.tenant_id and i.kind = e.ident_kind and i.namespace = '' and i.value = e.ident
    where e.tenant_id = ${tenantId} and e.event = ${def.event}
      ${profiles ? sql`and i.profile_id = any(${profiles}::uuid[])` : sql``}
      ${filters.length ? sql`and ${sql.join(filters, sql` and `)}` : sql``}
    group by i.profile_id, (e.ts at time zone 'UTC')::date`;
}

/** Registers the counters a rule needs, filling new ones from the events already stored. */
export async function ensureCounters(tx: Tx, tenantId: string, defs: CounterDef[]): Promise<void> {
  for (const def of defs) {
    const r = await sql`insert into cdp_counter_defs (tenant_id, counter, def, ready)
      values (${tenantId}, ${def.key}, ${JSON.stringify(def)}::jsonb, true) on conflict do nothing returning counter`.execute(
      tx,
    );
    if (r.rows.length) await fillSql(tenantId, def, null).execute(tx);
  }
}

/** Rebuilds all counters of some profiles from the events (after a split). */
export async function recomputeCounters(tx: Tx, tenantId: string, profiles: string[]): Promise<void> {
  await sql`delete from cdp_counters where tenant_id = ${tenantId} and profile_id = any(${profiles}::uuid[])`.execute(
    tx,
  );
  for (const def of await loadCounterDefs(tx, tenantId)) await fillSql(tenantId, def, profiles).execute(tx);
}

/** Accumulates counter increments of a batch of events, written in one statement. */
export class CounterBatch {
  private acc = new Map<
    string,
    { profile: string; counter: string; day: string; n: number; total: number }
  >();
  /** Adds an event to the counters it matches; true if it matched any. */
  add(defs: CounterDef[], profile: string, event: string | null, props: Record<string, unknown>, ts: Date) {
    let matched = false;
    for (const d of defs) {
      if (!eventMatches(d, event, props)) continue;
      matched = true;
      const day = utcDay(ts);
      const k = `${profile}|${d.key}|${day}`;
      const cur = this.acc.get(k) ?? { profile, counter: d.key, day, n: 0, total: 0 };
      cur.n += 1;
      cur.total += counterAmount(d, props);
      this.acc.set(k, cur);
    }
    return matched;
  }
  /** After a merge: increments gathered for the merged-away profile belong to the target. */
  remap(from: string, to: string) {
    for (const [k, r] of [...this.acc]) {
      if (r.profile !== from) continue;
      this.acc.delete(k);
      const nk = `${to}|${r.counter}|${r.day}`;
      const cur = this.acc.get(nk) ?? { ...r, profile: to, n: 0, total: 0 };
      cur.n += r.n;
      cur.total += r.total;
      this.acc.set(nk, cur);
    }
  }
  async flush(tx: Tx, tenantId: string) {
    const rows = [...this.acc.values()];
    this.acc.clear();
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      await sql`insert into cdp_counters (tenant_id, profile_id, counter, day, n, total)
        values ${sql.join(chunk.map((r) => sql`(${tenantId}, ${r.profile}, ${r.counter}, ${r.day}::date, ${r.n}, ${r.total})`))}
        on conflict (tenant_id, profile_id, counter, day) do update set n = cdp_counters.n + excluded.n, total = cdp_counters.total + excluded.total`.execute(
        tx,
      );
    }
  }
}
