import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { drainBackground, getTestEnv, login, newTenant, type TestEnv } from '../../testing/harness.ts';
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
});
