import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadPrincipal } from '../../core/auth/access-loader.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { type TenantDirectory, tenantDirectory } from '../../testing/fixtures.ts';
import { type Client, login, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import {
  cancelActivity,
  completeActivity,
  createActivity,
  onActivityDecision,
  submitActivity,
  verifyActivity,
} from './activities.service.ts';
import { allocateBudget, createRootBudget } from './budgets.service.ts';
import { demoShelfPhoto } from './demo-photo.ts';
import { expensePool } from './expense-pool.ts';
import { activityBody, approveAs, TEST_YEAR } from './test-kit.ts';

const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body).slice(0, 500));
  return r.body;
};

let dir: TenantDirectory;
let admin: Client;
let as: (who: string) => Promise<Client>;
let ready: Promise<void> | null = null;
const setup = () =>
  (ready ??= (async () => {
    const t = await newTenantWithAdmin(env, 0);
    admin = t.admin;
    dir = await tenantDirectory(env, t.seed);
    const sessions = new Map<string, Promise<Client>>();
    as = (who) => {
      if (!sessions.has(who)) sessions.set(who, login(env, t.seed.slug, who));
      return sessions.get(who)!;
    };
  })());

// 张江店 in GCJ-02 (what a map app shows), and a phone fix 40 m away in WGS-84 (what GPS gives).
const STORE_GCJ = { lng: 121.5906, lat: 31.2033 };
const PHONE_WGS = { lng: 121.5862, lat: 31.20545 };

const upload = (c: Client, activityId: string, bytes: Buffer, q: Record<string, string | number>) =>
  c.request(
    'POST',
    `/tpm/activities/${activityId}/proofs?${new URLSearchParams(q as any)}`,
    new Uint8Array(bytes),
    {
      'content-type': 'application/octet-stream',
    },
  );

describe('trade promotion: budgets down the org tree', () => {
  it('lets only HQ fund, allocates only to direct sub-units and never beyond what is left', async () => {
    await setup();
    const hq = await as('wang.jianguo');
    const chen = await as('chen.zhiqiang');
    const root = await ok(
      hq.post('/tpm/budgets', {
        year: TEST_YEAR,
        channel: 'modern_trade',
        expenseType: 'display',
        amount: 100_000_00,
      }),
      201,
    );
    assert.equal(root.remaining, 100_000_00);
    // Same key again: 409; the region manager cannot fund at all (not the top unit / no permission).
    await ok(
      hq.post('/tpm/budgets', {
        year: TEST_YEAR,
        channel: 'modern_trade',
        expenseType: 'display',
        amount: 1,
      }),
      409,
    );
    const regionFund = await chen.post('/tpm/budgets', {
      year: TEST_YEAR,
      channel: 'modern_trade',
      expenseType: 'promotion',
      amount: 1,
    });
    assert.equal(regionFund.status, 403);
    // Bad input: localized field errors, nothing stored.
    const bad = await hq.request(
      'POST',
      '/tpm/budgets',
      { year: 1, channel: 'x', expenseType: 'display', amount: -5 },
      {
        'accept-language': 'en-US',
      },
    );
    assert.equal(bad.status, 422);
    assert.ok(bad.body.errors.length >= 3);
    // HQ → a dealer directly is not a direct sub-unit.
    const skip = await hq.post(`/tpm/budgets/${root.id}/allocations`, {
      unitId: dir.unit('EC-D1'),
      amount: 100,
    });
    assert.equal(skip.status, 422);
    assert.equal(skip.body.errors[0].field, 'unitId');
    const ec = await ok(
      hq.post(`/tpm/budgets/${root.id}/allocations`, { unitId: dir.unit('EC'), amount: 60_000_00 }),
      201,
    );
    // Version check: a stale version is 409.
    const stale = await hq.post(`/tpm/budgets/${root.id}/allocations`, {
      unitId: dir.unit('SC'),
      amount: 1,
      version: 1,
    });
    assert.equal(stale.status, 409);
    // Two allocations racing for the last 40 000: exactly one wins.
    const race = await Promise.all([
      hq.post(`/tpm/budgets/${root.id}/allocations`, { unitId: dir.unit('SC'), amount: 30_000_00 }),
      hq.post(`/tpm/budgets/${root.id}/allocations`, { unitId: dir.unit('SC'), amount: 30_000_00 }),
    ]);
    assert.deepEqual(race.map((r) => r.status).sort(), [201, 409]);
    const after = await ok(hq.get(`/tpm/budgets/${root.id}`));
    assert.equal(after.allocated, 90_000_00);
    assert.equal(after.remaining, 10_000_00);
    // The region allocates from its own budget to its dealer; it cannot touch HQ's (not in its tree: 404).
    const d1 = await ok(
      chen.post(`/tpm/budgets/${ec.id}/allocations`, { unitId: dir.unit('EC-D1'), amount: 20_000_00 }),
      201,
    );
    assert.equal(d1.unitId, dir.unit('EC-D1'));
    assert.equal(
      (await chen.post(`/tpm/budgets/${root.id}/allocations`, { unitId: dir.unit('SC'), amount: 1 })).status,
      404,
    );
    // A dealer sees its own budget, not its sibling's; the dealer cannot allocate (no permission).
    const zhang = await as('zhang.wei');
    const liu = await as('liu.yang');
    assert.equal((await zhang.get(`/tpm/budgets/${d1.id}`)).status, 200);
    assert.equal((await liu.get(`/tpm/budgets/${d1.id}`)).status, 404);
    assert.equal(
      (await zhang.post(`/tpm/budgets/${d1.id}/allocations`, { unitId: dir.unit('EC-D1-S1'), amount: 1 }))
        .status,
      403,
    );
    const list = await ok(liu.get('/tpm/budgets'));
    assert.ok(!list.items.some((b: any) => b.id === d1.id));
  });
});

