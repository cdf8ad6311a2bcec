import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { drainBackground, getTestEnv, login, loginAsRole, newTenant } from '../../testing/harness.ts';
import { withinHours } from './assignment.service.ts';

after(async () => (await getTestEnv()).close());

const ids = async (env: any, tenantId: string, logins: string[]) =>
  (
    await inTenant(env.database.db, tenantId, (tx) =>
      sql<{
        id: string;
        login: string;
      }>`select id, login from users where tenant_id = ${tenantId} and login = any(${logins}::text[])`.execute(
        tx,
      ),
    )
  ).rows.reduce((m, r) => m.set(r.login, r.id), new Map<string, string>());

let seq = 0;
const phone = () =>
  `137${String(Date.now() % 100000).padStart(5, '0')}${String(seq++ % 1000).padStart(3, '0')}`;

describe('lead assignment rules', () => {
  it('takes the first matching rule by territory, skips members at capacity and records why', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 2);
    const mgr = await loginAsRole(env, seed, '总部销售经理');
    const u = await ids(env, seed.tenantId, ['sun.lei', 'zhao.jing', 'guo.min']);
    // Guangdong first (44), then a catch-all least-loaded rule
    await mgr.post('/leads/rules', {
      name: '广东',
      conditions: { regionPrefixes: ['44'] },
      strategy: 'fixed',
      members: [{ userId: u.get('guo.min') }],
    });
    await mgr.post('/leads/rules', {
      name: '其余 最少未结',
      strategy: 'least_loaded',
      members: [{ userId: u.get('sun.lei') }, { userId: u.get('zhao.jing') }],
    });
    assert.equal(
      (await mgr.request('PUT', `/leads/user-settings/${u.get('sun.lei')}`, { maxOpenLeads: 0 })).status,
      200,
    );
    const gd = await mgr.post('/records/lead', { name: '粤', phone: phone(), region: '440106' });
    assert.equal(gd.body.ownerId, u.get('guo.min'));
    const other = await mgr.post('/records/lead', { name: '苏', phone: phone(), region: '320102' });
    assert.equal(other.body.ownerId, u.get('zhao.jing'), 'sun.lei is at capacity');
    const hist = (await mgr.get(`/leads/${other.body.id}/assignments`)).body.items[0];
    assert.equal(hist.reason.strategy, 'least_loaded');
    assert.deepEqual(hist.reason.skipped, [{ userId: u.get('sun.lei'), why: 'capacity' }]);
    const audit = await login(env, seed.slug, 'admin').then((a) =>
      a.get(`/admin/audit?recordId=${other.body.id}&action=lead_assigned`),
    );
    assert.equal(audit.body.items.length, 1, 'decision in the audit trail');
    // nobody available → pool
    await mgr.request('PUT', `/leads/user-settings/${u.get('zhao.jing')}`, { maxOpenLeads: 0 });
    const pooled = await mgr.post('/records/lead', { name: '浙', phone: phone(), region: '330106' });
    assert.equal(pooled.body.status, 'pooled');
    assert.equal(pooled.body.ownerId, null);
  });

  it('weighted rules spread by weight; round robin takes turns across a bulk import', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 2);
    const mgr = await loginAsRole(env, seed, '总部销售经理');
    const u = await ids(env, seed.tenantId, ['sun.lei', 'zhao.jing', 'xu.ming']);
    const w = await mgr.post('/leads/rules', {
      name: '权重',
      conditions: { channels: ['ad'] },
      strategy: 'weighted',
      members: [
        { userId: u.get('sun.lei'), weight: 3 },
        { userId: u.get('zhao.jing'), weight: 1 },
      ],
    });
    await mgr.post('/leads/rules', {
      name: '轮流',
      strategy: 'round_robin',
      members: [{ userId: u.get('sun.lei') }, { userId: u.get('zhao.jing') }, { userId: u.get('xu.ming') }],
    });
    const ads = await mgr.post('/records/lead/bulk', {
      op: 'create',
      records: Array.from({ length: 8 }, (_, i) => ({ name: `ad${i}`, channel: 'ad', phone: phone() })),
    });
    assert.equal(ads.status, 200, JSON.stringify(ads.body).slice(0, 300));
    const adLeads = (
      await mgr.get(
        `/records/lead?filter=${encodeURIComponent(JSON.stringify({ field: 'channel', op: 'eq', value: 'ad' }))}&limit=50`,
      )
    ).body.items;
    const bySun = adLeads.filter((l: any) => l.ownerId === u.get('sun.lei')).length;
    assert.equal(bySun, 6, '3:1 weights over 8 leads');
    // CSV import goes through the same hooks
    const csv = `name,phone,channel\n${Array.from({ length: 6 }, (_, i) => `导入${i},${phone()},exhibition`).join('\n')}\n`;
    const up = await mgr.request('POST', '/records/lead/imports?filename=leads.csv', csv, {
      'content-type': 'text/csv',
    });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const st = await mgr.post(`/records/lead/imports/${up.body.id}/start`, {
      mapping: { name: 'name', phone: 'phone', channel: 'channel' },
      mode: 'create',
      dryRun: false,
    });
    assert.equal(st.status, 202, JSON.stringify(st.body));
    // Test processes share one PostgreSQL: another one's drain loop may be running our import job.
    for (let i = 0; i < 150; i++) {
      await drainBackground(env, seed.tenantId);
      if ((await mgr.get(`/records/lead/imports/${up.body.id}`)).body.status === 'done') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const imported = (
      await mgr.get(
        `/records/lead?filter=${encodeURIComponent(JSON.stringify({ field: 'channel', op: 'eq', value: 'exhibition' }))}&limit=50`,
      )
    ).body.items;
    assert.equal(imported.length, 6);
    const counts = new Map<string, number>();
    for (const l of imported) counts.set(l.ownerId, (counts.get(l.ownerId) ?? 0) + 1);
    assert.deepEqual([...counts.values()], [2, 2, 2], 'round robin over three members');
    assert.ok(
      imported.every((l: any) => l.score !== null && l.firstResponseDueAt),
      'scored and on the clock',
    );
    // one grouped notification per assignee for the import
    const xu = await login(env, seed.slug, 'xu.ming');
    const notes = (await xu.get('/notifications')).body;
    assert.equal(notes.unread, 1);
    assert.match(notes.items[0].title, /2 条新线索|新线索/);
    void w;
  });

  it('round robin gives concurrent intakes distinct turns', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 2);
    const mgr = await loginAsRole(env, seed, '总部销售经理');
    const u = await ids(env, seed.tenantId, ['sun.lei', 'zhao.jing', 'xu.ming']);
    const rule = await mgr.post('/leads/rules', {
      name: '并发轮流',
      strategy: 'round_robin',
      members: [{ userId: u.get('sun.lei') }, { userId: u.get('zhao.jing') }, { userId: u.get('xu.ming') }],
    });
    assert.equal(rule.status, 201);
    const rounds = 4;
    const made = await Promise.all(
      Array.from({ length: 3 * rounds }, (_, i) =>
        mgr.post('/records/lead', { name: `并发${i}`, phone: phone() }),
      ),
    );
    assert.ok(
      made.every((r) => r.status === 201),
      JSON.stringify(made.map((r) => r.status)),
    );
    const counts = new Map<string, number>();
    for (const r of made) counts.set(r.body.ownerId, (counts.get(r.body.ownerId) ?? 0) + 1);
    assert.deepEqual(
      [...counts.entries()].sort(),
      [...u.values()].map((id) => [id, rounds]).sort(),
      'each member gets exactly one lead per round',
    );
    // Each intake took its own turn: the positions recorded are 0, 1, 2 each `rounds` times.
    const positions = (
      await inTenant(env.database.db, seed.tenantId, (tx) =>
        sql<{
          p: number;
        }>`select (reason->>'position')::int as p from lead_assignments where tenant_id = ${seed.tenantId} and rule_id = ${rule.body.id}`.execute(
          tx,
        ),
      )
    ).rows.map((r) => r.p);
    assert.deepEqual(
      positions.sort(),
      Array.from({ length: 3 * rounds }, (_, i) => Math.floor(i / rounds)),
    );
  });

  it('knows working hours in China time', () => {
    const h = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' };
    assert.equal(withinHours(h, new Date('2026-11-23T02:00:00Z')), true, 'Monday 10:00 CST');
    assert.equal(withinHours(h, new Date('2026-11-23T11:00:00Z')), false, 'Monday 19:00 CST');
    assert.equal(withinHours(h, new Date('2026-11-22T02:00:00Z')), false, 'Sunday');
    assert.equal(withinHours(null), true);
  });
});

