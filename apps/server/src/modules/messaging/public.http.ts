import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { RateLimiter } from '../../core/auth/rate-limit.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { emitEvents } from '../../core/events/outbox.ts';
import { escapeHtml as esc } from '../../core/http/html.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { isUuid } from '../../core/ids.ts';
import { ingestFromConnector } from '../cdp/index.ts';
import { markUndeliverable } from './channels/email.ts';
import { bounceTokenValid } from './email/email-account.service.ts';
import { trackable } from './links.ts';
import { mt } from './messaging.messages.ts';
import { openSignedMessageToken, tenantOfToken } from './public-token.ts';

/** Per address: a person clicks a few links; a scanner walking codes is cut off. */
const limiter = new RateLimiter(Number(process.env.MESSAGING_PUBLIC_RATE_LIMIT ?? 120), 60_000);
const CDP_SOURCE = 'Kehu messaging';
// 1×1 transparent GIF.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const localeOf = (req: FastifyRequest): Locale =>
  /^en/i.test(String(req.headers['accept-language'] ?? '')) ? 'en-US' : 'zh-CN';

const page = (reply: FastifyReply, status: number, title: string, body: string) =>
  reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', CSP)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .send(`<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>body{margin:0;font:16px/1.6 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f7fa;color:#1f2329}
