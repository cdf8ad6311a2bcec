import { createHash } from 'node:crypto';
import exifr from 'exifr';
import * as gcoordModule from 'gcoord';
import sharp from 'sharp';

/**
 * The checks one execution-proof photo goes through (pure: no database). Suspicious proof is
 * FLAGGED with its reasons and kept — a reviewer decides; nothing is silently accepted or dropped.
 * The duplicate check against the tenant's stored hashes is the one database step
 * (proofs.service.ts `findDuplicate`), fed by `dhash` from here.
 */
export type CoordSystem = 'wgs84' | 'gcj02' | 'bd09';

export interface ProofFlag {
  code: string;
  params?: Record<string, string | number>;
  duplicateOf?: string;
}

export interface ProofCheckInput {
  image: Buffer;
  /** Where the phone says it was (browser geolocation is WGS-84; AMap/Tencent SDKs give GCJ-02). */
  lng?: number | null;
  lat?: number | null;
  coordSystem?: CoordSystem;
  /** Capture time the phone reported (else the EXIF time is the only one). */
  takenAt?: Date | null;
  uploadedAt: Date;
  /** The store's location in WGS-84 and its geofence radius; null = not on file. */
  store: { name: string; wgsLng: number; wgsLat: number; radiusM: number } | null;
  storeName: string;
  userName: string;
  activityName: string;
}

export interface ProofCheckResult {
  watermarked: Buffer;
  thumb: Buffer;
  /** 64-bit difference hash as a signed bigint (fits PostgreSQL int8). */
  dhash: bigint;
  sha256: string;
  distanceM: number | null;
  flags: ProofFlag[];
  exif: Record<string, string | number | null>;
}

/** gcoord is CommonJS whose typings declare no default export: the one shape we use, typed here. */
interface Gcoord {
  transform(p: [number, number], from: string, to: string): [number, number];
  WGS84: string;
  GCJ02: string;
  BD09: string;
}
const gcoord = ((gcoordModule as unknown as { default?: Gcoord }).default ??
  (gcoordModule as unknown as Gcoord)) as Gcoord;

const CRS: Record<CoordSystem, string> = {
  wgs84: gcoord.WGS84,
  gcj02: gcoord.GCJ02,
  bd09: gcoord.BD09,
};

/** [lng, lat] in WGS-84 from any of the three systems used in China. */
export function toWgs84(lng: number, lat: number, from: CoordSystem): [number, number] {
  if (from === 'wgs84') return [lng, lat];
  const [x, y] = gcoord.transform([lng, lat], CRS[from], gcoord.WGS84);
  return [x, y];
}

