import { can, type Principal } from '../../core/auth/principal.ts';
import { display, HOUR, mine, optionLabel, seesTeam, TOP, WINDOW } from '../../engine/home-cards.ts';
import type { HomeCard, HomeCardContext } from '../../engine/module.ts';
import { listRecords, recordCtx } from '../../engine/records/record.service.ts';
import { inbox as leadInbox } from './inbox.service.ts';

/** Home cards ("my day") of the leads module: my inbox by SLA urgency, my follow-ups, the team's SLA breaches. */

/** Enough of the inbox to tell "due within the hour" from "later" without a second count. */
const LEAD_WINDOW = 30;

/** Personal cards need the right to work the object (update), not just to read it. */
const works = (p: Principal, object: string) => can(p, `${object}:read`) && can(p, `${object}:update`);

/** An inbox item: the lead record (fields by name) plus its SLA figures. */
type Lead = Awaited<ReturnType<typeof leadInbox>>['items'][number] & Record<string, unknown>;

async function myLeads({ tx, principal: p, actor }: HomeCardContext) {
  const ctx = await recordCtx(tx, p, actor, 'lead');
  const r = await leadInbox(ctx, { limit: LEAD_WINDOW });
  const waiting = r.items.filter((i) => i.dueInSeconds !== null);
  const dueSoon = waiting.filter((i) => !i.overdue && (i.dueInSeconds ?? 0) <= HOUR).length;
  return {
    open: r.counts.open,
    breached: r.counts.overdue,
    dueSoon,
    // Everything not breached and not due within the hour: answered ones and later deadlines.
    later: Math.max(r.counts.open - r.counts.overdue - dueSoon, 0),
    items: r.items.slice(0, TOP).map((i: Lead) => ({
      id: i.id,
      name: i.name ?? null,
      company: i.company ?? null,
      status: i.status,
      statusLabel: optionLabel(ctx, 'status', i.status),
      score: i.score ?? null,
      firstResponseDueAt: i.firstResponseDueAt ?? null,
      firstRespondedAt: i.firstRespondedAt ?? null,
      overdue: i.overdue,
      dueInSeconds: i.dueInSeconds,
      nextFollowUpAt: i.nextFollowUpAt,
      followUpOverdue: i.followUpOverdue,
    })),
  };
}

async function myFollowUps({ tx, principal: p, actor }: HomeCardContext) {
  const ctx = await recordCtx(tx, p, actor, 'activity');
  const now = new Date().toISOString();
  const r = await listRecords(ctx, {
    filter: {
      and: [
        mine(p),
        { field: 'status', op: 'eq', value: 'open' },
        {
          or: [
            { field: 'dueAt', op: 'today' },
            { field: 'dueAt', op: 'lt', value: now },
          ],
        },
      ],
    },
    sort: 'dueAt',
    limit: WINDOW,
  });
  return {
    total: r.items.length,
    more: r.nextCursor !== null,
    items: r.items.slice(0, TOP).map((a) => ({
      id: a.id,
      subject: a.subject ?? null,
      type: a.type ?? null,
      typeLabel: optionLabel(ctx, 'type', a.type),
      dueAt: a.dueAt ?? null,
      overdue: typeof a.dueAt === 'string' && a.dueAt < now,
      leadId: a.leadId ?? null,
      leadName: display(a, 'leadId'),
      customerId: a.customerId ?? null,
      customerName: display(a, 'customerId'),
    })),
  };
}

async function teamSla({ tx, principal: p, actor }: HomeCardContext) {
  const ctx = await recordCtx(tx, p, actor, 'lead');
  const r = await listRecords(ctx, {
    filter: {
      and: [
        { field: 'slaBreached', op: 'eq', value: true },
        { field: 'firstResponseDueAt', op: 'today' },
      ],
    },
    sort: 'firstResponseDueAt',
    limit: WINDOW,
  });
  return {
    breachedToday: r.items.length,
    more: r.nextCursor !== null,
    items: r.items.slice(0, TOP).map((l) => ({
      id: l.id,
      name: l.name ?? null,
      company: l.company ?? null,
      ownerName: display(l, 'ownerId'),
      firstResponseDueAt: l.firstResponseDueAt ?? null,
      firstRespondedAt: l.firstRespondedAt ?? null,
    })),
  };
}

export const leadHomeCards: HomeCard[] = [
  { key: 'leads', order: 10, audience: 'sales', visible: (p) => works(p, 'lead'), load: myLeads },
  { key: 'followUps', order: 20, visible: (p) => works(p, 'activity'), load: myFollowUps },
  {
    key: 'teamSla',
    order: 70,
    audience: 'manager',
    visible: (p) => works(p, 'lead') && seesTeam(p, 'lead'),
    load: teamSla,
  },
];
