import type { RouteSpec } from '../../core/http/route.ts';
import { registerJob } from '../../core/jobs/queue.ts';
import { registerObjectHooks } from '../../engine/records/object-hooks.ts';
import { registerStandardObject } from '../../engine/records/standard-objects.ts';
import { notificationsRoutes, registerNotificationsModule } from '../notifications/index.ts';
import { activityHooks } from './activity.hooks.ts';
import { activityObject } from './activity.object.ts';
import { leadHooks, NOTIFY_QUEUE, TICK_QUEUE, TRAIN_QUEUE } from './lead.hooks.ts';
import { leadObject } from './lead.object.ts';
import { notifyJob, tickJob, trainJob } from './leads.jobs.ts';
import { leadRoutes } from './leads.routes.ts';

/** Leads (R3): intake, dedupe, scoring, assignment, SLA, pool, conversion; activities; notifications. */
export function registerLeadsModule(): void {
  registerStandardObject(leadObject);
  registerStandardObject(activityObject);
  registerObjectHooks('lead', leadHooks);
  registerObjectHooks('activity', activityHooks);
  registerJob(NOTIFY_QUEUE, notifyJob);
  registerJob(TICK_QUEUE, tickJob);
  registerJob(TRAIN_QUEUE, trainJob);
  registerNotificationsModule();
}

export const leadsRoutes: RouteSpec[] = [...leadRoutes, ...notificationsRoutes];
