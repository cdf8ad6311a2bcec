import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { emitEvents, type NewEvent } from '../../core/events/outbox.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { channelAdapter } from './channels/index.ts';
import { runGuards } from './guards.ts';
import { trackLinks } from './links.ts';
import { loadRecipient } from './recipient.ts';
import { DELIVER_ATTEMPTS } from './send.service.ts';
import { getSettings } from './settings.service.ts';
import type { ChannelKind, ConsentPurpose, DeliveryResult, RenderedMessage } from './types.ts';

const TRACKED = new Set<ChannelKind>(['sms', 'email', 'wecom_private', 'wecom_mass']);

/**
 * Delivers one queued (or deferred) message through its channel. Consent and unsubscribes are
 * checked again: a customer who withdrew while the message waited for quiet hours to end is not
 * sent to. The adapter runs in the same transaction that records its result, so an in-app
 * notification and its "sent" commit together; providers outside get the idempotency key, so a
 * delivery retried after a crash is not a second message.
 */
export async function deliverJob(p: { messageId: string }, ctx: JobContext): Promise<void> {
  const m = await ctx.tx(
    async (tx) =>
      (
        await sql<{ channel: ChannelKind }>`select channel from messaging_messages
          where tenant_id = ${ctx.tenantId} and id = ${p.messageId}`.execute(tx)
      ).rows[0],
    { readOnly: true },
  );
  if (!m) return;
  // At most once (SMTP): "started" commits before the provider is called; a retry that finds
  // it set without a result records the message instead of calling again.
  if (channelAdapter(m.channel)?.atMostOnce) {
    const go = await ctx.tx((tx) => markStarted(tx, ctx.tenantId, p.messageId, ctx.attempt));
    if (!go) return;
  }
  const retry = await ctx.tx((tx) => deliverOne(tx, ctx.tenantId, p.messageId, ctx.attempt));
  if (retry) throw new Error(`message delivery failed, will retry: ${retry}`);
}

/** Returns whether to go on and send; false when a previous attempt may have sent already. */
async function markStarted(tx: Tx, tenantId: string, messageId: string, attempt: number): Promise<boolean> {
  const m = (
    await sql<any>`select * from messaging_messages where tenant_id = ${tenantId} and id = ${messageId} for update`.execute(
      tx,
    )
  ).rows[0];
  if (!m || (m.status !== 'queued' && m.status !== 'deferred')) return false;
  if (m.send_started_at) {
    await sql`update messaging_messages set status = 'sent', attempts = ${attempt}, sent_at = now(),
        error = 'unconfirmed_after_crash'
      where tenant_id = ${tenantId} and id = ${messageId}`.execute(tx);
    const source = { kind: m.source_kind, id: m.source_id, ...(m.step_id ? { stepId: m.step_id } : {}) };
    await emitEvents(tx, tenantId, [
      {
        type: 'message.sent',
        object: 'message',
        recordId: messageId,
        payload: { messageId, profileId: m.profile_id, channel: m.channel, source },
      },
    ]);
    return false;
  }
  await sql`update messaging_messages set send_started_at = now()
    where tenant_id = ${tenantId} and id = ${messageId}`.execute(tx);
  return true;
}

/** Returns an error code when the job should be retried. */
async function deliverOne(
  tx: Tx,
  tenantId: string,
  messageId: string,
  attempt: number,
): Promise<string | null> {
  const m = (
    await sql<any>`select * from messaging_messages where tenant_id = ${tenantId} and id = ${messageId} for update`.execute(
      tx,
    )
  ).rows[0];
  if (!m || (m.status !== 'queued' && m.status !== 'deferred')) return null;
  const source = { kind: m.source_kind, id: m.source_id, ...(m.step_id ? { stepId: m.step_id } : {}) };
  const base = { messageId, profileId: m.profile_id, channel: m.channel, source };
  const event = (type: string, extra: Record<string, unknown> = {}): NewEvent => ({
    type,
    object: 'message',
    recordId: messageId,
    payload: { ...base, ...extra },
  });

  const r = await loadRecipient(tx, tenantId, m.profile_id, m.owner_user_id ?? undefined);
  const settings = await getSettings(tx, tenantId);
  const guard = r
    ? await runGuards(
        tx,
        tenantId,
        r,
        m.channel as ChannelKind,
        m.purpose as ConsentPurpose,
        settings,
        new Date(),
        {
          skipCaps: true,
        },
      )
    : ({ ok: false, reason: 'no_address' } as const);
  if (!guard.ok && guard.reason !== 'quiet_hours') {
    await sql`update messaging_messages set status = 'skipped', reason = ${guard.reason}
      where tenant_id = ${tenantId} and id = ${messageId}`.execute(tx);
    await emitEvents(tx, tenantId, [event('message.skipped', { reason: guard.reason })]);
    return null;
  }

  const adapter = channelAdapter(m.channel);
  // Links in what reaches the customer become tracked short links (message.clicked).
  const tracked = TRACKED.has(m.channel)
    ? await trackLinks(tx, tenantId, messageId, {
        text: m.body ?? '',
        url: m.url,
        ...(m.template_params ? { params: m.template_params } : {}),
      })
    : null;
  const msg: RenderedMessage = {
    messageId,
    tenantId,
    profileId: m.profile_id,
    channel: m.channel,
    purpose: m.purpose,
    address: m.address,
    ownerUserId: m.owner_user_id,
    subject: m.subject,
    text: tracked?.text ?? m.body ?? '',
    url: tracked ? tracked.url : m.url,
    idempotencyKey: m.idempotency_key,
    source,
    templateCode: m.provider_template,
    templateParams: tracked?.params ?? m.template_params ?? undefined,
    attempt,
  };
  const result: DeliveryResult = adapter
    ? await adapter.send(tx, msg)
    : { status: 'failed', retryable: false, error: 'channel_unavailable' };

  if (result.status === 'sent') {
    await sql`update messaging_messages set status = ${result.delivered ? 'delivered' : 'sent'}, attempts = ${attempt},
        provider_ref = ${result.providerRef ?? null}, error = null, sent_at = now(),
        delivered_at = ${result.delivered ? new Date() : null}
      where tenant_id = ${tenantId} and id = ${messageId}`.execute(tx);
    await emitEvents(tx, tenantId, [
      event('message.sent'),
      ...(result.delivered ? [event('message.delivered')] : []),
    ]);
    return null;
  }
  const final = !result.retryable || attempt >= DELIVER_ATTEMPTS;
  // A failure we were told about is a known outcome: the at-most-once marker is cleared.
  await sql`update messaging_messages set attempts = ${attempt}, error = ${result.error}, send_started_at = null,
      status = ${final ? 'failed' : m.status}
    where tenant_id = ${tenantId} and id = ${messageId}`.execute(tx);
  if (final) {
    await emitEvents(tx, tenantId, [event('message.failed', { reason: result.error })]);
    return null;
  }
  return result.error;
}
