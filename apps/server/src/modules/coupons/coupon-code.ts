import { randomInt } from 'node:crypto';

/**
 * One-time coupon codes: read aloud and typed at a till, so no 0/O, 1/I/L; 12 characters of
 * 31 (~59 bits) from the OS CSPRNG, so guessing a live code is hopeless, and a 4-4-4 grouping
 * people can keep in their head.
 */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 12;

export function newCouponCode(): string {
  let s = '';
  for (let i = 0; i < CODE_LENGTH; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

/** Stored form → the form printed and shown: XXXX-XXXX-XXXX. */
export const formatCode = (code: string) => code.match(/.{1,4}/g)!.join('-');

/** What a person typed → the stored form (case, spaces and dashes forgiven). */
export const normalizeCode = (typed: string) => typed.toUpperCase().replace(/[\s-]/g, '');
