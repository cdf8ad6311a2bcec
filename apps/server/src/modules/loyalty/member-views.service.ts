import { CDP_PERMISSIONS } from '@kehu/contracts/cdp';
import type { MemberDetail, MemberRow } from '@kehu/contracts/loyalty';
import { sql } from 'kysely';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { maskPersonal } from '../cdp/index.ts';
import { loyaltyProblem } from './loyalty.messages.ts';
import { qualifyingOf, tiersOf } from './tiers.service.ts';

/**
 * Members are seen by the people of the unit where they enrolled and of every unit above it
 * (scope follows the org tree: a store sees its own members, the brand sees all). Names and
 * phones come from the profile's traits, masked unless the viewer may unmask profiles.
 */
export const memberVisible = (p: Principal) => sql`m.unit_id = any(${p.subtreeUnitIds}::uuid[])`;

const phoneForms = (raw: string) => {
  const digits = raw.replace(/[\s-]/g, '').replace(/^\+?86/, '');
  return [raw, `+86${digits}`];
};

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

function toRow(p: Principal, r: any): MemberRow {
  const unmasked = can(p, CDP_PERMISSIONS.unmaskProfile);
  const name = r.traits?.name ?? null;
  const phone = r.phone_identity ?? r.traits?.phone ?? r.traits?.mobile ?? null;
  return {
    id: r.id,
    memberNo: r.member_no,
    programId: r.program_id,
    profileId: r.profile_id,
    name: name === null ? null : unmasked ? String(name) : maskPersonal('name', String(name)),
    phone: phone === null ? null : unmasked ? String(phone) : maskPersonal('phone', String(phone)),
    unitId: r.unit_id,
    unitName: r.unit_name ?? null,
    tierId: r.tier_id,
    tierName: r.tier_name,
    tierRank: r.tier_rank,
    balance: Number(r.balance),
    source: r.source,
    enrolledAt: iso(r.enrolled_at)!,
  };
}

const rowSelect = sql`m.*, t.name as tier_name, t.rank as tier_rank, u.name as unit_name, pr.traits,
  (select i.value from cdp_identities i where i.tenant_id = m.tenant_id and i.profile_id = m.profile_id
    and i.kind = 'phone' order by i.value limit 1) as phone_identity`;
const rowJoins = sql`join loyalty_tiers t on t.tenant_id = m.tenant_id and t.id = m.tier_id
  left join units u on u.tenant_id = m.tenant_id and u.id = m.unit_id
  left join cdp_profiles pr on pr.tenant_id = m.tenant_id and pr.id = m.profile_id`;

