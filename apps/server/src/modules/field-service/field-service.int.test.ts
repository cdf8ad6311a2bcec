import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import sharp from 'sharp';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { type TenantDirectory, tenantDirectory } from '../../testing/fixtures.ts';
import { type Client, login, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { probeKinds as cdpKinds } from '../cdp/test-kit.ts';
import { createTicket, getTicket } from '../service/index.ts';
import { ensureCategory } from './demo-category.ts';

/** R8.1 field service and R8.3 predictive service. */
const env = useTestEnv();
const CN = 8 * 3600_000;
const tomorrow = () => new Date(Date.now() + CN + 86_400_000).toISOString().slice(0, 10);
const SIGNATURE =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('field service 现场服务', () => {
  let admin: Client;
  let tenantId: string;
  let seed: Awaited<ReturnType<typeof newTenantWithAdmin>>['seed'];
  let dir: TenantDirectory;
  let zhou: { id: string; unitId: string };
  let lin: { id: string; unitId: string };
  const db = <T>(fn: Parameters<typeof inTenant<T>>[2]) => inTenant(env.database.db, tenantId, fn);
  const ticket = (subject: string, unitId?: string) =>
    db(
      async (tx) =>
        (
          await createTicket(tx, tenantId, {
            subject,
            description: subject,
            categoryKey: await ensureCategory(tx, tenantId),
            priority: 'normal',
            channel: 'field',
            unitId: unitId ?? dir.unit('HQ'),
          })
        ).ticketId,
    );

  before(async () => {
    const t = await newTenantWithAdmin(env, 5);
    ({ admin, tenantId, seed } = t);
    dir = await tenantDirectory(env, seed);
    zhou = dir.user('zhou.xiaoyan');
    lin = dir.user('lin.lijuan');
  });

  it('makes technicians of users in scope, with version checks and field errors', async () => {
    const bad = await admin.request('PUT', `/field-service/technicians/${zhou.id}`, {
      skills: [],
      areas: [],
      active: true,
      version: 0,
    });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.errors.some((e: any) => e.field === 'areas'));
    const a = await admin.request('PUT', `/field-service/technicians/${zhou.id}`, {
      skills: ['空调', '热水器'],
      areas: ['上海浦东'],
      active: true,
      version: 0,
    });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    const again = await admin.request('PUT', `/field-service/technicians/${zhou.id}`, {
      skills: ['空调'],
      areas: ['上海浦东'],
      active: true,
      version: 0,
    });
    assert.equal(again.status, 409);
    const l = await admin.request('PUT', `/field-service/technicians/${lin.id}`, {
      skills: ['空调'],
      areas: ['广州天河'],
      active: true,
      version: 0,
    });
    assert.equal(l.status, 200);
    // a regional manager of 华南 cannot touch 华东's people
    const sc = await login(env, seed.slug, 'huang.weiming');
    const other = await sc.request('PUT', `/field-service/technicians/${zhou.id}`, {
      skills: [],
      areas: ['x'],
      active: true,
      version: 1,
    });
    assert.equal(other.status, 404);
    assert.equal((await sc.get('/field-service/technicians')).body.items.length, 1);
  });

  it('opens slots without overlaps and dispatches by skill and area, never past a slot’s capacity', async () => {
    const day = tomorrow();
    const s = await admin.post('/field-service/slots', {
      technicianId: zhou.id,
      day,
      windows: [
        { from: '09:00', to: '11:00' },
        { from: '13:00', to: '15:00' },
      ],
      capacity: 1,
    });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    assert.equal(s.body.items.length, 2);
    const overlap = await admin.post('/field-service/slots', {
      technicianId: zhou.id,
      day,
      windows: [{ from: '10:00', to: '12:00' }],
    });
    assert.equal(overlap.status, 422);
    assert.equal(overlap.body.errors[0].field, 'windows.0.from');
    const backwards = await admin.post('/field-service/slots', {
      technicianId: zhou.id,
      day,
      windows: [{ from: '18:00', to: '17:00' }],
    });
    assert.equal(backwards.status, 422);

    const none = await admin.post('/field-service/work-orders', {
      ticketId: await ticket('洗衣机'),
      skill: '洗衣机',
      area: '上海浦东',
      address: '上海市浦东新区张杨路 500 号',
      day,
    });
    assert.equal(none.status, 422, 'no technician has the skill');

    const t1 = await ticket('空调不制冷', zhou.unitId);
    const w = await admin.post('/field-service/work-orders', {
      ticketId: t1,
      skill: '空调',
      area: '上海浦东',
      address: '上海市浦东新区张杨路 500 号',
      lat: 31.2304,
      lng: 121.5177,
      customerName: '赵先生',
      customerPhone: '13800138000',
      day,
    });
    assert.equal(w.status, 201, JSON.stringify(w.body));
    assert.equal(w.body.technicianId, zhou.id);
    assert.equal(w.body.status, 'scheduled');
    const dup = await admin.post('/field-service/work-orders', {
      ticketId: t1,
      skill: '空调',
      area: '上海浦东',
      address: 'x',
      day,
    });
    assert.equal(dup.status, 409, 'one live work order per ticket');

    // two dispatchers race for the last place of the afternoon slot: exactly one wins
    const free =
      s.body.items.find(
        (x: any) => x.id !== w.body.slotId && x.booked === 0 && x.startsAt > w.body.startsAt,
      ) ??
      s.body.items.find((x: any) => new Date(x.startsAt).getTime() !== new Date(w.body.startsAt).getTime());
    const [a, b] = await Promise.all(
      ['热水器 A', '热水器 B'].map(async (subject) =>
        admin.post('/field-service/work-orders', {
          ticketId: await ticket(subject),
          skill: '热水器',
          area: '上海浦东',
          address: 'x',
          slotId: free.id,
        }),
      ),
    );
    assert.deepEqual([a.status, b.status].sort(), [201, 409]);
    const slots = await admin.get(`/field-service/slots?day=${day}&technicianId=${zhou.id}`);
    assert.ok(slots.body.items.every((x: any) => x.booked <= x.capacity));
    assert.equal(
      slots.body.items.reduce((n: number, x: any) => n + x.booked, 0),
      2,
    );
    // the phone is masked for a manager without unmask, full for the technician
    const ec = await login(env, seed.slug, 'chen.zhiqiang');
    const seen = await ec.get(`/field-service/work-orders/${w.body.id}`);
    assert.equal(seen.status, 200);
    assert.equal(seen.body.customerPhone, '138****8000');
  });

  it('lets the technician check in with GPS, add photos, and complete with parts and a signature', async () => {
    const tech = await login(env, seed.slug, 'zhou.xiaoyan');
    const jobs = await tech.get(`/field-service/my-jobs?day=${tomorrow()}`);
    assert.equal(jobs.status, 200);
    assert.equal(jobs.body.items.length, 2);
    const w = jobs.body.items.find((x: any) => x.lat !== null);
    assert.equal(w.customerPhone, '13800138000');
    // another technician (no read right) does not see it at all
    const other = await login(env, seed.slug, 'lin.lijuan');
    assert.equal((await other.get(`/field-service/work-orders/${w.id}`)).status, 404);
    assert.equal(
      (
        await other.post(`/field-service/work-orders/${w.id}/check-in`, {
          lat: 31.23,
          lng: 121.51,
          version: w.version,
        })
      ).status,
      404,
    );
    // the dispatcher may look but not check in for the technician
    assert.equal(
      (
        await admin.post(`/field-service/work-orders/${w.id}/check-in`, {
          lat: 31.23,
          lng: 121.51,
          version: w.version,
        })
      ).status,
      403,
    );

    assert.equal(
      (
        await tech.post(`/field-service/work-orders/${w.id}/check-in`, {
          lat: 91,
          lng: 0,
          version: w.version,
        })
      ).status,
      422,
    );
    assert.equal(
      (
        await tech.post(`/field-service/work-orders/${w.id}/check-in`, {
          lat: 31.2313,
          lng: 121.5177,
          version: w.version + 5,
        })
      ).status,
      409,
    );
    const inn = await tech.post(`/field-service/work-orders/${w.id}/check-in`, {
      lat: 31.2313,
      lng: 121.5177,
      version: w.version,
    });
    assert.equal(inn.status, 200);
    assert.equal(inn.body.status, 'checked_in');
    assert.ok(
      inn.body.checkInDistanceM >= 90 && inn.body.checkInDistanceM <= 110,
      String(inn.body.checkInDistanceM),
    );
    assert.equal(
      (
        await tech.post(`/field-service/work-orders/${w.id}/check-in`, {
          lat: 31.2313,
          lng: 121.5177,
          version: inn.body.version,
        })
      ).status,
      409,
    );

    const png = await sharp({ create: { width: 2400, height: 1800, channels: 3, background: '#3a7' } })
      .png()
      .toBuffer();
    const up = await tech.request('POST', `/field-service/work-orders/${w.id}/photos`, new Uint8Array(png), {
      'content-type': 'application/octet-stream',
    });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.photos.length, 1);
    const img = await tech.get(`/field-service/work-orders/${w.id}/photos/${up.body.photos[0]}`);
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/jpeg');
    const meta = await sharp(Buffer.from(img.body, 'latin1'))
      .metadata()
      .catch(() => null);
    if (meta) assert.ok((meta.width ?? 0) <= 1600);
    const junk = await tech.request(
      'POST',
      `/field-service/work-orders/${w.id}/photos`,
      new Uint8Array(Buffer.from('not an image')),
      { 'content-type': 'application/octet-stream' },
    );
    assert.equal(junk.status, 422);

    const noSig = await tech.post(`/field-service/work-orders/${w.id}/complete`, {
      parts: [],
      signedBy: '赵先生',
      version: up.body.version,
    });
    assert.equal(noSig.status, 422);
    assert.ok(noSig.body.errors.some((e: any) => e.field === 'signature'));
    const fake = await tech.post(`/field-service/work-orders/${w.id}/complete`, {
      parts: [],
      signature: 'data:image/png;base64,AAAA',
      signedBy: '赵先生',
      version: up.body.version,
    });
    assert.equal(fake.status, 422, 'a signature must be a PNG');
    const done = await tech.post(`/field-service/work-orders/${w.id}/complete`, {
      lat: 31.2305,
      lng: 121.5178,
      parts: [{ name: '冷媒 R32', qty: 1 }],
      notes: '补充冷媒，测试制冷正常',
      signature: SIGNATURE,
      signedBy: '赵先生',
      version: up.body.version,
    });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.status, 'completed');
    assert.equal(done.body.hasSignature, true);
    assert.deepEqual(done.body.parts, [{ name: '冷媒 R32', qty: 1 }]);
    const t = await db((tx) => getTicket(tx, tenantId, done.body.ticketId));
    // The signed-off visit closes its ticket (and the survey follows from the close).
    assert.equal(done.body.ticketClosed, true);
    assert.equal(t!.status, 'closed');
    const report = await tech.get(`/field-service/work-orders/${w.id}/report`);
    assert.equal(report.status, 200);
    assert.match(report.body, /服务完工报告/);
    assert.match(report.body, /冷媒 R32/);
    const sig = await tech.get(`/field-service/work-orders/${w.id}/signature.png`);
    assert.equal(sig.status, 200);
    // another tenant sees nothing
    const stranger = await newTenantWithAdmin(env, 5);
    assert.equal((await stranger.admin.get(`/field-service/work-orders/${w.id}`)).status, 404);
    assert.equal((await stranger.admin.get(`/field-service/work-orders/${w.id}/report`)).status, 404);
  });

  it('predictive rules: preview in scope, a daily cap, and one ticket per member and period', async () => {
    const side = { env, dir, admin, memo: new Map() };
    const profiles: string[] = [];
    for (let i = 0; i < 3; i++) profiles.push((await cdpKinds.cdp_profile!.create(side)).id);
    const seg = await cdpKinds.cdp_segment!.create(side);
    await db((tx) =>
      sql`insert into cdp_segment_members (tenant_id, segment_id, subject_id)
        select ${tenantId}, ${seg.id}, unnest(${profiles}::uuid[])`.execute(tx),
    );
    await db((tx) => ensureCategory(tx, tenantId));
    const bad = await admin.post('/field-service/predictive-rules', {
      name: '',
      segmentId: seg.id,
      categoryKey: 'fs_repair',
      dailyCap: 0,
    });
    assert.equal(bad.status, 422);
    const unknown = await admin.post('/field-service/predictive-rules', {
      name: '保养',
      segmentId: '0190a1b2-0000-7000-8000-000000000000',
      categoryKey: 'fs_repair',
      dailyCap: 2,
    });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.errors[0].field, 'segmentId');
    const pre = await admin.post('/field-service/predictive-rules/preview', {
      segmentId: seg.id,
      dailyCap: 2,
    });
    assert.equal(pre.status, 200);
    assert.equal(pre.body.members, 3);
    const r = await admin.post('/field-service/predictive-rules', {
      name: '待保养车辆',
      segmentId: seg.id,
      categoryKey: 'fs_repair',
      dailyCap: 2,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const first = await admin.post(`/field-service/predictive-rules/${r.body.id}/run`);
    assert.deepEqual(first.body, { created: 2, skipped: 0 });
    const capped = await admin.post(`/field-service/predictive-rules/${r.body.id}/run`);
    assert.deepEqual(capped.body, { created: 0, skipped: 0 }, 'the daily cap holds');
    const p2 = await admin.get(`/field-service/predictive-rules/${r.body.id}/preview`);
    assert.deepEqual(p2.body, { members: 3, due: 1, nextRun: 0 });
    const raised = await admin.patch(`/field-service/predictive-rules/${r.body.id}`, {
      dailyCap: 10,
      version: r.body.version,
    });
    assert.equal(raised.status, 200);
    assert.equal(
      (
        await admin.patch(`/field-service/predictive-rules/${r.body.id}`, {
          dailyCap: 9,
          version: r.body.version,
        })
      ).status,
      409,
    );
    const second = await admin.post(`/field-service/predictive-rules/${r.body.id}/run`);
    assert.deepEqual(second.body, { created: 1, skipped: 0 });
    const third = await admin.post(`/field-service/predictive-rules/${r.body.id}/run`);
    assert.deepEqual(third.body, { created: 0, skipped: 0 }, 'one ticket per member and period');
    const tickets = await db(
      async (tx) =>
        (
          await sql<any>`select channel, profile_id from service_tickets where tenant_id = ${tenantId} and channel = 'predictive'`.execute(
            tx,
          )
        ).rows,
    );
    assert.equal(tickets.length, 3);
    assert.deepEqual(new Set(tickets.map((x) => x.profile_id)), new Set(profiles));
    // rules are for who holds field_service:rules (unit scope is the permission matrix's probe)
    const store = await login(env, seed.slug, 'zhang.wei');
    assert.equal((await store.get(`/field-service/predictive-rules/${r.body.id}/preview`)).status, 403);
  });
});
