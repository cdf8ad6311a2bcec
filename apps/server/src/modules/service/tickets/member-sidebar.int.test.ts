import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../../core/db/tenant-scope.ts';
import { uniqueMobile } from '../../../testing/fixtures.ts';
import {
  type Client,
  drainBackground,
  login,
  newTenantWithAdmin,
  useTestEnv,
} from '../../../testing/harness.ts';
import { threeTiers } from '../../loyalty/test-kit.ts';
import { businessBetween, loadCalendar } from '../sla/calendar.ts';

/**
 * SLA targets by member tier through the `ticket-customer-tier` seam (loyalty contributes),
 * tickets from the WeCom chat sidebar under the sidebar's access rule, and the stats counters
 * (service_ticket_counts, decision 0069) against a recount of the tickets.
 */
const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
};

let ready: Promise<void> | null = null;
let tenantId = '';
let slug = '';
let admin: Client;
let customerId = '';
let goldTier = '';
let vip: { id: string; profileId: string };
const units: Record<string, string> = {};
const setup = () =>
  (ready ??= (async () => {
    const t = await newTenantWithAdmin(env, 0);
    tenantId = t.tenantId;
    slug = t.seed.slug;
    admin = t.admin;
    await inTenant(env.database.db, tenantId, async (tx) => {
      for (const r of (await sql<any>`select id, code from units where tenant_id = ${tenantId}`.execute(tx))
        .rows)
        units[r.code] = r.id;
    });
    customerId = (await ok(admin.post('/records/customer', { name: '华远车队', kind: 'company' }), 201)).id;
  })());

/** A contact with a phone; the CDP links it to a profile. */
async function contact(name: string) {
  const c = await ok(
    admin.post('/records/contact', { name, customerId, phone: uniqueMobile(), unitId: units['EC-D1'] }),
    201,
  );
  await drainBackground(env, tenantId);
  const profileId = await inTenant(env.database.db, tenantId, async (tx) => {
    return (
      await sql<{ profile_id: string }>`select profile_id from cdp_profile_links
        where object = 'contact' and record_id = ${c.id}`.execute(tx)
    ).rows[0]!.profile_id;
  });
  return { id: c.id as string, profileId };
}

/** Business minutes from filing to the first-response deadline, and the tier the ticket recorded. */
async function targets(ticketId: string) {
  return inTenant(env.database.db, tenantId, async (tx) => {
    const t = (
      await sql<any>`select created_at, first_response_due_at, resolution_due_at, tier from service_tickets
        where id = ${ticketId}`.execute(tx)
    ).rows[0];
    const cal = await loadCalendar(tx, tenantId);
    const b = (d: Date) => Math.round(businessBetween(cal, new Date(t.created_at), new Date(d)));
    return { firstResponse: b(t.first_response_due_at), resolution: b(t.resolution_due_at), tier: t.tier };
  });
}

