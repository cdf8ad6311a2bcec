import type { SidebarContact, SidebarGroup, SidebarSuggestions } from '@kehu/contracts/sidebar';
import type { Actor } from '../../core/audit/audit.ts';
import { can, type Principal, rowScope } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { AppError, invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { listRecords } from '../../engine/records/record.service.ts';
import { recordCtx } from '../../engine/records/record-ctx.ts';
import type { RecordOut } from '../../engine/records/record-mapper.ts';
import { getRecord } from '../../engine/records/record-read.service.ts';
import { profile360, profileOfIdentityIn, setManualTag } from '../cdp/index.ts';
import { lastCustomerTextTo } from '../chats/index.ts';
import { customer360 } from '../sales/index.ts';
import { suggestScripts } from '../scripts/index.ts';
import { corpTagChoices, type FollowRow, followsOf, groupByChatId } from '../wecom/index.ts';

/**
 * The chat sidebar's reads (issue 11). Who may open a customer: a staff member who has them in
 * WeCom (follows them), or someone whose customer data scope covers one of the staff members who
 * do (a manager over that unit, an admin). Anyone else gets the same 404 as for a made-up id.
 * Following opens the WeCom side and the customer's profile (masked, like every profile view);
 * the CRM side (customer, opportunities, orders, history) is read through the record engine as
 * the caller, so following grants no CRM record the caller could not already see.
 */
function covers(p: Principal, staffUserId: string | null, unitId: string): boolean {
  if (staffUserId && staffUserId === p.userId) return true;
  const scope = rowScope(p, 'customer');
  if (scope.unitIds === null) return true;
  if (scope.unitIds.includes(unitId)) return true;
  return scope.ownerId !== null && staffUserId === scope.ownerId;
}

const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : String(d));
const maskPhone = (v: string) => (v.length > 7 ? `${v.slice(0, 3)}****${v.slice(-4)}` : '****');
const money = (v: unknown) =>
  v && typeof v === 'object' && 'amount' in v ? (v as { amount: number; currency: string }) : null;

async function visibleFollows(tx: Tx, p: Principal, externalUserId: string): Promise<FollowRow[]> {
  if (externalUserId.length > 128) throw notFound('external_contact');
  const rows = (await followsOf(tx, p.tenantId, externalUserId)).filter((r) =>
    covers(p, r.staffUserId, r.unitId),
  );
  if (!rows.length) throw notFound('external_contact');
  return rows;
}

/** The customer's profile: linked on the row, or found by their WeCom identity (linked lazily). */
async function profileOf(tx: Tx, p: Principal, rows: FollowRow[], externalUserId: string) {
  const linked = rows.find((r) => r.profileId)?.profileId;
  if (linked) return linked;
  return profileOfIdentityIn(tx, p.tenantId, {
    kind: 'wecom_external_userid',
    namespace: rows[0]!.corpId,
    value: externalUserId,
  });
}

/**
 * The person in the open chat, for another module's sidebar action (a ticket from the chat): the
 * same access rule as the sidebar's own reads (404 otherwise). The CRM contact is the caller's
 * own follow's when there is one; the caller still needs CRM access to read or link it.
 */
export async function sidebarChatPerson(
  tx: Tx,
  p: Principal,
  externalUserId: string,
): Promise<{ contactId: string | null; profileId: string | null; name: string | null }> {
  const rows = await visibleFollows(tx, p, externalUserId);
  const main = rows.find((r) => r.staffUserId === p.userId) ?? rows[0]!;
  return {
    contactId: main.contactId ?? rows.find((r) => r.contactId)?.contactId ?? null,
    profileId: await profileOf(tx, p, rows, externalUserId),
    name: main.name,
  };
}

/** Before the lead is converted there is no customer: its follow-ups, as the caller sees them, are the history. */
async function leadActivities(tx: Tx, p: Principal, actor: Actor, leadId: string | null) {
  if (!leadId || !can(p, 'activity:read')) return [];
  try {
    const ctx = await recordCtx(tx, p, actor, 'activity');
    const page = await listRecords(ctx, { filter: { field: 'leadId', op: 'eq', value: leadId }, limit: 20 });
    return page.items.map((a) => ({
      at: iso(a.occurredAt ?? a.createdAt),
      kind: 'activity',
      object: 'activity',
      recordName: (a.subject as string | null) ?? null,
      action: String(a.type ?? 'note'),
      actor: null,
    }));
  } catch (e) {
    if (e instanceof AppError) return [];
    throw e;
  }
}

