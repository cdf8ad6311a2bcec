import type { RouteSpec } from '../../core/http/route.ts';
import { registerJob } from '../../core/jobs/queue.ts';
import { notificationRoutes } from './notifications.routes.ts';
import { WEBHOOK_QUEUE } from './notifications.service.ts';
import { deliverWebhook } from './webhook.job.ts';

/** Notification centre: in-app notifications, signed webhooks with retries and a delivery log. */
export function registerNotificationsModule(): void {
  registerJob(WEBHOOK_QUEUE, deliverWebhook);
}

export const notificationsRoutes: RouteSpec[] = notificationRoutes;
export { notify } from './notifications.service.ts';
