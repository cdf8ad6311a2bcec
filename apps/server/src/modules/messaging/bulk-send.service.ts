import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { enqueue, type JobContext } from '../../core/jobs/queue.ts';
import { sendMessage } from './send.service.ts';
import type { ChannelKind, ConsentPurpose } from './types.ts';

export const BULK_QUEUE = 'messaging:bulk-send';
/** Members per transaction: a crash loses at most one batch's progress, never sends twice (keys). */
const BATCH = 200;

const out = (r: any) => ({
  id: r.id,
  templateId: r.template_id,
  segmentId: r.segment_id,
  purpose: r.purpose,
  status: r.status,
  total: r.total,
  processed: r.processed,
  queued: r.queued,
  skipped: r.skipped,
  createdAt: new Date(r.created_at).toISOString(),
  finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
});

/**
 * Sends a template to every profile in a segment: a durable job walks the members in batches
 * through sendMessage — the same guards and one idempotency key per (send, profile), so a job
 * retried after a crash sends nobody twice. The same request key returns the first send.
 */
export async function startBulkSend(
  tx: Tx,
  actor: Actor,
  input: {
    templateId: string;
    segmentId: string;
    purpose: ConsentPurpose;
    variables?: Record<string, string>;
    idempotencyKey: string;
  },
) {
  const key = `${actor.actorId}:${input.idempotencyKey}`;
  const seen = (
    await sql<any>`select * from messaging_bulk_sends where tenant_id = ${actor.tenantId} and idempotency_key = ${key}`.execute(
      tx,
    )
  ).rows[0];
  if (seen) return out(seen);
  const errors = [];
  const t = (
    await sql<{
      channel: string;
    }>`select channel from messaging_templates where tenant_id = ${actor.tenantId} and id = ${input.templateId}`.execute(
      tx,
    )
  ).rows[0];
  if (!t) errors.push({ field: 'templateId', code: 'not_found', message: 'template' });
  const seg = (
    await sql<{
      object: string;
    }>`select object from cdp_segments where tenant_id = ${actor.tenantId} and id = ${input.segmentId}`.execute(
      tx,
    )
  ).rows[0];
  if (seg?.object !== 'profile') errors.push({ field: 'segmentId', code: 'not_found', message: 'segment' });
  if (errors.length) throw invalid(errors);
  const total = (
    await sql<{ n: number }>`select count(*)::int as n from cdp_segment_members
      where tenant_id = ${actor.tenantId} and segment_id = ${input.segmentId}`.execute(tx)
  ).rows[0]!.n;
  const id = newId();
  const r = (
    await sql<any>`insert into messaging_bulk_sends (tenant_id, id, template_id, segment_id, purpose, total, variables,
        idempotency_key, created_by)
      values (${actor.tenantId}, ${id}, ${input.templateId}, ${input.segmentId}, ${input.purpose}, ${total},
        ${JSON.stringify(input.variables ?? {})}::jsonb, ${key}, ${actor.actorId})
      returning *`.execute(tx)
  ).rows[0];
  await enqueue(
    tx,
    actor.tenantId,
    BULK_QUEUE,
    { id },
    { maxAttempts: 10, dedupeKey: `messaging:bulk:${id}` },
  );
  await writeAudit(tx, actor, { action: 'messaging.bulk_send', object: 'messaging_bulk_send', recordId: id });
  return out(r);
}

export async function getBulkSend(tx: Tx, tenantId: string, id: string) {
  const r = (
    await sql<any>`select * from messaging_bulk_sends where tenant_id = ${tenantId} and id = ${id}`.execute(
      tx,
    )
  ).rows[0];
  if (!r) throw notFound('messaging_bulk_send');
  return out(r);
}

/** One batch per transaction, members in id order after the last one processed. */
export async function bulkSendJob(p: { id: string }, ctx: JobContext): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const more = await ctx.tx(async (tx) => {
      const b = (
        await sql<any>`select b.*, t.channel from messaging_bulk_sends b
          join messaging_templates t on t.tenant_id = b.tenant_id and t.id = b.template_id
          where b.tenant_id = ${ctx.tenantId} and b.id = ${p.id} for update of b`.execute(tx)
      ).rows[0];
      if (!b || b.status === 'done') return null;
      const members = (
        await sql<{ subject_id: string }>`select subject_id from cdp_segment_members
          where tenant_id = ${ctx.tenantId} and segment_id = ${b.segment_id} and subject_id > ${after}::uuid
          order by subject_id limit ${BATCH}`.execute(tx)
      ).rows;
      let queued = 0;
      let skipped = 0;
      let fresh = 0;
      for (const m of members) {
        const key = `bulk:${b.id}:${m.subject_id}`;
        const existed = (
          await sql`select 1 from messaging_messages where tenant_id = ${ctx.tenantId} and idempotency_key = ${key}`.execute(
            tx,
          )
        ).rows.length;
        const o = await sendMessage(tx, ctx.tenantId, {
          profileId: m.subject_id,
          channel: b.channel as ChannelKind,
          purpose: b.purpose,
          templateId: b.template_id,
          variables: b.variables,
          idempotencyKey: key,
          source: { kind: 'manual', id: b.id },
        }).catch(() => ({ status: 'failed' as const }));
        if (existed) continue;
        fresh++;
        if (o.status === 'skipped' || o.status === 'failed') skipped++;
        else queued++;
      }
      const last = members.at(-1)?.subject_id;
      const done = members.length < BATCH;
      await sql`update messaging_bulk_sends set processed = processed + ${fresh}, queued = queued + ${queued},
          skipped = skipped + ${skipped}, total = greatest(total, processed + ${fresh}),
          status = ${done ? 'done' : 'running'}, finished_at = ${done ? new Date() : null}
        where tenant_id = ${ctx.tenantId} and id = ${p.id}`.execute(tx);
      return done ? null : last;
    });
    if (!more) return;
    after = more;
    await ctx.heartbeat();
  }
}
