import type { Readable } from 'node:stream';
import { AppError, invalid } from '../errors.ts';

/**
 * Reads a raw upload stream (materials, field-service photos, TPM proof photos), refusing it with
 * 413 (the limit in the caller's words) past `limit` bytes — declared or counted — before it fills
 * memory; the rest of the body is discarded so the client still gets the answer.
 */
export async function readUpload(body: unknown, limit: number, declared: number | null): Promise<Buffer> {
  const tooLarge = () =>
    new AppError('payload_too_large', 413, {
      detailKey: 'payload_too_large',
      params: { limit: `${Math.round(limit / 1024 / 1024)} MB` },
      extra: { limitBytes: limit },
    });
  if (declared !== null && declared > limit) {
    (body as Readable | undefined)?.resume?.();
    throw tooLarge();
  }
  if (!body || typeof (body as Readable)[Symbol.asyncIterator] !== 'function')
    throw invalid([{ field: 'file', code: 'required' }]);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as Readable) {
    size += chunk.length;
    if (size > limit) {
      (body as Readable).resume();
      throw tooLarge();
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}
