import {
  BulkSend,
  BulkSendInput,
  EmailAccount,
  EmailAccountInput,
  EmailAccountSaved,
  MessageLog,
  MessageLogItem,
  MessageLogQuery,
  MessageStats,
  MessagingSettings,
  MessagingSettingsSaved,
  MESSAGING_PERMISSIONS as P,
  SendMessageInput,
  SendOutcome,
  SmsAccount,
  SmsAccountInput,
  SmsAccountSaved,
  Template,
  TemplateInput,
  TemplatePreview,
  TemplatePreviewInput,
  TestSendInput,
  TestSendResult,
} from '@kehu/contracts/messaging';
import { z } from 'zod';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { publicBaseUrl } from '../../core/mail/mailer.ts';
import { getBulkSend, startBulkSend } from './bulk-send.service.ts';
import { putEmailAccount, readEmailAccount } from './email/email-account.service.ts';
import { getMessage, listMessages, messageStats } from './messages.service.ts';
import { sendMessage } from './send.service.ts';
import { putSettings, readSettings } from './settings.service.ts';
import { putSmsAccount, readSmsAccount } from './sms-account.service.ts';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  previewTemplate,
  updateTemplate,
} from './templates.service.ts';
import { testSend } from './test-send.service.ts';

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
    handler: (req) => req.tx((tx) => listMessages(tx, req.principal, req.query), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/messaging/stats',
    permission: P.read,
    summary: 'Messages per day and status, and skips by reason (the log page chart)',
    tags,
    query: z.object({ days: z.coerce.number().int().min(1).max(90).optional() }),
    response: MessageStats,
    handler: (req) =>
      req.tx((tx) => messageStats(tx, req.principal, req.query.days ?? 14), { readOnly: true }),
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
      req.tx((tx) => getMessage(tx, req.principal, req.params.id), { readOnly: true }),
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
    method: 'POST',
    url: '/messaging/bulk-sends',
    permission: P.send,
    summary:
      'Send a template to every profile of a segment (each through the guards, one key per profile); progress at GET …/:id',
    tags,
    body: BulkSendInput,
    response: BulkSend,
    status: 201,
    probe: { body: { templateId: 'messaging_template', segmentId: 'cdp_segment' } },
    handler: (req) => req.tx((tx) => startBulkSend(tx, req.actor, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/messaging/bulk-sends/:id',
    permission: P.read,
    summary: 'Progress of a send to a segment',
    tags,
    params: idParam,
    response: BulkSend,
    probe: { params: { id: 'messaging_bulk_send' } },
    handler: (req) =>
      req.tx((tx) => getBulkSend(tx, req.principal.tenantId, req.params.id), { readOnly: true }),
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
  defineRoute({
    method: 'GET',
    url: '/messaging/sms-account',
    permission: P.read,
    summary: 'The SMS account (endpoint, AccessKeyId, sign name; never the secret)',
    tags,
    response: SmsAccount,
    handler: (req) => req.tx((tx) => readSmsAccount(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/messaging/sms-account',
    permission: P.manage,
    summary:
      'Set the SMS account (Aliyun Dysms or a compatible endpoint); the secret is sealed, the receipt URL shown once',
    tags,
    body: SmsAccountInput,
    response: SmsAccountSaved,
    handler: (req) => req.tx((tx) => putSmsAccount(tx, req.actor, req.body, req.locale, publicBaseUrl())),
  }),
  defineRoute({
    method: 'GET',
    url: '/messaging/email-account',
    permission: P.read,
    summary: 'The email (SMTP) account (host, port, sender, bounce address; never the password)',
    tags,
    response: EmailAccount,
    handler: (req) => req.tx((tx) => readEmailAccount(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/messaging/email-account',
    permission: P.manage,
    summary:
      'Set the email (SMTP) account; the password is sealed (omit it to keep the stored one), the bounce hook URL shown once',
    tags,
    body: EmailAccountInput,
    response: EmailAccountSaved,
    handler: (req) => req.tx((tx) => putEmailAccount(tx, req.actor, req.body, req.locale, publicBaseUrl())),
  }),
  defineRoute({
    method: 'POST',
    url: '/messaging/test-send',
    permission: P.manage,
    summary: 'Send a test SMS / email / webhook through the channel settings (not logged as a message)',
    tags,
    body: TestSendInput,
    response: TestSendResult,
    handler: (req) => req.tx((tx) => testSend(tx, req.principal.tenantId, req.body, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/messaging/templates',
    permission: P.read,
    summary: 'Message templates per channel, with their variables and segment variants',
    tags,
    response: z.object({ items: z.array(Template) }),
    handler: (req) => req.tx((tx) => listTemplates(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/messaging/templates/:id',
    permission: P.read,
    summary: 'One template',
    tags,
    params: idParam,
    response: Template,
    probe: { params: { id: 'messaging_template' } },
    handler: (req) =>
      req.tx((tx) => getTemplate(tx, req.principal.tenantId, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/messaging/templates',
    permission: P.manage,
    summary: 'Create a template ({{name}}, {{owner.name}}, {{coupon_code}} …; variants per segment)',
    tags,
    body: TemplateInput,
    response: Template,
    status: 201,
    handler: (req) => req.tx((tx) => createTemplate(tx, req.actor, req.body)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/messaging/templates/:id',
    permission: P.manage,
    summary: 'Replace a template',
    tags,
    params: idParam,
    body: TemplateInput,
    response: Template,
    probe: { params: { id: 'messaging_template' } },
    handler: (req) => req.tx((tx) => updateTemplate(tx, req.actor, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/messaging/templates/:id',
    permission: P.manage,
    summary: 'Delete a template (messages already sent keep their text)',
    tags,
    params: idParam,
    status: 204,
    probe: { params: { id: 'messaging_template' } },
    handler: (req) => req.tx((tx) => deleteTemplate(tx, req.actor, req.params.id)),
  }),
  defineRoute({
    method: 'POST',
    url: '/messaging/templates/:id/preview',
    permission: P.read,
    summary:
      'Render a template for one profile as the caller sees it (personal data masked without the unmask right); a missing variable is a field error',
    tags,
    params: idParam,
    body: TemplatePreviewInput,
    response: TemplatePreview,
    probe: { params: { id: 'messaging_template' }, body: { profileId: 'cdp_profile' } },
    handler: (req) =>
      req.tx((tx) => previewTemplate(tx, req.principal, req.params.id, req.body), { readOnly: true }),
  }),
];
