/**
 * Trade-promotion proof check per photo: EXIF read, geofence (GCJ-02 → WGS-84 + haversine), dHash,
 * 1600 px JPEG with the composited watermark band and a thumbnail — against the floor: a bare
 * sharp decode + re-encode of the same photo at the same size. Reported as the median and p99
 * ratio (same run, same photos). Pure CPU: no database.
 *
 *   node_modules/.bin/node bench/tpm-proof.bench.ts [--photos 40] [--width 2000]
 */
import sharp from 'sharp';
import { demoShelfPhoto } from '../apps/server/src/modules/trade-promotion/demo-photo.ts';
import { checkPhotoProof, toWgs84 } from '../apps/server/src/modules/trade-promotion/proof-check.ts';
import { args, int, writeResult } from './lib.ts';

const v = args({ photos: { type: 'string', default: '40' }, width: { type: 'string', default: '2000' } });
const N = int(v.photos, 'photos');
const WIDTH = int(v.width, 'width');
const [wl, wt] = toWgs84(121.5906, 31.2033, 'gcj02');
const store = { name: '浦东张江店', wgsLng: wl, wgsLat: wt, radiusM: 200 };

const photos: Buffer[] = [];
for (let i = 0; i < N; i++) photos.push(await demoShelfPhoto(1000 + i, { width: WIDTH }));
const p = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

// Warm both paths (libvips caches, JIT).
for (const img of photos.slice(0, 3)) {
  await sharp(img).resize(1600, 1600, { fit: 'inside' }).jpeg({ quality: 82 }).toBuffer();
  await checkPhotoProof({
    image: img,
    lng: 121.5862,
    lat: 31.2054,
    uploadedAt: new Date(),
    store,
    storeName: store.name,
    userName: '孙磊',
    activityName: '陈列',
  });
}
const bare: number[] = [];
const check: number[] = [];
let flagged = 0;
const started = performance.now();
for (const img of photos) {
  let t0 = performance.now();
  await sharp(img)
    .rotate()
    .resize(1600, 1600, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 82 })
    .toBuffer();
  bare.push(performance.now() - t0);
  t0 = performance.now();
  const r = await checkPhotoProof({
    image: img,
    lng: 121.5862,
    lat: 31.2054,
    coordSystem: 'wgs84',
    takenAt: new Date(),
    uploadedAt: new Date(),
    store,
    storeName: store.name,
    userName: '孙磊',
    activityName: '年货节端架陈列',
  });
  check.push(performance.now() - t0);
  if (r.flags.length) flagged++;
}
const out = {
  bench: 'tpm-proof',
  photos: N,
  input: `${WIDTH}×${Math.round((WIDTH * 3) / 4)} JPEG`,
  checkP50Ms: +p(check, 0.5).toFixed(1),
  checkP99Ms: +p(check, 0.99).toFixed(1),
  bareP50Ms: +p(bare, 0.5).toFixed(1),
  bareP99Ms: +p(bare, 0.99).toFixed(1),
  p50Ratio: +(p(check, 0.5) / p(bare, 0.5)).toFixed(2),
  p99Ratio: +(p(check, 0.99) / p(bare, 0.99)).toFixed(2),
  flagged,
  seconds: +((performance.now() - started) / 1000).toFixed(1),
};
if (flagged)
  throw new Error(`${flagged} bench photos were flagged: the check is not measuring the accepted path`);
console.log(JSON.stringify(out));
writeResult('tpm-proof', out);
process.exit(0);