main{max-width:480px;margin:0 auto;padding:32px 16px}.card{background:#fff;border-radius:12px;padding:20px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
button{font-size:16px;padding:12px 20px;border:0;border-radius:8px;background:#1677ff;color:#fff;width:100%}button:focus{outline:3px solid #91caff}</style>
</head><body><main><div class="card">${body}</div></main></body></html>`);

interface MessageRef {
  id: string;
  profile_id: string;
  channel: string;
  source_kind: string;
  source_id: string;
  step_id: string | null;
}
const sourceOf = (m: MessageRef) => ({
  kind: m.source_kind,
  id: m.source_id,
  ...(m.step_id ? { stepId: m.step_id } : {}),
});
const payloadOf = (m: MessageRef, extra: Record<string, unknown> = {}) => ({
  messageId: m.id,
  profileId: m.profile_id,
  channel: m.channel,
  source: sourceOf(m),
  ...extra,
});

/** The profile's strongest identity, so a click lands on the profile's CDP timeline. */
async function identityMessage(tx: Tx, tenantId: string, profileId: string) {
  const ids = (
    await sql<{ kind: string; value: string }>`select kind, value from cdp_identities
      where tenant_id = ${tenantId} and profile_id = ${profileId}
        and kind in ('user_id', 'anonymous_id', 'phone', 'email', 'member_no')
      order by array_position(array['user_id','member_no','phone','email','anonymous_id'], kind) limit 1`.execute(
      tx,
    )
  ).rows[0];
  if (!ids) return null;
  if (ids.kind === 'user_id') return { userId: ids.value };
  if (ids.kind === 'anonymous_id') return { anonymousId: ids.value };
  return {
    anonymousId: `kehu-message:${profileId}`,
    context: { externalIds: [{ type: ids.kind, id: ids.value }] },
  };
}

/**
 * Public messaging endpoints outside /api/v1, each authorised by its token alone:
 * - `GET /k/<tenant><code>`: a tracked link → 302 to the URL stored for that code (never one from
 *   the request: no open redirect), `message.clicked` into the log, the outbox and the CDP profile;
 * - `GET /k/o/<signed>`: the open pixel (unreliable: image blocking hides opens, Apple Mail
 *   privacy protection and proxies fake them — opened is a hint, clicked is the signal);
 * - `GET|POST /u/<signed>`: unsubscribe (a confirm page; POST is RFC 8058 one-click too);
 * - `POST /hooks/mail/bounce/<token>`: a DSN (RFC 3464) piped from the bounce mailbox.
 */
export async function registerPublicMessaging(app: FastifyInstance, database: Database): Promise<void> {
  app.get<{ Params: { token: string } }>('/k/:token', async (req, reply) => {
    limiter.hit(req.ip);
    const tenantId = tenantOfToken(req.params.token, 11);
    if (!tenantId) return reply.status(404).send();
    const code = req.params.token.slice(22);
    const hit = await inTenant(database.db, tenantId, async (tx) => {
      const l = (
        await sql<{ url: string; message_id: string }>`update messaging_links
          set clicks = clicks + 1, first_clicked_at = coalesce(first_clicked_at, now())
          where tenant_id = ${tenantId} and code = ${code} returning url, message_id`.execute(tx)
      ).rows[0];
      if (!l || !trackable(l.url)) return null;
      const first = (
        await sql<MessageRef>`update messaging_messages set clicked_at = now()
          where tenant_id = ${tenantId} and id = ${l.message_id} and clicked_at is null
          returning id, profile_id, channel, source_kind, source_id, step_id`.execute(tx)
      ).rows[0];
      let cdp: Record<string, unknown> | null = null;
      if (first) {
        await emitEvents(tx, tenantId, [
          {
            type: 'message.clicked',
            object: 'message',
            recordId: first.id,
            payload: payloadOf(first, { url: l.url }),
          },
        ]);
        const who = await identityMessage(tx, tenantId, first.profile_id);
        if (who)
          cdp = {
            type: 'track',
            event: 'message.clicked',
            messageId: `message-clicked-${first.id}`,
            ...who,
            properties: {
              messageId: first.id,
              channel: first.channel,
              url: l.url,
              source: first.source_kind,
            },
          };
      }
      return { url: l.url, cdp };
    });
    if (!hit) return reply.status(404).send();
    if (hit.cdp) await ingestFromConnector(database, tenantId, CDP_SOURCE, [hit.cdp]).catch(() => undefined);
    return reply
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .redirect(hit.url, 302);
  });

  app.get<{ Params: { token: string } }>('/k/o/:token', async (req, reply) => {
    limiter.hit(req.ip);
    const t = openSignedMessageToken('open', req.params.token);
    if (t)
      await inTenant(database.db, t.tenantId, (tx) =>
        sql`update messaging_messages set opened_at = now()
          where tenant_id = ${t.tenantId} and id = ${t.messageId} and opened_at is null`.execute(tx),
      );
    return reply.header('content-type', 'image/gif').header('cache-control', 'no-store').send(PIXEL);
  });

  const unsubscribe = async (req: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    limiter.hit(req.ip);
    const locale = localeOf(req);
    const t = openSignedMessageToken('unsubscribe', req.params.token);
    const found = t
      ? await inTenant(database.db, t.tenantId, async (tx) => {
          const m = (
            await sql<
              MessageRef & { tenant_name: string }
            >`select m.id, m.profile_id, m.channel, m.source_kind,
                m.source_id, m.step_id, tn.name as tenant_name
              from messaging_messages m join tenants tn on tn.id = m.tenant_id
              where m.tenant_id = ${t.tenantId} and m.id = ${t.messageId}`.execute(tx)
          ).rows[0];
          if (!m) return null;
          if (req.method === 'POST') {
            const added =
              await sql`insert into messaging_unsubscribes (tenant_id, profile_id, channel, source)
              values (${t.tenantId}, ${m.profile_id}, ${m.channel}, ${`link:${m.id}`})
              on conflict (tenant_id, profile_id, channel) do nothing`.execute(tx);
            if (Number(added.numAffectedRows ?? 0) > 0)
              await emitEvents(tx, t.tenantId, [
                { type: 'message.unsubscribed', object: 'message', recordId: m.id, payload: payloadOf(m) },
              ]);
          }
          return m;
        })
      : null;
    if (!found)
      return page(
        reply,
        404,
        mt(locale, 'unsubscribe_title'),
        `<p>${esc(mt(locale, 'unsubscribe_invalid'))}</p>`,
      );
    const tenant = found.tenant_name;
    if (req.method === 'POST')
      return page(
        reply,
        200,
        mt(locale, 'unsubscribe_title'),
        `<h1 style="font-size:20px">${esc(mt(locale, 'unsubscribe_title'))}</h1><p>${esc(mt(locale, 'unsubscribed', { tenant }))}</p>`,
      );
    return page(
      reply,
      200,
      mt(locale, 'unsubscribe_title'),
      `<h1 style="font-size:20px">${esc(mt(locale, 'unsubscribe_title'))}</h1><p>${esc(mt(locale, 'unsubscribe_confirm', { tenant }))}</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" autofocus>${esc(mt(locale, 'unsubscribe_button'))}</button></form>`,
    );
  };

  await app.register(async (scope) => {
    // One-click unsubscribe posts a form body; DSNs arrive as raw mail. Parsed here only.
    scope.addContentTypeParser(
      ['application/x-www-form-urlencoded', 'message/rfc822', 'multipart/report', 'message/delivery-status'],
      { parseAs: 'string', bodyLimit: 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );
    scope.get('/u/:token', unsubscribe);
    scope.post('/u/:token', unsubscribe);
    scope.post<{ Params: { token: string }; Body: unknown }>(
      '/hooks/mail/bounce/:token',
      async (req, reply) => {
        const tenantId = tenantOfToken(req.params.token, 22);
        if (!tenantId) return reply.status(404).send({ ok: false });
        const raw = typeof req.body === 'string' ? req.body : '';
        const dsn = parseDsn(raw);
        const ok = await inTenant(database.db, tenantId, async (tx) => {
          if (!(await bounceTokenValid(tx, tenantId, req.params.token))) return false;
          if (!dsn) return true;
          await applyBounce(tx, tenantId, dsn);
          return true;
        });
        if (!ok) return reply.status(404).send({ ok: false });
        return reply.send({ ok: true, applied: Boolean(dsn) });
      },
    );
  });
}

