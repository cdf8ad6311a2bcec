import { RecordQuery } from '@kehu/contracts/records';
import { depthCheckedFirst } from '@kehu/contracts/tree-depth';
import { z } from 'zod';
import { filterSchema } from './filter.ts';

export {
  BULK_MAX,
  BulkInput as bulkSchema,
  RecordInput as recordInputSchema,
  RecordPatch as recordPatchSchema,
  UnmaskInput as unmaskSchema,
} from '@kehu/contracts/records';

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

export const listBodySchema = RecordQuery.extend({ filter: filterSchema.optional() });

export const exportQuerySchema = listQuerySchema.extend({
  format: z.enum(['csv', 'xlsx']).default('csv'),
  fields: z.string().max(4000).optional(),
});
