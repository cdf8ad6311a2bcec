import { z } from 'zod';

/**
 * Shapes every module's contract uses. The server validates requests with these schemas,
 * declares its responses with them (OpenAPI, and checked in tests), and the web reads its types
 * from them (`z.infer`, type-only imports: no zod in the browser bundle for this).
 */
export const Label = z.object({ 'zh-CN': z.string(), 'en-US': z.string() }).catchall(z.string());
export type Label = z.infer<typeof Label>;

export const Money = z.object({ amount: z.number().int(), currency: z.string() });
export type Money = z.infer<typeof Money>;

export const Id = z.string();
/** ISO 8601 timestamps as the server sends them. */
export const Timestamp = z.string();

/** A page of a cursor-paged list. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** `{ items }` lists that are not paged. */
export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const Ok = z.object({ ok: z.literal(true) });
