import { z } from 'zod';

const label = z.object({ 'zh-CN': z.string().min(1).max(100), 'en-US': z.string().min(1).max(100) });
const condition = z.object({
  field: z.string().min(1).max(60),
  op: z.enum(['gt', 'gte', 'lt', 'lte', 'eq', 'ne']),
  value: z.union([z.number(), z.string().max(100)]),
});
export const flowInput = z.object({
  object: z.string().min(1).max(40),
  name: label,
  condition: condition.nullable(),
  steps: z
    .array(
      z.object({
        name: label,
        approverType: z.enum(['role', 'unit_manager']),
        role: z.string().max(100).nullable().optional(),
        condition: condition.nullable().optional(),
      }),
    )
    .min(1)
    .max(10),
  priority: z.number().int().min(0).max(1000).optional(),
  isActive: z.boolean().optional(),
  version: z.number().int().optional(),
});
export const decisionBody = z.object({ comment: z.string().max(2000).optional() });
export const inboxQuery = z.object({
  box: z.enum(['pending', 'mine', 'done', 'all']).default('pending'),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export const historyQuery = z.object({ object: z.string().min(1).max(40), recordId: z.uuid() });
