import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// argon2id with the OWASP-recommended minimum (19 MiB, 2 passes).
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string) => hash(password, OPTIONS);

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  // Unknown users still pay for one verification, so timing does not reveal which logins exist.
  const target = stored ?? DUMMY_HASH;
  try {
    const ok = await verify(target, password);
    return ok && stored !== null;
  } catch {
    return false;
  }
}
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$zG+hUukq+tTbRBGHTdJdRw$qqtL2L7QKGoWyVTSJp63398kvqbzHqX7arTyS767xkQ';

/** At least 10 characters with letters and digits (GB/T 22239 level-2 systems ask no less). */
export function passwordPolicyOk(password: string): boolean {
  return password.length >= 10 && password.length <= 200 && /[A-Za-z]/.test(password) && /\d/.test(password);
}

/** A one-time password an admin hands over; satisfies the policy. */
export function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(14);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return `${s.slice(0, 12)}${(bytes[12]! % 10).toString()}${'k'}`;
}
