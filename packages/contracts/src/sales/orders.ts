import { z } from 'zod';
import { RecordData } from '../common.ts';
import { Fen, IsoDate } from './figures.ts';

// ------------------------------------------------------------------ requests

/** A contract or order status transition (the state machines refuse the rest with 409). */
export const StatusBody = z.object({ status: z.string().min(1).max(40) });
export type StatusBody = z.infer<typeof StatusBody>;
export const ToContractBody = z.object({
  contractNo: z.string().max(64).optional(),
  name: z.string().max(200).optional(),
});
export type ToContractBody = z.infer<typeof ToContractBody>;
export const ToOrderBody = z.object({
  name: z.string().max(64).optional(),
  orderDate: z.iso.date().optional(),
});
export type ToOrderBody = z.infer<typeof ToOrderBody>;
export const PlanBody = z.object({
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
export type PlanBody = z.infer<typeof PlanBody>;

// ------------------------------------------------------------------ responses

/** One installment, with the receipts allocated to it oldest-due first. */
export const PlanItem = z.object({
  seq: z.number().int(),
  dueDate: IsoDate,
  amount: Fen,
  note: z.string().nullable(),
  paid: Fen,
  status: z.enum(['paid', 'partial', 'unpaid', 'overdue']),
});
export type PlanItem = z.infer<typeof PlanItem>;
export const PaymentPlan = z.object({ order: RecordData, items: z.array(PlanItem) });
export type PaymentPlan = z.infer<typeof PaymentPlan>;