/** Great-circle distance in metres (haversine; plenty for a 20 m – 5 km geofence). */
export function distanceMetres(a: [number, number], b: [number, number]): number {
  const R = 6_371_008.8;
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLng = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * dHash: 9×8 grey thumbnail, one bit per horizontal neighbour pair. Survives re-encoding,
 * resizing and light edits, so a photo re-used from another store or month is found again.
 */
export async function dHash(image: Buffer): Promise<bigint> {
  const px = await sharp(image)
    .rotate()
    .grayscale()
    .resize(9, 8, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  let v = 0n;
  for (let row = 0; row < 8; row++)
    for (let col = 0; col < 8; col++) v = (v << 1n) | (px[row * 9 + col]! > px[row * 9 + col + 1]! ? 1n : 0n);
  return BigInt.asIntN(64, v);
}

export const hamming = (a: bigint, b: bigint): number => {
  let x = BigInt.asUintN(64, a ^ b);
  let n = 0;
  while (x) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
};

/** Photo editors whose name in EXIF Software means the picture was worked on after capture. */
const EDITORS =
  /photoshop|lightroom|snapseed|gimp|picsart|meitu|美图|醒图|vsco|facetune|canva|pixelmator|affinity|polarr/i;
/** A proof older than this when uploaded was not taken on this visit. */
const MAX_AGE_MS = 12 * 3600_000;
/** Phone clock vs EXIF clock beyond this: one of them was changed. */
const CLOCK_SKEW_MS = 10 * 60_000;

/** EXIF "YYYY:MM:DD HH:MM:SS" with its offset (phones in China without one: +08:00). */
function exifTime(raw: unknown, offset: unknown): Date | null {
  if (raw instanceof Date) return raw;
  if (typeof raw !== 'string') return null;
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(raw.trim());
  if (!m) return null;
  const off = typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : '+08:00';
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${off}`);
  return Number.isNaN(+d) ? null : d;
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

const shanghai = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** The band burnt into the picture: time, place, store, who — what a reviewer reads at a glance. */
function watermarkSvg(width: number, lines: string[]): Buffer {
  const size = Math.max(14, Math.round(width / 40));
  const lh = Math.round(size * 1.35);
  const h = lh * lines.length + size;
  const text = lines
    .map(
      (l, i) =>
        `<text x="${size * 0.6}" y="${size * 0.6 + lh * (i + 1) - lh * 0.25}" font-size="${size}" fill="#fff" font-family="Noto Sans CJK SC, Noto Serif CJK SC, sans-serif">${esc(l)}</text>`,
    )
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}"><rect width="100%" height="100%" fill="#000" fill-opacity="0.55"/>${text}</svg>`,
  );
}

export async function checkPhotoProof(input: ProofCheckInput): Promise<ProofCheckResult> {
  const flags: ProofFlag[] = [];
  const meta = await sharp(input.image).metadata();
  const raw = (await exifr
    .parse(input.image, {
      tiff: true,
      exif: true,
      gps: true,
      reviveValues: false,
      translateValues: false,
    })
    .catch(() => null)) as Record<string, unknown> | null | undefined;
  const exif: Record<string, string | number | null> = {};
  if (!raw || Object.keys(raw).length === 0) flags.push({ code: 'exif_missing' });
  else {
    const captured = exifTime(
      raw.DateTimeOriginal ?? raw.CreateDate,
      raw.OffsetTimeOriginal ?? raw.OffsetTime,
    );
    exif.capturedAt = captured ? captured.toISOString() : null;
    exif.make = typeof raw.Make === 'string' ? raw.Make : null;
    exif.model = typeof raw.Model === 'string' ? raw.Model : null;
    exif.software = typeof raw.Software === 'string' ? raw.Software : null;
    if (!captured) flags.push({ code: 'exif_missing' });
    else {
      const age = +input.uploadedAt - +captured;
      if (age > MAX_AGE_MS || age < -CLOCK_SKEW_MS)
        flags.push({ code: 'exif_time_mismatch', params: { hours: Math.round(age / 360_000) / 10 } });
      else if (input.takenAt && Math.abs(+input.takenAt - +captured) > CLOCK_SKEW_MS)
        flags.push({
          code: 'exif_time_mismatch',
          params: { hours: Math.round((+input.takenAt - +captured) / 360_000) / 10 },
        });
    }
    if (exif.software && EDITORS.test(exif.software))
      flags.push({ code: 'edited_software', params: { software: exif.software } });
    const glat = typeof raw.latitude === 'number' ? raw.latitude : null;
    const glng = typeof raw.longitude === 'number' ? raw.longitude : null;
    if (glat !== null && glng !== null) {
      exif.gpsLat = glat;
      exif.gpsLng = glng;
      // EXIF GPS is WGS-84 by the standard.
      if (input.store) {
        const d = distanceMetres([glng, glat], [input.store.wgsLng, input.store.wgsLat]);
        if (d > input.store.radiusM) flags.push({ code: 'exif_gps_far', params: { metres: Math.round(d) } });
      }
    }
  }

  let distanceM: number | null = null;
  let wgs: [number, number] | null = null;
  if (input.lng == null || input.lat == null) flags.push({ code: 'no_location' });
  else {
    wgs = toWgs84(input.lng, input.lat, input.coordSystem ?? 'wgs84');
    if (!input.store) flags.push({ code: 'store_location_unknown' });
    else {
      distanceM = Math.round(distanceMetres(wgs, [input.store.wgsLng, input.store.wgsLat]));
      if (distanceM > input.store.radiusM)
        flags.push({ code: 'outside_geofence', params: { metres: distanceM, radius: input.store.radiusM } });
    }
  }

  const dhash = await dHash(input.image);
  const sha256 = createHash('sha256').update(input.image).digest('hex');

  // At most 1600 px on the long side: proof, not an archive of originals.
  const base = sharp(input.image).rotate().resize(1600, 1600, { fit: 'inside', withoutEnlargement: true });
  const { data: body, info } = await base.jpeg({ quality: 82 }).toBuffer({ resolveWithObject: true });
  const when = shanghai.format(input.takenAt ?? input.uploadedAt);
  const lines = [
    `${when}  ${input.storeName}`,
    wgs
      ? `${wgs[1].toFixed(5)}, ${wgs[0].toFixed(5)}${distanceM !== null ? `  ·  ${distanceM} m` : ''}`
      : '— GPS —',
    `${input.userName}  ·  ${input.activityName}`,
  ];
  const band = watermarkSvg(info.width, lines);
  const bandHeight = (await sharp(band).metadata()).height ?? 0;
  const watermarked = await sharp(body)
    .composite([{ input: band, top: Math.max(0, info.height - bandHeight), left: 0 }])
    .jpeg({ quality: 82 })
    .toBuffer();
  const thumb = await sharp(watermarked).resize(360, 360, { fit: 'inside' }).jpeg({ quality: 70 }).toBuffer();
  exif.width = meta.width ?? null;
  exif.height = meta.height ?? null;
  return { watermarked, thumb, dhash, sha256, distanceM, flags, exif };
}
