import type { Actor } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/tenant-scope.ts';
import type { Locale } from '../../platform/i18n/locale.ts';
import { can, dataScopeFor, type Principal } from '../../platform/permissions/principal.ts';
import type { FilterNode } from '../../records/filter.ts';
import { listRecords, type RecordCtx, recordCtx } from '../../records/record.service.ts';
import { inbox as approvalInbox } from '../approvals/approval.service.ts';
import { inbox as leadInbox } from '../leads/inbox.service.ts';
import { listNotifications } from '../notifications/notifications.service.ts';
import { achievements, forecast } from '../sales/targets.service.ts';

/**
 * "My day": one read of what needs the caller today, built only from the modules' own scoped
 * services (record engine lists, lead inbox, approval inbox, targets, notifications), so row
 * scope and field masking are theirs. A section the caller has no right to is left out, not
 * refused: the page shows what each role can act on.
 */

type Money = { amount: number; currency: string } | null;
type Label = Record<string, string>;

const TOP = 5;
/** Enough of the inbox to tell "due within the hour" from "later" without a second count. */
const LEAD_WINDOW = 30;
/**
 * Lists read this many rows instead of asking for a separate count: a card says "20+" past it,
 * and the statement budget of the page stays near ten.
 */
const WINDOW = 20;
const HOUR = 3600;

/** The tenant's month, in China time like the rest of the sales figures. */
export function chinaMonth(now = Date.now()): string {
  return new Date(now + 8 * 3_600_000).toISOString().slice(0, 7);
}

const mine = (p: Principal): FilterNode => ({ field: 'ownerId', op: 'eq', value: p.userId });
/** Managers see a team: a scope wider than their own rows on that object. */
const seesTeam = (p: Principal, object: string) => dataScopeFor(p, object) !== 'own';

function optionLabel(ctx: RecordCtx, field: string, value: unknown): Label | null {
  const f = ctx.obj.fields.find((x) => x.apiName === field);
  const o = f?.options?.find((x) => x.value === value);
  return (o?.label as Label | undefined) ?? null;
}

const display = (rec: Record<string, unknown>, field: string): string | null => {
  const d = (rec._display as Record<string, string> | undefined)?.[field];
  return d ?? null;
};

/** An inbox item: the lead record (fields by name) plus its SLA figures. */
type Lead = Awaited<ReturnType<typeof leadInbox>>['items'][number] & Record<string, unknown>;

