import type { TimelineKind } from '@kehu/contracts/cdp';
import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import { getRecord, listRecords, recordCtx } from '../../engine/records/record.service.ts';
import { personLabels } from './person-label.ts';
import { customerTimelinePage } from './profile-timeline.ts';
import { profile360 } from './profiles.service.ts';

/**
 * The CDP side of the one customer page (issue 9 §2): which live profiles are this customer,
 * and the first one's 360 view as a section of the page.
 *
 * The customer is read as the viewer through the record engine first: a customer outside their
 * scope (or without customer:read) is a 404 here exactly as on the record itself, so the CDP
 * route is no side door to a customer's people. Contacts count only when the viewer sees them.
 */
async function visibleCustomer(tx: Tx, principal: Principal, actor: Actor, id: string) {
  if (!isUuid(id) || !can(principal, 'customer:read')) throw notFound('customer');
  const rec = await getRecord(await recordCtx(tx, principal, actor, 'customer'), id);
  if (rec.deletedAt) throw notFound('customer');
  return { id, name: (rec.name as string | null) ?? null };
}

/** Live profiles linked to the customer or to one of its contacts the viewer may see; customer links first. */
async function linkedProfiles(tx: Tx, principal: Principal, actor: Actor, customerId: string) {
  let contactIds: string[] = [];
  if (can(principal, 'contact:read')) {
    const ctx = await recordCtx(tx, principal, actor, 'contact').catch(() => null);
    if (ctx?.obj.fields.some((f) => f.apiName === 'customerId'))
      contactIds = (
        await listRecords(ctx, { filter: { field: 'customerId', op: 'eq', value: customerId }, limit: 200 })
      ).items.map((c) => c.id);
  }
  const rows = (
    await sql<{ id: string; via: 'customer' | 'contact' }>`
      select distinct on (live.id) live.id, l.object as via
      from cdp_profile_links l
      join cdp_profiles p on p.tenant_id = l.tenant_id and p.id = l.profile_id
      join cdp_profiles live on live.tenant_id = p.tenant_id
        and live.id = case when p.merged_into is null then p.id else p.canonical_id end
        and live.merged_into is null
      where l.tenant_id = ${principal.tenantId}
        and ((l.object = 'customer' and l.record_id = ${customerId})
          or (l.object = 'contact' and l.record_id = any(${contactIds}::uuid[])))
      order by live.id, (l.object = 'customer') desc, l.linked_at`.execute(tx)
  ).rows;
  // The customer's own link before a contact's, then the oldest person first.
  return rows.sort((a, b) => (a.via === b.via ? (a.id < b.id ? -1 : 1) : a.via === 'customer' ? -1 : 1));
}

export async function customerProfiles(tx: Tx, principal: Principal, actor: Actor, customerId: string) {
  const customer = await visibleCustomer(tx, principal, actor, customerId);
  const linked = await linkedProfiles(tx, principal, actor, customer.id);
  const unmasked = false;
  const [labels, profile] = await Promise.all([
    personLabels(
      tx,
      principal.tenantId,
      linked.map((l) => l.id),
      unmasked,
    ),
    linked[0] ? profile360(tx, principal, actor, linked[0].id, unmasked) : null,
  ]);
  return {
    customerId: customer.id,
    profiles: linked.flatMap((l) => {
      const label = labels.get(l.id);
      return label ? [{ id: l.id, label, via: l.via }] : [];
    }),
    profile,
  };
}

/** One page of the customer's unified timeline (events of its people + CRM history). */
export async function customerTimeline(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  customerId: string,
  q: { before?: string; kinds?: TimelineKind[]; limit: number },
) {
  const customer = await visibleCustomer(tx, principal, actor, customerId);
  const profiles = can(principal, 'cdp:read') ? await linkedProfiles(tx, principal, actor, customer.id) : [];
  return customerTimelinePage(
    tx,
    principal,
    actor,
    customer,
    profiles.map((p) => p.id),
    q,
  );
}
