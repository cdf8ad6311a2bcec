import { z } from 'zod';
import { Id, list, Timestamp } from './common.ts';
import { LEADS_PERMISSIONS } from './leads.ts';

/**
 * Notification centre: in-app notifications and signed webhooks with a delivery log. Routes
 * under /api/v1/notifications and /api/v1/notification-webhooks.
 */

export const NOTIFICATIONS_PERMISSIONS = {
  /** Everyone signed in reads and marks their own notifications. */
  own: 'authenticated',
  /** Webhooks are set up with the leads configuration (they mostly carry lead events). */
  webhooks: LEADS_PERMISSIONS.configure,
} as const;

export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed'] as const;

// ------------------------------------------------------------------ requests

export const NotificationsQuery = z.object({
  unread: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  /** Paging: notifications older than this one. */
  before: z.uuid().optional(),
});
export type NotificationsQuery = z.infer<typeof NotificationsQuery>;
export const WebhookInput = z
  // The URL rules are the outbound guard's (core/net), which answers with its own codes.
  .object({ url: z.string().min(1).max(2000), kinds: z.array(z.string().max(60)).max(50).optional() })
  .strict();
export type WebhookInput = z.infer<typeof WebhookInput>;

// ------------------------------------------------------------------ responses

export const Notification = z.object({
  id: Id,
  kind: z.string(),
  /** In the recipient's language, chosen when it was sent. */
  title: z.string(),
  body: z.string().nullable(),
  /** An app path (`/o/quote/…`). */
  link: z.string().nullable(),
  object: z.string().nullable(),
  recordId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
  readAt: Timestamp.nullable(),
  createdAt: Timestamp,
});
export type Notification = z.infer<typeof Notification>;

export const NotificationList = z.object({ items: z.array(Notification), unread: z.number().int() });
export type NotificationList = z.infer<typeof NotificationList>;
export const UnreadCount = z.object({ unread: z.number().int() });
export type UnreadCount = z.infer<typeof UnreadCount>;
export const MarkedRead = z.object({ updated: z.number().int() });
export type MarkedRead = z.infer<typeof MarkedRead>;

export const Webhook = z.object({
  id: Id,
  url: z.string(),
  /** Notification kinds it receives; `*` for all. */
  kinds: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: Timestamp,
});
export type Webhook = z.infer<typeof Webhook>;
export const Webhooks = list(Webhook);
export type Webhooks = z.infer<typeof Webhooks>;

/** The signing secret is in this answer only. */
export const CreatedWebhook = z.object({
  id: Id,
  url: z.string(),
  kinds: z.array(z.string()),
  secret: z.string(),
});
export type CreatedWebhook = z.infer<typeof CreatedWebhook>;

/** One delivery: status code, duration and our error code, never the target's body or headers. */
export const WebhookDelivery = z.object({
  id: Id,
  notificationId: Id.nullable(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  responseStatus: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  error: z.string().nullable(),
  errorMessage: z.string().nullable(),
  createdAt: Timestamp,
  deliveredAt: Timestamp.nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
export const WebhookDeliveries = list(WebhookDelivery);
export type WebhookDeliveries = z.infer<typeof WebhookDeliveries>;

// ------------------------------------------------------------------ home card ("my day")

export const NotificationsCard = z.object({
  unread: z.number().int(),
  items: z.array(
    Notification.pick({
      id: true,
      kind: true,
      title: true,
      body: true,
      link: true,
      readAt: true,
      createdAt: true,
    }),
  ),
});
export type NotificationsCard = z.infer<typeof NotificationsCard>;
