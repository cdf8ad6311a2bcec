/**
 * Dispatch under contention: 16 dispatchers at once auto-dispatch 16 tickets over HTTP into one
 * day that has exactly 16 places (8 slots × capacity 2 of one technician) — sign-in session,
 * permission, the ticket check, candidate search by skill/area/load, the conditional UPDATE with
 * retries on the next candidate, the work order, audit, outbox. Baseline: the bare conditional
 * `UPDATE fs_slots SET booked = booked + 1 WHERE booked < capacity` loop over the same candidates,
 * 16 at once, on the same database. Every round checks that no slot is overbooked and that all
 * 16 got a place. Reported as p50/p99 ratios (same run).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_dispatch node_modules/.bin/node bench/dispatch.bench.ts
 * Without DATABASE_URL it runs on PGlite (in memory).
 */
import { sql } from 'kysely';
import { inTenant } from '../apps/server/src/core/db/tenant-scope.ts';
import { newId } from '../apps/server/src/core/ids.ts';
import { ensureCategory } from '../apps/server/src/modules/field-service/demo-category.ts';
import { createTicket } from '../apps/server/src/modules/service/index.ts';
import { getTestEnv, login, newTenant } from '../apps/server/src/testing/harness.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 8);
const N = 16;
const p = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

const env = await getTestEnv();
const seed = await newTenant(env, 1);
const t = seed.tenantId;
const db = <T>(fn: Parameters<typeof inTenant<T>>[2]) => inTenant(env.database.db, t, fn);
const tech = await db(
  async (tx) =>
    (
      await sql<{
        id: string;
      }>`select id from users where tenant_id = ${t} and login = 'zhou.xiaoyan'`.execute(tx)
    ).rows[0]!.id,
);
const admin = await login(env, seed.slug, 'admin');
await admin.request('PUT', `/field-service/technicians/${tech}`, {
  skills: ['空调'],
  areas: ['浦东'],
  active: true,
  version: 0,
});
const dispatchers = await Promise.all(Array.from({ length: 8 }, () => login(env, seed.slug, 'wang.jianguo')));

/** A day (round r days ahead) with 8 slots of capacity 2 for the technician. */
async function openDay(r: number) {
  const day = new Date(Date.now() + 8 * 3600_000 + (r + 2) * 86_400_000).toISOString().slice(0, 10);
  await db(async (tx) => {
    for (let h = 8; h < 16; h++) {
      const from = new Date(`${day}T${String(h).padStart(2, '0')}:00:00+08:00`);
      await sql`insert into fs_slots (tenant_id, id, technician_id, starts_at, ends_at, capacity)
        values (${t}, ${newId()}, ${tech}, ${from}, ${new Date(from.getTime() + 3600_000)}, 2)
        on conflict do nothing`.execute(tx);
    }
  });
  return day;
}

const api: number[] = [];
const bare: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const day = await openDay(round);
  const tickets = await db(async (tx) => {
    const cat = await ensureCategory(tx, t);
    const out: string[] = [];
    for (let i = 0; i < N; i++)
      out.push(
        (
          await createTicket(tx, t, {
            subject: `bench ${round}-${i}`,
            description: 'b',
            categoryKey: cat,
            priority: 'normal',
            channel: 'field',
          })
        ).ticketId,
      );
    return out;
  });
  const statuses = await Promise.all(
    tickets.map(async (ticketId, i) => {
      const t0 = performance.now();
      const r = await dispatchers[i % dispatchers.length]!.post('/field-service/work-orders', {
        ticketId,
        skill: '空调',
        area: '浦东',
        address: '上海市浦东新区',
        day,
      });
      api.push(performance.now() - t0);
      return r.status;
    }),
  );
  if (statuses.some((s) => s !== 201)) throw new Error(`round ${round}: ${statuses}`);
  const over = await db(
    async (tx) =>
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from fs_slots where tenant_id = ${t} and booked > capacity`.execute(tx)
      ).rows[0]!.n,
  );
  if (over) throw new Error('overbooked');

  // The floor: the same conditional UPDATE over the same kind of candidates, nothing around it.
  const bareDay = await openDay(round + 100);
  const from = new Date(`${bareDay}T00:00:00+08:00`);
  const wins = await Promise.all(
    Array.from({ length: N }, async () => {
      const t0 = performance.now();
      const got = await db(async (tx) => {
        const c = await sql<{
          id: string;
        }>`select id from fs_slots where tenant_id = ${t} and technician_id = ${tech}
          and starts_at >= ${from} and starts_at < ${new Date(from.getTime() + 86_400_000)} and booked < capacity
          order by starts_at limit 20`.execute(tx);
        for (const s of c.rows) {
          const u = await sql`update fs_slots set booked = booked + 1 where tenant_id = ${t} and id = ${s.id}
            and booked < capacity returning id`.execute(tx);
          if (u.rows.length) return 1;
        }
        return 0;
      });
      bare.push(performance.now() - t0);
      return got;
    }),
  );
  if (wins.reduce((a: number, b) => a + b, 0) !== N) throw new Error('bare: not every place taken');
}
console.log(
  JSON.stringify({
    bench: 'dispatch',
    db: process.env.DATABASE_URL ? 'postgres' : 'pglite',
    rounds: ROUNDS,
    concurrency: N,
    apiP50Ms: +p(api, 0.5).toFixed(1),
    apiP99Ms: +p(api, 0.99).toFixed(1),
    bareP50Ms: +p(bare, 0.5).toFixed(1),
    bareP99Ms: +p(bare, 0.99).toFixed(1),
    p50Ratio: +(p(api, 0.5) / p(bare, 0.5)).toFixed(2),
    p99Ratio: +(p(api, 0.99) / p(bare, 0.99)).toFixed(2),
  }),
);
await env.close();
process.exit(0);
