import { sql } from 'kysely';
import { seal } from '../../core/crypto/secret-box.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../core/errors.ts';
import type { Label, Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { enqueue } from '../../core/jobs/queue.ts';
import { outboundFieldError, outboundMessage } from '../../core/net/outbound.messages.ts';
import { checkOutboundUrl } from '../../core/net/outbound-url.ts';
import { newWebhookSecret, webhookSecretAad } from './webhook-signature.ts';

export const WEBHOOK_QUEUE = 'notifications:webhook';

export interface NotifyInput {
  userIds: string[];
  kind: string;
  title: Label;
  body?: Label;
  link?: string;
  object?: string;
  recordId?: string;
  data?: Record<string, unknown>;
}

const pick = (l: Label | undefined, locale: string) =>
  l ? (locale === 'en-US' ? l['en-US'] : l['zh-CN']) : null;

/**
 * One in-app notification per user (in the user's language), plus one signed webhook
 * delivery per matching tenant webhook, queued in the same transaction.
 */
export async function notify(tx: Tx, tenantId: string, n: NotifyInput): Promise<string[]> {
  const userIds = [...new Set(n.userIds)];
  if (userIds.length === 0) return [];
  const users = (
    await sql<{ id: string; locale: string }>`select id, locale from users
      where tenant_id = ${tenantId} and id = any(${userIds}::uuid[]) and status = 'active'`.execute(tx)
  ).rows;
  if (users.length === 0) return [];
  const ids = users.map(() => newId());
  await sql`insert into notifications (tenant_id, id, user_id, kind, title, body, link, object, record_id, data)
    values ${sql.join(
      users.map(
        (u, i) =>
          sql`(${tenantId}, ${ids[i]}, ${u.id}, ${n.kind}, ${pick(n.title, u.locale)}, ${pick(n.body, u.locale)},
            ${n.link ?? null}, ${n.object ?? null}, ${n.recordId ?? null}, ${n.data ? JSON.stringify(n.data) : null}::jsonb)`,
      ),
    )}`.execute(tx);
  const hooks = (
    await sql<{ id: string }>`select id from notification_webhooks where tenant_id = ${tenantId} and enabled
      and (kinds @> '["*"]'::jsonb or kinds @> ${JSON.stringify([n.kind])}::jsonb)`.execute(tx)
  ).rows;
  for (const h of hooks) {
    for (const nid of ids) {
      const deliveryId = newId();
      await sql`insert into webhook_deliveries (tenant_id, id, webhook_id, notification_id)
        values (${tenantId}, ${deliveryId}, ${h.id}, ${nid})`.execute(tx);
      await enqueue(tx, tenantId, WEBHOOK_QUEUE, { deliveryId }, { maxAttempts: 6 });
    }
  }
  return ids;
}

/**
 * A domain event (e.g. `dms.order.shipped` for the ERP) to every enabled webhook that lists its
 * type or its family (`dms.*`); a bare `*` means every notification kind, not every event. The
 * delivery carries the event itself; the job signs and sends it like a notification.
 */
export async function queueEventWebhooks(
  tx: Tx,
  tenantId: string,
  e: {
    id: string;
    type: string;
    object?: string | null;
    recordId?: string | null;
    payload: unknown;
    createdAt: string;
  },
): Promise<number> {
  const family = `${e.type.split('.')[0]}.*`;
  const hooks = (
    await sql<{ id: string }>`select id from notification_webhooks where tenant_id = ${tenantId} and enabled
      and (kinds @> ${JSON.stringify([e.type])}::jsonb or kinds @> ${JSON.stringify([family])}::jsonb)`.execute(
      tx,
    )
  ).rows;
  for (const h of hooks) {
    // One delivery per event and webhook, however often the event is handed over.
    const deliveryId = newId();
    const r = await sql`insert into webhook_deliveries (tenant_id, id, webhook_id, event)
      select ${tenantId}, ${deliveryId}, ${h.id}, ${JSON.stringify(e)}::jsonb
      where not exists (select 1 from webhook_deliveries where tenant_id = ${tenantId} and webhook_id = ${h.id}
        and event->>'id' = ${e.id})`.execute(tx);
    if (Number(r.numAffectedRows ?? 0))
      await enqueue(tx, tenantId, WEBHOOK_QUEUE, { deliveryId }, { maxAttempts: 6 });
  }
  return hooks.length;
}

export interface NotificationOut {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  link: string | null;
  object: string | null;
  recordId: string | null;
  data: unknown;
  readAt: string | null;
  createdAt: string;
}

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

export async function listNotifications(
  tx: Tx,
  tenantId: string,
  userId: string,
  q: { unread?: boolean; limit?: number; before?: string },
): Promise<{ items: NotificationOut[]; unread: number }> {
  const limit = Math.min(Math.max(q.limit ?? 20, 1), 100);
  const rows = (
    await sql<any>`select * from notifications where tenant_id = ${tenantId} and user_id = ${userId}
      and (${q.unread ?? false} = false or read_at is null)
      and (${q.before ?? null}::uuid is null or id < ${q.before ?? null}::uuid)
      order by id desc limit ${limit}`.execute(tx)
  ).rows;
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      title: r.title,
      body: r.body,
      link: r.link,
      object: r.object,
      recordId: r.record_id,
      data: r.data,
      readAt: iso(r.read_at),
      createdAt: iso(r.created_at)!,
    })),
    unread: await unreadCount(tx, tenantId, userId),
  };
}

