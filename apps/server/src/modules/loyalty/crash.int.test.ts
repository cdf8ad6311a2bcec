import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { enqueue } from '../../core/jobs/queue.ts';
import { testDatabaseUrl, useTestEnv } from '../../testing/harness.ts';
import { startTenantWorker } from '../../testing/tenant-worker-process.ts';
import { tenantWithSource } from '../cdp/test-kit.ts';
import { EVENTS_QUEUE } from './earn-rules.service.ts';
import { enrolMember } from './index.ts';

/**
 * kill -9 during the bulk earn (issue 13, reliability): the `loyalty:events` job walks the CDP
 * event feed 500 events per transaction (ledger rows, lots, balances and the program's cursor
 * commit together) and earns each event's points. The worker is killed mid-run (twice in the big
 * run); a new worker finishes the job. Every event then earned exactly once (none twice, none lost) and
 * sum(ledger) = balance = sum(lots) − debt for every member.
 * Runs on PostgreSQL (the killed process must not own the database). 700 events over 20
 * members by default (CI time); a bigger run with `KEHU_CRASH_EARN_EVENTS=20000`.
 */
const N = Number(process.env.KEHU_CRASH_EARN_EVENTS ?? 700);
const MEMBERS = 20;
// Where the worker is killed (share of events earned): the feed commits 500 at a time, so a kill
// after the first commit lands inside the next batch's transaction.
const KILL_AT = N > 1_000 ? [0.2, 0.45] : [0.25];
const POINTS = 10;
const env = useTestEnv();

const startWorker = startTenantWorker;

describe('loyalty bulk earn durability', {
  skip: testDatabaseUrl() ? false : 'needs PostgreSQL (DATABASE_URL)',
}, () => {
  it(`earns ${N} events exactly once when the worker is killed -9 mid-run`, {
    timeout: 600_000,
  }, async () => {
    const t = await tenantWithSource(env, 0);
    const tenantId = t.tenantId;
    const q = <T>(fn: (tx: Tx) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
    const programId = newId();
    await q(async (tx) => {
      const root = (await sql<{ id: string }>`select id from units where parent_id is null`.execute(tx))
        .rows[0]!.id;
      await sql`insert into loyalty_programs (tenant_id, id, name, unit_id, expiry_days, event_rules)
        values (${tenantId}, ${programId}, '断电测试', ${root}, 365,
          ${JSON.stringify([{ event: 'Check In', points: POINTS }])}::jsonb)`.execute(tx);
      await sql`insert into loyalty_tiers (tenant_id, id, program_id, name, rank, threshold)
        values (${tenantId}, ${newId()}, ${programId}, '基础', 0, 0)`.execute(tx);
      // MEMBERS profiles with a userId identity, each enrolled; N events spread over them.
      await sql`insert into cdp_profiles (tenant_id, id, canonical_id, traits)
        select ${tenantId}, g.id, g.id, '{}'::jsonb from (select gen_random_uuid() as id from generate_series(1, ${MEMBERS})) g`.execute(
        tx,
      );
      await sql`insert into cdp_identities (tenant_id, id, kind, value, profile_id, origin_profile_id)
        select tenant_id, gen_random_uuid(), 'user_id', 'crash-' || row_number() over (order by id), id, id
        from cdp_profiles where tenant_id = ${tenantId}`.execute(tx);
      const profiles = (
        await sql<{ id: string }>`select id from cdp_profiles where tenant_id = ${tenantId}`.execute(tx)
      ).rows;
      for (const p of profiles)
        await enrolMember(tx, tenantId, {
          programId,
          profileId: p.id,
          unitId: root,
          source: 'api',
          idempotencyKey: `crash:${p.id}`,
        });
      await sql`insert into cdp_events (tenant_id, id, ts, received_at, source_id, message_id, type, event, user_id,
          ident_kind, ident, raw)
        select ${tenantId}, gen_random_uuid(), now() - interval '1 hour', now() - interval '1 hour' + g * interval '1 ms',
          ${t.source.id}, 'crash-' || g, 'track', 'Check In', 'crash-' || (1 + g % ${MEMBERS}),
          'user_id', 'crash-' || (1 + g % ${MEMBERS}), '{}'::jsonb
        from generate_series(1, ${N}) g`.execute(tx);
    });
    await q((tx) =>
      enqueue(tx, tenantId, EVENTS_QUEUE, {}, { dedupeKey: `crash:${programId}`, maxAttempts: 10 }),
    );

    const earned = () =>
      q(async (tx) =>
        Number(
          (
            await sql<{ n: number }>`select count(*)::int as n from loyalty_ledger l
              join loyalty_members m on m.tenant_id = l.tenant_id and m.id = l.member_id
              where l.tenant_id = ${tenantId} and m.program_id = ${programId}`.execute(tx)
          ).rows[0]!.n,
        ),
      );
    // Killed while batches are committing, then a worker finishes.
    const kills: number[] = [];
    for (const share of KILL_AT) {
      const child = startWorker(tenantId);
      const exited = once(child, 'exit');
      const deadline = Date.now() + 120_000;
      while ((await earned()) < N * share) {
        if (Date.now() > deadline) throw new Error('the worker never got going');
        await new Promise((r) => setTimeout(r, 10));
      }
      child.kill('SIGKILL');
      await exited;
      kills.push(await earned());
      assert.ok(kills.at(-1)! < N, 'killed mid-run');
    }
    const last = startWorker(tenantId);
    const [code] = await once(last, 'exit');
    assert.equal(code, 0);

    const result = await q(async (tx) => {
      const one = async (s: ReturnType<typeof sql>) =>
        Number(((await s.execute(tx)).rows[0] as { n: number }).n);
      const inProgram = sql`(select id from loyalty_members where tenant_id = ${tenantId} and program_id = ${programId})`;
      return {
        ledgerRows: await one(
          sql`select count(*)::int as n from loyalty_ledger where member_id in ${inProgram}`,
        ),
        distinctEvents: await one(sql`select count(distinct ref_id)::int as n from loyalty_ledger
          where member_id in ${inProgram} and ref_object = 'cdp_event'`),
        ledgerSum: await one(
          sql`select coalesce(sum(delta), 0)::int as n from loyalty_ledger where member_id in ${inProgram}`,
        ),
        balances: await one(sql`select coalesce(sum(balance), 0)::int as n from loyalty_members
          where tenant_id = ${tenantId} and program_id = ${programId}`),
        // Per member: balance = its ledger = its lots − debt, and = POINTS × its events.
        membersOff: await one(sql`select count(*)::int as n from loyalty_members m
          where m.tenant_id = ${tenantId} and m.program_id = ${programId} and (
            m.balance <> (select coalesce(sum(delta), 0) from loyalty_ledger l where l.tenant_id = m.tenant_id and l.member_id = m.id)
            or m.balance <> (select coalesce(sum(remaining), 0) from loyalty_lots o where o.tenant_id = m.tenant_id and o.member_id = m.id) - m.debt
            or m.balance <> ${POINTS} * (select count(*) from cdp_events e join cdp_identities i
              on i.tenant_id = e.tenant_id and i.kind = e.ident_kind and i.value = e.ident
              where e.tenant_id = m.tenant_id and e.event = 'Check In' and i.profile_id = m.profile_id))`),
      };
    });
    assert.deepEqual(
      result,
      { ledgerRows: N, distinctEvents: N, ledgerSum: N * POINTS, balances: N * POINTS, membersOff: 0 },
      `killed at ${kills.join(', ')} of ${N}`,
    );
  });
});
