import { badRequest } from '../errors.ts';

/**
 * Opaque keyset cursors for paged lists: the last row's sort values as base64url JSON. A cursor
 * that does not decode or does not fit the list it is sent to is a 400, never a wrong page.
 */
export const encodeCursor = (c: object): string => Buffer.from(JSON.stringify(c)).toString('base64url');

export function decodeCursor<T>(s: string, fits: (c: any) => boolean): T {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (!c || typeof c !== 'object' || !fits(c)) throw new Error('shape');
    return c as T;
  } catch {
    throw badRequest('bad_request.cursor');
  }
}
