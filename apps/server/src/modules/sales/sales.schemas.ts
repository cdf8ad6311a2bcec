import { z } from 'zod';

export const label = z.object({ 'zh-CN': z.string().min(1).max(100), 'en-US': z.string().min(1).max(100) });
const key = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/);

export const sopItemSchema = z.object({
  key,
  type: z.enum(['action', 'script', 'document']),
  label,
  content: label.partial().nullable().optional(),
  required: z.boolean(),
});
export const stageSchema = z.object({
  key,
  label,
  probability: z.number().min(0).max(100),
  kind: z.enum(['open', 'won', 'lost']),
  sop: z.array(sopItemSchema).max(30),
});
export const pipelineCreate = z.object({
  name: label,
  stages: z.array(stageSchema).min(3).max(20),
  isDefault: z.boolean().optional(),
});
export const pipelinePatch = z.object({
  version: z.number().int(),
  name: label.optional(),
  stages: z.array(stageSchema).min(3).max(20).optional(),
  isDefault: z.boolean().optional(),
});

export const stageMove = z.object({
  stage: z.string().min(1).max(40),
  lostReason: z.string().min(1).max(40).optional(),
  version: z.number().int().optional(),
});
export const sopToggle = z.object({
  stage: z.string().min(1).max(40),
  item: z.string().min(1).max(40),
  done: z.boolean(),
  note: z.string().max(500).optional(),
});
export const kanbanQuery = z.object({
  pipeline: z.string().max(40).optional(),
  unit: z.string().max(40).optional(),
  owner: z.string().max(40).optional(),
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const money = z.object({ amount: z.number().int(), currency: z.string().length(3) });

export const lineInput = z.object({
  productId: z.uuid().nullable().optional(),
  productName: z.string().min(1).max(200).nullable().optional(),
  description: z.string().max(1000).nullable().optional(),
  quantity: z.number().positive().max(1_000_000_000),
  unitPrice: z.number().int().min(0).max(1e13).nullable().optional(),
  discountPercent: z.number().min(0).max(100).optional(),
  taxRate: z.number().min(0).max(100).nullable().optional(),
});
export const linesBody = z.object({ lines: z.array(lineInput).max(200) });
export const calculateBody = z.object({
  currency: z.string().length(3).default('CNY'),
  lines: z.array(lineInput).max(200),
});
export const statusBody = z.object({ status: z.string().min(1).max(40) });
export const toContractBody = z.object({
  contractNo: z.string().max(64).optional(),
  name: z.string().max(200).optional(),
});
export const toOrderBody = z.object({
  name: z.string().max(64).optional(),
  orderDate: z.iso.date().optional(),
});
export const planBody = z.object({
  items: z
    .array(
      z.object({
        dueDate: z.iso.date(),
        amount: z.number().int().positive(),
        note: z.string().max(200).optional(),
      }),
    )
    .max(60),
});
export const periodQuery = z.object({
  period: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/)
    .optional(),
  unit: z.string().max(40).optional(),
  owner: z.string().max(40).optional(),
});
export const settingsBody = z.object({
  pipelineValue: z.object({ high: z.number().int().min(0), mid: z.number().int().min(0) }),
});
