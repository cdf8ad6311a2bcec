import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../../core/db/tenant-scope.ts';
import { newTenantWithAdmin, useTestEnv } from '../../../testing/harness.ts';
import { addBusinessMinutes, createTicket, getTicket, reopenTicket } from '../index.ts';
import { checkSla, loadTicket, setStatus } from './ticket.core.ts';

const env = useTestEnv();

describe('service contract (createTicket, getTicket, reopenTicket, addBusinessMinutes)', () => {
  it('files idempotently, assigns by skill and unit, reopens as a complaint, breaches in business time', async () => {
    const { tenantId, admin } = await newTenantWithAdmin(env, 5);
    const run = <T>(fn: (tx: any) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
    const ids = await run(async (tx) => {
      const u = async (login: string) =>
        (
          await sql<{
            id: string;
            unit_id: string;
          }>`select id, unit_id from users where tenant_id = ${tenantId} and login = ${login}`.execute(tx)
        ).rows[0]!;
      const zhou = await u('zhou.xiaoyan');
      const lin = await u('lin.lijuan');
      await sql`insert into service_categories (tenant_id, id, key, name, fields)
        values (${tenantId}, gen_random_uuid(), 'repair', '维修', ${JSON.stringify([{ key: 'mileage', label: '里程', type: 'number', required: true }])}::jsonb)`.execute(
        tx,
      );
      await sql`insert into service_sla_policies (tenant_id, id, category_key, priority, first_response_minutes, resolution_minutes)
        values (${tenantId}, gen_random_uuid(), 'repair', 'normal', 60, 480)`.execute(tx);
      await sql`insert into service_agent_skills (tenant_id, user_id, category_key) values (${tenantId}, ${zhou.id}, 'repair'), (${tenantId}, ${lin.id}, '*')`.execute(
        tx,
      );
      // a contact of a store below 华东 (zhou's region)
      const contact = (
        await sql<{
          id: string;
        }>`select c.id from contacts c join units un on un.tenant_id = c.tenant_id and un.id = c.unit_id
          where c.tenant_id = ${tenantId} and un.path like (select path from units where tenant_id = ${tenantId} and id = ${zhou.unit_id}) || '%'
          limit 1`.execute(tx)
      ).rows[0]!;
      return { zhou, lin, contact };
    });

    const input = {
      subject: '空调不制冷',
      description: '开空调只出热风',
      categoryKey: 'repair',
      priority: 'normal' as const,
      channel: 'field' as const,
      contactId: ids.contact.id,
      links: [{ object: 'vehicle', recordId: 'VIN123' }],
      form: { mileage: '12000' },
      idempotencyKey: 'k-1',
    };
    const a = await run((tx) => createTicket(tx, tenantId, input));
    const b = await run((tx) => createTicket(tx, tenantId, input));
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.equal(b.ticketId, a.ticketId);

    // The ticket joins its customer's timeline (timeline-source), as a service item with its status.
    const customerId = (
      await run((tx) =>
        sql<{
          customer_id: string | null;
        }>`select customer_id from contacts where tenant_id = ${tenantId} and id = ${ids.contact.id}`.execute(
          tx,
        ),
      )
    ).rows[0]!.customer_id;
    assert.ok(customerId, 'the seed contact belongs to a customer');
    {
      const tl = await admin.get(`/cdp/customers/${customerId}/timeline?kinds=service`);
      assert.equal(tl.status, 200, JSON.stringify(tl.body));
      const item = tl.body.items.find((i: any) => i.key === `service:${a.ticketId}`);
      assert.ok(item, 'the ticket is on the customer timeline');
      assert.equal(item.kind, 'service');
      assert.match(item.title, /空调不制冷/);
      const events = await admin.get(`/cdp/customers/${customerId}/timeline?kinds=event`);
      assert.ok(!events.body.items.some((i: any) => i.kind === 'service'), 'filtered out by kind');
    }
    assert.match(a.number, /^GD\d{6}$/);
    const t = await run((tx) => getTicket(tx, tenantId, a.ticketId));
    assert.equal(t!.status, 'assigned');
    assert.equal(t!.assigneeId, ids.zhou.id, 'the skilled agent of the nearest unit up the tree');
    assert.equal(await run((tx) => getTicket(tx, tenantId, '01900000-0000-7000-8000-000000000000')), null);

    // a required category field is checked
    await assert.rejects(
      run((tx) => createTicket(tx, tenantId, { ...input, idempotencyKey: undefined, form: {} })),
      (e: any) => e.status === 422 && e.errors[0].field === 'form.mileage',
    );

    // events: created + status_changed new→assigned
    const events = await run(
      async (tx) =>
        (
          await sql<{
            type: string;
            payload: any;
          }>`select type, payload from outbox where tenant_id = ${tenantId}
        and record_id = ${a.ticketId} order by created_at, id`.execute(tx)
        ).rows,
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['ticket.created', 'ticket.status_changed'],
    );
    assert.equal(events[1]!.payload.from, 'new');
    assert.equal(events[1]!.payload.to, 'assigned');

    // business minutes through the tenant calendar: Fri 30 Sep 2026 17:00 + 120 → Thu 8 Oct 10:00
    const d = await run((tx) => addBusinessMinutes(tx, tenantId, new Date('2026-09-30T17:00:00+08:00'), 120));
    assert.equal(d.toISOString(), new Date('2026-10-08T10:00:00+08:00').toISOString());

    // the SLA check after the deadline: breach, priority raised, event
    const row = await run((tx) => loadTicket(tx, tenantId, a.ticketId));
    await run((tx) =>
      checkSla(tx, tenantId, a.ticketId, new Date(new Date(row!.first_response_due_at!).getTime() + 1000)),
    );
    const after = await run((tx) => loadTicket(tx, tenantId, a.ticketId));
    assert.ok(after!.first_response_breached_at);
    assert.equal(after!.priority, 'high');
    const breached = await run(
      async (tx) =>
        (
          await sql<{
            payload: any;
          }>`select payload from outbox where tenant_id = ${tenantId} and type = 'ticket.sla_breached'`.execute(
            tx,
          )
        ).rows,
    );
    assert.equal(breached.length, 1);
    assert.equal(breached[0]!.payload.target, 'first_response');

    // close and reopen as a complaint
    await run(async (tx) => {
      let x = (await loadTicket(tx, tenantId, a.ticketId))!;
      x = await setStatus(tx, tenantId, x, 'in_progress', ids.zhou.id);
      x = await setStatus(tx, tenantId, x, 'resolved', ids.zhou.id);
      await setStatus(tx, tenantId, x, 'closed', ids.zhou.id);
    });
    const closed = await run((tx) => getTicket(tx, tenantId, a.ticketId));
    assert.equal(closed!.status, 'closed');
    assert.ok(closed!.closedAt);
    await run((tx) => reopenTicket(tx, tenantId, a.ticketId, { asComplaint: true, reason: '回访不满意' }));
    const re = await run((tx) => getTicket(tx, tenantId, a.ticketId));
    assert.equal(re!.status, 'assigned');
    assert.equal(re!.kind, 'complaint');
    assert.equal(re!.assigneeId, ids.zhou.id);
    await assert.rejects(
      run((tx) => reopenTicket(tx, tenantId, a.ticketId, { asComplaint: false, reason: 'x' })),
      (e: any) => e.status === 409,
    );
    const types = await run(async (tx) =>
      (
        await sql<{
          type: string;
        }>`select type from outbox where tenant_id = ${tenantId} and record_id = ${a.ticketId}
        order by created_at, id`.execute(tx)
      ).rows.map((r) => r.type),
    );
    assert.ok(types.includes('ticket.closed'));
  });
});