describe('service: SLA targets by member tier', () => {
  it('a gold member’s ticket gets the gold targets, a non-member the default', async () => {
    await setup();
    const program = await ok(admin.post('/loyalty/programs', threeTiers('臻享会员')), 201);
    const gold = program.tiers.find((t: any) => t.name === '金卡');
    const tiers = await ok(admin.get('/service/sla-tiers'));
    assert.deepEqual(
      tiers.items.map((t: any) => [t.name, t.program]),
      [
        ['黑金', '臻享会员'],
        ['金卡', '臻享会员'],
        ['银卡', '臻享会员'],
      ],
    );
    assert.ok(tiers.items.some((t: any) => t.key === gold.id));

    const bad = await admin.post('/service/sla-policies', {
      priority: 'normal',
      tier: 'no-such-tier',
      firstResponseMinutes: 30,
      resolutionMinutes: 480,
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'tier');
    assert.match(bad.body.errors[0].message, /会员等级/);
    await ok(
      admin.post('/service/sla-policies', {
        priority: 'normal',
        firstResponseMinutes: 240,
        resolutionMinutes: 2880,
      }),
      201,
    );
    await ok(
      admin.post('/service/sla-policies', {
        priority: 'normal',
        tier: gold.id,
        firstResponseMinutes: 30,
        resolutionMinutes: 480,
      }),
      201,
    );

    vip = await contact('金卡车主');
    goldTier = gold.id;
    const m = await ok(
      admin.post('/loyalty/members', {
        programId: program.id,
        profileId: vip.profileId,
        idempotencyKey: 'vip',
      }),
    );
    // reaching gold through orders is loyalty's own test; here the member simply is gold
    await inTenant(env.database.db, tenantId, (tx) =>
      sql`update loyalty_members set tier_id = ${gold.id} where id = ${m.memberId}`.execute(tx),
    );
    const plain = await contact('散客');

    const base = {
      subject: '刹车异响',
      description: '踩刹车有响声',
      categoryKey: 'general',
      priority: 'normal',
    };
    const vipTicket = await ok(admin.post('/service/tickets', { ...base, contactId: vip.id }), 201);
    assert.equal(vipTicket.profileId, vip.profileId, 'the contact’s person is on the ticket');
    assert.deepEqual(await targets(vipTicket.id), { firstResponse: 30, resolution: 480, tier: gold.id });
    const byProfile = await ok(admin.post('/service/tickets', { ...base, profileId: vip.profileId }), 201);
    assert.equal((await targets(byProfile.id)).firstResponse, 30);
    const plainTicket = await ok(admin.post('/service/tickets', { ...base, contactId: plain.id }), 201);
    assert.deepEqual(await targets(plainTicket.id), { firstResponse: 240, resolution: 2880, tier: null });
    const nobody = await ok(admin.post('/service/tickets', base), 201);
    assert.deepEqual(await targets(nobody.id), { firstResponse: 240, resolution: 2880, tier: null });
    // a high-priority gold ticket has no gold policy of its own: no targets, as before
    const high = await ok(
      admin.post('/service/tickets', { ...base, priority: 'high', contactId: vip.id }),
      201,
    );
    assert.equal((await targets(high.id)).tier, gold.id);
  });
});

describe('service: tickets from the WeCom chat sidebar', () => {
  it('files for the chat’s person (contact, profile, tier), lists their open tickets; others 404 or 403', async () => {
    await setup();
    assert.ok(vip, 'runs after the tier test (its gold member)');
    const zhang = await login(env, slug, 'zhang.wei'); // 经销商店长 EC-D1: follows the customer
    const wu = await login(env, slug, 'wu.haitao'); // 经销商店长 SC-D1: neither follows nor covers
    const zhou = await login(env, slug, 'zhou.xiaoyan'); // 客服专员: handles tickets, no sidebar
    const corp = await ok(
      admin.post('/wecom/corps', {
        name: '企微',
        unitId: units['EC-D1'],
        corpId: 'wwsidebarticket',
        contactSecret: 'secret-sidebar',
      }),
      201,
    );
    const ext = 'wmSidebarTicketVip';
    await inTenant(env.database.db, tenantId, async (tx) => {
      await sql`insert into wecom_staff (tenant_id, corp_ref, userid, name, user_id)
        values (${tenantId}, ${corp.id}, 'zhangwei', '张伟', (select id from users where login = 'zhang.wei'))`.execute(
        tx,
      );
      await sql`insert into wecom_external_contacts (tenant_id, corp_ref, external_userid, userid, unit_id, name,
          contact_id, profile_id)
        values (${tenantId}, ${corp.id}, ${ext}, 'zhangwei', ${units['EC-D1']}, '金卡车主', ${vip.id}, ${vip.profileId})`.execute(
        tx,
      );
    });
    const url = `/service/sidebar/${ext}/tickets`;
    // the tier test's tickets for this person, in 张伟's dealer: already there
    const before = (await ok(zhang.get(url))).items;
    assert.ok(before.length >= 2 && before.every((x: any) => x.contactId === vip.id));
    const body = {
      subject: '保养预约改期',
      description: '客户在企微里说想改到周六',
      categoryKey: 'general',
      priority: 'normal',
      idempotencyKey: 'tap-1',
    };
    const t = await ok(zhang.post(url, body), 201);
    assert.equal(t.channel, 'sidebar');
    assert.equal(t.contactId, vip.id);
    assert.equal(t.profileId, vip.profileId);
    assert.equal((await targets(t.id)).tier, goldTier, 'the member’s tier sets the SLA');
    assert.equal((await targets(t.id)).firstResponse, 30);
    const again = await ok(zhang.post(url, body), 201);
    assert.equal(again.id, t.id, 'a double tap files once');
    const open = await ok(zhang.get(url));
    assert.ok(open.items.some((x: any) => x.id === t.id));
    const mine = open.items.find((x: any) => x.id === t.id);
    assert.equal(mine.sla.target, 'first_response');
    assert.ok(['running', 'warning', 'breached'].includes(mine.sla.state), mine.sla.state);
    // bad input: localised field errors
    const bad = await zhang.post(url, { ...body, subject: '', idempotencyKey: undefined });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'subject');
    // another region: as if the customer did not exist
    assert.equal((await wu.get(url)).status, 404);
    assert.equal((await wu.post(url, body)).status, 404);
    assert.equal((await zhang.get('/service/sidebar/wmNoSuchCustomer/tickets')).status, 404);
    // handles tickets but may not use the sidebar
    assert.equal((await zhou.post(url, body)).status, 403);
    // HQ (tenant scope) covers 张伟
    assert.ok((await ok(admin.get(url))).items.some((x: any) => x.id === t.id));
  });
});