describe('trade promotion: activity → approval → proof → 核销 → expense pool', () => {
  it('commits on approval, flags suspicious proof, verifies into the dealer’s pool, and hides it from the sibling dealer', async () => {
    await setup();
    const hq = await as('wang.jianguo');
    const chen = await as('chen.zhiqiang');
    const zhang = await as('zhang.wei');
    const sun = await as('sun.lei');
    const liu = await as('liu.yang');
    const root = await ok(
      hq.post('/tpm/budgets', {
        year: TEST_YEAR,
        channel: 'catering',
        expenseType: 'display',
        amount: 50_000_00,
      }),
      201,
    );
    const ec = await ok(
      hq.post(`/tpm/budgets/${root.id}/allocations`, { unitId: dir.unit('EC'), amount: 30_000_00 }),
      201,
    );
    const d1 = await ok(
      chen.post(`/tpm/budgets/${ec.id}/allocations`, { unitId: dir.unit('EC-D1'), amount: 20_000_00 }),
      201,
    );
    await ok(
      hq.request('PUT', `/tpm/stores/${dir.unit('EC-D1-S1')}/location`, {
        ...STORE_GCJ,
        coordSystem: 'gcj02',
        radiusM: 150,
      }),
    );

    // Proposal checks: a store of another dealer, a budget of the wrong type.
    const wrong = await zhang.post('/tpm/activities', {
      ...activityBody({ dir } as any, d1.id, '陈列'),
      storeUnitIds: [dir.unit('EC-D2-S1')],
      activityType: 'promotion',
    });
    assert.equal(wrong.status, 422);
    const fields = wrong.body.errors.map((e: any) => e.field).sort();
    assert.deepEqual(fields, ['lines.0.budgetId', 'storeUnitIds']);
    assert.match(wrong.body.errors[0].message, /[\u4e00-\u9fa5]/);

    const a = await ok(
      zhang.post('/tpm/activities', activityBody({ dir } as any, d1.id, '张江店端架陈列', 8_000_00)),
      201,
    );
    assert.equal(a.status, 'draft');
    const pending = await ok(zhang.post(`/tpm/activities/${a.id}/submit`, { version: a.version }));
    assert.equal(pending.status, 'pending');
    // Not committed before approval.
    assert.equal((await ok(zhang.get(`/tpm/budgets/${d1.id}`))).committed, 0);
    // Proof before approval: 409.
    const early = await upload(sun, a.id, await demoShelfPhoto(11), { storeUnitId: dir.unit('EC-D1-S1') });
    assert.equal(early.status, 409);
    await approveAs(chen, a.id);
    const approved = await ok(zhang.get(`/tpm/activities/${a.id}`));
    assert.equal(approved.status, 'approved');
    assert.equal(approved.committed, 8_000_00);
    const budgetNow = await ok(zhang.get(`/tpm/budgets/${d1.id}`));
    assert.equal(budgetNow.committed, 8_000_00);
    assert.equal(budgetNow.remaining, 12_000_00);

    // 1. Inside the geofence, fresh EXIF: accepted, watermarked.
    const photo = await demoShelfPhoto(12);
    const good = await ok(
      upload(sun, a.id, photo, {
        storeUnitId: dir.unit('EC-D1-S1'),
        ...PHONE_WGS,
        coordSystem: 'wgs84',
        idempotencyKey: 'p-1',
      }),
      201,
    );
    assert.equal(good.status, 'accepted', JSON.stringify(good.flags));
    assert.ok(good.distanceM < 150);
    // The same upload retried: the same proof.
    const retry = await ok(
      upload(sun, a.id, photo, { storeUnitId: dir.unit('EC-D1-S1'), ...PHONE_WGS, idempotencyKey: 'p-1' }),
      201,
    );
    assert.equal(retry.id, good.id);
    const img = await sun.get(`/tpm/proofs/${good.id}/image`);
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/jpeg');
    // 2. The same picture re-encoded smaller: flagged as re-used, pointing at the first.
    const sharp = (await import('sharp')).default;
    const reused = await sharp(photo).resize(480).jpeg({ quality: 60 }).withExifMerge({}).toBuffer();
    const dup = await ok(upload(sun, a.id, reused, { storeUnitId: dir.unit('EC-D1-S1'), ...PHONE_WGS }), 201);
    assert.equal(dup.status, 'flagged');
    const dupFlag = dup.flags.find((f: any) => f.code === 'duplicate_photo');
    assert.equal(dupFlag?.duplicateOf, good.id);
    // 3. 2 km away, no EXIF, edited: every reason listed.
    const far = await ok(
      upload(sun, a.id, await demoShelfPhoto(13, { exif: false }), {
        storeUnitId: dir.unit('EC-D1-S1'),
        lng: 121.61,
        lat: 31.2033,
      }),
      201,
    );
    assert.deepEqual(far.flags.map((f: any) => f.code).sort(), ['exif_missing', 'outside_geofence']);
    const edited = await ok(
      upload(sun, a.id, await demoShelfPhoto(14, { software: 'Adobe Photoshop 25.0' }), {
        storeUnitId: dir.unit('EC-D1-S1'),
        ...PHONE_WGS,
      }),
      201,
    );
    assert.deepEqual(
      edited.flags.map((f: any) => f.code),
      ['edited_software'],
    );
    // Not an image: 422; a store outside the activity: 422.
    assert.equal(
      (await upload(sun, a.id, Buffer.from('hello'), { storeUnitId: dir.unit('EC-D1-S1') })).status,
      422,
    );
    assert.equal(
      (await upload(sun, a.id, await demoShelfPhoto(15), { storeUnitId: dir.unit('EC-D1-S2') })).status,
      422,
    );

    // The sibling dealer sees none of it.
    assert.equal((await liu.get(`/tpm/activities/${a.id}`)).status, 404);
    assert.equal((await liu.get(`/tpm/activities/${a.id}/proofs`)).status, 404);
    assert.equal((await liu.get(`/tpm/proofs/${good.id}/image`)).status, 404);
    assert.ok(!(await ok(liu.get('/tpm/activities'))).items.some((x: any) => x.id === a.id));

    const executed = await ok(sun.post(`/tpm/activities/${a.id}/complete`, {}));
    assert.equal(executed.status, 'executed');
    assert.equal(executed.sampled, true, 'flagged proof is always audited');
    assert.equal(executed.flaggedCount, 3);
    const queue = await ok(chen.get('/tpm/verification-queue'));
    assert.ok(queue.items.some((x: any) => x.id === a.id));

    // Verification: not by the proposer, not above the commitment, a comment and a look at the photos.
    assert.equal((await zhang.post(`/tpm/activities/${a.id}/verify`, { amount: 1 })).status, 403);
    const tooMuch = await chen.post(`/tpm/activities/${a.id}/verify`, { amount: 8_000_01 });
    assert.equal(tooMuch.status, 422);
    assert.deepEqual(tooMuch.body.errors.map((e: any) => e.field).sort(), [
      'amount',
      'comment',
      'proofsReviewed',
    ]);
    const verified = await ok(
      chen.post(`/tpm/activities/${a.id}/verify`, {
        amount: 7_000_00,
        comment: '重复照片与围栏外照片不计，核减 1000 元',
        proofsReviewed: true,
      }),
    );
    assert.equal(verified.status, 'verified');
    assert.equal(verified.used, 7_000_00);
    const b = await ok(zhang.get(`/tpm/budgets/${d1.id}`));
    assert.deepEqual([b.committed, b.used, b.remaining], [0, 7_000_00, 13_000_00]);
    assert.equal((await chen.post(`/tpm/activities/${a.id}/verify`, { amount: 1 })).status, 409);

    // The pool: credited once, visible to the dealer, not to its sibling.
    const pool = await ok(zhang.get(`/tpm/pools/${dir.unit('EC-D1')}`));
    assert.equal(pool.account.balance, 7_000_00);
    assert.equal(pool.entries.length, 1);
    assert.equal((await liu.get(`/tpm/pools/${dir.unit('EC-D1')}`)).status, 404);

    // The DMS seam: idempotent deduction, never below zero, ledger append-only.
    await inTenant(env.database.db, dir.tenantId, async (tx) => {
      const dealer = dir.unit('EC-D1');
      const d = { dealerUnitId: dealer, amount: 2_000_00, ref: '订单 SO-1', idempotencyKey: 'so-1' };
      const first = await expensePool.deduct(tx, dir.tenantId, d);
      const again = await expensePool.deduct(tx, dir.tenantId, d);
      assert.equal(again.entryId, first.entryId);
      assert.equal(again.created, false);
      assert.equal(await expensePool.balance(tx, dir.tenantId, dealer), 5_000_00);
      await assert.rejects(
        expensePool.deduct(tx, dir.tenantId, { ...d, amount: 6_000_00, idempotencyKey: 'so-2' }),
        /pool_insufficient|不足/,
      );
      await assert.rejects(
        expensePool.deduct(tx, dir.tenantId, { ...d, amount: 1 }),
        (e: any) => e.status === 409,
      );
    });
    await assert.rejects(
      inTenant(env.database.db, dir.tenantId, (tx) =>
        sql`update tpm_pool_entries set amount = 1`.execute(tx),
      ),
    );
  });

  it('answers another tenant with 404 and releases the commitment on cancel', async () => {
    await setup();
    const other = await newTenantWithAdmin(env, 0);
    const mine = await ok(admin.get('/tpm/activities'));
    const someId = mine.items[0]?.id;
    assert.ok(someId);
    assert.equal((await other.admin.get(`/tpm/activities/${someId}`)).status, 404);
    assert.equal((await other.admin.post(`/tpm/activities/${someId}/cancel`, {})).status, 404);
    const hq = await as('wang.jianguo');
    const chen = await as('chen.zhiqiang');
    const zhang = await as('zhang.wei');
    const budgets = await ok(zhang.get('/tpm/budgets'));
    const d1 = budgets.items.find((x: any) => x.channel === 'catering');
    const a = await ok(
      zhang.post('/tpm/activities', activityBody({ dir } as any, d1.id, '取消测试', 1_000_00)),
      201,
    );
    await ok(zhang.post(`/tpm/activities/${a.id}/submit`, {}));
    await approveAs(chen, a.id);
    assert.equal((await ok(hq.get(`/tpm/budgets/${d1.id}`))).committed, 1_000_00);
    // Stale version: 409; then cancelled, the money is back.
    assert.equal((await zhang.post(`/tpm/activities/${a.id}/cancel`, { version: 1 })).status, 409);
    const c = await ok(zhang.post(`/tpm/activities/${a.id}/cancel`, {}));
    assert.equal(c.status, 'cancelled');
    const back = await ok(hq.get(`/tpm/budgets/${d1.id}`));
    assert.equal(back.committed, 0);
    assert.equal(back.remaining, d1.remaining);
  });
});

