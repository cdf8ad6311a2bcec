import type { Rep, Store, StoreInput } from '@kehu/contracts/field-sales';
import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import { writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { listStores as tpmStores } from '../trade-promotion/index.ts';
import { fslProblem, fslText } from './field-sales.messages.ts';

/**
 * The store master for visits: stores are org units of type store (their geofence is trade
 * promotion's store location, read through its public `listStores`); this module adds the tier
 * (A/B/C → visit frequency) and the rep in charge.
 */
export async function listStores(tx: Tx, p: Principal): Promise<Store[]> {
  const stores = await tpmStores(tx, p);
  if (!stores.length) return [];
  const ids = stores.map((s) => s.unitId);
  const prof = new Map(
    (
      await sql<any>`select f.unit_id, f.tier, f.rep_id, u.name as rep_name, f.version,
          (select max(v.day)::text from fsl_visits v where v.tenant_id = f.tenant_id and v.store_unit_id = f.unit_id
            and v.status = 'done') as last_day
        from fsl_store_profiles f left join users u on u.tenant_id = f.tenant_id and u.id = f.rep_id
        where f.tenant_id = ${p.tenantId} and f.unit_id = any(${ids}::uuid[])`.execute(tx)
    ).rows.map((r) => [r.unit_id, r]),
  );
  return stores.map((s) => {
    const f = prof.get(s.unitId);
    return {
      unitId: s.unitId,
      name: s.unitName ?? '',
      address: s.address,
      lng: s.wgsLng,
      lat: s.wgsLat,
      radiusM: s.radiusM,
      tier: f?.tier ?? null,
      repId: f?.rep_id ?? null,
      repName: f?.rep_name ?? null,
      lastVisitDay: f?.last_day ?? null,
      version: f?.version ?? 0,
    };
  });
}

/** A user of the caller's unit or below (or the caller): who may be planned as a rep. */
export async function repRow(tx: Tx, p: Principal, repId: string) {
  const r = (
    await sql<any>`select u.id, u.name, u.unit_id, un.path from users u join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
      where u.tenant_id = ${p.tenantId} and u.id = ${repId} and u.status = 'active'`.execute(tx)
  ).rows[0];
  if (!r || (r.id !== p.userId && !p.subtreeUnitIds.includes(r.unit_id))) return null;
  return r as { id: string; name: string; unit_id: string; path: string };
}

export async function putStore(
  tx: Tx,
  p: Principal,
  actor: Actor,
  unitId: string,
  input: StoreInput,
  locale: Locale,
): Promise<Store> {
  const u = (
    await sql<any>`select id, type, path from units where tenant_id = ${p.tenantId} and id = ${unitId} and deleted_at is null`.execute(
      tx,
    )
  ).rows[0];
  if (!u || !p.subtreeUnitIds.includes(unitId)) throw notFound('unit');
  if (u.type !== 'store')
    throw invalid([{ field: 'unitId', code: 'not_store', message: fslText(locale, 'not_store') }]);
  if (input.repId) {
    const rep = await repRow(tx, p, input.repId);
    if (!rep)
      throw invalid([{ field: 'repId', code: 'rep_unknown', message: fslText(locale, 'rep_unknown') }]);
    // The rep works from a unit above the store, so the store is in their own view too.
    if (!String(u.path).startsWith(rep.path))
      throw invalid([
        { field: 'repId', code: 'rep_not_above_store', message: fslText(locale, 'rep_not_above_store') },
      ]);
  }
  if (input.version === 0) {
    const r = await sql`insert into fsl_store_profiles (tenant_id, unit_id, tier, rep_id, updated_by)
      values (${p.tenantId}, ${unitId}, ${input.tier}, ${input.repId}, ${p.userId}) on conflict do nothing`.execute(
      tx,
    );
    if (!Number(r.numAffectedRows ?? 0)) throw fslProblem('conflict', locale, 'stale');
  } else {
    const r =
      await sql`update fsl_store_profiles set tier = ${input.tier}, rep_id = ${input.repId}, version = version + 1,
        updated_by = ${p.userId}, updated_at = now()
      where tenant_id = ${p.tenantId} and unit_id = ${unitId} and version = ${input.version}`.execute(tx);
    if (!Number(r.numAffectedRows ?? 0)) throw fslProblem('conflict', locale, 'stale');
  }
  await writeAudit(tx as any, actor, {
    action: 'update',
    object: 'fsl_store',
    recordId: unitId,
    meta: { tier: input.tier, repId: input.repId },
  });
  return (await listStores(tx, p)).find((s) => s.unitId === unitId)!;
}

/** Users of the caller's unit and below (and the caller) with the number of stores in their charge. */
export async function listReps(tx: Tx, p: Principal): Promise<Rep[]> {
  const rows = (
    await sql<any>`select u.id, u.name, u.unit_id,
        (select count(*)::int from fsl_store_profiles f where f.tenant_id = u.tenant_id and f.rep_id = u.id) as stores
      from users u where u.tenant_id = ${p.tenantId} and u.status = 'active'
        and (u.unit_id = any(${p.subtreeUnitIds}::uuid[]) or u.id = ${p.userId})
      order by 4 desc, u.name limit 500`.execute(tx)
  ).rows;
  return rows.map((r) => ({ id: r.id, name: r.name, unitId: r.unit_id, stores: r.stores }));
}
