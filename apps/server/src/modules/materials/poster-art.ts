import sharp from 'sharp';

/**
 * A poster background drawn from shapes (no fonts needed: the demo must render the same on any
 * machine), with a white panel bottom-right where the staff QR goes.
 */
export async function demoPosterImage(colors: [string, string], accent: string): Promise<Buffer> {
  const w = 750;
  const h = 1334;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
  <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${colors[0]}"/><stop offset="1" stop-color="${colors[1]}"/></linearGradient></defs>
  <rect width="${w}" height="${h}" fill="url(#g)"/>
  <circle cx="600" cy="260" r="220" fill="${accent}" opacity="0.35"/>
  <circle cx="160" cy="520" r="120" fill="#ffffff" opacity="0.12"/>
  <rect x="60" y="700" width="630" height="18" rx="9" fill="#ffffff" opacity="0.8"/>
  <rect x="60" y="750" width="480" height="18" rx="9" fill="#ffffff" opacity="0.6"/>
  <rect x="60" y="800" width="380" height="18" rx="9" fill="#ffffff" opacity="0.6"/>
  <rect x="500" y="1020" width="220" height="220" rx="16" fill="#ffffff"/>
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
