import { defineRoute, type RouteSpec } from '../../core/http/route.ts';
import { today } from './today.service.ts';

/** The home page's "my day": one authenticated read composed of the other modules' scoped services. */
export const homeRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/me/today',
    permission: 'authenticated',
    summary:
      'My day: leads by SLA urgency, follow-ups due, deals closing this month, quotes in approval, my target, approvals waiting for me, team SLA breaches and pipeline, recent notifications (sections I may not see are left out)',
    tags: ['home'],
    // Acts on the caller only (no params): the permission matrix probes it as `self`.
    handler: (req) => req.tx((tx) => today(tx, req.principal, req.actor, req.locale), { readOnly: true }),
  }),
];
