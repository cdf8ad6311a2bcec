/**
 * CDP profile list: one page of `listProfiles` (the service behind GET /cdp/profiles, run as the
 * application role under row-level security, as the API does) against the bare indexed SELECT of
 * the same 50 ids, at --profiles (default 100k). Also the filtered and searched pages.
 *
 *   node bench/cdp-profile-list.bench.ts [--profiles 100000] [--rounds 30]
 */
import { randomUUID } from 'node:crypto';
import { args, dropDatabase, ensureDatabase, int } from './lib.ts';

const o = args({
  profiles: { type: 'string', default: '100000' },
  rounds: { type: 'string', default: '30' },
});
const PROFILES = int(o.profiles as string, 'profiles');
const ROUNDS = int(o.rounds as string, 'rounds');
const DB = 'kehu_bench_cdp_list';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await dropDatabase(DB).catch(() => {});
const url = await ensureDatabase(DB);
const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
const { migrateAll: migrate } = await import('../apps/server/src/app.ts');
const { inTenant } = await import('../apps/server/src/core/db/tenant-scope.ts');
const { listProfiles } = await import('../apps/server/src/modules/cdp/profile-list.ts');
const { sql } = await import('kysely');
const database = await openDatabase({ url, poolSize: 2 });
await migrate(database.db);
const pool = database.pool!;
const tenantId = randomUUID();
await pool.query('insert into tenants (id, slug, name) values ($1, $2, $3)', [
  tenantId,
  `l${Date.now()}`,
  'list',
]);
const segId = randomUUID();
const tagId = randomUUID();
await pool.query(
  `insert into cdp_profiles (tenant_id, id, canonical_id, traits, last_seen_at)
   select $1, id, id, jsonb_build_object('name', '客户' || n, 'phone', '139' || lpad(n::text, 8, '0')), now() - n * interval '1 minute'
   from (select n, gen_random_uuid() as id from generate_series(1, $2) n) x`,
  [tenantId, PROFILES],
);
await pool.query(
  `insert into cdp_identities (tenant_id, id, kind, value, profile_id, origin_profile_id)
   select $1, gen_random_uuid(), k.kind, case k.kind when 'user_id' then 'u' || (traits->>'name') else '+86' || (traits->>'phone') end, id, id
   from cdp_profiles, (values ('user_id'), ('phone')) k(kind) where tenant_id = $1`,
  [tenantId],
);
await pool.query(
  `insert into cdp_identities (tenant_id, id, kind, value, profile_id, origin_profile_id)
   select $1, gen_random_uuid(), 'anonymous_id', 'a-' || id, id, id from cdp_profiles where tenant_id = $1`,
  [tenantId],
);
await pool
  .query(
    `insert into cdp_segments (tenant_id, id, name, rule) values ($1, $2, 'bench', '{"trait":"x","op":"eq","value":1}')`,
    [tenantId, segId],
  )
  .catch((e) => console.log('segment insert:', e.message));
await pool
  .query(
    `insert into cdp_tags (tenant_id, id, key, name, kind) values ($1, $2, 'bench', 'bench', 'manual')`,
    [tenantId, tagId],
  )
  .catch((e) => console.log('tag insert:', e.message));
await pool
  .query(
    `insert into cdp_segment_members (tenant_id, segment_id, subject_id) select $1, $2, id from cdp_profiles where tenant_id = $1 and random() < 0.3`,
    [tenantId, segId],
  )
  .catch((e) => console.log('members insert:', e.message));
await pool
  .query(
    `insert into cdp_subject_tags (tenant_id, tag_id, subject_id, value, reason) select $1, $2, id, 'true', 'manual' from cdp_profiles where tenant_id = $1 and random() < 0.01`,
    [tenantId, tagId],
  )
  .catch((e) => console.log('tags insert:', e.message));
await pool
  .query(
    `insert into cdp_profile_links (tenant_id, object, record_id, profile_id) select $1, 'contact', gen_random_uuid(), id from cdp_profiles where tenant_id = $1 and random() < 0.2`,
    [tenantId],
  )
  .catch((e) => console.log('links insert:', e.message));
await pool.query('analyze');

const principal: any = {
  tenantId,
  userId: randomUUID(),
  userName: 'bench',
  unitId: randomUUID(),
  locale: 'zh-CN',
  kind: 'user',
  // No CRM read: this bare tenant has no record metadata, so link names are not read here.
  permissions: ['cdp:read'],
  dataScopes: { '*': 'tenant' },
  fieldAccess: {},
  subtreeUnitIds: [],
  authzVersion: 0,
};
const viewer = { principal, actor: { tenantId, userId: principal.userId } as any };

async function time(fn: (tx: any) => Promise<unknown>) {
  const xs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await inTenant(database.db, tenantId, fn, { readOnly: true });
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

// A cursor in the middle of the table, so the page is not simply the head.
const mid = (
  await pool.query(`select id from cdp_profiles where tenant_id = $1 order by id desc offset $2 limit 1`, [
    tenantId,
    Math.floor(PROFILES / 2),
  ])
).rows[0].id;
const cursor = Buffer.from(JSON.stringify({ id: mid })).toString('base64url');
const rows: [string, number][] = [];
rows.push([
  'bare: select 50 profiles by (tenant, id desc) after a cursor',
  await time((tx) =>
    sql`select p.id, p.traits, p.first_seen_at, p.last_seen_at from cdp_profiles p where p.tenant_id = ${tenantId} and p.merged_into is null and p.id < ${mid} order by p.id desc limit 51`.execute(
      tx,
    ),
  ),
]);
for (const [label, q] of [
  ['listProfiles page (50, mid-table cursor)', { limit: 50, cursor }],
  ['listProfiles first page + total (estimated)', { limit: 50, count: true }],
  ['listProfiles segment filter (30 %)', { limit: 50, segment: segId, cursor }],
  ['listProfiles tag filter (1 %)', { limit: 50, tag: tagId }],
  ['listProfiles linked=true (20 %)', { limit: 50, linked: true }],
  [
    'listProfiles q = phone (exact identity)',
    { limit: 50, q: `139${String(PROFILES - 7).padStart(8, '0')}` },
  ],
  ['listProfiles q = name prefix, common (客户1)', { limit: 50, q: '客户1' }],
  ['listProfiles q = no match (full scan)', { limit: 50, q: 'nobody-matches' }],
] as const)
  rows.push([label, await time((tx) => listProfiles(tx, viewer, q as any, false))]);
const check = await inTenant(database.db, tenantId, (tx) =>
  listProfiles(tx, viewer, { limit: 50, count: true }, false),
);
console.log(
  `profiles: ${PROFILES}, rounds: ${ROUNDS}; first page total ${check.total} exact=${check.totalExact}`,
);
for (const [l, ms] of rows) console.log(`${ms.toFixed(1).padStart(8)} ms  ${l}`);
await database.close?.();
await dropDatabase(DB).catch(() => {});
process.exit(0);
