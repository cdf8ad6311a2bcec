// Seeded randomness, so a run with the same seed hands out the same ids (tests and demos are repeatable).
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function idMaker(random: () => number) {
  return (prefix: string, len: number, alphabet = ALNUM) => {
    let s = prefix;
    while (s.length < len) s += alphabet[Math.floor(random() * alphabet.length)];
    return s;
  };
}