describe('trade promotion: reconciliation', () => {
  it('keeps budget = allocated + committed + used + remaining and conserves money over a random sequence', async () => {
    await setup();
    const principal = async (loginName: string): Promise<Principal> => ({
      ...(await loadPrincipal(env.database.db, dir.tenantId, dir.user(loginName).id, -1))!,
      kind: 'user',
    });
    const hq = await principal('wang.jianguo');
    const chen = await principal('chen.zhiqiang');
    const zhang = await principal('zhang.wei');
    const actor = (p: Principal) => ({
      tenantId: dir.tenantId,
      actorId: p.userId,
      actorKind: 'user' as const,
    });
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const tx = <T>(fn: (t: any) => Promise<T>) => inTenant(env.database.db, dir.tenantId, fn);
    const attempt = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
        return true;
      } catch (e: any) {
        if (e.status === 409 || e.status === 422) return false;
        throw e;
      }
    };
    const root = await tx((t) =>
      createRootBudget(t, hq, actor(hq), 'zh-CN', {
        year: TEST_YEAR,
        quarter: 2,
        channel: 'ecommerce',
        expenseType: 'tasting',
        amount: 10_000_00,
      }),
    );
    const FUND = 10_000_00;
    const budgetIds = new Set([root.id]);
    const activities: { id: string; state: string }[] = [];
    const check = async (step: string) => {
      const rows = (
        await tx((t) =>
          sql<any>`select id, amount, allocated, committed, used from tpm_budgets where tenant_id = ${dir.tenantId}
            and id = any(${[...budgetIds]}::uuid[])`.execute(t),
        )
      ).rows;
      let held = 0;
      for (const r of rows) {
        const remaining = Number(r.amount) - Number(r.allocated) - Number(r.committed) - Number(r.used);
        assert.ok(remaining >= 0, `${step}: remaining < 0`);
        held += remaining + Number(r.committed) + Number(r.used);
      }
      // Money only moves inside the tree: what HQ funded is all somewhere.
      assert.equal(held, FUND, `${step}: money not conserved`);
      const acts = (
        await tx((t) =>
          sql<any>`select a.committed, a.used, coalesce(sum(l.committed), 0) as lc, coalesce(sum(l.used), 0) as lu
            from tpm_activities a join tpm_activity_lines l on l.tenant_id = a.tenant_id and l.activity_id = a.id
            where a.tenant_id = ${dir.tenantId} and a.id = any(${activities.map((x) => x.id)}::uuid[]) group by a.id, a.committed, a.used`.execute(
            t,
          ),
        )
      ).rows;
      for (const a of acts) {
        assert.equal(Number(a.committed), Number(a.lc), `${step}: activity committed ≠ its lines`);
        assert.equal(Number(a.used), Number(a.lu), `${step}: activity used ≠ its lines`);
      }
    };
    let regionId: string | null = null;
    let dealerId: string | null = null;
    await check('start');
    for (let i = 0; i < 40; i++) {
      const op = rnd(5);
      let name = '';
      if (op === 0 || !regionId) {
        name = 'allocate HQ→EC';
        await attempt(async () => {
          const b = await tx((t) =>
            allocateBudget(t, hq, actor(hq), 'zh-CN', root.id, {
              unitId: dir.unit('EC'),
              amount: 500_00 + rnd(3000_00),
            }),
          );
          regionId = b.id;
          budgetIds.add(b.id);
        });
      } else if (op === 1 || !dealerId) {
        name = 'allocate EC→EC-D1';
        await attempt(async () => {
          const b = await tx((t) =>
            allocateBudget(t, chen, actor(chen), 'zh-CN', regionId!, {
              unitId: dir.unit('EC-D1'),
              amount: 300_00 + rnd(2000_00),
            }),
          );
          dealerId = b.id;
          budgetIds.add(b.id);
        });
      } else if (op === 2) {
        name = 'propose+approve';
        await attempt(async () => {
          const a = await tx((t) =>
            createActivity(t, zhang, actor(zhang), 'zh-CN', {
              ...(activityBody({ dir } as any, dealerId!, `P${i}`, 100_00 + rnd(1500_00)) as any),
              activityType: 'tasting',
              startsOn: `${TEST_YEAR}-04-10`,
              endsOn: `${TEST_YEAR}-05-10`,
            }),
          );
          activities.push({ id: a.id, state: 'draft' });
          await tx((t) => submitActivity(t, zhang, actor(zhang), 'zh-CN', a.id));
          // The approvals engine's decision, as it calls the module.
          await tx((t) => onActivityDecision(t, chen, actor(chen), a.id, 'approved'));
          activities.at(-1)!.state = 'approved';
        });
      } else if (op === 3) {
        name = 'verify';
        const a = activities.find((x) => x.state === 'approved');
        if (a)
          await attempt(async () => {
            await tx((t) =>
              sql`insert into tpm_proofs (tenant_id, id, activity_id, store_unit_id, uploaded_by, dhash, sha256, status, image, thumb)
                values (${dir.tenantId}, gen_random_uuid(), ${a.id}, ${dir.unit('EC-D1-S1')}, ${zhang.userId}, ${i}, 'x', 'accepted', '\\x00', '\\x00')`.execute(
                t,
              ),
            );
            const done = await tx((t) => completeActivity(t, zhang, actor(zhang), 'zh-CN', a.id));
            const amount = rnd(done.committed + 1);
            await tx((t) =>
              verifyActivity(t, chen, actor(chen), 'zh-CN', a.id, {
                amount,
                comment: 'ok',
                proofsReviewed: true,
              }),
            );
            a.state = 'verified';
          });
      } else {
        name = 'cancel';
        const a = activities.find((x) => x.state === 'approved');
        if (a)
          await attempt(async () => {
            await tx((t) => cancelActivity(t, zhang, actor(zhang), 'zh-CN', a.id));
            a.state = 'cancelled';
          });
      }
      await check(`step ${i} ${name}`);
    }
    assert.ok(
      activities.some((a) => a.state === 'verified'),
      'the sequence verified something',
    );
  });
});
