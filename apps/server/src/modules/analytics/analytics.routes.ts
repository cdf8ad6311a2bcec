import {
  Dashboard,
  DashboardQuery,
  Funnel,
  FunnelByTeam,
  PipelineByStage,
  ResponseTimes,
  WinRate,
} from '@kehu/contracts/analytics';
import type { z } from 'zod';
import { defineRoute, type RouteSpec } from '../../core/http/route.ts';
import {
  dashboard,
  funnel,
  funnelByTeam,
  pipelineByStage,
  responseTimes,
  winRate,
} from './analytics.service.ts';

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
  response: z.ZodType,
) =>
  defineRoute({
    method: 'GET',
    url,
    permission: 'authenticated',
    summary,
    tags: ['analytics'],
    query: DashboardQuery,
    response,
    handler: (req) => req.tx((tx) => (fn as Section)(tx, req.principal, req.actor, req.query)),
  });

export const analyticsRoutes: RouteSpec[] = [
  section(
    '/analytics/dashboard',
    'All dashboard sections (funnel, teams, response time, win rate, pipeline, targets)',
    dashboard,
    Dashboard,
  ),
  section(
    '/analytics/funnel',
    'Funnel 线索 → 客户 → 商机 → 订单 with conversion and per-channel counts',
    funnel,
    Funnel,
  ),
  section(
    '/analytics/funnel/teams',
    'The funnel per team (units directly below the chosen unit)',
    funnelByTeam,
    FunnelByTeam,
  ),
  section(
    '/analytics/response-time',
    'Lead first-response time distribution against the SLA',
    responseTimes,
    ResponseTimes,
  ),
  section('/analytics/win-rate', 'Win rate overall, per owner, lost reasons', winRate, WinRate),
  section(
    '/analytics/pipeline',
    'Open pipeline by stage (count, amount, weighted)',
    pipelineByStage,
    PipelineByStage,
  ),
];
