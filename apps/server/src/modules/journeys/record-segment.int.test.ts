import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { drainBackground, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { advanceDue } from './advance.job.ts';

/**
 * A segment over records (vehicles 待保养) enrols the profile of each vehicle's owner, and the
 * "create a lead" step makes a lead for that owner through the leads module (issue 12).
 */
const env = useTestEnv();
const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });

describe('journeys over record segments', () => {
  it('a vehicle entering 待保养 enrols its owner, whose journey creates one lead', async () => {
    const { admin, seed } = await newTenantWithAdmin(env, 2);
    const tenantId = seed.tenantId;
    const q = <T>(fn: (tx: any) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
    assert.equal(
      (
        await admin.post('/meta/objects', {
          apiName: 'vehicle',
          label: label('车辆', 'Vehicle'),
          pluralLabel: label('车辆', 'Vehicles'),
        })
      ).status,
      201,
    );
    for (const f of [
      { apiName: 'owner_customer', type: 'lookup', label: label('车主', 'Owner'), lookupObject: 'customer' },
      { apiName: 'km', type: 'number', label: label('保养后里程', 'km since service') },
    ]) {
      const r = await admin.post('/meta/objects/vehicle/fields', f);
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    const seg = await admin.post('/cdp/segments', {
      name: '待保养车辆',
      object: 'vehicle',
      purpose: 'service',
      rule: { trait: 'c_km', op: 'gte', value: 5000 },
    });
    assert.equal(seg.status, 201, JSON.stringify(seg.body));
    const customer = await admin.post('/records/customer', {
      name: '周先生',
      kind: 'person',
      phone: '13900001234',
    });
    assert.equal(customer.status, 201, JSON.stringify(customer.body));
    await drainBackground(env, tenantId);
    const profileId = await q(
      async (tx) =>
        (
          await sql<{ id: string }>`select profile_id as id from cdp_profile_links
            where tenant_id = ${tenantId} and object = 'customer' and record_id = ${customer.body.id}`.execute(
            tx,
          )
        ).rows[0]!.id,
    );

    const j = await admin.post('/journeys', {
      name: '保养邀约',
      definition: {
        trigger: { kind: 'segment', segmentId: seg.body.id, on: 'enter' },
        graph: {
          nodes: [
            { id: 'in', data: { kind: 'entry' } },
            { id: 'lead', data: { kind: 'lead', title: '回店保养' } },
            { id: 'out', data: { kind: 'exit' } },
          ],
          edges: [
            { id: '1', source: 'in', target: 'lead' },
            { id: '2', source: 'lead', target: 'out' },
          ],
        },
      },
    });
    assert.equal(j.status, 201, JSON.stringify(j.body));
    assert.equal((await admin.post(`/journeys/${j.body.id}/publish`)).status, 200);
    await drainBackground(env, tenantId);

    // Owned vehicle over 5,000 km, another under it, one with no owner.
    for (const v of [
      { name: '沪A·10001', c_owner_customer: customer.body.id, c_km: 6200 },
      { name: '沪A·10002', c_owner_customer: customer.body.id, c_km: 1200 },
      { name: '沪A·10003', c_km: 9000 },
    ]) {
      const r = await admin.post('/records/vehicle', v);
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    await drainBackground(env, tenantId);
    await advanceDue(env.database.db, tenantId);

    const result = await q(async (tx) => ({
      runs: (
        await sql<{ profile_id: string; status: string }>`select profile_id, status from journey_runs
          where tenant_id = ${tenantId} and journey_id = ${j.body.id}`.execute(tx)
      ).rows,
      lead: (
        await sql<{ outcome: string; reason: string }>`select outcome, reason from journey_steps
          where tenant_id = ${tenantId} and journey_id = ${j.body.id} and step_id = 'lead'`.execute(tx)
      ).rows,
      leads: (
        await sql<{
          id: string;
          phone: string;
          campaign: string;
          owner_id: string | null;
        }>`select id, phone, campaign, owner_id
          from leads where tenant_id = ${tenantId} and campaign like '保养邀约%'`.execute(tx)
      ).rows,
    }));
    assert.deepEqual(result.runs, [{ profile_id: profileId, status: 'done' }]);
    assert.equal(result.lead.length, 1);
    assert.equal(result.lead[0]!.outcome, 'passed');
    assert.equal(result.leads.length, 1);
    assert.equal(result.lead[0]!.reason, `lead:${result.leads[0]!.id}`);
    assert.equal(result.leads[0]!.campaign, '保养邀约：回店保养');
    assert.equal(result.leads[0]!.phone, '13900001234');
    assert.ok(result.leads[0]!.owner_id, 'the customer owner gets the lead');
  });
});