describe('notification webhooks', () => {
  it('logs failed deliveries and retries them through the job queue', async (t) => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 1);
    const mgr = await loginAsRole(env, seed, '总部销售经理');
    const sun = await ids(env, seed.tenantId, ['sun.lei']);
    // A listed but closed local port (discard): every attempt fails to connect.
    process.env.KEHU_OUTBOUND_ALLOW = '127.0.0.1:9';
    t.after(() => delete process.env.KEHU_OUTBOUND_ALLOW);
    const hook = await mgr.post('/notification-webhooks', { url: 'http://127.0.0.1:9/unreachable' });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    await mgr.post('/leads/rules', {
      name: 'all',
      strategy: 'fixed',
      members: [{ userId: sun.get('sun.lei') }],
    });
    const ch = await mgr.post('/leads/channels', { code: 'qr1', name: 'QR', channel: 'wecom' });
    assert.equal(ch.status, 201);
    assert.equal((await mgr.post('/leads/intake', { state: 'qr1', name: '甲', phone: phone() })).status, 201);
    assert.equal((await mgr.post('/leads/intake', { state: 'nope', name: '乙' })).status, 422);
    let log = await mgr.get(`/notification-webhooks/${hook.body.id}/deliveries`);
    for (let i = 0; i < 100 && log.body.items[0]?.attempts !== 1; i++) {
      await drainBackground(env, seed.tenantId, 5);
      await new Promise((r) => setTimeout(r, 100));
      log = await mgr.get(`/notification-webhooks/${hook.body.id}/deliveries`);
    }
    assert.equal(log.body.items.length, 1);
    assert.equal(log.body.items[0].status, 'retrying');
    assert.equal(log.body.items[0].attempts, 1);
    assert.equal(log.body.items[0].error, 'connect_failed');
    const job = await inTenant(env.database.db, seed.tenantId, (tx) =>
      sql<{
        status: string;
        run_at: Date;
      }>`select status, run_at from jobs where tenant_id = ${seed.tenantId} and queue = 'notifications:webhook'`.execute(
        tx,
      ),
    );
    assert.equal(job.rows[0]!.status, 'pending', 'scheduled for a retry with backoff');
  });
});