export async function unreadCount(tx: Tx, tenantId: string, userId: string): Promise<number> {
  return (
    (
      await sql<{ n: number }>`select count(*)::int as n from notifications
        where tenant_id = ${tenantId} and user_id = ${userId} and read_at is null`.execute(tx)
    ).rows[0]?.n ?? 0
  );
}

export async function markRead(tx: Tx, tenantId: string, userId: string, id: string): Promise<void> {
  const r = await sql`update notifications set read_at = coalesce(read_at, now())
    where tenant_id = ${tenantId} and user_id = ${userId} and id = ${id} returning id`.execute(tx);
  if (r.rows.length === 0) throw notFound('notification');
}

export async function markAllRead(tx: Tx, tenantId: string, userId: string): Promise<{ updated: number }> {
  const r = await sql`update notifications set read_at = now()
    where tenant_id = ${tenantId} and user_id = ${userId} and read_at is null returning id`.execute(tx);
  return { updated: r.rows.length };
}

// ------------------------------------------------------------------ webhooks

export async function listWebhooks(tx: Tx, tenantId: string) {
  const rows = (
    await sql<any>`select id, url, kinds, enabled, created_at from notification_webhooks
      where tenant_id = ${tenantId} order by created_at`.execute(tx)
  ).rows;
  return {
    items: rows.map((r) => ({
      id: r.id,
      url: r.url,
      kinds: r.kinds,
      enabled: r.enabled,
      createdAt: iso(r.created_at),
    })),
  };
}

/**
 * The secret is returned once, like an API key. The URL is checked here for what can be told
 * without DNS (scheme, port, literal and loopback hosts) so the form says why at once; every
 * delivery checks it again after resolving (webhook.job.ts).
 */
export async function createWebhook(
  tx: Tx,
  tenantId: string,
  input: { url: string; kinds?: string[] },
  locale: Locale,
) {
  const refused = checkOutboundUrl(input.url);
  if (refused) throw invalid([outboundFieldError(locale, 'url', refused)]);
  const id = newId();
  const secret = newWebhookSecret();
  // Sealed at rest (core/crypto/secret-box.ts): a database dump alone cannot forge deliveries.
  await sql`insert into notification_webhooks (tenant_id, id, url, secret, kinds)
    values (${tenantId}, ${id}, ${input.url}, ${seal(secret, webhookSecretAad(id))}, ${JSON.stringify(input.kinds ?? ['*'])}::jsonb)`.execute(
    tx,
  );
  return { id, url: input.url, kinds: input.kinds ?? ['*'], secret };
}

export async function deleteWebhook(tx: Tx, tenantId: string, id: string) {
  const r =
    await sql`delete from notification_webhooks where tenant_id = ${tenantId} and id = ${id} returning id`.execute(
      tx,
    );
  if (r.rows.length === 0) throw notFound('webhook');
}

/** Legacy rows hold free text ("HTTP 500", "fetch failed"); only our codes are shown. */
const deliveryErrorCode = (error: string | null): string | null => {
  if (error === null) return null;
  const legacyHttp = /^HTTP (\d{3})$/.exec(error);
  if (legacyHttp) return `http_${legacyHttp[1]}`;
  return /^[a-z_0-9]+$/.test(error) ? error : 'failed';
};

/** Status code, duration and our error code per attempt: never the target's body or headers. */
export async function listDeliveries(tx: Tx, tenantId: string, webhookId: string, locale: Locale) {
  const hook =
    await sql`select 1 from notification_webhooks where tenant_id = ${tenantId} and id = ${webhookId}`.execute(
      tx,
    );
  if (hook.rows.length === 0) throw notFound('webhook');
  const rows = (
    await sql<any>`select id, notification_id, status, attempts, response_status, duration_ms, error, created_at,
        delivered_at
      from webhook_deliveries where tenant_id = ${tenantId} and webhook_id = ${webhookId}
      order by created_at desc limit 100`.execute(tx)
  ).rows;
  return {
    items: rows.map((r) => {
      const error = deliveryErrorCode(r.error);
      return {
        id: r.id,
        notificationId: r.notification_id,
        status: r.status,
        attempts: r.attempts,
        responseStatus: r.response_status,
        durationMs: r.duration_ms,
        error,
        errorMessage: error === null ? null : outboundMessage(locale, error),
        createdAt: iso(r.created_at),
        deliveredAt: iso(r.delivered_at),
      };
    }),
  };
}
