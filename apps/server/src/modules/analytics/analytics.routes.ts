import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../../core/http/route.ts';
import {
  dashboard,
  funnel,
  funnelByTeam,
  pipelineByStage,
  responseTimes,
  winRate,
} from './analytics.service.ts';

const query = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  unit: z.string().max(40).optional(),
  channel: z.string().max(64).optional(),
  owner: z.string().max(40).optional(),
});

type Section = typeof funnel;
const section = (
  url: string,
  summary: string,
  fn:
    | Section
    | typeof funnelByTeam
    | typeof responseTimes
    | typeof winRate
    | typeof pipelineByStage
    | typeof dashboard,
) =>
  defineRoute({
    method: 'GET',
    url,
    permission: 'authenticated',
    summary,
    tags: ['analytics'],
    query,
    handler: (req) => req.tx((tx) => (fn as Section)(tx, req.principal, req.actor, req.query)),
  });

export const analyticsRoutes: RouteSpec[] = [
  section(
    '/analytics/dashboard',
    'All dashboard sections (funnel, teams, response time, win rate, pipeline, targets)',
    dashboard,
  ),
  section(
    '/analytics/funnel',
    'Funnel 线索 → 客户 → 商机 → 订单 with conversion and per-channel counts',
    funnel,
  ),
  section(
    '/analytics/funnel/teams',
    'The funnel per team (units directly below the chosen unit)',
    funnelByTeam,
  ),
  section('/analytics/response-time', 'Lead first-response time distribution against the SLA', responseTimes),
  section('/analytics/win-rate', 'Win rate overall, per owner, lost reasons', winRate),
  section('/analytics/pipeline', 'Open pipeline by stage (count, amount, weighted)', pipelineByStage),
];
