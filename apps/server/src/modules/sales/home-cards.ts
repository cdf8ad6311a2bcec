import { can, type Principal } from '../../core/auth/principal.ts';
import { display, mine, optionLabel, seesTeam, TOP, WINDOW } from '../../engine/home-cards.ts';
import type { HomeCard, HomeCardContext } from '../../engine/module.ts';
import { listRecords, recordCtx } from '../../engine/records/record.service.ts';
import { achievements, forecast } from './targets.service.ts';

/** Home cards ("my day") of the sales module: deals closing this month, quotes in approval, my target, the team's pipeline. */

type Money = { amount: number; currency: string } | null;

/** Personal cards need the right to work the object (update), not just to read it. */
const works = (p: Principal, object: string) => can(p, `${object}:read`) && can(p, `${object}:update`);

async function myClosingDeals({ tx, principal: p, actor }: HomeCardContext) {
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

async function myPendingQuotes({ tx, principal: p, actor }: HomeCardContext) {
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

async function myTarget({ tx, principal: p, actor, period }: HomeCardContext) {
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

async function teamPipeline({ tx, principal: p, actor, period }: HomeCardContext) {
  const ctx = await recordCtx(tx, p, actor, 'opportunity');
  const f = await forecast(ctx, { period });
  return { period, ...f.total, forecast: f.forecast };
}

export const salesHomeCards: HomeCard[] = [
  {
    key: 'closingDeals',
    order: 30,
    audience: 'sales',
    visible: (p) => works(p, 'opportunity'),
    load: myClosingDeals,
  },
  { key: 'pendingQuotes', order: 40, visible: (p) => works(p, 'quote'), load: myPendingQuotes },
  {
    key: 'target',
    order: 50,
    // A manager's targets are the team's: the dashboard shows those, "my day" only a personal one.
    visible: (p) => can(p, 'target:read') && works(p, 'opportunity') && !seesTeam(p, 'target'),
    load: myTarget,
  },
  {
    key: 'teamPipeline',
    order: 80,
    audience: 'manager',
    visible: (p) => works(p, 'opportunity') && seesTeam(p, 'opportunity'),
    load: teamPipeline,
  },
];
