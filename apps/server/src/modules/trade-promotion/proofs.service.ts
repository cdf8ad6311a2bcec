import type { Proof, StoreLocation } from '@kehu/contracts/trade-promotion';
import { sql } from 'kysely';
import sharp from 'sharp';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { readUpload } from '../../core/http/upload.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { loadActivity } from './activities.service.ts';
import { unitRow } from './budgets.service.ts';
import { type CoordSystem, checkPhotoProof, type ProofFlag, toWgs84 } from './proof-check.ts';
import { tpmProblem, tt } from './tpm.messages.ts';

/** Hamming distance (of 64 bits) at or under which two photos count as the same picture. */
export const DUPLICATE_DISTANCE = 6;

// ---------------------------------------------------------------------------------------------
// Store locations (the geofence)

const toLocation = (r: any): StoreLocation => ({
  unitId: r.id,
  unitName: r.name,
  dealerUnitId: r.parent_id,
  lng: r.lng ?? null,
  lat: r.lat ?? null,
  coordSystem: r.coord_system ?? null,
  wgsLng: r.wgs_lng ?? null,
  wgsLat: r.wgs_lat ?? null,
  radiusM: r.radius_m ?? null,
  address: r.address ?? null,
});

/** Stores of the caller's subtree with their location (null when not on file yet). */
export async function listStores(tx: Tx, p: Principal): Promise<StoreLocation[]> {
  const rows = (
    await sql<any>`select u.id, u.name, u.parent_id, l.lng, l.lat, l.coord_system, l.wgs_lng, l.wgs_lat, l.radius_m, l.address
      from units u left join tpm_store_locations l on l.tenant_id = u.tenant_id and l.unit_id = u.id
      where u.tenant_id = ${p.tenantId} and u.type = 'store' and u.deleted_at is null
        and u.id = any(${p.subtreeUnitIds}::uuid[]) order by u.path`.execute(tx)
  ).rows;
  return rows.map(toLocation);
}

export async function saveStoreLocation(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  unitId: string,
  input: { lng: number; lat: number; coordSystem: CoordSystem; radiusM: number; address?: string },
): Promise<StoreLocation> {
  const u = await unitRow(tx, p.tenantId, unitId);
  if (!u || !p.subtreeUnitIds.includes(unitId)) throw notFound('unit');
  if (u.type !== 'store')
    throw invalid([{ field: 'unitId', code: 'not_store', message: tt(locale, 'not_store') }]);
  const [wl, wt] = toWgs84(input.lng, input.lat, input.coordSystem);
  await sql`insert into tpm_store_locations (tenant_id, unit_id, lng, lat, coord_system, wgs_lng, wgs_lat, radius_m, address, updated_by)
    values (${p.tenantId}, ${unitId}, ${input.lng}, ${input.lat}, ${input.coordSystem}, ${wl}, ${wt}, ${input.radiusM},
      ${input.address ?? null}, ${p.userId})
    on conflict (tenant_id, unit_id) do update set lng = excluded.lng, lat = excluded.lat, coord_system = excluded.coord_system,
      wgs_lng = excluded.wgs_lng, wgs_lat = excluded.wgs_lat, radius_m = excluded.radius_m, address = excluded.address,
      updated_by = excluded.updated_by, updated_at = now()`.execute(tx);
  await writeAudit(tx, actor, { action: 'tpm_store_location', object: 'unit', recordId: unitId });
  return (await listStores(tx, p)).find((s) => s.unitId === unitId)!;
}

// ---------------------------------------------------------------------------------------------
// Proofs

const proofColumns = sql`f.id, f.activity_id, f.store_unit_id, s.name as store_name, us.name as uploader, f.uploaded_at,
  f.taken_at, f.lng, f.lat, f.coord_system, f.distance_m, f.status, f.flags, f.exif`;