/** The CRM customer behind the contact, as the caller sees it (null when they see none). */
async function crmCustomer(tx: Tx, p: Principal, actor: Actor, contactId: string | null, locale: Locale) {
  if (!contactId || !can(p, 'contact:read') || !can(p, 'customer:read')) return null;
  try {
    const contact = await getRecord(await recordCtx(tx, p, actor, 'contact'), contactId);
    const customerId = contact.customerId as string | null;
    if (!customerId || contact.deletedAt) return null;
    return await customer360(tx, p, actor, customerId, locale);
  } catch (e) {
    if (e instanceof AppError) return null;
    throw e;
  }
}

export async function sidebarContact(
  tx: Tx,
  p: Principal,
  actor: Actor,
  externalUserId: string,
  locale: Locale,
): Promise<SidebarContact> {
  const rows = await visibleFollows(tx, p, externalUserId);
  const mine = rows.filter((r) => r.staffUserId === p.userId);
  const main = mine[0] ?? rows[0]!;
  const contactId = main.contactId ?? rows.find((r) => r.contactId)?.contactId ?? null;
  const profileId = await profileOf(tx, p, rows, externalUserId);
  const [c360, profile, tagChoices] = [
    await crmCustomer(tx, p, actor, contactId, locale),
    profileId ? await profile360(tx, p, actor, profileId, false) : null,
    await corpTagChoices(tx, p.tenantId, main.corpRef),
  ];
  const leadId = main.leadId ?? rows.find((r) => r.leadId)?.leadId ?? null;
  const leadHistory = c360 ? [] : await leadActivities(tx, p, actor, leadId);
  const open = (r: RecordOut) => !r.closedAt && r.stage !== 'won' && r.stage !== 'lost';
  const timeline = [
    ...leadHistory,
    ...(c360?.timeline ?? []).map((i) => ({
      at: iso(i.at),
      kind: i.kind as string,
      object: i.object,
      recordName: i.recordName,
      action: i.action,
      actor: i.actor,
    })),
    ...((profile?.timeline ?? []) as any[])
      .filter((i) => i.kind === 'event')
      .map((i) => ({
        at: iso(i.at),
        kind: 'event',
        object: 'event',
        recordName: (i.displayName ?? i.title ?? null) as string | null,
        action: String(i.type ?? 'track'),
        actor: null,
      })),
  ]
    .sort((a, b) => (a.at < b.at ? 1 : -1))
    .slice(0, 15);
  return {
    externalUserId,
    corpRef: main.corpRef,
    name: main.name,
    following: mine.some((r) => r.status === 'active'),
    followers: rows.map((r) => ({ userid: r.userid, name: r.staffName, you: r.staffUserId === p.userId })),
    addedAt: iso(main.addedAt),
    remarkMobiles: [...new Set(rows.flatMap((r) => r.remarkMobiles))].map(maskPhone),
    contactId,
    leadId,
    customer: c360 ? { id: String(c360.customer.id), name: (c360.customer.name as string) ?? null } : null,
    profile: profile
      ? {
          id: profile.id,
          label: profile.label,
          traits: profile.traits,
          masked: profile._masked,
          tags: (profile.tags as any[]).map((t) => ({
            id: t.id,
            name: t.name,
            kind: t.kind,
            group: t.group ?? t.groupName ?? null,
          })),
          segments: (profile.segments as any[]).map((s) => ({ id: s.id, name: s.name })),
        }
      : null,
    tagChoices,
    opportunities: (c360?.opportunities.items ?? []).filter(open).map((o) => ({
      id: o.id,
      name: (o.name as string) ?? null,
      stage: (o.stage as string) ?? null,
      amount: money(o.amount),
    })),
    orders: (c360?.orders.items ?? []).slice(0, 10).map((o) => ({
      id: o.id,
      name: (o.name as string) ?? null,
      status: (o.status as string) ?? null,
      amount: money(o.amount),
    })),
    timeline,
  };
}