export interface Dsn {
  messageId: string;
  recipient: string | null;
  hard: boolean;
  status: string;
}

/**
 * The parts of a delivery status notification (RFC 3464) we need: the failed recipient, the
 * status class (5.x.x permanent = hard bounce, 4.x.x = delayed, the MTA keeps trying) and which
 * message it was — our Message-ID `<message id@domain>` or X-Kehu-Message-Id in the returned headers.
 */
export function parseDsn(raw: string): Dsn | null {
  const text = raw.slice(0, 512 * 1024);
  const status = text.match(/^Status:\s*([245])\.(\d{1,3})\.(\d{1,3})/im);
  const action = text.match(/^Action:\s*(\w+)/im)?.[1]?.toLowerCase();
  const recipient =
    text.match(/^Final-Recipient:\s*rfc822;\s*<?([^\s>]+)>?/im)?.[1] ??
    text.match(/^Original-Recipient:\s*rfc822;\s*<?([^\s>]+)>?/im)?.[1] ??
    null;
  const id =
    text.match(/^X-Kehu-Message-Id:\s*([0-9a-f-]{36})/im)?.[1] ??
    text.match(/^Message-ID:\s*<([0-9a-f-]{36})@/im)?.[1];
  if (!status || !id || !isUuid(id)) return null;
  if (action && action !== 'failed' && action !== 'delayed') return null;
  return {
    messageId: id,
    recipient,
    hard: status[1] === '5',
    status: `${status[1]}.${status[2]}.${status[3]}`,
  };
}

async function applyBounce(tx: Tx, tenantId: string, d: Dsn): Promise<void> {
  const m = (
    await sql<
      MessageRef & { address: string | null }
    >`select id, profile_id, channel, source_kind, source_id, step_id, address
      from messaging_messages where tenant_id = ${tenantId} and id = ${d.messageId} and channel = 'email'`.execute(
      tx,
    )
  ).rows[0];
  if (!m) return;
  if (!d.hard) {
    // Delayed: the receiving MTA retries on its own; the log shows why it is late.
    await sql`update messaging_messages set error = ${`bounced_soft:${d.status}`}
      where tenant_id = ${tenantId} and id = ${m.id} and status in ('sent', 'queued')`.execute(tx);
    return;
  }
  await markUndeliverable(tx, tenantId, d.recipient ?? m.address ?? '', `dsn_${d.status}`, m.id);
  const changed = await sql`update messaging_messages set status = 'failed', bounced_at = now(),
      error = ${`bounced_hard:${d.status}`}
    where tenant_id = ${tenantId} and id = ${m.id} and status <> 'failed'`.execute(tx);
  if (Number(changed.numAffectedRows ?? 0) > 0)
    await emitEvents(tx, tenantId, [
      {
        type: 'message.failed',
        object: 'message',
        recordId: m.id,
        payload: payloadOf(m, { reason: 'bounced' }),
      },
    ]);
}
