import { depthCheckedFirst } from '@kehu/contracts/tree-depth';
import { z } from 'zod';
import { filterSchema } from './filter.ts';

export const objectParam = z.object({ object: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/) });
export const recordParam = objectParam.extend({ id: z.string().max(64) });

const jsonFilter = z
  .string()
  .max(20_000)
  .transform((s, ctx) => {
    try {
      return JSON.parse(s);
    } catch {
      ctx.addIssue({ code: 'custom', params: { code: 'json_format' }, message: 'json' });
      return z.NEVER;
    }
  })
  .pipe(depthCheckedFirst(filterSchema));

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const listQuerySchema = z.object({
  filter: jsonFilter.optional(),
  sort: z.string().max(80).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(2000).optional(),
  count: bool.optional(),
  q: z.string().max(100).optional(),
  unit: z.string().max(64).optional(),
  deleted: bool.optional(),
});

export const listBodySchema = z.object({
  filter: filterSchema.optional(),
  sort: z.string().max(80).optional(),
  limit: z.number().int().min(1).max(200).optional(),
  cursor: z.string().max(2000).optional(),
  count: z.boolean().optional(),
  q: z.string().max(100).optional(),
  unit: z.string().max(64).optional(),
  deleted: z.boolean().optional(),
});

export const recordInputSchema = z.record(z.string(), z.unknown());
export const recordPatchSchema = z.looseObject({ version: z.number().int().min(1) });

export const BULK_MAX = 1000;
export const bulkSchema = z.object({
  op: z.enum(['create', 'update', 'delete']),
  atomic: z.boolean().default(true),
  records: z.array(z.record(z.string(), z.unknown())).min(1).max(BULK_MAX),
});

export const unmaskSchema = z.object({ field: z.string().min(1).max(80) });

export const exportQuerySchema = listQuerySchema.extend({
  format: z.enum(['csv', 'xlsx']).default('csv'),
  fields: z.string().max(4000).optional(),
});

export const recordOutSchema = z.looseObject({
  id: z.string(),
  version: z.number(),
  ownerId: z.string().nullable().optional(),
  unitId: z.string().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
  _display: z.record(z.string(), z.string()).optional(),
  _masked: z.array(z.string()).optional(),
});
export const listOutSchema = z.object({
  items: z.array(recordOutSchema),
  nextCursor: z.string().nullable(),
  total: z.number().optional(),
});
