import {
  CreatedWebhook,
  MarkedRead,
  NOTIFICATIONS_PERMISSIONS,
  NotificationList,
  NotificationsQuery,
  UnreadCount,
  WebhookDeliveries,
  WebhookInput,
  Webhooks,
} from '@kehu/contracts/notifications';
import { forbidden } from '../../core/errors.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { refusedFamily } from './event-families.ts';
import {
  createWebhook,
  deleteWebhook,
  listDeliveries,
  listNotifications,
  listWebhooks,
  markAllRead,
  markRead,
  unreadCount,
} from './notifications.service.ts';

export const notificationRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/notifications',
    permission: NOTIFICATIONS_PERMISSIONS.own,
    summary: 'My notifications, newest first, with the unread count',
    tags: ['notifications'],
    query: NotificationsQuery,
    response: NotificationList,
    handler: (req) =>
      req.tx(
        (tx) =>
          listNotifications(tx, req.principal.tenantId, req.principal.userId, {
            unread: req.query.unread === 'true',
            limit: req.query.limit,
            before: req.query.before,
          }),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/notifications/unread-count',
    permission: NOTIFICATIONS_PERMISSIONS.own,
    summary: 'How many of my notifications are unread (for the bell badge)',
    tags: ['notifications'],
    response: UnreadCount,
    handler: (req) =>
      req.tx(
        async (tx) => ({ unread: await unreadCount(tx, req.principal.tenantId, req.principal.userId) }),
        {
          readOnly: true,
        },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/notifications/read-all',
    permission: NOTIFICATIONS_PERMISSIONS.own,
    summary: 'Mark all my notifications read',
    tags: ['notifications'],
    response: MarkedRead,
    handler: (req) => req.tx((tx) => markAllRead(tx, req.principal.tenantId, req.principal.userId)),
  }),
  defineRoute({
    method: 'POST',
    url: '/notifications/:id/read',
    permission: NOTIFICATIONS_PERMISSIONS.own,
    summary: 'Mark one of my notifications read',
    tags: ['notifications'],
    params: idParam,
    status: 204,
    probe: { params: { id: 'notification' } },
    handler: (req) =>
      req.tx((tx) => markRead(tx, req.principal.tenantId, req.principal.userId, req.params.id)),
  }),
  defineRoute({
    method: 'GET',
    url: '/notification-webhooks',
    permission: NOTIFICATIONS_PERMISSIONS.webhooks,
    summary: "The tenant's notification webhooks",
    tags: ['notifications'],
    response: Webhooks,
    handler: (req) => req.tx((tx) => listWebhooks(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/notification-webhooks',
    permission: NOTIFICATIONS_PERMISSIONS.webhooks,
    summary:
      'Add a webhook (Standard Webhooks signing; https and public addresses only unless the operator allows; the secret is shown once)',
    tags: ['notifications'],
    body: WebhookInput,
    response: CreatedWebhook,
    status: 201,
    handler: (req) => {
      // dms.* and the like carry another module's data: only for those who may see all of it.
      const refused = refusedFamily(req.principal, req.body.kinds);
      if (refused) throw forbidden(refused.permission);
      return req.tx((tx) => createWebhook(tx, req.principal.tenantId, req.body, req.locale));
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/notification-webhooks/:id',
    permission: NOTIFICATIONS_PERMISSIONS.webhooks,
    summary: 'Remove a webhook',
    tags: ['notifications'],
    params: idParam,
    status: 204,
    probe: { params: { id: 'notification_webhook' } },
    handler: (req) => req.tx((tx) => deleteWebhook(tx, req.principal.tenantId, req.params.id)),
  }),
  defineRoute({
    method: 'GET',
    url: '/notification-webhooks/:id/deliveries',
    permission: NOTIFICATIONS_PERMISSIONS.webhooks,
    summary: 'Delivery log of a webhook (status, attempts, response code, duration, error code and message)',
    tags: ['notifications'],
    params: idParam,
    probe: { params: { id: 'notification_webhook' } },
    response: WebhookDeliveries,
    handler: (req) =>
      req.tx((tx) => listDeliveries(tx, req.principal.tenantId, req.params.id, req.locale), {
        readOnly: true,
      }),
  }),
];