/**
 * Puts a corp tag on (or takes it off) the customer's profile as a CDP manual tag; the WeCom tag
 * sync then marks it in WeCom. Only the corp's own tags, on a customer the caller may open.
 */
export async function setSidebarTag(
  tx: Tx,
  p: Principal,
  actor: Actor,
  externalUserId: string,
  input: { tagId: string; on: boolean },
  locale: Locale,
) {
  const rows = await visibleFollows(tx, p, externalUserId);
  const main = rows.find((r) => r.staffUserId === p.userId) ?? rows[0]!;
  const profileId = await profileOf(tx, p, rows, externalUserId);
  const choices = await corpTagChoices(tx, p.tenantId, main.corpRef);
  if (!choices.some((c) => c.tagId === input.tagId))
    throw invalid([{ field: 'tagId', code: 'option', params: { value: input.tagId } }]);
  if (!profileId)
    throw invalid([
      {
        field: 'tagId',
        code: 'sidebar.no_profile',
        message:
          locale === 'en-US'
            ? 'This customer has no profile yet, so tags cannot be set'
            : '该客户尚无画像，暂不能打标签',
      },
    ]);
  await setManualTag(tx, actor, input.tagId, profileId, input.on, true, locale);
  return sidebarContact(tx, p, actor, externalUserId, locale);
}

/**
 * Reply suggestions (R5.5) for the customer in the chat: the scripts the caller may send that are
 * most like the customer's latest archived message to the caller. Only the caller's own chat is
 * read — a manager opening someone else's customer gets no message and no suggestions.
 */
export async function sidebarSuggestions(
  tx: Tx,
  p: Principal,
  externalUserId: string,
): Promise<SidebarSuggestions> {
  await visibleFollows(tx, p, externalUserId);
  const basedOn = await lastCustomerTextTo(tx, p.tenantId, p.userId, externalUserId);
  if (!basedOn || !can(p, 'scripts:read')) return { basedOn, items: [] };
  return { basedOn, items: (await suggestScripts(tx, p, basedOn.text)).items };
}

export async function sidebarGroup(
  tx: Tx,
  p: Principal,
  actor: Actor,
  chatId: string,
): Promise<SidebarGroup> {
  if (chatId.length > 128) throw notFound('wecom_group');
  const g = await groupByChatId(tx, p.tenantId, chatId);
  if (!g) throw notFound('wecom_group');
  const staffIn = g.members.some((m) => m.kind === 'staff' && m.staffUserId === p.userId);
  const member = g.ownerUserId === p.userId || staffIn;
  if (!member && !covers(p, g.ownerUserId, g.unitId)) throw notFound('wecom_group');
  // Members' customers, as the caller sees them: a link is shown only for a customer in their scope.
  const contactIds = g.members.flatMap((m) => (m.contactId ? [m.contactId] : []));
  const customerOf = new Map<string, string>();
  if (contactIds.length && can(p, 'contact:read')) {
    const ctx = await recordCtx(tx, p, actor, 'contact').catch(() => null);
    for (const id of contactIds) {
      if (!ctx) break;
      const rec = await getRecord(ctx, id).catch(() => null);
      if (rec?.customerId && !rec.deletedAt) customerOf.set(id, String(rec.customerId));
    }
  }
  const members = [];
  for (const m of g.members) {
    const profileId =
      m.profileId ??
      (m.kind === 'external'
        ? await profileOfIdentityIn(tx, p.tenantId, {
            kind: 'wecom_external_userid',
            namespace: g.corpId,
            value: m.memberId,
          })
        : null);
    members.push({
      memberId: m.memberId,
      kind: m.kind,
      name: m.name,
      joinedAt: iso(m.joinedAt),
      profileId,
      customerId: m.contactId ? (customerOf.get(m.contactId) ?? null) : null,
    });
  }
  return {
    chatId: g.chatId,
    name: g.name,
    notice: g.notice,
    owner: { userid: g.ownerUserid, name: g.ownerName, you: g.ownerUserId === p.userId },
    member,
    createdAt: g.createdAt ? iso(g.createdAt) : null,
    counts: {
      staff: members.filter((m) => m.kind === 'staff').length,
      customers: members.filter((m) => m.kind === 'external').length,
      linked: members.filter((m) => m.profileId).length,
    },
    members,
  };
}
