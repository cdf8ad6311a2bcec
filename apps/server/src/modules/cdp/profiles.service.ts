import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { evaluateProfiles } from './evaluation.service.ts';
import { maskTraits, maskValue } from './masking.ts';
import { personLabels } from './person-label.ts';
import { lockTenantCdp } from './process.job.ts';
import { mergeRow } from './profile-list.ts';
import { crmLinks, profileTimeline, type TimelineKind } from './profile-timeline.ts';
import { subjectTagsOf } from './subject-tags.service.ts';

/** One person's profile (R1.3): the 360 view, its timeline pages and consents (R13.1). */

const PERSONAL_KINDS: Record<string, string> = {
  phone: 'phone',
  email: 'email',
  wechat_unionid: 'id',
  openid: 'id',
  wecom_external_userid: 'id',
};

/**
 * The 360 view (R1.3). Personal values are masked unless the viewer holds profile:unmask; CRM
 * links and the timeline's CRM part are read as the viewer (record scope and field masking).
 */
export async function profile360(tx: Tx, principal: Principal, actor: Actor, id: string, unmasked: boolean) {
  const tenantId = principal.tenantId;
  let p = (
    await sql<any>`select * from cdp_profiles where tenant_id = ${tenantId} and id = ${id}`.execute(tx)
  ).rows[0];
  if (!p) throw notFound('profile');
  if (p.merged_into)
    p = (
      await sql<any>`select * from cdp_profiles where tenant_id = ${tenantId} and id = ${p.canonical_id}`.execute(
        tx,
      )
    ).rows[0];
  const pid = p.id as string;
  // Independent reads, issued together (one connection queues them; no waiting between round trips).
  const [identities, { tags, segments }, consents, merges, links] = await Promise.all([
    sql<any>`select id, kind, namespace, value, first_seen_at, source from cdp_identities where tenant_id = ${tenantId} and profile_id = ${pid} order by kind, first_seen_at`.execute(
      tx,
    ),
    subjectTagsOf(tx, tenantId, 'profile', pid),
    sql<any>`select purpose, granted, source, at from cdp_consents where tenant_id = ${tenantId} and profile_id = ${pid}`.execute(
      tx,
    ),
    sql<any>`select id, at, target_id, source_id, reason, evidence, split_at from cdp_merges
      where tenant_id = ${tenantId} and (target_id = ${pid} or source_id = ${pid}) order by at desc limit 100`.execute(
      tx,
    ),
    crmLinks(tx, principal, actor, pid),
  ]);
  const [timeline, labels] = await Promise.all([
    profileTimeline(tx, principal, actor, pid, { limit: 50, links }),
    personLabels(tx, tenantId, [pid, ...merges.rows.flatMap((m) => [m.target_id, m.source_id])], unmasked),
  ]);
  const { traits, masked } = maskTraits(p.traits, unmasked);
  return {
    id: pid,
    requestedId: id,
    label: labels.get(pid)!,
    traits,
    _masked: masked.map((k) => `traits.${k}`),
    firstSeenAt: p.first_seen_at,
    lastSeenAt: p.last_seen_at,
    identities: identities.rows.map((i) => ({
      id: i.id,
      kind: i.kind,
      namespace: i.namespace || null,
      value: !unmasked && PERSONAL_KINDS[i.kind] ? maskValue(PERSONAL_KINDS[i.kind]!, i.value) : i.value,
      firstSeenAt: i.first_seen_at,
    })),
    tags,
    segments,
    consents: consents.rows.map((c) => ({
      purpose: c.purpose,
      granted: c.granted,
      source: c.source,
      at: c.at,
    })),
    links,
    merges: merges.rows.map((m) => mergeRow(m, unmasked, labels)),
    timeline: timeline.items,
    timelineNext: timeline.next,
  };
}

/** One page of a profile's timeline (a merged profile answers with its canonical one's). */
export async function profileTimelinePage(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  id: string,
  q: { before?: string; kinds?: TimelineKind[]; limit: number },
) {
  const p = (
    await sql<{
      id: string;
      canonical_id: string | null;
      merged_into: string | null;
    }>`select id, canonical_id, merged_into from cdp_profiles where tenant_id = ${principal.tenantId} and id = ${id}`.execute(
      tx,
    )
  ).rows[0];
  if (!p) throw notFound('profile');
  return profileTimeline(tx, principal, actor, p.merged_into ? (p.canonical_id ?? p.id) : p.id, q);
}

export async function setConsent(
  tx: Tx,
  actor: Actor,
  profileId: string,
  purpose: string,
  granted: boolean,
  source = 'kehu',
) {
  const p =
    await sql`select 1 from cdp_profiles where tenant_id = ${actor.tenantId} and id = ${profileId} and merged_into is null`.execute(
      tx,
    );
  if (!p.rows.length) throw notFound('profile');
  await sql`insert into cdp_consents (tenant_id, profile_id, purpose, granted, source) values (${actor.tenantId}, ${profileId}, ${purpose}, ${granted}, ${source})
    on conflict (tenant_id, profile_id, purpose) do update set granted = excluded.granted, source = excluded.source, at = now()`.execute(
    tx,
  );
  await writeAudit(tx, actor, {
    action: 'cdp.consent',
    object: 'profile',
    recordId: profileId,
    meta: { purpose, granted, source },
  });
  await lockTenantCdp(tx, actor.tenantId);
  await evaluateProfiles(tx, actor.tenantId, [profileId], new Date());
}
