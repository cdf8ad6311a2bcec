import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../../core/db/tenant-scope.ts';
import { type TenantDirectory, tenantDirectory } from '../../../testing/fixtures.ts';
import { type Client, login, newTenantWithAdmin, useTestEnv } from '../../../testing/harness.ts';
import { listOpenUnitTasks } from '../index.ts';
import { PNG_BASE64 } from '../test-kit.ts';

const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body).slice(0, 500));
  return r.body;
};

let dir: TenantDirectory;
let tenantId: string;
let as: (who: string) => Promise<Client>;
let ready: Promise<void> | null = null;
const setup = () =>
  (ready ??= (async () => {
    const t = await newTenantWithAdmin(env, 0);
    tenantId = t.tenantId;
    dir = await tenantDirectory(env, t.seed);
    const sessions = new Map<string, Promise<Client>>();
    as = (who) => {
      if (!sessions.has(who)) sessions.set(who, login(env, t.seed.slug, who));
      return sessions.get(who)!;
    };
  })());

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

describe('HQ task distribution (R9.4)', () => {
  it('targets the stores of a region, each store sees and completes only its own, HQ sees completion by unit', async () => {
    await setup();
    const hq = await as('wang.jianguo');
    const task = await ok(
      hq.post('/hq-tasks', {
        title: '春季陈列',
        dueAt: inDays(3),
        proof: 'text',
        kind: 'campaign',
        targetRootIds: [dir.unit('EC')],
        unitTypes: ['store'],
      }),
      201,
    );
    assert.deepEqual(
      task.targetUnits.map((t: any) => t.unitId).sort(),
      ['EC-D1-S1', 'EC-D1-S2', 'EC-D2-S1', 'EC-D2-S2'].map((c) => dir.unit(c)).sort(),
    );
    const sun = await as('sun.lei'); // EC-D1-S1
    const mine = await ok(sun.get('/unit-tasks'));
    const item = mine.items.find((x: any) => x.id === task.id);
    assert.ok(item);
    // A store of another region, and the dealer above, do not see the store's task.
    assert.equal(
      (await ok((await as('guo.min')).get('/unit-tasks'))).items.some((x: any) => x.id === task.id),
      false,
    );
    assert.equal(
      (await ok((await as('zhang.wei')).get('/unit-tasks'))).items.some((x: any) => x.id === task.id),
      false,
    );
    // Nor can a colleague of the sibling store complete it.
    const xu = await as('xu.ming'); // EC-D1-S2
    assert.equal(
      (await xu.post(`/unit-tasks/${item.target.id}/complete`, { version: 1, text: 'x' })).status,
      404,
    );
    // The proof the task asks for is required; a stale version is a conflict.
    const noProof = await sun.post(`/unit-tasks/${item.target.id}/complete`, {
      version: item.target.version,
    });
    assert.equal(noProof.status, 422);
    assert.equal(noProof.body.errors[0].field, 'text');
    assert.equal(
      (await sun.post(`/unit-tasks/${item.target.id}/complete`, { version: 99, text: 'x' })).status,
      409,
    );
    const done = await ok(
      sun.post(`/unit-tasks/${item.target.id}/complete`, { version: item.target.version, text: '已布置' }),
    );
    assert.equal(done.target.status, 'done');
    assert.equal(
      (
        await sun.post(`/unit-tasks/${item.target.id}/complete`, {
          version: done.target.version,
          text: 'again',
        })
      ).status,
      409,
    );
    const view = await ok(hq.get(`/hq-tasks/${task.id}`));
    assert.equal(view.done, 1);
    assert.equal(view.targets, 4);
    assert.equal(view.targetUnits.find((t: any) => t.unitId === dir.unit('EC-D1-S1')).proofText, '已布置');
    // The region's manager sees its stores' task list only if the region issued it.
    assert.equal((await (await as('chen.zhiqiang')).get(`/hq-tasks/${task.id}`)).status, 404);
    // For the field-sales visit flow.
    const open = await inTenant(env.database.db, tenantId, (tx) =>
      listOpenUnitTasks(tx, tenantId, dir.unit('EC-D1-S2')),
    );
    assert.ok(open.some((t) => t.id === task.id));
    const closed = await inTenant(env.database.db, tenantId, (tx) =>
      listOpenUnitTasks(tx, tenantId, dir.unit('EC-D1-S1')),
    );
    assert.ok(!closed.some((t) => t.id === task.id));
  });

  it('takes a photo proof by content, flags overdue units and reminds only the open ones', async () => {
    await setup();
    const chen = await as('chen.zhiqiang'); // region EC issues to its dealers
    const task = await ok(
      chen.post('/hq-tasks', {
        title: '物料签收',
        dueAt: inDays(1),
        proof: 'photo',
        kind: 'material',
        targetRootIds: [dir.unit('EC')],
        unitTypes: ['dealer'],
      }),
      201,
    );
    assert.equal(task.targets, 2);
    const zhang = await as('zhang.wei');
    const item = (await ok(zhang.get('/unit-tasks'))).items.find((x: any) => x.id === task.id);
    const fake = await zhang.post(`/unit-tasks/${item.target.id}/complete`, {
      version: item.target.version,
      photo: Buffer.from('GIF89a nope').toString('base64'),
    });
    assert.equal(fake.status, 422);
    assert.equal(fake.body.errors[0].field, 'photo');
    await ok(
      zhang.post(`/unit-tasks/${item.target.id}/complete`, {
        version: item.target.version,
        photo: PNG_BASE64,
      }),
    );
    const photo = await zhang.get(`/unit-tasks/${item.target.id}/photo`);
    assert.equal(photo.status, 200);
    assert.equal(photo.headers.get('content-type'), 'image/png');
    // Past due: the open dealer is flagged overdue; a reminder goes to its people only.
    await inTenant(env.database.db, tenantId, async (tx) => {
      await sql`update dnw_tasks set due_at = now() - interval '1 hour' where tenant_id = ${tenantId} and id = ${task.id}`.execute(
        tx,
      );
    });
    const view = await ok(chen.get(`/hq-tasks/${task.id}`));
    assert.equal(view.overdue, 1);
    const liu = view.targetUnits.find((t: any) => t.unitId === dir.unit('EC-D2'));
    assert.equal(liu.overdue, true);
    assert.equal(view.targetUnits.find((t: any) => t.unitId === dir.unit('EC-D1')).overdue, false);
    const reminded = await ok(chen.post(`/hq-tasks/${task.id}/remind`, {}));
    assert.equal(reminded.reminded, 1); // 刘洋 of EC-D2
    const bell = await ok((await as('liu.yang')).get('/notifications'));
    assert.ok(bell.items.some((n: any) => n.title.includes('物料签收')));
  });

  it('refuses roots outside the caller’s units (404) and a due date in the past (422)', async () => {
    await setup();
    const chen = await as('chen.zhiqiang');
    const base = { title: 't', dueAt: inDays(1), proof: 'checkbox', unitTypes: ['store'] };
    assert.equal((await chen.post('/hq-tasks', { ...base, targetRootIds: [dir.unit('SC')] })).status, 404);
    const past = await chen.post('/hq-tasks', {
      ...base,
      dueAt: inDays(-1),
      targetRootIds: [dir.unit('EC')],
    });
    assert.equal(past.status, 422);
    assert.equal(past.body.errors[0].field, 'dueAt');
    // A dealer manager may complete, not distribute.
    assert.equal(
      (await (await as('zhang.wei')).post('/hq-tasks', { ...base, targetRootIds: [dir.unit('EC-D1')] }))
        .status,
      403,
    );
  });
});
