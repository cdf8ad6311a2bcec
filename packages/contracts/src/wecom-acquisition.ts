import { z } from 'zod';
import { Id, list } from './common.ts';
import { STATE_PATTERN } from './wecom.ts';

/** 获客链接 (WeCom customer acquisition links): a link opens a chat with one of its staff in WeChat. */
export const AcquisitionLinkInput = z
  .object({
    corpRef: z.uuid(),
    /** WeCom caps link_name at 30 characters. */
    name: z.string().trim().min(1).max(30),
    /** Appended as `customer_channel`; WeCom returns it as the add's State, which attributes the add. */
    state: z.string().trim().regex(STATE_PATTERN),
    staff: z.array(z.string().min(1).max(64)).min(1).max(100),
    skipVerify: z.boolean().optional(),
  })
  .strict();
export type AcquisitionLinkInput = z.infer<typeof AcquisitionLinkInput>;
export const AcquisitionLinkPatch = AcquisitionLinkInput.omit({ corpRef: true, state: true })
  .partial()
  .strict();
export type AcquisitionLinkPatch = z.infer<typeof AcquisitionLinkPatch>;

export const AcquisitionLink = z.object({
  id: Id,
  corpRef: Id,
  name: z.string(),
  state: z.string(),
  linkId: z.string(),
  /** The URL to share: WeCom's link with `customer_channel` already appended. */
  url: z.string(),
  staff: z.array(z.string()),
  skipVerify: z.boolean(),
  addsToday: z.number().int(),
  addsTotal: z.number().int(),
  createdAt: z.string(),
});
export type AcquisitionLink = z.infer<typeof AcquisitionLink>;
export const AcquisitionLinkList = list(AcquisitionLink);

export const AcquisitionDaily = z.object({
  items: z.array(z.object({ day: z.string(), adds: z.number().int() })),
});

/** The corp's acquisition quota as WeCom reports it, plus the last balance warning WeCom pushed. */
export const AcquisitionQuota = z.object({
  total: z.number().int().nullable(),
  balance: z.number().int().nullable(),
  alert: z.object({ kind: z.enum(['balance_low', 'balance_exhausted']), at: z.string() }).nullable(),
});
export type AcquisitionQuota = z.infer<typeof AcquisitionQuota>;
export type AcquisitionLinkList = z.infer<typeof AcquisitionLinkList>;
