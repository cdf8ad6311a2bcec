import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { login, loginAsRole, newTenant, useTestEnv } from '../../testing/harness.ts';

const env = useTestEnv();
let n = 0;
const phone = () => `139${String(process.pid % 10000).padStart(4, '0')}${String(n++).padStart(4, '0')}`;

describe('lead inbox chart', () => {
  it('counts my leads per day for 30 days and how their first response went against the SLA', async () => {
    const seed = await newTenant(env, 0);
    const sun = await login(env, seed.slug, 'sun.lei');
    const ids: string[] = [];
    for (const name of ['准时', '超时回复', '超时未回', '未到期', '三天前'])
      ids.push((await sun.post('/records/lead', { name, phone: phone() })).body.id);
    const [onTime, late, overdue, open, older] = ids;
    await inTenant(env.database.db, seed.tenantId, async (tx) => {
      const set = (id: string, due: string, answered: string | null) =>
        sql`update leads set first_response_due_at = now() + ${due}::interval,
            first_responded_at = ${answered === null ? null : sql`now() + ${answered}::interval`}
          where tenant_id = ${seed.tenantId} and id = ${id}`.execute(tx);
      await set(onTime!, '-1 hour', '-2 hours');
      await set(late!, '-2 hours', '-1 hour');
      await set(overdue!, '-5 minutes', null);
      await set(open!, '+1 hour', null);
      await sql`update leads set created_at = now() - interval '3 days', first_response_due_at = null
        where tenant_id = ${seed.tenantId} and id = ${older}`.execute(tx);
    });
    const res = await sun.get('/leads/inbox/stats');
    assert.equal(res.status, 200);
    const { days, totals, timeZone } = res.body;
    assert.equal(timeZone, 'Asia/Shanghai');
    assert.equal(days.length, 30);
    assert.match(days[0].day, /^\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(totals, { leads: 5, met: 1, breached: 2, pending: 1 });
    const today = days.at(-1);
    assert.deepEqual(
      { leads: today.leads, met: today.met, breached: today.breached, pending: today.pending },
      { leads: 4, met: 1, breached: 2, pending: 1 },
    );
    assert.equal(days.at(-4).leads, 1, 'the older lead counts on its own day');
    assert.equal(days.at(-4).met + days.at(-4).breached + days.at(-4).pending, 0, 'no deadline, no SLA');
  });

  it('shows each salesperson only their own leads, in their own tenant', async () => {
    const seed = await newTenant(env, 0);
    const sun = await login(env, seed.slug, 'sun.lei');
    await sun.post('/records/lead', { name: '孙的线索', phone: phone() });
    const zhao = await login(env, seed.slug, 'zhao.jing');
    assert.equal((await zhao.get('/leads/inbox/stats')).body.totals.leads, 0);
    // A manager who may read every lead still sees their own inbox's chart, like the inbox.
    const mgr = await loginAsRole(env, seed, '总部销售经理');
    assert.equal((await mgr.get('/leads/inbox/stats')).body.totals.leads, 0);
    const other = await newTenant(env, 0);
    const otherSun = await login(env, other.slug, 'sun.lei');
    assert.equal((await otherSun.get('/leads/inbox/stats')).body.totals.leads, 0);
  });
});
