import { sql } from 'kysely';
import QRCode from 'qrcode';
import sharp from 'sharp';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { fileBytes } from './material.service.ts';
import { readerUrl } from './share.service.ts';
import { newShareToken } from './share-token.ts';

export interface QrSlot {
  x: number;
  y: number;
  size: number;
}

/** Puts a QR of `url` on the image at the slot (fractions of the image), as PNG. */
export async function composePoster(image: Buffer, slot: QrSlot, url: string): Promise<Buffer> {
  const meta = await sharp(image).metadata();
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  const size = Math.max(48, Math.min(Math.round(slot.size * Math.min(w, h)), w, h));
  const left = Math.max(0, Math.min(Math.round(slot.x * w), w - size));
  const top = Math.max(0, Math.min(Math.round(slot.y * h), h - size));
  const qr = await QRCode.toBuffer(url, { width: size, margin: 1, errorCorrectionLevel: 'M' });
  return sharp(image)
    .composite([{ input: await sharp(qr).resize(size, size).png().toBuffer(), left, top }])
    .png()
    .toBuffer();
}

/**
 * The staff member's own link to the poster (their card: the reader page shows who shared it
 * and takes a phone): what their QR encodes. One per staff member and poster.
 */
async function staffCardToken(
  tx: Tx,
  tenantId: string,
  materialId: string,
  staffId: string,
): Promise<string> {
  const r = (
    await sql<{ token: string }>`select token from material_shares where tenant_id = ${tenantId}
      and material_id = ${materialId} and staff_id = ${staffId} and parent_id is null
      and profile_id is null and customer_id is null order by created_at limit 1`.execute(tx)
  ).rows[0];
  if (r) return r.token;
  const token = newShareToken(tenantId);
  await sql`insert into material_shares (tenant_id, id, token, material_id, staff_id)
    values (${tenantId}, ${newId()}, ${token}, ${materialId}, ${staffId})`.execute(tx);
  return token;
}

/**
 * The staff member's own tracked link to a material (no recipient: one per staff member and
 * material), for content that goes to many customers at once — a 企业群发 carries the same card to
 * every customer of a staff task, so opens are the sending staff member's, as on their poster.
 */
export async function staffShareUrl(tx: Tx, tenantId: string, materialId: string, staffId: string) {
  return readerUrl(await staffCardToken(tx, tenantId, materialId, staffId));
}

/** The poster with this staff member's QR, composed once per (poster version, staff) and kept. */
export async function staffPoster(
  tx: Tx,
  tenantId: string,
  m: { id: string; qrSlot: QrSlot | null; updatedAt: string },
  staffId: string,
): Promise<Buffer | null> {
  const url = readerUrl(await staffCardToken(tx, tenantId, m.id, staffId));
  const source = `${m.updatedAt}|${url}`;
  const cached = (
    await sql<{ png: Buffer }>`select png from material_posters where tenant_id = ${tenantId}
      and material_id = ${m.id} and staff_id = ${staffId} and source = ${source}`.execute(tx)
  ).rows[0];
  if (cached) return Buffer.from(cached.png);
  const image = await fileBytes(tx, tenantId, m.id);
  if (!image) return null;
  const png = await composePoster(image, m.qrSlot ?? { x: 0.7, y: 0.78, size: 0.22 }, url);
  await sql`insert into material_posters (tenant_id, material_id, staff_id, source, png)
    values (${tenantId}, ${m.id}, ${staffId}, ${source}, ${png})
    on conflict (tenant_id, material_id, staff_id) do update set source = excluded.source, png = excluded.png,
      created_at = now()`.execute(tx);
  return png;
}
