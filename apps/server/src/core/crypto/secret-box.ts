import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Secrets Kehu must use again (WeCom corp secrets and cached tokens, webhook signing secrets …) are
 * stored AES-256-GCM encrypted, with the owning row's id as associated data (a ciphertext copied
 * onto another row does not open). The key never lives in the database, so a dump or a backup
 * alone reveals no secret:
 * - `KEHU_SECRETS_KEY` (32 bytes, base64) — what every process of a scale-out deployment sets;
 * - otherwise `<DATA_DIR>/secrets.key`, created once with mode 0600 (embedded, single machine).
 */
let cached: Buffer | null = null;

export function secretsKey(): Buffer {
  if (cached) return cached;
  const env = process.env.KEHU_SECRETS_KEY;
  if (env) {
    const k = Buffer.from(env, 'base64');
    // Any other length is hashed to 32 bytes rather than refused, so a passphrase also works.
    cached = k.length === 32 ? k : createHash('sha256').update(env).digest();
    return cached;
  }
  const dir = process.env.DATA_DIR ?? './data';
  const file = join(dir, 'secrets.key');
  try {
    if (existsSync(file)) cached = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    else {
      mkdirSync(dir, { recursive: true });
      const k = randomBytes(32);
      writeFileSync(file, k.toString('base64'), { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
      cached = k;
    }
  } catch {
    // A read-only data dir (tests on PostgreSQL): a process-local key; secrets then last as long
    // as the process, which is what tests need and what an operator sees in the README.
    cached = randomBytes(32);
  }
  return cached!;
}

const VERSION = 'v1';

export function seal(plain: string, aad: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', secretsKey(), iv);
  c.setAAD(Buffer.from(aad));
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}.${c.getAuthTag().toString('base64url')}`;
}

/** Whether a stored value is sealed (rows written before a table's secrets were sealed are not). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(`${VERSION}.`);
}

export function open(sealed: string, aad: string): string {
  const [v, iv, body, tag] = sealed.split('.');
  if (v !== VERSION || !iv || body === undefined || !tag) throw new Error('secret-box: unknown format');
  const d = createDecipheriv('aes-256-gcm', secretsKey(), Buffer.from(iv, 'base64url'));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
}
