import { Dashboard, DashboardQuery, STAFF_ANALYTICS_PERMISSIONS as P } from '@kehu/contracts/staff-analytics';
import { writeAudit } from '../../core/audit/audit.ts';
import { defineRoute, type RouteSpec } from '../../core/http/route.ts';
import { staffDashboard } from './dashboard.service.ts';
import { dashboardCsv } from './export.ts';
import { resolvePeriod } from './period.ts';

const tags = ['staff-analytics'];

type Q = {
  days?: number;
  from?: string;
  to?: string;
  unitId?: string;
  tree?: boolean;
  staffUserId?: string;
};
const selection = (q: Q, locale: Parameters<typeof resolvePeriod>[1]) => ({
  ...resolvePeriod(q, locale),
  unitId: q.unitId,
  tree: q.tree,
  staffUserId: q.staffUserId,
});

/** The staff dashboard (issue 11 "Staff analytics", R11.3) and its audited CSV export. */
export const staffAnalyticsRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/staff-analytics/dashboard',
    permission: P.read,
    summary:
      'Figures per staff member, team and day over a period (a salesperson sees themself, a manager their team)',
    tags,
    query: DashboardQuery,
    response: Dashboard,
    handler: (req) =>
      req.tx((tx) => staffDashboard(tx, req.principal, selection(req.query as Q, req.locale)), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/staff-analytics/export',
    permission: P.export,
    summary: 'The staff ranking of a period as CSV (audited)',
    tags,
    query: DashboardQuery,
    file: ['text/csv'],
    handler: async (req, reply) => {
      const sel = selection(req.query as Q, req.locale);
      const csv = await req.tx(async (tx) => {
        const d = await staffDashboard(tx, req.principal, sel);
        await writeAudit(tx, req.actor, {
          action: 'export',
          object: 'staff_analytics',
          meta: { ...sel, staff: d.staff.length },
        });
        return dashboardCsv(d, req.locale);
      });
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="staff-${sel.from}-${sel.to}.csv"`);
      return reply.send(csv);
    },
  }),
];
