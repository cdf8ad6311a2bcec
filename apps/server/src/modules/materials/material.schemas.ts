import { z } from 'zod';

export const MATERIALS_PERMISSIONS = { read: 'materials:read', manage: 'materials:manage' } as const;
export const MATERIAL_KINDS = ['article', 'poster', 'pdf', 'video', 'miniprogram', 'link'] as const;
export type MaterialKind = (typeof MATERIAL_KINDS)[number];

const httpUrl = z
  .string()
  .max(2000)
  .regex(/^https?:\/\/[^\s]+$/i, 'url');
/** Covers may also be our own poster/file paths. */
const imageRef = z.union([httpUrl, z.string().regex(/^\/api\/v1\/materials\/[0-9a-f-]{36}\/file$/)]);

const base = {
  title: z.string().trim().min(1).max(120),
  summary: z.string().max(500).nullish(),
  category: z.string().trim().max(40).nullish(),
  tags: z.array(z.string().trim().min(1).max(20)).max(10).default([]),
  coverUrl: imageRef.nullish(),
};

export const MaterialInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('article'), ...base, bodyHtml: z.string().max(200_000) }),
  z.object({
    kind: z.literal('poster'),
    ...base,
    qrSlot: z
      .object({ x: z.number().min(0).max(1), y: z.number().min(0).max(1), size: z.number().min(0.05).max(1) })
      .default({ x: 0.7, y: 0.78, size: 0.22 }),
  }),
  z.object({ kind: z.literal('pdf'), ...base }),
  z.object({ kind: z.literal('video'), ...base, linkUrl: httpUrl }),
  z.object({
    kind: z.literal('miniprogram'),
    ...base,
    mini: z.object({
      appid: z.string().regex(/^wx[0-9a-f]{16}$/i),
      pagepath: z.string().min(1).max(300),
    }),
  }),
  z.object({ kind: z.literal('link'), ...base, linkUrl: httpUrl }),
]);
export type MaterialInput = z.infer<typeof MaterialInput>;
/** An edit sends the version it read (optimistic locking, decision 0074): stale → 409. */
export const MaterialEdit = MaterialInput.and(z.object({ version: z.number().int().min(1) }));

export const MaterialsQuery = z.object({
  kind: z.enum(MATERIAL_KINDS).optional(),
  q: z.string().max(100).optional(),
  category: z.string().max(40).optional(),
});

export const ShareInput = z
  .object({
    profileId: z.uuid().optional(),
    externalUserId: z.string().min(1).max(64).optional(),
    customerId: z.uuid().optional(),
  })
  .refine((b) => [b.profileId, b.externalUserId, b.customerId].filter(Boolean).length <= 1, {
    message: 'one_recipient',
    path: ['customerId'],
  });
export type ShareInput = z.infer<typeof ShareInput>;

export const Beat = z.object({
  v: z.string().regex(/^[A-Za-z0-9_-]{8,40}$/),
  seq: z.number().int().min(0).max(100_000),
  seconds: z.number().int().min(0).max(60),
  end: z.boolean().optional(),
});

export const ReaderLead = z.object({
  v: z.string().regex(/^[A-Za-z0-9_-]{8,40}$/),
  name: z.string().trim().max(40).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^1[3-9]\d{9}$/),
  consent: z.literal(true),
});

export const MaterialOutSchema = z.object({
  id: z.uuid(),
  kind: z.enum(MATERIAL_KINDS),
  title: z.string(),
  summary: z.string().nullable(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  coverUrl: z.string().nullable(),
  bodyHtml: z.string().nullable(),
  linkUrl: z.string().nullable(),
  mini: z.object({ appid: z.string(), pagepath: z.string() }).nullable(),
  qrSlot: z.object({ x: z.number(), y: z.number(), size: z.number() }).nullable(),
  file: z.object({ mime: z.string(), name: z.string().nullable(), size: z.number() }).nullable(),
  unitId: z.uuid(),
  unitName: z.string().nullable(),
  editable: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const MaterialList = z.object({ items: z.array(MaterialOutSchema) });

export const ShareOut = z.object({
  shareId: z.uuid(),
  token: z.string(),
  url: z.string(),
  customerId: z.uuid().nullable(),
  profileId: z.uuid().nullable(),
  /** What the sidebar passes to WeCom's `sendChatMessage` (news, miniprogram or image). */
  payload: z.object({ msgtype: z.enum(['news', 'miniprogram', 'image']), enterChat: z.boolean() }).loose(),
});

const Figures = z.object({
  sent: z.number(),
  opens: z.number(),
  uniqueReaders: z.number(),
  avgReadSeconds: z.number(),
  forwards: z.number(),
  leads: z.number(),
});
export const MaterialReportOut = z.object({
  material: z.object({ id: z.uuid(), title: z.string(), kind: z.string() }),
  total: Figures,
  byStaff: z.array(Figures.extend({ staffId: z.uuid(), staffName: z.string() })),
  daily: z.array(z.object({ day: z.string(), opens: z.number(), seconds: z.number() })),
});
