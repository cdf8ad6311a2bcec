import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { conflict, forbidden, invalid, notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { sanitizeArticle } from '../../core/text/article-html.ts';
import { MATERIALS_PERMISSIONS, type MaterialInput } from './material.schemas.ts';

export const FILE_LIMITS = { pdf: 10 * 1024 * 1024, poster: 5 * 1024 * 1024 } as const;

export interface MaterialOut {
  id: string;
  kind: string;
  title: string;
  summary: string | null;
  category: string | null;
  tags: string[];
  coverUrl: string | null;
  bodyHtml: string | null;
  linkUrl: string | null;
  mini: { appid: string; pagepath: string } | null;
  qrSlot: { x: number; y: number; size: number } | null;
  file: { mime: string; name: string | null; size: number } | null;
  unitId: string;
  unitName: string | null;
  /** HQ's material seen from a dealer: usable, not editable. */
  editable: boolean;
  /** Optimistic lock: every change (fields or file) adds 1; an edit sends the one it read. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * A material is visible to its unit's subtree (HQ publishes downwards, R9.4) and to the unit's
 * own people; a unit sees its ancestors' materials but edits only its own subtree's.
 */
export function visibleSql(p: Principal) {
  return sql`(m.unit_id = any(${p.subtreeUnitIds}::uuid[]) or m.unit_id in (
    select a.id from units a, units me where a.tenant_id = ${p.tenantId} and me.tenant_id = ${p.tenantId}
      and me.id = ${p.unitId} and me.path like a.path || '%'))`;
}

const COLS = sql`m.id, m.kind, m.title, m.summary, m.category, m.tags, m.cover_url, m.body_html, m.link_url,
  m.mini, m.qr_slot, m.file_mime, m.file_name, m.file_size, m.unit_id, u.name as unit_name, m.version, m.created_at, m.updated_at`;

export function toOut(r: any, p: Principal): MaterialOut {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    summary: r.summary ?? null,
    category: r.category ?? null,
    tags: r.tags ?? [],
    coverUrl: r.cover_url ?? null,
    bodyHtml: r.body_html ?? null,
    linkUrl: r.link_url ?? null,
    mini: r.mini ?? null,
    qrSlot: r.qr_slot ?? null,
    file: r.file_mime
      ? { mime: r.file_mime, name: r.file_name ?? null, size: Number(r.file_size ?? 0) }
      : null,
    unitId: r.unit_id,
    unitName: r.unit_name ?? null,
    editable: can(p, MATERIALS_PERMISSIONS.manage) && p.subtreeUnitIds.includes(r.unit_id),
    version: Number(r.version),
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export async function listMaterials(
  tx: Tx,
  p: Principal,
  q: { kind?: string; q?: string; category?: string },
): Promise<{ items: MaterialOut[] }> {
  const rows = (
    await sql<any>`select ${COLS} from materials m left join units u on u.tenant_id = m.tenant_id and u.id = m.unit_id
      where m.tenant_id = ${p.tenantId} and m.deleted_at is null and ${visibleSql(p)}
        and (${q.kind ?? null}::text is null or m.kind = ${q.kind ?? null})
        and (${q.category ?? null}::text is null or m.category = ${q.category ?? null})
        and (${q.q ?? null}::text is null or m.title ilike '%' || ${q.q ?? ''} || '%')
      order by m.updated_at desc limit 500`.execute(tx)
  ).rows;
  return { items: rows.map((r) => toOut(r, p)) };
}

/** The material if the caller may see it; another unit's or tenant's is the same 404. */
export async function getMaterial(tx: Tx, p: Principal, id: string): Promise<MaterialOut> {
  const r = (
    await sql<any>`select ${COLS} from materials m left join units u on u.tenant_id = m.tenant_id and u.id = m.unit_id
      where m.tenant_id = ${p.tenantId} and m.id = ${id} and m.deleted_at is null and ${visibleSql(p)}`.execute(
      tx,
    )
  ).rows[0];
  if (!r) throw notFound('material');
  return toOut(r, p);
}

/** 409 (localised, field `version`) when the material changed since the caller read it. */
export function staleVersion(current: number) {
  return conflict('conflict.version', { current }, [
    { field: 'version', code: 'conflict.version', params: { current } },
  ]);
}

async function editable(tx: Tx, p: Principal, id: string): Promise<MaterialOut> {
  const m = await getMaterial(tx, p, id);
  if (!m.editable) throw forbidden(MATERIALS_PERMISSIONS.manage);
  return m;
}

function columns(input: MaterialInput) {
  return {
    kind: input.kind,
    title: input.title,
    summary: input.summary ?? null,
    category: input.category ?? null,
    tags: [...new Set(input.tags ?? [])],
    cover_url: input.coverUrl ?? null,
    body_html: input.kind === 'article' ? sanitizeArticle(input.bodyHtml, { httpImages: true }) : null,
    link_url: input.kind === 'video' || input.kind === 'link' ? input.linkUrl : null,
    mini: input.kind === 'miniprogram' ? JSON.stringify(input.mini) : null,
    qr_slot: input.kind === 'poster' ? JSON.stringify(input.qrSlot) : null,
  };
}

export async function createMaterial(
  tx: Tx,
  p: Principal,
  actor: Actor,
  input: MaterialInput,
  unitId?: string,
): Promise<MaterialOut> {
  const unit = unitId ?? p.unitId;
  if (!p.subtreeUnitIds.includes(unit)) throw invalid([{ field: 'unitId', code: 'lookup_missing' }]);
  const id = newId();
  const c = columns(input);
  await sql`insert into materials (tenant_id, id, unit_id, kind, title, summary, category, tags, cover_url,
      body_html, link_url, mini, qr_slot, created_by)
    values (${p.tenantId}, ${id}, ${unit}, ${c.kind}, ${c.title}, ${c.summary}, ${c.category}, ${c.tags}::text[],
      ${c.cover_url}, ${c.body_html}, ${c.link_url}, ${c.mini}::jsonb, ${c.qr_slot}::jsonb, ${p.userId})`.execute(
    tx,
  );
  await writeAudit(tx, actor, { action: 'create', object: 'material', recordId: id, meta: { kind: c.kind } });
  return getMaterial(tx, p, id);
}

export async function updateMaterial(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  input: MaterialInput & { version: number },
): Promise<MaterialOut> {
  const cur = await editable(tx, p, id);
  if (cur.kind !== input.kind) throw invalid([{ field: 'kind', code: 'immutable' }]);
  const c = columns(input);
  // The version check and the write are one statement: of two editors holding the same version, one wins.
  const won =
    await sql`update materials set title = ${c.title}, summary = ${c.summary}, category = ${c.category},
      tags = ${c.tags}::text[], cover_url = ${c.cover_url}, body_html = ${c.body_html}, link_url = ${c.link_url},
      mini = ${c.mini}::jsonb, qr_slot = ${c.qr_slot}::jsonb, version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id} and version = ${input.version} returning id`.execute(tx);
  if (!won.rows.length) throw staleVersion(cur.version);
  await sql`delete from material_posters where tenant_id = ${p.tenantId} and material_id = ${id}`.execute(tx);
  await writeAudit(tx, actor, { action: 'update', object: 'material', recordId: id });
  return getMaterial(tx, p, id);
}

export async function deleteMaterial(tx: Tx, p: Principal, actor: Actor, id: string): Promise<void> {
  await editable(tx, p, id);
  await sql`update materials set deleted_at = now() where tenant_id = ${p.tenantId} and id = ${id}`.execute(
    tx,
  );
  await writeAudit(tx, actor, { action: 'delete', object: 'material', recordId: id });
}

export function sniff(bytes: Buffer): string | null {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

/** The PDF of a pdf material, the image of a poster; the type must match the kind. */
export async function storeFile(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  bytes: Buffer,
  fileName: string | null,
  version?: number,
): Promise<MaterialOut> {
  const m = await editable(tx, p, id);
  if (version !== undefined && version !== m.version) throw staleVersion(m.version);
  const mime = sniff(bytes);
  const ok =
    m.kind === 'pdf' ? mime === 'application/pdf' : m.kind === 'poster' ? mime?.startsWith('image/') : false;
  if (!ok)
    throw invalid([
      { field: 'file', code: m.kind === 'pdf' || m.kind === 'poster' ? 'file_type' : 'not_applicable' },
    ]);
  await sql`insert into material_files (tenant_id, material_id, bytes) values (${p.tenantId}, ${id}, ${bytes})
    on conflict (tenant_id, material_id) do update set bytes = excluded.bytes`.execute(tx);
  // A new file changes what readers see: it is a change like any other (version + 1).
  const won =
    await sql`update materials set file_mime = ${mime}, file_name = ${fileName}, file_size = ${bytes.length},
      version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id} and (${version ?? null}::int is null or version = ${version ?? null}::int)
    returning id`.execute(tx);
  if (!won.rows.length) throw staleVersion(m.version);
  await sql`delete from material_posters where tenant_id = ${p.tenantId} and material_id = ${id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'upload',
    object: 'material',
    recordId: id,
    meta: { size: bytes.length },
  });
  return getMaterial(tx, p, id);
}

export async function fileBytes(tx: Tx, tenantId: string, id: string): Promise<Buffer | null> {
  const r = (
    await sql<{
      bytes: Buffer;
    }>`select bytes from material_files where tenant_id = ${tenantId} and material_id = ${id}`.execute(tx)
  ).rows[0];
  return r ? Buffer.from(r.bytes) : null;
}