function toProof(locale: Locale, r: any): Proof {
  const flags: ProofFlag[] = typeof r.flags === 'string' ? JSON.parse(r.flags) : (r.flags ?? []);
  return {
    id: r.id,
    activityId: r.activity_id,
    storeUnitId: r.store_unit_id,
    storeName: r.store_name ?? null,
    uploadedBy: r.uploader ?? null,
    uploadedAt: new Date(r.uploaded_at).toISOString(),
    takenAt: r.taken_at ? new Date(r.taken_at).toISOString() : null,
    lng: r.lng,
    lat: r.lat,
    coordSystem: r.coord_system,
    distanceM: r.distance_m,
    status: r.status,
    flags: flags.map((f) => ({
      code: f.code,
      message: tt(locale, f.code, f.params ?? {}),
      ...(f.duplicateOf ? { duplicateOf: f.duplicateOf } : {}),
    })),
    exif: typeof r.exif === 'string' ? JSON.parse(r.exif) : (r.exif ?? {}),
  };
}

async function proofRows(tx: Tx, tenantId: string, where: ReturnType<typeof sql>) {
  return (
    await sql<any>`select ${proofColumns} from tpm_proofs f
      left join units s on s.tenant_id = f.tenant_id and s.id = f.store_unit_id
      left join users us on us.tenant_id = f.tenant_id and us.id = f.uploaded_by
      where f.tenant_id = ${tenantId} and ${where} order by f.uploaded_at, f.id`.execute(tx)
  ).rows;
}

export async function listProofs(tx: Tx, p: Principal, locale: Locale, activityId: string): Promise<Proof[]> {
  await loadActivity(tx, p, activityId);
  return (await proofRows(tx, p.tenantId, sql`f.activity_id = ${activityId}`)).map((r) => toProof(locale, r));
}

