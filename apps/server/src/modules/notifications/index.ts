import { type Contribution, defineModule } from '../../engine/module.ts';
import { registerWebhookEventFamily, type WebhookEventFamily } from './event-families.ts';
import { notificationHomeCards } from './home-cards.ts';
import { notificationStreamRoutes, registerNotificationStream } from './notification-stream.ts';
import { notificationRoutes } from './notifications.routes.ts';
import { WEBHOOK_QUEUE } from './notifications.service.ts';
import { deliverWebhook } from './webhook.job.ts';

/** Notification centre: in-app notifications, signed webhooks with retries and a delivery log. */
export default defineModule({
  name: 'notifications',
  label: { 'zh-CN': '通知', 'en-US': 'Notifications' },
  routes: [...notificationRoutes, ...notificationStreamRoutes],
  http: registerNotificationStream,
  jobs: { [WEBHOOK_QUEUE]: deliverWebhook },
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  homeCards: notificationHomeCards,
  extensionPoints: {
    'webhook-event-family': (value) => registerWebhookEventFamily(value as WebhookEventFamily),
  },
});

/** A module whose events carry its data says who may subscribe a webhook to their family. */
export const webhookEventFamily = (f: WebhookEventFamily): Contribution<WebhookEventFamily> => ({
  point: 'webhook-event-family',
  value: f,
});
export type { WebhookEventFamily } from './event-families.ts';

export { notify, queueEventWebhooks } from './notifications.service.ts';
/** Messaging's webhook channel signs like the notification webhooks (Standard Webhooks). */
export { newWebhookSecret, webhookHeaders } from './webhook-signature.ts';
