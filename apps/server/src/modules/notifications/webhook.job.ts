import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { isSealed, open } from '../../core/crypto/secret-box.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { guardedFetch, OutboundError } from '../../core/net/outbound-url.ts';
import { webhookHeaders, webhookSecretAad } from './webhook-signature.ts';

export interface WebhookJobPayload {
  deliveryId: string;
}

const MAX_ATTEMPTS = 6;

/**
 * Delivers one notification to one webhook through the outbound guard; a refusal, a non-2xx or
 * a timeout throws so the queue retries with backoff. Redirects are not followed (a 3xx is a
 * failed attempt): a receiver that moved is re-entered by its owner, and an allowed endpoint
 * cannot bounce the signed delivery elsewhere. The log keeps status code, duration and our
 * error code — never the receiver's body or headers.
 */
export async function deliverWebhook(p: WebhookJobPayload, ctx: JobContext): Promise<void> {
  const d = await ctx.tx(
    async (tx) =>
      (
        await sql<any>`select d.id, d.status, d.event, w.id as wid, w.url, w.secret, n.id as nid, n.user_id, n.kind, n.title,
          n.body, n.link, n.object, n.record_id, n.data, n.created_at
        from webhook_deliveries d
        join notification_webhooks w on w.tenant_id = d.tenant_id and w.id = d.webhook_id
        left join notifications n on n.tenant_id = d.tenant_id and n.id = d.notification_id
        where d.tenant_id = ${ctx.tenantId} and d.id = ${p.deliveryId}`.execute(tx)
      ).rows[0],
  );
  if (!d || d.status === 'delivered') return;
  // A domain event (dealer orders and statements for the ERP): `{ id, type, tenantId, object,
  // recordId, data, createdAt }`, the same envelope as a notification's.
  const body = d.event
    ? JSON.stringify({
        id: d.event.id,
        type: d.event.type,
        tenantId: ctx.tenantId,
        object: d.event.object ?? null,
        recordId: d.event.recordId ?? null,
        data: d.event.payload ?? null,
        createdAt: d.event.createdAt,
      })
    : JSON.stringify({
        id: d.nid,
        type: d.kind,
        tenantId: ctx.tenantId,
        userId: d.user_id,
        title: d.title,
        body: d.body,
        link: d.link,
        object: d.object,
        recordId: d.record_id,
        data: d.data,
        createdAt: new Date(d.created_at).toISOString(),
      });
  let status: number | null = null;
  let error: string | null = null;
  const started = performance.now();
  try {
    const res = await guardedFetch(
      d.url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Kehu-Webhooks/1',
          ...webhookHeaders(secretOf(d.wid, d.secret), p.deliveryId, body),
        },
        body,
      },
      { maxRedirects: 0, maxResponseBytes: 64 * 1024 },
    );
    status = res.status;
    if (status < 200 || status > 299) error = `http_${status}`;
  } catch (err) {
    if (!(err instanceof OutboundError)) throw err;
    error = err.code;
  }
  const durationMs = Math.round(performance.now() - started);
  const ok = error === null;
  const final = ok ? 'delivered' : ctx.attempt >= MAX_ATTEMPTS ? 'failed' : 'retrying';
  await ctx.tx((tx) =>
    sql`update webhook_deliveries set status = ${final}, attempts = ${ctx.attempt}, response_status = ${status},
        duration_ms = ${durationMs}, error = ${error}, delivered_at = ${ok ? new Date() : null}
      where tenant_id = ${ctx.tenantId} and id = ${p.deliveryId}`.execute(tx),
  );
  if (!ok) throw new Error(`webhook delivery failed: ${error}`);
}

/** Rows from before secrets were sealed hold them in clear; they still sign until rotated. */
function secretOf(webhookId: string, stored: string): string {
  return isSealed(stored) ? open(stored, webhookSecretAad(webhookId)) : stored;
}