/** The watermarked picture (or its thumbnail) of a proof the caller's activity view includes. */
export async function proofImage(tx: Tx, p: Principal, id: string, thumb: boolean): Promise<Buffer> {
  const r = (
    await sql<any>`select activity_id, ${thumb ? sql`thumb` : sql`image`} as bytes from tpm_proofs
      where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('tpm_proof');
  await loadActivity(tx, p, r.activity_id);
  return Buffer.from(r.bytes);
}

/**
 * The closest earlier photo of the tenant within DUPLICATE_DISTANCE bits, if any. Two hashes that
 * close agree exactly on at least one of seven bands (stored columns dhash_band0–6, migration
 * 202612071210): the band indexes find the candidates, bit_count keeps the real ones.
 */
export async function findDuplicate(
  tx: Tx,
  tenantId: string,
  dhash: bigint,
): Promise<{ id: string; activityId: string; distance: number } | null> {
  const h = dhash.toString();
  const band = (i: number) => Number((dhash >> BigInt(9 * i)) & (i === 6 ? 1023n : 511n));
  const r = (
    await sql<any>`select id, activity_id, bit_count((dhash # ${h}::bigint)::bit(64))::int as d from tpm_proofs
      where tenant_id = ${tenantId}
        and (dhash_band0 = ${band(0)} or dhash_band1 = ${band(1)} or dhash_band2 = ${band(2)}
          or dhash_band3 = ${band(3)} or dhash_band4 = ${band(4)} or dhash_band5 = ${band(5)}
          or dhash_band6 = ${band(6)})
        and bit_count((dhash # ${h}::bigint)::bit(64)) <= ${DUPLICATE_DISTANCE}
      order by d, uploaded_at limit 1`.execute(tx)
  ).rows[0];
  return r ? { id: r.id, activityId: r.activity_id, distance: r.d } : null;
}

export interface UploadInput {
  storeUnitId: string;
  lng?: number;
  lat?: number;
  coordSystem: CoordSystem;
  takenAt?: string;
  idempotencyKey?: string;
}

/**
 * One proof photo from the rep's phone. The heavy image work runs between two short
 * transactions (no connection held while sharp works); the second re-checks the activity.
 */
export async function uploadProof(
  database: Database,
  p: Principal,
  actor: Actor,
  locale: Locale,
  activityId: string,
  q: UploadInput,
  bytes: Buffer,
): Promise<Proof> {
  const ctx = await inTenant(
    database.db,
    p.tenantId,
    async (tx) => {
      const a = await loadActivity(tx, p, activityId);
      if (a.status !== 'approved') throw tpmProblem('conflict', locale, 'bad_status', { status: a.status });
      if (q.idempotencyKey) {
        const prior = await proofRows(tx, p.tenantId, sql`f.idempotency_key = ${q.idempotencyKey}`);
        if (prior[0]) return { prior: toProof(locale, prior[0]) };
      }
      if (!(a.store_unit_ids as string[]).includes(q.storeUnitId))
        throw invalid([
          {
            field: 'storeUnitId',
            code: 'store_not_in_activity',
            message: tt(locale, 'store_not_in_activity'),
          },
        ]);
      if (!p.subtreeUnitIds.includes(q.storeUnitId))
        throw invalid([
          { field: 'storeUnitId', code: 'store_not_yours', message: tt(locale, 'store_not_yours') },
        ]);
      const store = (
        await sql<any>`select u.name, l.wgs_lng, l.wgs_lat, l.radius_m from units u
          left join tpm_store_locations l on l.tenant_id = u.tenant_id and l.unit_id = u.id
          where u.tenant_id = ${p.tenantId} and u.id = ${q.storeUnitId}`.execute(tx)
      ).rows[0];
      return { activityName: a.name as string, store };
    },
    { readOnly: true },
  );
  if ('prior' in ctx) return ctx.prior!;
  try {
    await sharp(bytes).metadata();
  } catch {
    throw invalid([{ field: 'file', code: 'not_an_image', message: tt(locale, 'not_an_image') }]);
  }
  const uploadedAt = new Date();
  const check = await checkPhotoProof({
    image: bytes,
    lng: q.lng,
    lat: q.lat,
    coordSystem: q.coordSystem,
    takenAt: q.takenAt ? new Date(q.takenAt) : null,
    uploadedAt,
    store:
      ctx.store?.wgs_lng != null
        ? {
            name: ctx.store.name,
            wgsLng: ctx.store.wgs_lng,
            wgsLat: ctx.store.wgs_lat,
            radiusM: ctx.store.radius_m,
          }
        : null,
    storeName: ctx.store?.name ?? '',
    userName: p.userName,
    activityName: ctx.activityName,
  });
  return inTenant(database.db, p.tenantId, async (tx) => {
    const a = await loadActivity(tx, p, activityId, true);
    if (a.status !== 'approved') throw tpmProblem('conflict', locale, 'bad_status', { status: a.status });
    const flags = [...check.flags];
    const dup = await findDuplicate(tx, p.tenantId, check.dhash);
    if (dup) flags.push({ code: 'duplicate_photo', duplicateOf: dup.id, params: { bits: dup.distance } });
    const id = newId();
    await sql`insert into tpm_proofs (tenant_id, id, activity_id, store_unit_id, uploaded_by, uploaded_at, taken_at, lng, lat,
        coord_system, distance_m, dhash, sha256, exif, flags, status, image, thumb, idempotency_key)
      values (${p.tenantId}, ${id}, ${activityId}, ${q.storeUnitId}, ${p.userId}, ${uploadedAt}, ${q.takenAt ?? null},
        ${q.lng ?? null}, ${q.lat ?? null}, ${q.lng != null ? q.coordSystem : null}, ${check.distanceM},
        ${check.dhash.toString()}::bigint, ${check.sha256}, ${JSON.stringify(check.exif)}::jsonb, ${JSON.stringify(flags)}::jsonb,
        ${flags.length ? 'flagged' : 'accepted'}, ${check.watermarked}, ${check.thumb}, ${q.idempotencyKey ?? null})`.execute(
      tx,
    );
    await writeAudit(tx, actor, {
      action: 'tpm_proof_upload',
      object: 'tpm_proof',
      recordId: id,
      meta: { activityId, flags: flags.map((f) => f.code) },
    });
    return toProof(locale, (await proofRows(tx, p.tenantId, sql`f.id = ${id}`))[0]);
  });
}

/** The photo upload: refused past `limit` with 413 (core/http/upload.ts); an empty body is no photo. */
export async function readPhoto(body: unknown, limit: number, declared: number | null): Promise<Buffer> {
  const bytes = await readUpload(body, limit, declared);
  if (bytes.length === 0) throw invalid([{ field: 'file', code: 'required' }]);
  return bytes;
}