describe('service: stats counters', () => {
  it('equal a recount after create, assign, close, reopen and merge, within each reader’s scope', async () => {
    await setup();
    const zhang = await login(env, slug, 'zhang.wei'); // 经销商店长 EC-D1 (subtree)
    const wu = await login(env, slug, 'wu.haitao'); // 经销商店长 SC-D1
    const file = (c: Client, unitId: string | undefined, subject: string) =>
      ok(
        c.post('/service/tickets', {
          subject,
          description: '',
          categoryKey: 'general',
          ...(unitId ? { unitId } : {}),
        }),
        201,
      );
    const a = await file(admin, units['EC-D1-S1'], '计数一');
    const b = await file(admin, units['EC-D1'], '计数二');
    const c = await file(admin, units['SC-D1'], '计数三');
    const d = await file(zhang, undefined, '计数四');
    await file(wu, undefined, '计数五');
    const patch = async (id: string, body: Record<string, unknown>) => {
      const cur = await ok(admin.get(`/service/tickets/${id}`));
      return ok(admin.patch(`/service/tickets/${id}`, { version: cur.version, ...body }));
    };
    await patch(a.id, { status: 'in_progress' });
    await patch(a.id, { status: 'resolved' });
    await patch(a.id, { status: 'closed' });
    await ok(admin.post(`/service/tickets/${a.id}/reopen`, { asComplaint: true, reason: '客户不满意' }));
    const bNow = await ok(admin.get(`/service/tickets/${b.id}`));
    await ok(admin.post(`/service/tickets/${b.id}/merge`, { intoTicketId: d.id, version: bNow.version }));
    // A ticket of another region ends up with 张伟 (a raw update, as a data fix would do: the
    // trigger counts every path): he sees it, and it is his.
    await inTenant(env.database.db, tenantId, (tx) =>
      sql`update service_tickets set assignee_id = (select id from users where login = 'zhang.wei')
        where id = ${c.id}`.execute(tx),
    );

    const { counted, recount } = await inTenant(env.database.db, tenantId, async (tx) => ({
      counted: (
        await sql<any>`select unit_id, assignee_id::text, status, category_key, n::int from service_ticket_counts
          where n <> 0 order by 1, 2, 3, 4`.execute(tx)
      ).rows,
      recount: (
        await sql<any>`select unit_id, coalesce(assignee_id, '00000000-0000-0000-0000-000000000000')::text as assignee_id,
            status, category_key, count(*)::int as n from service_tickets group by 1, 2, 3, 4 order by 1, 2, 3, 4`.execute(
          tx,
        )
      ).rows,
    }));
    assert.deepEqual(counted, recount);

    for (const who of [admin, zhang, wu]) {
      const stats = await ok(who.get('/service/stats'));
      const all: any[] = [];
      for (let cursor: string | null = null; ; ) {
        const page: any = await ok(
          who.get(
            `/service/tickets?status=${encodeURIComponent('new,assigned,in_progress,waiting_customer,resolved,closed,reopened,merged')}&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
          ),
        );
        all.push(...page.items);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      const byStatus = new Map<string, number>();
      for (const t of all) byStatus.set(t.status, (byStatus.get(t.status) ?? 0) + 1);
      assert.deepEqual(
        stats.byStatus,
        [...byStatus].sort(([x], [y]) => (x < y ? -1 : 1)).map(([status, n]) => ({ status, n })),
      );
      const open = all.filter((t) =>
        ['new', 'assigned', 'in_progress', 'waiting_customer', 'reopened'].includes(t.status),
      );
      assert.equal(stats.open, open.length);
    }
    const zs = await ok(zhang.get('/service/stats'));
    assert.ok(zs.mine >= 1, 'the ticket given to 张伟 is his');
  });
});
