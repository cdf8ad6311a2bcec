import type { CardInput, CardOut } from '@kehu/contracts/cards';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { invalid } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { publicBaseUrl } from '../../core/mail/mailer.ts';
import { getMaterial, shareMaterial } from '../materials/index.ts';
import { createCode } from '../wecom/index.ts';
import { codeMaker, staffCorpOf } from './staff-corp.ts';
import { newPublicToken, newState } from './token.ts';

export const cardUrl = (token: string) => `${publicBaseUrl()}/c/${token}`;

async function cardRow(tx: Tx, tenantId: string, userId: string) {
  return (
    await sql<any>`select c.*, u.name, u.phone, un.name as unit_name from cards c
      join users u on u.tenant_id = c.tenant_id and u.id = c.user_id
      left join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
      where c.tenant_id = ${tenantId} and c.user_id = ${userId}`.execute(tx)
  ).rows[0];
}

async function visitFigures(tx: Tx, tenantId: string, cardId: string) {
  const r = (
    await sql<{ views: number; visitors: number; today: number; added: number }>`select
        coalesce(sum(views), 0)::int as views, count(*)::int as visitors,
        count(*) filter (where last_at > now() - interval '24 hours')::int as today,
        count(external_userid)::int as added
      from card_visitors where tenant_id = ${tenantId} and card_id = ${cardId}`.execute(tx)
  ).rows[0]!;
  return r;
}

async function toCard(tx: Tx, tenantId: string, r: any): Promise<CardOut> {
  return {
    id: r.id,
    url: cardUrl(r.token),
    name: r.name,
    title: r.title,
    unitName: r.unit_name ?? null,
    photoUrl: r.photo_url,
    bio: r.bio,
    showPhone: r.show_phone,
    phone: r.phone ?? null,
    featured: r.featured ?? [],
    code: r.code_state ? { state: r.code_state, ready: Boolean(r.code_qr) } : null,
    visits: await visitFigures(tx, tenantId, r.id),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** The caller's own card, made on first use (a card is theirs alone: no one edits another's). */
export async function myCard(tx: Tx, p: Principal): Promise<CardOut> {
  let r = await cardRow(tx, p.tenantId, p.userId);
  if (!r) {
    await sql`insert into cards (tenant_id, id, user_id, token) values (${p.tenantId}, ${newId()}, ${p.userId},
      ${newPublicToken(p.tenantId)}) on conflict (tenant_id, user_id) do nothing`.execute(tx);
    r = await cardRow(tx, p.tenantId, p.userId);
  }
  return toCard(tx, p.tenantId, r);
}

/**
 * Featured materials become the staff member's own tracked links (no recipient): a visitor who
 * opens one is tracked like any reader, and only materials the staff member may use are accepted.
 */
async function featuredLinks(tx: Tx, p: Principal, actor: Actor, ids: string[]) {
  const out: Array<{ materialId: string; title: string; url: string }> = [];
  for (const [i, id] of [...new Set(ids)].entries()) {
    try {
      const s = await shareMaterial(tx, p, actor, id, {});
      const m = await getMaterial(tx, p, id);
      out.push({ materialId: id, title: m.title, url: s.url });
    } catch (e) {
      if ((e as { status?: number }).status === 404)
        throw invalid([{ field: `featuredMaterialIds.${i}`, code: 'lookup_missing' }]);
      throw e;
    }
  }
  return out;
}

export async function updateMyCard(tx: Tx, p: Principal, actor: Actor, input: CardInput): Promise<CardOut> {
  const before = await myCard(tx, p);
  const featured =
    input.featuredMaterialIds === undefined
      ? null
      : await featuredLinks(tx, p, actor, input.featuredMaterialIds);
  await sql`update cards set
      title = ${input.title === undefined ? sql`title` : input.title},
      photo_url = ${input.photoUrl === undefined ? sql`photo_url` : input.photoUrl},
      bio = ${input.bio === undefined ? sql`bio` : input.bio},
      show_phone = coalesce(${input.showPhone ?? null}, show_phone),
      featured = coalesce(${featured ? JSON.stringify(featured) : null}::jsonb, featured),
      updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${before.id}`.execute(tx);
  await writeAudit(tx, actor, { action: 'update', object: 'card', recordId: before.id, meta: { ...input } });
  return myCard(tx, p);
}

/**
 * The add-me code: one WeCom contact way for the card (single staff, no verification), created
 * through the WeCom module so adds arrive as contacts and leads with the card's state. A staff
 * member not mapped to a WeCom account gets a field error saying so.
 */
export async function createMyCode(database: Database, p: Principal, actor: Actor, locale: Locale) {
  const prep = await inTenant(database.db, p.tenantId, async (tx) => {
    const card = await myCard(tx, p);
    if (card.code?.ready) return { card, done: true as const };
    const corp = await staffCorpOf(tx, p.tenantId, p.userId);
    if (!corp) throw invalid([{ field: 'code', code: 'wecom_staff_unmapped' }]);
    return {
      card,
      corp,
      maker: await codeMaker(tx, p.tenantId, p.userId, corp.corpUnitId),
      done: false as const,
    };
  });
  if (prep.done) return prep.card;
  const state = newState('kc');
  const code = await createCode(
    database,
    prep.maker,
    actor,
    {
      corpRef: prep.corp.corpRef,
      name: `名片 · ${p.userName}`.slice(0, 100),
      state,
      channel: 'referral',
      staff: [prep.corp.userid],
      skipVerify: true,
    },
    locale,
  );
  return inTenant(database.db, p.tenantId, async (tx) => {
    await sql`update cards set code_id = ${code.id}, code_state = ${state}, code_qr = ${code.qrCode},
        corp_ref = ${prep.corp.corpRef}, updated_at = now()
      where tenant_id = ${p.tenantId} and id = ${prep.card.id}`.execute(tx);
    return myCard(tx, p);
  });
}

export async function myVisits(tx: Tx, p: Principal) {
  const card = (
    await sql<{
      id: string;
    }>`select id from cards where tenant_id = ${p.tenantId} and user_id = ${p.userId}`.execute(tx)
  ).rows[0];
  if (!card) return { items: [] };
  const rows = (
    await sql<any>`select visitor, views, first_at, last_at, external_userid from card_visitors
      where tenant_id = ${p.tenantId} and card_id = ${card.id} order by last_at desc limit 50`.execute(tx)
  ).rows;
  return {
    items: rows.map((r) => ({
      // The cookie id is the visitor's only handle; a short form is enough to tell them apart.
      visitor: String(r.visitor).slice(0, 6),
      views: r.views,
      firstAt: new Date(r.first_at).toISOString(),
      lastAt: new Date(r.last_at).toISOString(),
      added: Boolean(r.external_userid),
    })),
  };
}
