import { sql } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import type { DomainEvent } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { enqueue, type JobContext } from '../../core/jobs/queue.ts';
import type { Subscriber } from '../../engine/module.ts';
import { eventsSince, profileOfIdentity, profilesOfRecords } from '../cdp/index.ts';
import { lt } from './loyalty.messages.ts';
import { enrolMember } from './members.service.ts';
import { earnPoints, lockMember, reverseEarn } from './points.service.ts';

/**
 * Earn rules (R7.2). Orders: the points an order is worth are recomputed from its NET PAID
 * amount (receipts, not list price) on every `order.payment_status_changed`, and the ledger is
 * moved by the difference — more paid earns more, a refund (paid goes down) takes points back.
 * The member row is locked before the order's current points are read, so concurrent events of
 * one order cannot both add the same difference.
 */

interface Program {
  id: string;
  points_per_yuan: string;
  channel_multipliers: Record<string, number>;
  category_multipliers: Record<string, number>;
  per_order_cap: number | null;
  per_day_cap: number | null;
  tier_basis: 'points' | 'spend';
  event_rules: { event: string; points: number; perDay?: number | null }[];
}

const yuan = (minor: number) => (minor / 100).toFixed(minor % 100 ? 2 : 0);

/** Points for a paid amount under the program's rules, and the rule in words (shown on the ledger). */
export function orderPoints(
  locale: Locale,
  program: Pick<
    Program,
    'points_per_yuan' | 'channel_multipliers' | 'category_multipliers' | 'per_order_cap'
  >,
  order: {
    paidMinor: number;
    channel: string | null;
    categories: { category: string | null; netMinor: number }[];
  },
): { points: number; rule: string } {
  const perYuan = Number(program.points_per_yuan);
  const parts = [lt(locale, 'rule_order', { paid: yuan(order.paidMinor), perYuan })];
  let m = 1;
  const ch = order.channel ? program.channel_multipliers[order.channel] : undefined;
  if (ch !== undefined) {
    m *= ch;
    parts.push(lt(locale, 'rule_channel', { channel: order.channel, m: ch }));
  }
  // Category multipliers weighted by each line's share of the order's net amount.
  const total = order.categories.reduce((s, c) => s + c.netMinor, 0);
  if (total > 0) {
    let weighted = 0;
    const shown = new Set<string>();
    for (const c of order.categories) {
      const cm = c.category ? program.category_multipliers[c.category] : undefined;
      weighted += (c.netMinor / total) * (cm ?? 1);
      if (cm !== undefined && c.category && !shown.has(c.category)) {
        shown.add(c.category);
        parts.push(lt(locale, 'rule_category', { category: c.category, m: cm }));
      }
    }
    m *= weighted;
  }
  let points = Math.floor((order.paidMinor / 100) * perYuan * m + 1e-9);
  if (program.per_order_cap && points > program.per_order_cap) {
    points = program.per_order_cap;
    parts.push(lt(locale, 'rule_order_cap', { cap: program.per_order_cap }));
  }
  return {
    points: Math.max(0, points),
    rule: `${parts.join(' × ').replace(/ × (单笔|order cap)/, '，$1')} = ${points}`,
  };
}

async function programsOfProfile(tx: Tx, tenantId: string, profileId: string) {
  return (
    await sql<Program & { member_id: string }>`select p.*, m.id as member_id from loyalty_members m
      join loyalty_programs p on p.tenant_id = m.tenant_id and p.id = m.program_id
      where m.tenant_id = ${tenantId} and p.status = 'active'
        and m.profile_id = (select coalesce(merged_into, id) from cdp_profiles where tenant_id = ${tenantId} and id = ${profileId})`.execute(
      tx,
    )
  ).rows;
}

