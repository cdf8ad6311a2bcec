import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { drainBackground, useTestEnv } from '../../testing/harness.ts';
import { sendWithKey, tenantWithSource } from './test-kit.ts';
import { maintainPartitions, tenantTick } from './tick.job.ts';

const env = useTestEnv();

const DAY = 86_400_000;

async function setup() {
  const { admin, tenantId, key } = await tenantWithSource(env, 1, { name: 'S', kind: 'server' });
  const send = (batch: unknown[]) => sendWithKey(env, '/v1/batch', key, { batch });
  return { admin, tenantId, send };
}

describe('CDP schedule', () => {
  it('creates monthly event partitions ahead of time', async () => {
    await maintainPartitions(env.database.db, new Date(), 3);
    const future = new Date(Date.now() + 70 * DAY);
    const name = `cdp_events_${future.toISOString().slice(0, 7).replace('-', '_')}`;
    const r = await sql`select 1 from pg_class where relname = ${name}`.execute(env.database.db);
    assert.equal(r.rows.length, 1, `${name} exists`);
  });

  it('lets a profile leave a windowed segment when time passes, without any new event', async () => {
    const { admin, tenantId, send } = await setup();
    const seg = (
      await admin.post('/cdp/segments', {
        name: 'Active this week',
        rule: { event: 'Visit', withinDays: 7, op: 'gte', value: 1 },
      })
    ).body;
    assert.equal(
      (await send([{ type: 'track', event: 'Visit', userId: 'x1', messageId: 'v1' }])).status,
      200,
    );
    await drainBackground(env, tenantId);
    assert.equal((await admin.get(`/cdp/segments/${seg.id}`)).body.memberCount, 1);
    await tenantTick(env.database.db, tenantId, new Date(Date.now() + 8 * DAY));
    assert.equal((await admin.get(`/cdp/segments/${seg.id}`)).body.memberCount, 0);
    const exited = await sql<{
      n: number;
    }>`select count(*)::int as n from outbox where tenant_id = ${tenantId} and type = 'segment.exited'`.execute(
      env.database.db,
    );
    assert.equal(exited.rows[0]!.n, 1);
  });

  it('drops events older than the tenant retention', async () => {
    const { tenantId, send } = await setup();
    const old = new Date(Date.now() - 40 * DAY).toISOString();
    await send([
      { type: 'track', event: 'Old', userId: 'r1', messageId: 'o1', timestamp: old },
      { type: 'track', event: 'New', userId: 'r1', messageId: 'n1' },
    ]);
    await sql`insert into cdp_settings (tenant_id, retention_days) values (${tenantId}, 30)`.execute(
      env.database.db,
    );
    await tenantTick(env.database.db, tenantId);
    const r = await sql<{
      event: string;
    }>`select event from cdp_events where tenant_id = ${tenantId}`.execute(env.database.db);
    assert.deepEqual(
      r.rows.map((x) => x.event),
      ['New'],
    );
  });
});
