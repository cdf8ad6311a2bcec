import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { isPersonalProperty } from './rule-access.ts';

/** What events a tenant receives, offered to the rule builder instead of free text. */

/** How many of the newest events the catalogue samples: cheap on any table size, recent enough. */
const CATALOGUE_SAMPLE = 5000;

/**
 * Event names the tenant has actually received (from a sample of the newest events, 90 days),
 * so the segment builder offers them instead of free text.
 */
export async function eventNames(tx: Tx, tenantId: string) {
  const r = await sql<{
    event: string;
    n: number;
    last_at: Date;
  }>`select event, count(*)::int as n, max(ts) as last_at
    from (select event, ts from cdp_events where tenant_id = ${tenantId} and ts > now() - interval '90 days'
      order by ts desc limit ${CATALOGUE_SAMPLE}) x
    where event is not null group by event order by n desc, event limit 200`.execute(tx);
  return { items: r.rows.map((e) => ({ name: e.event, count: e.n, lastAt: e.last_at })) };
}

const PERSONAL_KEY = /phone|mobile|email|name|address|id_?number|openid|unionid/i;

/**
 * The top property keys of one event (newest 1000), with their JSON types and a few example values.
 * Without `personal` (profile:unmask), personal-looking keys are left out: a rule could not use them.
 */
export async function eventProperties(tx: Tx, tenantId: string, event: string, personal = true) {
  const r = await sql<{ key: string; types: string[]; n: number; examples: string[] | null }>`
    select j.key, array_agg(distinct jsonb_typeof(j.value)) as types, count(*)::int as n,
      (array_agg(distinct left(j.value #>> '{}', 60)) filter (where jsonb_typeof(j.value) in ('string', 'number', 'boolean')))[1:5] as examples
    from (select properties from cdp_events where tenant_id = ${tenantId} and event = ${event}
      order by ts desc limit 1000) x, jsonb_each(x.properties) j
    group by j.key order by n desc, j.key limit 50`.execute(tx);
  return {
    items: r.rows
      .filter((p) => personal || !isPersonalProperty(p.key))
      .map((p) => ({
        key: p.key,
        types: p.types,
        count: p.n,
        // Values of personal-looking keys are not sampled: this is a cdp:read view, unmasked nowhere.
        examples: PERSONAL_KEY.test(p.key) ? [] : (p.examples ?? []),
      })),
  };
}
