import {
  MassMessage,
  MassMessageDetail,
  MassMessageInput,
  OutreachSettings,
  OUTREACH_PERMISSIONS as P,
  SopCompletion,
  SopRule,
  SopRuleInput,
  SopTask,
} from '@kehu/contracts/outreach';
import { sql } from 'kysely';
import { z } from 'zod';
import { writeAudit } from '../../core/audit/audit.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { enqueue } from '../../core/jobs/queue.ts';
import { corpRuntime, WeComClient } from '../wecom/index.ts';
import { assertVisible, getMessage, listMessages, startCancel } from './messages.service.ts';
import { planMessage } from './plan.service.ts';
import { dispatchMessage, outreachDatabase, pollResults, SEND_QUEUE } from './send.job.ts';
import { putSettings, readSettings } from './settings.service.ts';
import { SOP_QUEUE } from './sop.job.ts';
import { closeSopTask, createSopRule, listSopRules, mySopTasks, sopCompletion } from './sop.service.ts';

const tags = ['outreach'];
const items = <T extends z.ZodType>(t: T) => z.object({ items: z.array(t) });

/** 群发 (R5.2–R5.4) and SOP (R5.5). */
export const outreachRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/outreach/settings',
    permission: P.read,
    summary: 'Quiet hours and the monthly cap per customer',
    tags,
    response: OutreachSettings,
    handler: (req) => req.tx((tx) => readSettings(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/outreach/settings',
    permission: P.send,
    summary: 'Set quiet hours (China time) and the monthly cap (at most WeCom’s 4)',
    tags,
    body: OutreachSettings,
    response: OutreachSettings,
    handler: (req) => req.tx((tx) => putSettings(tx, req.actor, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/outreach/messages',
    permission: P.read,
    summary: 'Mass messages in the caller’s scope, newest first, with delivery counts',
    tags,
    response: items(MassMessage),
    handler: async (req) => ({
      items: await req.tx((tx) => listMessages(tx, req.principal), { readOnly: true }),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/outreach/messages',
    permission: P.send,
    summary:
      'Plan a mass message: who gets it from which staff member, who is excluded and why (nothing is sent yet)',
    tags,
    body: MassMessageInput,
    response: MassMessageDetail,
    status: 201,
    probe: { body: { corpRef: 'wecom_corp', text: '=probe message' } },
    handler: (req) =>
      req.tx(async (tx) => {
        const id = await planMessage(tx, req.principal, req.actor, req.body, req.locale);
        return getMessage(tx, req.principal, id);
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/outreach/messages/:id',
    permission: P.read,
    summary: 'A mass message with its per-staff plan, exclusions and results',
    tags,
    params: idParam,
    response: MassMessageDetail,
    probe: { params: { id: 'outreach_message' } },
    handler: (req) => req.tx((tx) => getMessage(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/outreach/messages/:id/send',
    permission: P.send,
    summary:
      'Send a planned message: now (one WeCom task per staff member, each confirms in their client) or at its scheduled time',
    tags,
    params: idParam,
    response: MassMessageDetail,
    probe: { params: { id: 'outreach_message' } },
    handler: async (req) => {
      const m = await req.tx(async (tx) => {
        const m = await assertVisible(tx, req.principal, req.params.id);
        if (m.status !== 'planned') return m;
        const later = new Date(m.scheduled_at) > new Date();
        await sql`update outreach_messages set status = ${later ? 'scheduled' : 'sending'}
          where tenant_id = ${req.principal.tenantId} and id = ${m.id}`.execute(tx);
        await writeAudit(tx, req.actor, {
          action: 'outreach.send',
          object: 'outreach_message',
          recordId: m.id,
        });
        if (later)
          await enqueue(
            tx,
            req.principal.tenantId,
            SEND_QUEUE,
            { messageId: m.id },
            { runAt: new Date(m.scheduled_at) },
          );
        return { ...m, status: later ? 'scheduled' : 'sending' };
      });
      if (m.status === 'sending') await dispatchMessage(req.principal.tenantId, m.id);
      return req.tx((tx) => getMessage(tx, req.principal, req.params.id), { readOnly: true });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/outreach/messages/:id/refresh',
    permission: P.read,
    summary:
      'Read the results from WeCom now (who confirmed, who received it, who was not a friend or over the limit)',
    tags,
    params: idParam,
    response: MassMessageDetail,
    probe: { params: { id: 'outreach_message' } },
    handler: async (req) => {
      await req.tx((tx) => assertVisible(tx, req.principal, req.params.id), { readOnly: true });
      await pollResults(req.principal.tenantId, req.params.id);
      return req.tx((tx) => getMessage(tx, req.principal, req.params.id), { readOnly: true });
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/outreach/messages/:id/cancel',
    permission: P.send,
    summary:
      'Cancel before the staff confirm: a scheduled message never goes out; a sent one is stopped in WeCom',
    tags,
    params: idParam,
    response: MassMessageDetail,
    probe: { params: { id: 'outreach_message' } },
    handler: async (req) => {
      const c = await req.tx((tx) => startCancel(tx, req.principal, req.actor, req.params.id, req.locale));
      if (c.msgids.length) {
        const corp = await req.tx((tx) => corpRuntime(tx, req.principal.tenantId, c.corpRef), {
          readOnly: true,
        });
        const client = new WeComClient(outreachDatabase(), corp);
        for (const msgid of c.msgids) await client.post('externalcontact/cancel_groupmsg_send', { msgid });
      }
      return req.tx((tx) => getMessage(tx, req.principal, req.params.id), { readOnly: true });
    },
  }),
  // ---- SOP ----
  defineRoute({
    method: 'GET',
    url: '/outreach/sop/rules',
    permission: P.read,
    summary: 'SOP rules in the caller’s scope',
    tags,
    response: items(SopRule),
    handler: async (req) => ({
      items: await req.tx((tx) => listSopRules(tx, req.principal), { readOnly: true }),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/outreach/sop/rules',
    permission: P.send,
    summary: 'Make an SOP: a trigger (contact added, tag added, schedule) and steps at day offsets',
    tags,
    body: SopRuleInput,
    response: SopRule,
    status: 201,
    handler: (req) =>
      req.tx(async (tx) => {
        const r = await createSopRule(tx, req.principal, req.actor, req.body);
        await enqueue(tx, req.principal.tenantId, SOP_QUEUE, { again: false });
        return r;
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/outreach/sop/tasks/mine',
    permission: P.read,
    summary: 'My SOP tasks (open first by due time); `target` narrows to one customer or group (the sidebar)',
    tags,
    query: z.object({
      status: z.enum(['open', 'done', 'sent']).optional(),
      target: z.string().max(64).optional(),
    }),
    response: items(SopTask),
    handler: async (req) => ({
      items: await req.tx((tx) => mySopTasks(tx, req.principal, req.query), { readOnly: true }),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/outreach/sop/tasks/:id/:how',
    permission: P.read,
    summary: 'Mark my SOP task done, or sent (after the sidebar sent its text)',
    tags,
    params: z.object({ id: z.string().uuid(), how: z.enum(['done', 'sent']) }),
    response: SopTask,
    probe: { params: { id: 'sop_task', how: '=done' } },
    handler: (req) =>
      req.tx((tx) => closeSopTask(tx, req.principal, req.actor, req.params.id, req.params.how, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/outreach/sop/completion',
    permission: P.read,
    summary: 'SOP completion rate by staff member (tasks due, done, overdue) in the caller’s scope',
    tags,
    response: SopCompletion,
    handler: (req) => req.tx((tx) => sopCompletion(tx, req.principal), { readOnly: true }),
  }),
];