export async function listMembers(
  tx: Tx,
  p: Principal,
  q: { programId?: string; tierId?: string; unitId?: string; q?: string; cursor?: string; limit: number },
): Promise<{ items: MemberRow[]; nextCursor: string | null }> {
  let after: { at: string; id: string } | null = null;
  if (q.cursor) {
    try {
      const [at, id] = Buffer.from(q.cursor, 'base64url').toString().split('|');
      if (at && id && /^[0-9a-f-]{36}$/.test(id) && !Number.isNaN(Date.parse(at))) after = { at, id };
    } catch {
      after = null;
    }
  }
  const needle = q.q?.trim();
  const rows = (
    await sql<any>`select ${rowSelect} from loyalty_members m ${rowJoins}
      where m.tenant_id = ${p.tenantId} and ${memberVisible(p)}
        ${q.programId ? sql`and m.program_id = ${q.programId}` : sql``}
        ${q.tierId ? sql`and m.tier_id = ${q.tierId}` : sql``}
        ${
          q.unitId
            ? sql`and m.unit_id in (select x.id from units x where x.tenant_id = ${p.tenantId}
                and x.path like (select y.path || '%' from units y where y.tenant_id = ${p.tenantId} and y.id = ${q.unitId}))`
            : sql``
        }
        ${
          needle
            ? sql`and (m.member_no = ${needle.toUpperCase()} or exists (select 1 from cdp_identities i
                where i.tenant_id = m.tenant_id and i.profile_id = m.profile_id and i.kind = 'phone'
                  and i.value = any(${phoneForms(needle)}::text[])))`
            : sql``
        }
        ${after ? sql`and (m.enrolled_at, m.id) < (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
      order by m.enrolled_at desc, m.id desc limit ${q.limit + 1}`.execute(tx)
  ).rows;
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit).map((r) => toRow(p, r));
  const last = rows[q.limit - 1];
  return {
    items,
    nextCursor:
      more && last ? Buffer.from(`${iso(last.enrolled_at)}|${last.id}`).toString('base64url') : null,
  };
}

export async function visibleMember(tx: Tx, p: Principal, id: string, locale: Locale) {
  const r = (
    await sql<any>`select ${rowSelect} from loyalty_members m ${rowJoins}
      where m.tenant_id = ${p.tenantId} and m.id = ${id} and ${memberVisible(p)}`.execute(tx)
  ).rows[0];
  if (!r) throw loyaltyProblem('not_found', locale, 'member_not_found');
  return r;
}

export async function memberDetail(tx: Tx, p: Principal, locale: Locale, id: string): Promise<MemberDetail> {
  const r = await visibleMember(tx, p, id, locale);
  const program = (
    await sql<any>`select tier_window_days, tier_basis, adjust_approval_threshold, allow_transfer from loyalty_programs
      where tenant_id = ${p.tenantId} and id = ${r.program_id}`.execute(tx)
  ).rows[0];
  const tiers = await tiersOf(tx, p.tenantId, r.program_id);
  const tier = tiers.find((t) => t.id === r.tier_id)!;
  const next = tiers.find((t) => t.rank > tier.rank) ?? null;
  const benefits = (
    await sql<any>`select discount_percent, free_services from loyalty_tiers where tenant_id = ${p.tenantId} and id = ${tier.id}`.execute(
      tx,
    )
  ).rows[0];
  const qualifying = await qualifyingOf(tx, p.tenantId, id, program.tier_window_days);
  // One connection: the reads run one after another.
  const ledger =
    await sql<any>`select * from loyalty_ledger where tenant_id = ${p.tenantId} and member_id = ${id}
      order by created_at desc, id desc limit 200`.execute(tx);
  const lots = await sql<any>`select * from loyalty_lots where tenant_id = ${p.tenantId} and member_id = ${id}
      order by (remaining > 0) desc, expires_at asc nulls last, earned_at desc limit 200`.execute(tx);
  const history =
    await sql<any>`select h.*, f.name as from_name, t.name as to_name from loyalty_tier_history h
      left join loyalty_tiers f on f.tenant_id = h.tenant_id and f.id = h.from_tier_id
      join loyalty_tiers t on t.tenant_id = h.tenant_id and t.id = h.to_tier_id
      where h.tenant_id = ${p.tenantId} and h.member_id = ${id} order by h.at desc limit 100`.execute(tx);
  const adjustments = await sql<any>`select a.*, u.name as requested_name from loyalty_adjustments a
      left join users u on u.tenant_id = a.tenant_id and u.id = a.requested_by
      where a.tenant_id = ${p.tenantId} and a.member_id = ${id} order by a.created_at desc limit 50`.execute(
    tx,
  );
  const expiring = await sql<any>`select sum(remaining)::text as points, expires_at from loyalty_lots
      where tenant_id = ${p.tenantId} and member_id = ${id} and remaining > 0
        and expires_at > now() and expires_at <= now() + interval '30 days'
      group by expires_at order by expires_at`.execute(tx);
  return {
    member: toRow(p, r),
    summary: {
      tier: { id: tier.id, name: tier.name, rank: tier.rank },
      nextTier: next
        ? { id: next.id, name: next.name, qualifyingNeeded: Math.max(0, next.threshold - qualifying) }
        : null,
      balance: Number(r.balance),
      debt: Number(r.debt),
      expiringSoon: expiring.rows.map((e) => ({ points: Number(e.points), expiresAt: iso(e.expires_at)! })),
      qualifying,
      tierBasis: program.tier_basis,
      tierReviewAt: iso(r.tier_review_at)!,
      benefits: {
        discountPercent: benefits?.discount_percent ?? null,
        freeServices: benefits?.free_services ?? [],
      },
    },
    ledger: ledger.rows.map((l) => ({
      id: l.id,
      kind: l.kind,
      delta: Number(l.delta),
      balanceAfter: Number(l.balance_after),
      reason: l.reason,
      rule: l.rule,
      refObject: l.ref_object,
      refId: l.ref_id,
      expiresAt: iso(l.expires_at),
      createdAt: iso(l.created_at)!,
    })),
    lots: lots.rows.map((l) => ({
      id: l.id,
      points: Number(l.points),
      remaining: Number(l.remaining),
      earnedAt: iso(l.earned_at)!,
      expiresAt: iso(l.expires_at),
    })),
    tierHistory: history.rows.map((h) => ({
      id: h.id,
      from: h.from_name ?? null,
      to: h.to_name,
      reason: h.reason,
      qualifying: Number(h.qualifying),
      at: iso(h.at)!,
    })),
    adjustments: adjustments.rows.map((a) => ({
      id: a.id,
      points: a.points,
      reason: a.reason,
      status: a.status,
      approvalRequestId: a.approval_request_id,
      ledgerId: a.ledger_id,
      requestedBy: a.requested_name ?? null,
      createdAt: iso(a.created_at)!,
    })),
    adjustApprovalThreshold: program.adjust_approval_threshold,
    allowTransfer: program.allow_transfer,
  };
}
