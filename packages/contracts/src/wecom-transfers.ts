import { z } from 'zod';

/** 在职继承 picking, group transfers and the disable-user prompt (issue 10). Routes under /api/v1/wecom. */
export const TransferCandidates = z.object({
  items: z.array(
    z.object({
      externalUserid: z.string(),
      name: z.string().nullable(),
      contactId: z.string().nullable(),
      /** In-service transfers WeCom still allows this customer in the 90-day window (0–2). */
      remainingTransfers: z.number().int(),
    }),
  ),
});
export type TransferCandidates = z.infer<typeof TransferCandidates>;

export const GroupTransferInput = z
  .object({
    corpRef: z.uuid(),
    /** resigned → groupchat/transfer; onjob → groupchat/onjob_transfer. */
    kind: z.enum(['onjob', 'resigned']),
    chatIds: z.array(z.string().min(1).max(64)).min(1).max(100),
    newOwner: z.string().min(1).max(64),
  })
  .strict();
export type GroupTransferInput = z.infer<typeof GroupTransferInput>;
export const GroupTransferResult = z.object({
  transferred: z.number().int(),
  failed: z.array(z.object({ chatId: z.string(), errcode: z.number().int(), reason: z.string() })),
});
export type GroupTransferResult = z.infer<typeof GroupTransferResult>;

/** Kehu-side edit of the staff member's remark on a customer (externalcontact/remark). WeCom's limits. */
export const RemarkInput = z
  .object({
    corpRef: z.uuid(),
    externalUserid: z.string().min(1).max(64),
    /** The staff member whose remark it is. */
    userid: z.string().min(1).max(64),
    remark: z.string().max(20).optional(),
    description: z.string().max(150).optional(),
    remarkMobiles: z
      .array(z.string().regex(/^\+?[0-9-]{5,20}$/, { message: 'phone_format' }))
      .max(5)
      .optional(),
    /** WeCom: the customer's company as the staff member notes it, ≤ 20 characters. */
    remarkCompany: z.string().max(20).optional(),
    /** The `version` the editor read; someone else's edit since then is a 409. */
    version: z.number().int().min(0).optional(),
  })
  .strict();
export type RemarkInput = z.infer<typeof RemarkInput>;
export const RemarkResult = z.object({
  remark: z.string().nullable(),
  description: z.string().nullable(),
  remarkMobiles: z.array(z.string()),
  remarkCompany: z.string().nullable(),
  version: z.number().int(),
});
/** One staff member's relation with a customer and its remark, for the remark form. */
export const RemarkRow = RemarkResult.extend({
  corpRef: z.string(),
  externalUserid: z.string(),
  userid: z.string(),
  staffName: z.string().nullable(),
  name: z.string().nullable(),
  status: z.string(),
});
export type RemarkRow = z.infer<typeof RemarkRow>;
export const RemarkList = z.object({ items: z.array(RemarkRow) });
export type RemarkList = z.infer<typeof RemarkList>;
export const RemarkQuery = z
  .object({
    /** A CRM contact: its WeCom relations. */
    contactId: z.uuid().optional(),
    corpRef: z.uuid().optional(),
    externalUserid: z.string().min(1).max(64).optional(),
  })
  .strict();
export type RemarkQuery = z.infer<typeof RemarkQuery>;
export type RemarkResult = z.infer<typeof RemarkResult>;
