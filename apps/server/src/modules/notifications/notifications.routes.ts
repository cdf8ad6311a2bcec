import { z } from 'zod';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
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
    permission: 'authenticated',
    summary: 'My notifications, newest first, with the unread count',
    tags: ['notifications'],
    query: z.object({
      unread: z.enum(['true', 'false']).optional(),
      limit: z.coerce.number().int().min(1).max(100).optional(),
      before: z.uuid().optional(),
    }),
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
    permission: 'authenticated',
    summary: 'How many of my notifications are unread (for the bell badge)',
    tags: ['notifications'],
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
    permission: 'authenticated',
    summary: 'Mark all my notifications read',
    tags: ['notifications'],
    handler: (req) => req.tx((tx) => markAllRead(tx, req.principal.tenantId, req.principal.userId)),
  }),
  defineRoute({
    method: 'POST',
    url: '/notifications/:id/read',
    permission: 'authenticated',
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
    permission: 'leads:configure',
    summary: "The tenant's notification webhooks",
    tags: ['notifications'],
    handler: (req) => req.tx((tx) => listWebhooks(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/notification-webhooks',
    permission: 'leads:configure',
    summary:
      'Add a webhook (Standard Webhooks signing; https and public addresses only unless the operator allows; the secret is shown once)',
    tags: ['notifications'],
    body: z
      // The URL rules are the outbound guard's (platform/net), which answers with its own codes.
      .object({ url: z.string().min(1).max(2000), kinds: z.array(z.string().max(60)).max(50).optional() })
      .strict(),
    status: 201,
    handler: (req) => req.tx((tx) => createWebhook(tx, req.principal.tenantId, req.body, req.locale)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/notification-webhooks/:id',
    permission: 'leads:configure',
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
    permission: 'leads:configure',
    summary: 'Delivery log of a webhook (status, attempts, response code, duration, error code and message)',
    tags: ['notifications'],
    params: idParam,
    probe: { params: { id: 'notification_webhook' } },
    handler: (req) =>
      req.tx((tx) => listDeliveries(tx, req.principal.tenantId, req.params.id, req.locale), {
        readOnly: true,
      }),
  }),
];