async function myLeads(tx: Tx, p: Principal, actor: Actor) {
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

async function myFollowUps(tx: Tx, p: Principal, actor: Actor) {
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

async function myClosingDeals(tx: Tx, p: Principal, actor: Actor) {
  const ctx = await recordCtx(tx, p, actor, 'opportunity');
  const r = await listRecords(ctx, {
    filter: {
      and: [mine(p), { field: 'closedAt', op: 'isEmpty' }, { field: 'expectedCloseDate', op: 'thisMonth' }],
    },
    sort: 'expectedCloseDate',
    // The whole month's few deals in one read: the total is their sum, the card shows the first.
    limit: 100,
  });
  const amount = r.items.reduce((s, o) => s + ((o.amount as Money)?.amount ?? 0), 0);
  return {
    count: r.items.length,
    more: r.nextCursor !== null,
    amount,
    currency: (r.items.find((o) => o.amount)?.amount as Money)?.currency ?? 'CNY',
    items: r.items.slice(0, TOP).map((o) => ({
      id: o.id,
      name: o.name ?? null,
      customerName: display(o, 'customerId'),
      amount: (o.amount as Money) ?? null,
      stage: o.stage ?? null,
      stageLabel: optionLabel(ctx, 'stage', o.stage),
      probability: o.probability ?? null,
      expectedCloseDate: o.expectedCloseDate ?? null,
    })),
  };
}

async function myPendingQuotes(tx: Tx, p: Principal, actor: Actor) {
  const ctx = await recordCtx(tx, p, actor, 'quote');
  const r = await listRecords(ctx, {
    filter: { and: [mine(p), { field: 'status', op: 'eq', value: 'pending_approval' }] },
    sort: '-updatedAt',
    limit: WINDOW,
  });
  return {
    total: r.items.length,
    more: r.nextCursor !== null,
    items: r.items.slice(0, TOP).map((q) => ({
      id: q.id,
      name: q.name ?? null,
      customerName: display(q, 'customerId'),
      total: (q.total as Money) ?? null,
      discountPercent: q.discountPercent ?? null,
      updatedAt: q.updatedAt ?? null,
    })),
  };
}

async function myTarget(tx: Tx, p: Principal, actor: Actor, period: string) {
  const ctx = await recordCtx(tx, p, actor, 'target');
  const rows = (await achievements(ctx, { period })).filter(
    (a) => a.target.scopeType === 'user' && a.target.userId === p.userId,
  );
  const a = rows[0];
  if (!a) return { period, target: null };
  return {
    period,
    target: {
      id: a.target.id as string,
      name: (a.target.name as string) ?? null,
      basis: (a.target.basis as string) ?? 'won',
      targetAmount: (a.target.amount as Money) ?? null,
      targetCount: (a.target.count as number | null) ?? null,
      actualAmount: a.actualAmount,
      actualCount: a.actualCount,
      amountRate: a.amountRate,
      countRate: a.countRate,
      forecastAmount: a.forecastAmount,
    },
  };
}

async function myApprovals(tx: Tx, p: Principal) {
  const r = await approvalInbox(tx, p, 'pending', TOP);
  return {
    pending: r.counts.pending ?? 0,
    items: r.items.map((a) => ({
      id: a.id,
      object: a.object,
      recordId: a.recordId,
      recordName: a.recordName,
      requester: a.requester.name,
      stepName: a.steps[a.currentStep]?.name ?? null,
      summary: a.summary,
      createdAt: a.createdAt,
    })),
  };
}

async function teamSla(tx: Tx, p: Principal, actor: Actor) {
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

async function teamPipeline(tx: Tx, p: Principal, actor: Actor, period: string) {
  const ctx = await recordCtx(tx, p, actor, 'opportunity');
  const f = await forecast(ctx, { period });
  return { period, ...f.total, forecast: f.forecast };
}

async function recentNotifications(tx: Tx, p: Principal) {
  const r = await listNotifications(tx, p.tenantId, p.userId, { limit: TOP });
  return {
    unread: r.unread,
    items: r.items.map((n) => ({
      id: n.id,
      kind: n.kind,
      title: n.title,
      body: n.body,
      link: n.link,
      readAt: n.readAt,
      createdAt: n.createdAt,
    })),
  };
}

/**
 * Which sections a caller gets. Personal sales sections need the right to work the object
 * (update), not just to read it: a service agent who may read leads has no inbox to empty.
 */
export function sectionsFor(p: Principal) {
  const works = (object: string) => can(p, `${object}:read`) && can(p, `${object}:update`);
  return {
    leads: works('lead'),
    followUps: works('activity'),
    closingDeals: works('opportunity'),
    pendingQuotes: works('quote'),
    target: can(p, 'target:read') && works('opportunity'),
    approvals: can(p, 'approval:read') && can(p, 'approval:update'),
    teamSla: works('lead') && seesTeam(p, 'lead'),
    teamPipeline: works('opportunity') && seesTeam(p, 'opportunity'),
  };
}

export async function today(tx: Tx, p: Principal, actor: Actor, _locale: Locale) {
  const on = sectionsFor(p);
  const period = chinaMonth();
  // One transaction, sections one after the other: they share the connection anyway.
  return {
    serverTime: new Date().toISOString(),
    period,
    role:
      on.approvals || on.teamSla || on.teamPipeline
        ? 'manager'
        : on.leads || on.closingDeals
          ? 'sales'
          : 'other',
    leads: on.leads ? await myLeads(tx, p, actor) : undefined,
    followUps: on.followUps ? await myFollowUps(tx, p, actor) : undefined,
    closingDeals: on.closingDeals ? await myClosingDeals(tx, p, actor) : undefined,
    pendingQuotes: on.pendingQuotes ? await myPendingQuotes(tx, p, actor) : undefined,
    target: on.target && !seesTeam(p, 'target') ? await myTarget(tx, p, actor, period) : undefined,
    approvals: on.approvals ? await myApprovals(tx, p) : undefined,
    teamSla: on.teamSla ? await teamSla(tx, p, actor) : undefined,
    teamPipeline: on.teamPipeline ? await teamPipeline(tx, p, actor, period) : undefined,
    notifications: await recentNotifications(tx, p),
  };
}
