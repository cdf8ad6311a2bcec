import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import { tenantDirectory } from '../../testing/fixtures.ts';
import {
  type Client,
  drainBackground,
  loginAsRole,
  newTenantWithAdmin,
  useTestEnv,
} from '../../testing/harness.ts';
import { probeKinds as cdpKinds } from '../cdp/test-kit.ts';
import { createTicket, getTicket } from '../service/index.ts';
import { scheduleReturnVisit, sendTimeFor } from './invite.service.ts';

/** R8.2: a return visit after every closed ticket; a low score reopens it as a complaint. */
const env = useTestEnv();

describe('satisfaction surveys 满意度回访', () => {
  let admin: Client;
  let tenantId: string;
  let seed: Awaited<ReturnType<typeof newTenantWithAdmin>>['seed'];
  let profileId: string;
  const db = <T>(fn: Parameters<typeof inTenant<T>>[2]) => inTenant(env.database.db, tenantId, fn);

  /** Files a ticket and closes it the way the service module does (status + `ticket.closed` in the outbox). */
  async function closedTicket(subject: string) {
    return db(async (tx) => {
      await sql`insert into service_categories (tenant_id, id, key, name, fields)
        select ${tenantId}, gen_random_uuid(), 'repair', '维修', '[]'::jsonb
        where not exists (select 1 from service_categories where tenant_id = ${tenantId} and key = 'repair')`.execute(
        tx,
      );
      const r = await createTicket(tx, tenantId, {
        subject,
        description: subject,
        categoryKey: 'repair',
        priority: 'normal',
        channel: 'phone',
        profileId,
      });
      await sql`update service_tickets set status = 'closed', closed_at = now(), resolved_at = now()
        where tenant_id = ${tenantId} and id = ${r.ticketId}`.execute(tx);
      const t = (await getTicket(tx, tenantId, r.ticketId))!;
      await emitEvent(tx, tenantId, {
        type: 'ticket.closed',
        object: 'service_ticket',
        recordId: r.ticketId,
        payload: {
          id: r.ticketId,
          from: 'resolved',
          to: 'closed',
          profileId: t.profileId,
          categoryKey: 'repair',
          unitId: t.unitId,
          assigneeId: t.assigneeId,
          kind: t.kind,
        },
      });
      return r.ticketId;
    });
  }
  const inviteOf = (ticketId: string) =>
    db(
      async (tx) =>
        (
          await sql<any>`select * from survey_invites where tenant_id = ${tenantId} and ticket_id = ${ticketId}`.execute(
            tx,
          )
        ).rows,
    );
  const page = (token: string, init?: RequestInit) =>
    fetch(`${env.baseUrl}/s/${token}${init ? '/answer' : ''}`, init);
  const answer = (token: string, body: unknown) =>
    page(token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  before(async () => {
    const t = await newTenantWithAdmin(env, 5);
    admin = t.admin;
    tenantId = t.tenantId;
    seed = t.seed;
    const side = { env, dir: await tenantDirectory(env, seed), admin, memo: new Map() };
    profileId = (await cdpKinds.cdp_profile!.create(side)).id;
  });

  it('keeps settings with a version check and explains bad values per field', async () => {
    const s = await admin.get('/surveys/settings');
    assert.equal(s.status, 200);
    assert.equal(s.body.version, 0);
    const bad = await admin.request('PUT', '/surveys/settings', {
      ...s.body,
      delayMinutes: -5,
      channel: 'fax',
    });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.errors.some((e: any) => e.field === 'delayMinutes'));
    assert.ok(bad.body.errors.some((e: any) => e.field === 'channel'));
    const ok = await admin.request('PUT', '/surveys/settings', { ...s.body, delayMinutes: 0 });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.version, 1);
    const stale = await admin.request('PUT', '/surveys/settings', { ...s.body, delayMinutes: 30 });
    assert.equal(stale.status, 409);
    assert.equal((await admin.get('/surveys/settings')).body.delayMinutes, 0);
  });

  it('schedules one return visit per closing, sends it through messaging, and a low score reopens the ticket as a complaint', async () => {
    const ticketId = await closedTicket('空调不制冷');
    await drainBackground(env, tenantId);
    await drainBackground(env, tenantId);
    const [inv, ...more] = await inviteOf(ticketId);
    assert.ok(inv, 'an invite is made');
    assert.equal(more.length, 0);
    assert.equal(inv.status, 'sent', inv.skip_reason);
    const msg = await db(
      async (tx) =>
        (
          await sql<any>`select channel, purpose, body, url from messaging_messages where tenant_id = ${tenantId} and id = ${inv.message_id}`.execute(
            tx,
          )
        ).rows[0],
    );
    assert.equal(msg.channel, 'sms');
    assert.equal(msg.purpose, 'service');
    assert.ok(msg.body.includes(`/s/${inv.token}`), 'the SMS carries the survey link');
    assert.ok(new Date(inv.send_at).getTime() - new Date(inv.closed_at).getTime() < 24 * 3600_000);

    const html = await page(inv.token);
    assert.equal(html.status, 200);
    const text = await html.text();
    assert.match(text, /data-testid="survey-form"/);
    assert.doesNotMatch(text, /<script>(?!<\/script>)/, 'no inline script');

    assert.equal((await answer(inv.token, {})).status, 422, 'a score is required');
    const badScore = await answer(inv.token, { csat: 9 });
    assert.equal(badScore.status, 422);
    assert.ok(((await badScore.json()) as any).errors.some((e: any) => e.field === 'csat'));
    assert.equal((await answer(inv.token, { csat: 3, extra: 1 })).status, 422, 'unknown fields are refused');

    const low = await answer(inv.token, { csat: 1, nps: 3, comment: '师傅迟到' });
    assert.equal(low.status, 200);
    assert.equal(((await low.json()) as any).low, true);
    const again = await answer(inv.token, { csat: 5 });
    assert.equal(again.status, 409, 'one answer per token');
    const t = await db((tx) => getTicket(tx, tenantId, ticketId));
    assert.equal(t!.status, 'reopened');
    assert.equal(t!.kind, 'complaint');
    assert.match(await (await page(inv.token)).text(), /survey-answered/);

    // the answer is a CDP event on the profile
    await drainBackground(env, tenantId);
    const events = await db(
      async (tx) =>
        (
          await sql<any>`select properties from cdp_events where tenant_id = ${tenantId} and event = 'Survey Answered'`.execute(
            tx,
          )
        ).rows,
    );
    assert.equal(events.length, 1);
    assert.equal(events[0].properties.csat, 1);
    assert.equal(events[0].properties.low, true);
  });

  it('a redelivered ticket.closed makes no second invite; a good score leaves the ticket closed', async () => {
    const ticketId = await closedTicket('热水器点火');
    await drainBackground(env, tenantId);
    const [inv] = await inviteOf(ticketId);
    await scheduleReturnVisit(
      {
        id: inv.event_id,
        tenantId,
        type: 'ticket.closed',
        payload: { id: ticketId },
        createdAt: new Date().toISOString(),
      },
      { tenantId, tx: (fn: any) => db(fn) } as any,
    );
    assert.equal((await inviteOf(ticketId)).length, 1);
    const ok = await answer(inv.token, { csat: 5, nps: 10 });
    assert.equal(ok.status, 200);
    assert.equal((await db((tx) => getTicket(tx, tenantId, ticketId)))!.status, 'closed');
  });

  it('refuses unknown, malformed and expired tokens', async () => {
    assert.equal((await page('nope')).status, 404);
    assert.equal((await page(`${'A'.repeat(22)}${'B'.repeat(22)}`)).status, 404);
    const ticketId = await closedTicket('过期');
    await drainBackground(env, tenantId);
    const [inv] = await inviteOf(ticketId);
    await db((tx) =>
      sql`update survey_invites set expires_at = now() - interval '1 minute' where tenant_id = ${tenantId} and id = ${inv.id}`.execute(
        tx,
      ),
    );
    assert.equal((await answer(inv.token, { csat: 4 })).status, 409);
    assert.match(await (await page(inv.token)).text(), /survey-expired/);
  });

  it('reports CSAT, NPS and response rate by category, team and store, within the viewer’s units', async () => {
    const r = await admin.get('/surveys/report?by=category');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.total.answers, 2);
    assert.equal(r.body.total.csatAvg, 3);
    assert.equal(r.body.total.nps, 0, 'one promoter, one detractor');
    assert.equal(r.body.total.low, 1);
    assert.equal(r.body.rows[0].key, 'repair');
    for (const by of ['team', 'store'])
      assert.equal((await admin.get(`/surveys/report?by=${by}`)).status, 200);
    assert.equal((await admin.get('/surveys/report?by=planet')).status, 422);
    const invites = await admin.get('/surveys/invites');
    assert.equal(invites.body.items.length, 3);
    // a store manager sees only their store's surveys (these tickets belong to HQ)
    const store = await loginAsRole(env, seed, '经销商店长');
    const mine = await store.get('/surveys/report?by=store');
    assert.equal(mine.status, 200);
    assert.equal(mine.body.total.invites, 0);
    // another tenant sees none of it
    const other = await newTenantWithAdmin(env, 5);
    assert.equal((await other.admin.get('/surveys/report')).body.total.invites, 0);
    assert.equal((await other.admin.get('/surveys/invites')).body.items.length, 0);
  });

  it('moves a send out of quiet hours and never past 24 h after closing', () => {
    const quiet = { start: 21 * 60, end: 8 * 60, timeZone: 'Asia/Shanghai' };
    // closed 22:00 Shanghai (14:00Z), 60 min later is 23:00 → 08:00 next morning
    const a = sendTimeFor(new Date('2026-12-07T14:00:00Z'), 60, quiet);
    assert.equal(a.toISOString(), '2026-12-08T00:00:00.000Z');
    // closed 10:00 (02:00Z) with 20 h delay → 06:00 (quiet) → 08:00: 22 h, within the day
    const b = sendTimeFor(new Date('2026-12-07T02:00:00Z'), 1200, quiet);
    assert.equal(b.toISOString(), '2026-12-08T00:00:00.000Z');
    // closed 20:00 with 20 h delay → 16:00 next day, not quiet
    const c = sendTimeFor(new Date('2026-12-07T12:00:00Z'), 1200, quiet);
    assert.equal(c.toISOString(), '2026-12-08T08:00:00.000Z');
    // a window that would push it past 24 h: clamped to just before
    const d = sendTimeFor(new Date('2026-12-07T12:00:00Z'), 1200, {
      start: 15 * 60,
      end: 22 * 60,
      timeZone: 'Asia/Shanghai',
    });
    assert.equal(d.toISOString(), '2026-12-08T11:59:00.000Z');
  });
});
