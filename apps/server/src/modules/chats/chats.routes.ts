import {
  ArchiveSettings,
  ArchiveSettingsInput,
  ChatAlert,
  ChatMessage,
  ChatRule,
  ChatRuleInput,
  Conversation,
  CHATS_PERMISSIONS as P,
  ReplyFigures,
} from '@kehu/contracts/chats';
import { z } from 'zod';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { enqueue } from '../../core/jobs/queue.ts';
import { getCorp } from '../wecom/index.ts';
import { ARCHIVE_QUEUE, pullArchive } from './archive.job.ts';
import { getArchiveSettings, putArchiveSettings } from './archive-settings.service.ts';
import {
  closeAlert,
  conversationMessages,
  listAlerts,
  listConversations,
  replyFigures,
} from './chats.queries.ts';
import { createRule, deleteRule, listRules, updateRule } from './rules.service.ts';

const tags = ['chats'];
const items = <T extends z.ZodType>(t: T) => z.object({ items: z.array(t) });
const CorpParams = z.object({ corpRef: z.string().uuid() });
const PairParams = z.object({
  corpRef: z.string().uuid(),
  staff: z.string().min(1).max(64),
  external: z.string().min(1).max(64),
});

/** 会话内容存档 (R5.6, R12.5): archive settings, conversations, rules and alerts, reply figures. */
export const chatRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/chats/settings/:corpRef',
    permission: P.manage,
    summary: 'The chat archive settings of a corp (never its secret or private key), or null before set-up',
    tags,
    params: CorpParams,
    response: ArchiveSettings.nullable(),
    probe: { params: { corpRef: 'wecom_corp' } },
    handler: (req) =>
      req.tx((tx) => getArchiveSettings(tx, req.principal, req.params.corpRef), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/chats/settings/:corpRef',
    permission: P.manage,
    summary:
      'Set the Finance SDK sidecar, the archive secret and a key pair (Kehu keeps the private key; paste the public key into WeCom)',
    tags,
    params: CorpParams,
    body: ArchiveSettingsInput,
    response: ArchiveSettings,
    probe: {
      params: { corpRef: 'wecom_corp' },
      body: { sidecarUrl: '=https://sidecar.example.com/', archiveSecret: '=probe-archive-secret' },
    },
    handler: (req) =>
      req.tx((tx) =>
        putArchiveSettings(tx, req.principal, req.actor, req.params.corpRef, req.body, req.locale),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/chats/settings/:corpRef/pull',
    permission: P.manage,
    summary: 'Read the archive now (new messages since the last one read); answers what was stored',
    tags,
    params: CorpParams,
    response: z.object({ stored: z.number().int(), alerts: z.number().int() }),
    probe: { params: { corpRef: 'wecom_corp' } },
    handler: async (req) => {
      await req.tx((tx) => getCorp(tx, req.principal, req.params.corpRef), { readOnly: true });
      return pullArchive(req.principal.tenantId, req.params.corpRef);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/chats/settings/:corpRef/pull-later',
    permission: P.manage,
    summary: 'Queue an archive read (the scheduled path)',
    tags,
    status: 202,
    params: CorpParams,
    response: z.object({ queued: z.literal(true) }),
    probe: { params: { corpRef: 'wecom_corp' } },
    handler: (req) =>
      req.tx(async (tx) => {
        await getCorp(tx, req.principal, req.params.corpRef);
        await enqueue(
          tx,
          req.principal.tenantId,
          ARCHIVE_QUEUE,
          { corpRef: req.params.corpRef },
          {
            dedupeKey: `chats:pull:${req.params.corpRef}`,
          },
        );
        return { queued: true as const };
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/chats/conversations',
    permission: P.read,
    summary: 'Archived conversations the caller may read (own, their units’, or all), newest first',
    tags,
    query: z.object({
      q: z.string().max(50).optional(),
      limit: z.coerce.number().int().min(1).max(200).optional(),
    }),
    response: items(Conversation),
    handler: (req) => req.tx((tx) => listConversations(tx, req.principal, req.query), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/chats/conversations/:corpRef/:staff/:external',
    permission: P.read,
    summary: 'The messages of one conversation (staff member × customer), oldest first',
    tags,
    params: PairParams,
    response: items(ChatMessage),
    probe: {
      params: {
        corpRef: 'chat_conversation.corpRef',
        staff: 'chat_conversation.staff',
        external: 'chat_conversation.external',
      },
    },
    handler: (req) =>
      req.tx(
        (tx) =>
          conversationMessages(tx, req.principal, req.params.corpRef, req.params.staff, req.params.external),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/chats/alerts',
    permission: P.read,
    summary: 'Sensitive-word and risky-behaviour alerts in the caller’s scope',
    tags,
    query: z.object({ status: z.enum(['open', 'closed']).optional() }),
    response: items(ChatAlert),
    handler: (req) => req.tx((tx) => listAlerts(tx, req.principal, req.query), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/chats/alerts/:id/close',
    permission: P.read,
    summary: 'Close an alert once it has been looked into',
    tags,
    status: 204,
    params: idParam,
    probe: { params: { id: 'chat_alert' } },
    handler: (req) => req.tx((tx) => closeAlert(tx, req.principal, req.params.id)),
  }),
  defineRoute({
    method: 'GET',
    url: '/chats/reply-figures',
    permission: P.read,
    summary: 'First-reply time (median minutes) and reply rate per staff member over the last days',
    tags,
    query: z.object({ days: z.coerce.number().int().min(1).max(366).optional() }),
    response: items(ReplyFigures),
    handler: (req) => req.tx((tx) => replyFigures(tx, req.principal, req.query), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/chats/rules',
    permission: P.read,
    summary: 'Sensitive words, risky behaviour and keyword auto-tags',
    tags,
    response: items(ChatRule),
    handler: (req) => req.tx((tx) => listRules(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/chats/rules',
    permission: P.manage,
    summary: 'Add a rule',
    tags,
    status: 201,
    body: ChatRuleInput,
    response: ChatRule,
    handler: (req) => req.tx((tx) => createRule(tx, req.actor, req.body)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/chats/rules/:id',
    permission: P.manage,
    summary: 'Change a rule',
    tags,
    params: idParam,
    body: ChatRuleInput,
    response: ChatRule,
    probe: { params: { id: 'chat_rule' } },
    handler: (req) => req.tx((tx) => updateRule(tx, req.actor, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/chats/rules/:id',
    permission: P.manage,
    summary: 'Remove a rule',
    tags,
    status: 204,
    params: idParam,
    probe: { params: { id: 'chat_rule' } },
    handler: (req) => req.tx((tx) => deleteRule(tx, req.actor, req.params.id)),
  }),
];
