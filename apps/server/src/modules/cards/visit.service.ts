import { sql } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import type { DomainEvent } from '../../core/events/outbox.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { ingestFromConnector } from '../cdp/index.ts';
import { notify } from '../notifications/index.ts';
import type { WeComContactEvent } from '../wecom/index.ts';
import { tenantOfPublicToken } from './token.ts';

export const CDP_SOURCE = 'Kehu 名片';
/** A visitor who adds the staff member this long after their last look is matched to that visit. */
const MATCH_WINDOW_MINUTES = 30;
/** Reloads within this time are one visit for the owner's alert. */
const ALERT_GAP_MINUTES = 10;

const BOT =
  /bot|spider|crawl|slurp|preview|externalhit|curl\/|wget\/|python-requests|go-http-client|okhttp|headless(?!chrome)/i;
export const isBot = (ua: string | undefined) => !ua || BOT.test(ua);

export interface PublicCard {
  tenantId: string;
  id: string;
  userId: string;
  name: string;
  title: string | null;
  unitName: string | null;
  photoUrl: string | null;
  bio: string | null;
  phone: string | null;
  featured: Array<{ materialId: string; title: string; url: string }>;
  codeState: string | null;
  codeQr: string | null;
}

/** Runs `fn` in the token's tenant with its card; null for an unknown token or a disabled owner. */
export async function withCard<T>(
  database: Database,
  token: string,
  fn: (tx: Tx, c: PublicCard) => Promise<T>,
): Promise<{ card: PublicCard; value: T } | null> {
  const tenantId = tenantOfPublicToken(token);
  if (!tenantId) return null;
  return inTenant(database.db, tenantId, async (tx) => {
    const r = (
      await sql<any>`select c.*, u.name, u.phone, un.name as unit_name from cards c
        join users u on u.tenant_id = c.tenant_id and u.id = c.user_id and u.status = 'active'
        left join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
        where c.tenant_id = ${tenantId} and c.token = ${token}`.execute(tx)
    ).rows[0];
    if (!r) return null;
    const card: PublicCard = {
      tenantId,
      id: r.id,
      userId: r.user_id,
      name: r.name,
      title: r.title,
      unitName: r.unit_name ?? null,
      photoUrl: r.photo_url,
      bio: r.bio,
      // Only what the staff member chose to show leaves the server.
      phone: r.show_phone ? (r.phone ?? null) : null,
      featured: r.featured ?? [],
      codeState: r.code_state,
      codeQr: r.code_qr,
    };
    return { card, value: await fn(tx, card) };
  });
}

/**
 * A look at the card: one visitor row per cookie, views counted, the owner alerted in real time
 * (a reload within ten minutes is the same visit), and the look sent to the visitor's anonymous
 * CDP profile.
 */
export async function recordVisit(
  tx: Tx,
  c: PublicCard,
  visitor: string,
  ua: string | undefined,
): Promise<Record<string, unknown>[]> {
  if (isBot(ua)) return [];
  const r = (
    await sql<{ views: number; alert: boolean }>`insert into card_visitors (tenant_id, card_id, visitor)
      values (${c.tenantId}, ${c.id}, ${visitor})
      on conflict (tenant_id, card_id, visitor) do update set views = card_visitors.views + 1, last_at = now(),
        notified_at = case when card_visitors.notified_at < now() - make_interval(mins => ${ALERT_GAP_MINUTES})
          then now() else card_visitors.notified_at end
      returning views, (notified_at = now()) as alert`.execute(tx)
  ).rows[0]!;
  if (r.alert) {
    const again = r.views > 1;
    await notify(tx, c.tenantId, {
      userIds: [c.userId],
      kind: 'card_visit',
      title: again
        ? {
            'zh-CN': `一位访客再次查看了你的名片（第 ${r.views} 次）`,
            'en-US': `A visitor is back on your card (visit ${r.views})`,
          }
        : { 'zh-CN': '有人正在看你的名片', 'en-US': 'Someone is looking at your card' },
      link: '/cards/me',
      data: { cardId: c.id, visitor: visitor.slice(0, 6), views: r.views },
    });
  }
  const anonymousId = `card-visitor:${visitor}`;
  return [
    ...(r.views === 1
      ? [
          {
            type: 'identify',
            messageId: `card-visitor-${c.id}-${visitor}`,
            anonymousId,
            traits: { firstCardOf: c.name, userAgent: ua?.slice(0, 200) },
          },
        ]
      : []),
    {
      type: 'track',
      event: 'Card Viewed',
      messageId: `card-view-${c.id}-${visitor}-${r.views}`,
      anonymousId,
      properties: { cardId: c.id, staffId: c.userId, staffName: c.name, views: r.views },
    },
  ];
}

export async function sendToCdp(database: Database, tenantId: string, messages: Record<string, unknown>[]) {
  if (messages.length) await ingestFromConnector(database, tenantId, CDP_SOURCE, messages);
}

/**
 * The visitor adds the staff member through the card's code: WeCom tells us the card (state) but
 * not the browser, so the add is matched to the card's most recent unmatched visitor of the last
 * 30 minutes. Their anonymous profile and the WeCom contact become one (identify with both ids).
 */
export async function mergeVisitorOnAdd(database: Database, e: DomainEvent, job: JobContext) {
  const p = e.payload as Extract<WeComContactEvent, { type: 'wecom.contact.added' }>['payload'];
  if (!p.state?.startsWith('kc')) return;
  const hit = await job.tx(async (tx) => {
    const card = (
      await sql<{ id: string; user_id: string }>`select id, user_id from cards
        where tenant_id = ${e.tenantId} and code_state = ${p.state}`.execute(tx)
    ).rows[0];
    if (!card) return null;
    const done = (
      await sql<{ visitor: string }>`select visitor from card_visitors where tenant_id = ${e.tenantId}
        and card_id = ${card.id} and external_userid = ${p.externalUserid}`.execute(tx)
    ).rows[0];
    if (done) return { visitor: done.visitor, corpId: await corpIdOf(tx, e.tenantId, p.corpRef) };
    const v = (
      await sql<{ visitor: string }>`update card_visitors set external_userid = ${p.externalUserid}
        where tenant_id = ${e.tenantId} and card_id = ${card.id} and visitor = (
          select visitor from card_visitors where tenant_id = ${e.tenantId} and card_id = ${card.id}
            and external_userid is null
            and last_at > ${e.createdAt}::timestamptz - make_interval(mins => ${MATCH_WINDOW_MINUTES})
          order by last_at desc limit 1)
        returning visitor`.execute(tx)
    ).rows[0];
    return v ? { visitor: v.visitor, corpId: await corpIdOf(tx, e.tenantId, p.corpRef) } : null;
  });
  if (!hit?.corpId) return;
  await ingestFromConnector(database, e.tenantId, CDP_SOURCE, [
    {
      type: 'identify',
      messageId: `card-merge-${e.id}`,
      anonymousId: `card-visitor:${hit.visitor}`,
      traits: { addedViaCard: true },
      context: { externalIds: [{ type: 'external_userid', id: p.externalUserid, collection: hit.corpId }] },
    },
  ]);
}

async function corpIdOf(tx: Tx, tenantId: string, corpRef: string): Promise<string | null> {
  return (
    (
      await sql<{
        corp_id: string;
      }>`select corp_id from wecom_corps where tenant_id = ${tenantId} and id = ${corpRef}`.execute(tx)
    ).rows[0]?.corp_id ?? null
  );
}