/** Today (China) start as an instant. */
const chinaDayStart = (now = Date.now()) =>
  new Date(Math.floor((now + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000);

export async function settleOrder(
  tx: Tx,
  tenantId: string,
  orderId: string,
  eventId: string,
  locale: Locale = 'zh-CN',
) {
  const order = (
    await sql<{
      name: string;
      channel: string | null;
      quote_id: string | null;
      paid: { amount: number } | null;
    }>`select name, channel, quote_id, paid_amount as paid from orders
      where tenant_id = ${tenantId} and id = ${orderId}`.execute(tx)
  ).rows[0];
  if (!order) return;
  const profileId = (await profilesOfRecords(tx, tenantId, 'order', [orderId])).get(orderId);
  if (!profileId) return;
  const programs = await programsOfProfile(tx, tenantId, profileId);
  if (!programs.length) return;
  const paidMinor = Math.max(0, Number(order.paid?.amount ?? 0));
  const categories = order.quote_id
    ? (
        await sql<{
          category: string | null;
          net: string;
        }>`select p.category, sum(l.net)::text as net from quote_lines l
          left join products p on p.tenant_id = l.tenant_id and p.id = l.product_id
          where l.tenant_id = ${tenantId} and l.quote_id = ${order.quote_id} group by p.category`.execute(tx)
      ).rows.map((r) => ({ category: r.category, netMinor: Number(r.net) }))
    : [];
  for (const program of programs) {
    const m = await lockMember(tx, tenantId, program.member_id, locale);
    const cur = (
      await sql<{
        points: string;
        q: string;
        ids: string[] | null;
      }>`select coalesce(sum(delta), 0)::text as points,
          coalesce(sum(qualifying), 0)::text as q, array_agg(id) filter (where delta > 0) as ids
        from loyalty_ledger where tenant_id = ${tenantId} and member_id = ${m.id}
          and ref_object = 'order' and ref_id = ${orderId} and kind in ('earn', 'reverse_earn')`.execute(tx)
    ).rows[0]!;
    const current = Number(cur.points);
    const currentQ = Number(cur.q);
    const { points: full, rule } = orderPoints(locale, program, {
      paidMinor,
      channel: order.channel,
      categories,
    });
    let target = full;
    let ruleText = rule;
    if (target > current && program.per_day_cap) {
      const today = Number(
        (
          await sql<{ s: string }>`select coalesce(sum(delta), 0)::text as s from loyalty_ledger
            where tenant_id = ${tenantId} and member_id = ${m.id} and ref_object = 'order' and ref_id <> ${orderId}
              and kind = 'earn' and created_at >= ${chinaDayStart()}`.execute(tx)
        ).rows[0]!.s,
      );
      const room = Math.max(0, program.per_day_cap - today);
      if (target - current > room) {
        target = current + room;
        ruleText = `${rule}；${lt(locale, 'rule_day_cap', { cap: program.per_day_cap, today })} → ${target}`;
      }
    }
    const targetQ = program.tier_basis === 'spend' ? Math.floor(paidMinor / 100) : target;
    const diff = target - current;
    const ref = { object: 'order', id: orderId };
    if (diff > 0)
      await earnPoints(
        tx,
        tenantId,
        {
          memberId: m.id,
          points: diff,
          reason: lt(locale, 'reason_order', { name: order.name }),
          ref,
          idempotencyKey: `order:${orderId}:${eventId}:${m.id}`,
        },
        { qualifying: targetQ - currentQ, rule: ruleText, locale },
      );
    else if (diff < 0)
      await reverseEarn(
        tx,
        tenantId,
        {
          memberId: m.id,
          points: -diff,
          qualifying: currentQ - targetQ,
          reason: lt(locale, 'reason_order_refund', { name: order.name }),
          rule: ruleText,
          ref,
          idempotencyKey: `order:${orderId}:${eventId}:${m.id}`,
          fromLedgerIds: cur.ids ?? [],
        },
        locale,
      );
  }
}

export const orderSubscriber: Subscriber = {
  name: 'loyalty-order-paid',
  pattern: 'order.payment_status_changed',
  handle: async (e: DomainEvent, job: JobContext) => {
    const p = e.payload as { id?: string };
    if (!p.id) return;
    await job.tx((tx) => settleOrder(tx, e.tenantId, p.id!, e.id));
  },
};

/** A customer who adds a staff member on WeCom joins every program that says so, at the staff member's unit. */
export const wecomSubscriber: Subscriber = {
  name: 'loyalty-wecom-enrol',
  pattern: 'wecom.contact.added',
  handle: async (e: DomainEvent, job: JobContext) => {
    const p = e.payload as { corpRef: string; externalUserid: string; userid: string };
    const ctx = await job.tx(async (tx) => {
      const programs = (
        await sql<{ id: string; unit_id: string }>`select id, unit_id from loyalty_programs
          where tenant_id = ${e.tenantId} and status = 'active' and auto_enrol_wecom`.execute(tx)
      ).rows;
      if (!programs.length) return null;
      const corp = (
        await sql<{
          corp_id: string;
        }>`select corp_id from wecom_corps where tenant_id = ${e.tenantId} and id = ${p.corpRef}`.execute(tx)
      ).rows[0];
      const staffUnit = (
        await sql<{
          unit_id: string;
        }>`select u.unit_id from wecom_staff s join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
          where s.tenant_id = ${e.tenantId} and s.corp_ref = ${p.corpRef} and s.userid = ${p.userid}`.execute(
          tx,
        )
      ).rows[0]?.unit_id;
      return corp ? { programs, corpId: corp.corp_id, staffUnit } : null;
    });
    if (!ctx) return;
    const profileId = await profileOfIdentity({ db: job.db } as Database, e.tenantId, {
      kind: 'wecom_external_userid',
      namespace: ctx.corpId,
      value: p.externalUserid,
    });
    // The CDP resolves the contact's profile moments after the add: retry (with backoff) until it has.
    if (!profileId) throw new Error('loyalty: the WeCom contact has no profile yet');
    await job.tx(async (tx) => {
      for (const program of ctx.programs) {
        const inside =
          ctx.staffUnit &&
          (
            await sql`select 1 from units u join units top on top.tenant_id = u.tenant_id and top.id = ${program.unit_id}
              where u.tenant_id = ${e.tenantId} and u.id = ${ctx.staffUnit} and u.path like top.path || '%'`.execute(
              tx,
            )
          ).rows.length;
        await enrolMember(tx, e.tenantId, {
          programId: program.id,
          profileId,
          unitId: inside ? ctx.staffUnit! : program.unit_id,
          source: 'wecom',
          idempotencyKey: `wecom:${e.id}:${program.id}`,
        });
      }
    });
  },
};

export const EVENTS_QUEUE = 'loyalty:events';
const EVENT_SCAN_EVERY_MS = 60_000;

export async function scheduleEventScan(tx: Tx, tenantId: string, at = new Date()) {
  const slot = Math.ceil(+at / EVENT_SCAN_EVERY_MS);
  await enqueue(
    tx,
    tenantId,
    EVENTS_QUEUE,
    {},
    { runAt: new Date(slot * EVENT_SCAN_EVERY_MS), dedupeKey: `events:${slot}`, maxAttempts: 3 },
  );
}

/**
 * Event rules: CDP events (by name) earn fixed points, at most `perDay` per member and day.
 * A cursor per program walks the CDP's event feed; the event id is the ledger key, so an event
 * read twice (a crash before the cursor moved) earns once.
 */
export async function scanEvents(db: Database['db'], tenantId: string): Promise<number> {
  let n = 0;
  const programs = await inTenant(
    db,
    tenantId,
    async (tx) =>
      (
        await sql<
          Program & { event_cursor: { receivedAt: string; id: string } | null }
        >`select * from loyalty_programs
        where tenant_id = ${tenantId} and status = 'active' and jsonb_array_length(event_rules) > 0`.execute(
          tx,
        )
      ).rows,
  );
  for (const program of programs) {
    const names = program.event_rules.map((r) => r.event);
    const cursor = program.event_cursor ?? {
      receivedAt: new Date(0).toISOString(),
      id: '00000000-0000-0000-0000-000000000000',
    };
    await inTenant(db, tenantId, async (tx) => {
      const events = await eventsSince(tx, tenantId, names, cursor, 500);
      for (const ev of events) {
        const rule = program.event_rules.find((r) => r.event === ev.event);
        const member = (
          await sql<{
            id: string;
          }>`select id from loyalty_members where tenant_id = ${tenantId} and program_id = ${program.id}
            and profile_id = (select coalesce(merged_into, id) from cdp_profiles where tenant_id = ${tenantId} and id = ${ev.profileId})`.execute(
            tx,
          )
        ).rows[0];
        if (!rule || !member) continue;
        if (rule.perDay) {
          await lockMember(tx, tenantId, member.id);
          const today = (
            await sql<{
              n: number;
            }>`select count(*)::int as n from loyalty_ledger where tenant_id = ${tenantId}
              and member_id = ${member.id} and ref_object = 'cdp_event' and rule = ${ev.event}
              and created_at >= ${chinaDayStart()}`.execute(tx)
          ).rows[0]!.n;
          if (today >= rule.perDay) continue;
        }
        await earnPoints(
          tx,
          tenantId,
          {
            memberId: member.id,
            points: rule.points,
            reason: lt('zh-CN', 'reason_event', { event: ev.event }),
            ref: { object: 'cdp_event', id: ev.id },
            idempotencyKey: `event:${ev.id}:${member.id}`,
          },
          { rule: ev.event },
        );
      }
      n += events.length;
      const last = events.at(-1);
      if (last)
        await sql`update loyalty_programs set event_cursor = ${JSON.stringify({ receivedAt: last.receivedAt, id: last.id })}::jsonb
          where tenant_id = ${tenantId} and id = ${program.id}`.execute(tx);
    });
  }
  return n;
}

export async function eventsJob(_payload: unknown, job: JobContext) {
  while ((await scanEvents(job.db, job.tenantId)) > 0) await job.heartbeat();
  await job.tx(async (tx) => {
    const any = (
      await sql`select 1 from loyalty_programs where tenant_id = ${job.tenantId} and status = 'active'
        and jsonb_array_length(event_rules) > 0 limit 1`.execute(tx)
    ).rows.length;
    if (any) await scheduleEventScan(tx, job.tenantId, new Date(Date.now() + EVENT_SCAN_EVERY_MS));
  });
}
