import sharp from 'sharp';

/** EXIF DateTimeOriginal in China time (+08:00), as a phone camera writes it. */
function exifTime(at: Date): string {
  const t = new Date(+at + 8 * 3600_000).toISOString();
  return `${t.slice(0, 4)}:${t.slice(5, 7)}:${t.slice(8, 10)} ${t.slice(11, 19)}`;
}

/**
 * A small synthetic "shelf photo" (demo, tests, bench): a different arrangement per seed, so
 * distinct seeds are far apart in dHash while the same seed is the same picture. With EXIF like a
 * phone camera writes (make, model, capture time) unless `exif` is false.
 */
export async function demoShelfPhoto(
  seed: number,
  opts: { capturedAt?: Date; exif?: boolean; software?: string; width?: number } = {},
): Promise<Buffer> {
  let s = (seed * 2654435761) >>> 0;
  const rnd = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const w = opts.width ?? 640;
  const h = Math.round((w * 3) / 4);
  const shapes: string[] = [];
  for (let i = 0; i < 14; i++) {
    const x = Math.round(rnd() * w);
    const y = Math.round(rnd() * h);
    const bw = Math.round(30 + rnd() * w * 0.3);
    const bh = Math.round(30 + rnd() * h * 0.4);
    const light = Math.round(15 + rnd() * 70);
    shapes.push(
      `<rect x="${x - bw / 2}" y="${y - bh / 2}" width="${bw}" height="${bh}" rx="6" fill="hsl(${Math.round(rnd() * 360)},55%,${light}%)"/>`,
    );
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="${rnd() > 0.5 ? 1 : 0}" y2="1">
      <stop offset="0" stop-color="hsl(${Math.round(rnd() * 360)},30%,85%)"/><stop offset="1" stop-color="hsl(${Math.round(rnd() * 360)},30%,35%)"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>${shapes.join('')}</svg>`;
  const img = sharp(Buffer.from(svg)).jpeg({ quality: 80 });
  if (opts.exif === false) return img.toBuffer();
  return img
    .withExif({
      IFD0: { Make: 'Kehu', Model: 'DemoPhone 12', ...(opts.software ? { Software: opts.software } : {}) },
      IFD2: { DateTimeOriginal: exifTime(opts.capturedAt ?? new Date()), OffsetTimeOriginal: '+08:00' },
    } as never)
    .toBuffer();
}
