import { z } from 'zod';
import { Id, list, Timestamp } from './common.ts';
import { CODE_CHANNELS } from './wecom.ts';

/**
 * 门店活码 (issue 10): one public landing page (`/wecom/store/<key>`) over many stores; the
 * customer picks a city (or the nearest store by the browser's position) and sees that store's
 * add-me QR. Each store is its own contact way with the store's staff and its own `state`
 * (`<state>-s<n>`), so adds and attribution work as for channel codes. Routes under /api/v1/wecom.
 */

/** The store code's state is a prefix: each store adds `-s<n>` and WeCom allows 30 characters. */
export const STORE_STATE_PATTERN = /^[A-Za-z0-9_.-]{1,24}$/;
export const MAX_STORES = 50;

export const StoreInput = z
  .object({
    /** An org unit of type store the caller sees. */
    unitId: z.uuid(),
    staff: z.array(z.string().min(1).max(64)).min(1).max(20),
    city: z.string().trim().min(1).max(40),
    address: z.string().trim().max(200).nullable().optional(),
    lat: z.number().min(-90).max(90).nullable().optional(),
    lng: z.number().min(-180).max(180).nullable().optional(),
  })
  .strict();
export type StoreInput = z.infer<typeof StoreInput>;

export const StoreCodeInput = z
  .object({
    corpRef: z.uuid(),
    name: z.string().trim().min(1).max(100),
    state: z.string().trim().regex(STORE_STATE_PATTERN),
    channel: z.enum(CODE_CHANNELS).optional(),
    tags: z.array(z.string().trim().min(1).max(60)).max(20).optional(),
    welcomeText: z.string().max(4000).nullable().optional(),
    /** Materials sent with the welcome message (WeCom: at most 9 attachments). */
    welcomeAttachments: z.array(z.uuid()).max(9).optional(),
    stores: z.array(StoreInput).min(1).max(MAX_STORES),
  })
  .strict();
export type StoreCodeInput = z.infer<typeof StoreCodeInput>;

/** `version` is the one the editor read: a code changed meanwhile is a 409. */
export const StoreCodePatch = StoreCodeInput.omit({ corpRef: true, state: true })
  .partial()
  .extend({ version: z.number().int().min(1) })
  .strict();
export type StoreCodePatch = z.infer<typeof StoreCodePatch>;

export const StoreOfCode = z.object({
  unitId: Id,
  unitName: z.string(),
  state: z.string(),
  staff: z.array(z.string()),
  city: z.string(),
  address: z.string().nullable(),
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  codeId: Id,
  scansToday: z.number().int(),
  scansTotal: z.number().int(),
  addsToday: z.number().int(),
  addsTotal: z.number().int(),
});
export type StoreOfCode = z.infer<typeof StoreOfCode>;

export const StoreCode = z.object({
  id: Id,
  corpRef: Id,
  name: z.string(),
  state: z.string(),
  channel: z.string(),
  tags: z.array(z.string()),
  welcomeText: z.string().nullable(),
  welcomeAttachments: z.array(z.object({ materialId: Id, kind: z.string(), title: z.string() })),
  /** The public landing page (no sign-in). */
  landingUrl: z.string(),
  version: z.number().int(),
  stores: z.array(StoreOfCode),
  createdAt: Timestamp,
});
export type StoreCode = z.infer<typeof StoreCode>;
export const StoreCodeList = list(StoreCode);
export type StoreCodeList = z.infer<typeof StoreCodeList>;

export const StoreCodeDaily = z.object({
  days: z.array(z.object({ day: z.string(), unitId: Id, scans: z.number().int(), adds: z.number().int() })),
});
export type StoreCodeDaily = z.infer<typeof StoreCodeDaily>;
