/**
 * Duplicate-photo check against the tenant's stored hashes (issue 14): trade promotion's
 * `findDuplicate` — the closest earlier proof within 6 bits (Hamming distance of the 64-bit dHash)
 * — over --hashes stored proofs (default 100k), against a bare primary-key SELECT of one proof on
 * the same table, both in the tenant's transaction (RLS on). Half the probes are near-duplicates of
 * a stored photo (1–6 bits flipped: must be found), half are new photos (must not be).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_dup node_modules/.bin/node bench/tpm-duplicate.bench.ts [--hashes 100000] [--probes 200]
 * Without DATABASE_URL it runs on PGlite (in memory).
 */
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { inTenant } from '../apps/server/src/core/db/tenant-scope.ts';
import { newId } from '../apps/server/src/core/ids.ts';
import { findDuplicate } from '../apps/server/src/modules/trade-promotion/index.ts';
import { getTestEnv, newTenantWithAdmin } from '../apps/server/src/testing/harness.ts';
import { args, fmt, int, printTable, timeSequential, writeResult } from './lib.ts';

const o = args({ hashes: { type: 'string', default: '100000' }, probes: { type: 'string', default: '200' } });
const HASHES = int(o.hashes as string, 'hashes');
const PROBES = int(o.probes as string, 'probes');

const env = await getTestEnv();
const { tenantId } = await newTenantWithAdmin(env, 0);
const db = env.database.db;
const inT = <T>(fn: (tx: any) => Promise<T>) => inTenant(db, tenantId, fn);

const activityId = newId();
const user = newId();
await inT(async (tx) => {
  const unit = (await sql<{ id: string }>`select id from units limit 1`.execute(tx)).rows[0]!.id;
  await sql`insert into tpm_activities (tenant_id, id, name, activity_type, dealer_unit_id, store_unit_ids,
      starts_on, ends_on, amount, proposed_by)
    values (${tenantId}, ${activityId}, 'bench', 'display', ${unit}, array[${unit}]::uuid[], current_date,
      current_date, 100, ${user})`.execute(tx);
  // Random 64-bit hashes as signed bigints (the column's form), in batches.
  for (let done = 0; done < HASHES; done += 20000) {
    const n = Math.min(20000, HASHES - done);
    await sql`insert into tpm_proofs (tenant_id, id, activity_id, store_unit_id, uploaded_by, dhash, sha256, status, image, thumb)
      select ${tenantId}, gen_random_uuid(), ${activityId}, ${unit}, ${user},
        (floor(random() * 18446744073709551616) - 9223372036854775808)::numeric::bigint,
        md5(g::text), 'accepted', '\\x00'::bytea, '\\x00'::bytea
      from generate_series(1, ${n}) g`.execute(tx);
  }
});
await sql`analyze tpm_proofs`.execute(db);

const stored = await inT(
  async (tx) =>
    (
      await sql<{ id: string; dhash: string }>`select id, dhash::text from tpm_proofs
        where tenant_id = ${tenantId} order by random() limit ${PROBES}`.execute(tx)
    ).rows,
);
const flip = (h: bigint, bits: number) => {
  let x = BigInt.asUintN(64, h);
  const used = new Set<number>();
  while (used.size < bits) used.add(randomInt(64));
  for (const b of used) x ^= 1n << BigInt(b);
  return BigInt.asIntN(64, x);
};
const probes = stored.map((s, i) =>
  i % 2 === 0
    ? { hash: flip(BigInt(s.dhash), 1 + (i % 6)), dup: true }
    : {
        hash: BigInt.asIntN(64, (BigInt(randomInt(2 ** 32)) << 32n) | BigInt(randomInt(2 ** 32))),
        dup: false,
      },
);

let at = 0;
let found = 0;
let wrong = 0;
const check = await timeSequential(PROBES, async () => {
  const p = probes[at++ % probes.length]!;
  const r = await inT((tx) => findDuplicate(tx, tenantId, p.hash));
  if (at > Math.min(20, PROBES)) {
    if (r && p.dup) found++;
    if (!r && p.dup) wrong++;
  }
});
let k = 0;
const bare = await timeSequential(PROBES, () =>
  inT((tx) =>
    sql`select id, activity_id from tpm_proofs where tenant_id = ${tenantId} and id = ${stored[k++ % stored.length]!.id}`.execute(
      tx,
    ),
  ),
);
const rows = [
  { path: `findDuplicate over ${HASHES.toLocaleString('en-US')} hashes`, p50: check.p50, p99: check.p99 },
  { path: 'bare primary-key SELECT', p50: bare.p50, p99: bare.p99 },
];
printTable('duplicate-photo check (ms)', rows);
console.log(
  `ratio p50 ${fmt(check.p50 / bare.p50, 2)}×, p99 ${fmt(check.p99 / bare.p99, 2)}×; near-duplicates found ${found}, missed ${wrong} (of the timed half)`,
);
writeResult('tpm-duplicate', {
  hashes: HASHES,
  probes: PROBES,
  database: env.database.kind,
  check,
  bare,
  ratioP50: check.p50 / bare.p50,
  ratioP99: check.p99 / bare.p99,
  missedNearDuplicates: wrong,
});
await env.close();
