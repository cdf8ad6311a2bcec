import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../core/db/database.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { emitEvents, type NewEvent } from '../../core/events/outbox.ts';
import { isUuid } from '../../core/ids.ts';
import { receiptTokenValid, tenantOfReceiptToken } from './sms-account.service.ts';

/** Aliyun's SmsReport push: a JSON array of receipts (HTTP batch push). */
const SmsReport = z
  .array(
    z.object({
      phone_number: z.string().max(32),
      success: z.boolean(),
      err_code: z.string().max(64).optional(),
      err_msg: z.string().max(256).optional(),
      biz_id: z.string().max(64).optional(),
      out_id: z.string().max(64).optional(),
      report_time: z.string().max(32).optional(),
    }),
  )
  .max(1000);

/**
 * `POST /hooks/sms/aliyun/<token>`: delivery receipts → message.delivered / message.failed. The
 * token (issued with the credentials, stored hashed) is the authority and names the tenant. A
 * receipt is applied once: only a message still `sent` (or `queued`, when the receipt outran our
 * commit) changes. Aliyun pushes again until it reads {"code":0}.
 */
export async function registerSmsReceipts(app: FastifyInstance, database: Database): Promise<void> {
  app.post<{ Params: { token: string } }>(
    '/hooks/sms/aliyun/:token',
    { bodyLimit: 2 * 1024 * 1024 },
    async (req, reply) => {
      const tenantId = tenantOfReceiptToken(req.params.token);
      const parsed = SmsReport.safeParse(req.body);
      if (!tenantId) return reply.status(404).send({ code: 1, msg: 'not found' });
      if (!parsed.success) return reply.status(400).send({ code: 1, msg: 'invalid body' });
      const ok = await inTenant(database.db, tenantId, async (tx) => {
        if (!(await receiptTokenValid(tx, tenantId, req.params.token))) return false;
        for (const r of parsed.data) {
          if (!r.out_id || !isUuid(r.out_id)) continue;
          const m = (
            await sql<any>`update messaging_messages
              set status = ${r.success ? 'delivered' : 'failed'}, delivered_at = ${r.success ? new Date() : null},
                error = ${r.success ? null : (r.err_code ?? 'failed')}, provider_ref = coalesce(provider_ref, ${r.biz_id ?? null})
              where tenant_id = ${tenantId} and id = ${r.out_id} and channel = 'sms' and status in ('sent', 'queued')
              returning id, profile_id, channel, source_kind, source_id, step_id`.execute(tx)
          ).rows[0];
          if (!m) continue;
          const source = {
            kind: m.source_kind,
            id: m.source_id,
            ...(m.step_id ? { stepId: m.step_id } : {}),
          };
          const e: NewEvent = {
            type: r.success ? 'message.delivered' : 'message.failed',
            object: 'message',
            recordId: m.id,
            payload: {
              messageId: m.id,
              profileId: m.profile_id,
              channel: m.channel,
              source,
              ...(r.success ? {} : { reason: r.err_code ?? 'failed' }),
            },
          };
          await emitEvents(tx, tenantId, [e]);
        }
        return true;
      });
      if (!ok) return reply.status(404).send({ code: 1, msg: 'not found' });
      return reply.send({ code: 0, msg: '成功' });
    },
  );
}
