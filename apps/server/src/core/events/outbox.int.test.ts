import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { drainBackground, getTestEnv, login, newTenant, type TestEnv } from '../../testing/harness.ts';
import { listen } from '../db/listen.ts';
import { newId } from '../ids.ts';
import { onEvent, subscribe } from './dispatcher.ts';
import type { DomainEvent } from './outbox.ts';

describe('audit and domain events of a mutation', () => {
  let env: TestEnv;
  before(async () => {
    env = await getTestEnv();
  });
  after(() => env.close());

  it('writes the record, a field-level audit diff and an outbox event in one transaction', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const created = await admin.post('/records/customer', { name: '杭州云栖科技有限公司', level: 'B' });
    assert.equal(created.status, 201);
    const upd = await admin.patch(`/records/customer/${created.body.id}`, {
      version: 1,
      level: 'A',
      remark: '重点跟进',
    });
    assert.equal(upd.status, 200);
    const audit = (
      await sql<{
        action: string;
        changes: { field: string; from: unknown; to: unknown }[];
      }>`select action, changes from audit_log
        where tenant_id = ${seed.tenantId} and record_id = ${created.body.id} order by id`.execute(
        env.database.db,
      )
    ).rows;
    assert.deepEqual(
      audit.map((a) => a.action),
      ['create', 'update'],
    );
    assert.deepEqual(audit[1]!.changes, [
      { field: 'level', from: 'B', to: 'A' },
      { field: 'remark', from: null, to: '重点跟进' },
    ]);
    const events = (
      await sql<{
        type: string;
      }>`select type from outbox where tenant_id = ${seed.tenantId} and record_id = ${created.body.id} order by id`.execute(
        env.database.db,
      )
    ).rows.map((e) => e.type);
    assert.deepEqual(events, ['customer.created', 'customer.updated']);
  });

  it('writes neither audit nor event when the mutation fails validation', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const before = (
      await sql<{ n: number }>`select count(*)::int n from outbox where tenant_id = ${seed.tenantId}`.execute(
        env.database.db,
      )
    ).rows[0]!.n;
    const bad = await admin.post('/records/customer', { name: '坏数据', phone: '12345' });
    assert.equal(bad.status, 422);
    const afterCount = (
      await sql<{ n: number }>`select count(*)::int n from outbox where tenant_id = ${seed.tenantId}`.execute(
        env.database.db,
      )
    ).rows[0]!.n;
    assert.equal(afterCount, before);
  });

  it('delivers each event to durable subscribers once and to in-process listeners after commit', async () => {
    const seed = await newTenant(env, 0);
    const durable: DomainEvent[] = [];
    const live: DomainEvent[] = [];
    subscribe(`test-sub-${seed.slug}`, 'customer.*', async (e) => {
      if (e.tenantId === seed.tenantId) durable.push(e);
    });
    const stop = onEvent('customer.created', (e) => {
      if (e.tenantId === seed.tenantId) live.push(e);
    });
    const admin = await login(env, seed.slug, 'admin');
    const r = await admin.post('/records/customer', { name: '南京钟山物流有限公司' });
    await drainBackground(env, seed.tenantId);
    stop();
    assert.deepEqual(
      durable.map((e) => [e.type, e.recordId]),
      [['customer.created', r.body.id]],
    );
    assert.equal(live.length, 1);
    const pending = (
      await sql<{
        n: number;
      }>`select count(*)::int n from outbox where tenant_id = ${seed.tenantId} and dispatched_at is null`.execute(
        env.database.db,
      )
    ).rows[0]!.n;
    assert.equal(pending, 0);
  });

  it('announces new events and jobs on kehu_work after commit, never before or on rollback', async () => {
    const seed = await newTenant(env, 0);
    const heard: string[] = [];
    let hear: (() => void) | null = null;
    const unlisten = await listen(
      env.database,
      'kehu_work',
      (table) => {
        heard.push(table ?? '');
        hear?.();
      },
      () => {},
    );
    // Waits for the next notification, or gives up after `ms` (a poll interval here is 250 ms).
    const next = (ms: number) =>
      new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), ms);
        hear = () => {
          clearTimeout(t);
          resolve(true);
        };
      });
    try {
      let committed = false;
      await env.database.db.transaction().execute(async (tx) => {
        // Inert rows (already dispatched, already done): only their announcement matters here.
        await sql`insert into outbox (tenant_id, id, type, payload, dispatched_at)
          values (${seed.tenantId}, ${newId()}, 'test.announced', '{}'::jsonb, now())`.execute(tx);
        await sql`insert into jobs (tenant_id, id, queue, payload, status)
          values (${seed.tenantId}, ${newId()}, 'test:announced', '{}'::jsonb, 'done')`.execute(tx);
        assert.equal(await next(300), false, 'nothing is announced before commit');
        committed = true;
      });
      assert.ok(committed);
      while (!(heard.includes('outbox') && heard.includes('jobs'))) {
        assert.ok(await next(10_000), `heard ${heard.join(', ')}`);
      }
      // A rolled-back insert announces nothing.
      heard.length = 0;
      await env.database.db
        .transaction()
        .execute(async (tx) => {
          await sql`insert into outbox (tenant_id, id, type, payload, dispatched_at)
            values (${seed.tenantId}, ${newId()}, 'test.rolled_back', '{}'::jsonb, now())`.execute(tx);
          throw new Error('roll back');
        })
        .catch(() => {});
      assert.equal(await next(300), false);
      assert.deepEqual(heard, []);
    } finally {
      await unlisten();
    }
  });
});
