import {
  MessageLog,
  MessageLogItem,
  MessageLogQuery,
  MessagingSettings,
  MessagingSettingsSaved,
  MESSAGING_PERMISSIONS as P,
  SendMessageInput,
  SendOutcome,
} from '@kehu/contracts/messaging';
import { z } from 'zod';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { getMessage, listMessages } from './messages.service.ts';
import { sendMessage } from './send.service.ts';
import { putSettings, readSettings } from './settings.service.ts';

const tags = ['messaging'];

/** The message log, sends through the API, and channel settings (issue 12). */
export const messagingRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/messaging/messages',
    permission: P.read,
    summary: 'The message log: every attempt, sent, deferred or skipped with its reason (addresses masked)',
    tags,
    query: MessageLogQuery,
    response: MessageLog,
    handler: (req) => req.tx((tx) => listMessages(tx, req.principal.tenantId, req.query), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/messaging/messages/:id',
    permission: P.read,
    summary: 'One message attempt',
    tags,
    params: idParam,
    response: MessageLogItem,
    probe: { params: { id: 'messaging_message' } },
    handler: (req) =>
      req.tx((tx) => getMessage(tx, req.principal.tenantId, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/messaging/messages',
    permission: P.send,
    summary:
      'Send one message to a profile through the guards (consent, unsubscribes, caps, quiet hours); the same Idempotency key returns the first outcome',
    tags,
    body: SendMessageInput,
    response: SendOutcome,
    status: 201,
    probe: { body: { profileId: 'cdp_profile' } },
    handler: (req) =>
      req.tx((tx) =>
        sendMessage(tx, req.principal.tenantId, {
          ...req.body,
          // A person's key is scoped to them: two people cannot collide on (or replay) each other's sends.
          idempotencyKey: `${req.principal.kind}:${req.principal.apiKeyId ?? req.principal.userId}:${req.body.idempotencyKey}`,
          source: { kind: req.principal.kind === 'api_key' ? 'api' : 'manual', id: req.principal.userId },
        }),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/messaging/settings',
    permission: P.read,
    summary: 'Quiet hours (tenant time zone), frequency caps and the webhook endpoint',
    tags,
    response: MessagingSettings,
    handler: (req) => req.tx((tx) => readSettings(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/messaging/settings',
    permission: P.manage,
    summary: 'Set quiet hours, caps and the webhook endpoint (a new endpoint gets a new secret, shown once)',
    tags,
    body: MessagingSettings.extend({ rotateSecret: z.boolean().optional() }),
    response: MessagingSettingsSaved,
    handler: (req) => req.tx((tx) => putSettings(tx, req.actor, req.body, req.locale)),
  }),
];
