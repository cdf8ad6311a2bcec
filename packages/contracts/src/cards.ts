import { z } from 'zod';

/** 名片 (apps/server/src/modules/cards): a public business card per staff member. */
export const CARDS_PERMISSIONS = {
  /** Edit one's own card and see who visited it. */
  use: 'cards:use',
} as const;

export const CardInput = z
  .object({
    title: z.string().trim().max(60).nullable().optional(),
    /** A public https image (the card page is public and cannot load signed-in URLs). */
    photoUrl: z
      .string()
      .trim()
      .max(1000)
      .regex(/^https:\/\/\S+$/)
      .nullable()
      .optional(),
    bio: z.string().trim().max(300).nullable().optional(),
    /** Show the staff member's phone on the public card (off unless they choose it). */
    showPhone: z.boolean().optional(),
    /** Materials featured on the card, each opened through the staff member's tracked link. */
    featuredMaterialIds: z.array(z.uuid()).max(6).optional(),
  })
  .strict();
export type CardInput = z.infer<typeof CardInput>;

export const CardFeatured = z.object({ materialId: z.string(), title: z.string(), url: z.string() });

export const CardOut = z.object({
  id: z.string(),
  url: z.string(),
  name: z.string(),
  title: z.string().nullable(),
  unitName: z.string().nullable(),
  photoUrl: z.string().nullable(),
  bio: z.string().nullable(),
  showPhone: z.boolean(),
  phone: z.string().nullable(),
  featured: z.array(CardFeatured),
  /** The add-me code: a WeCom contact way whose state names this card (null until created). */
  code: z.object({ state: z.string(), ready: z.boolean() }).nullable(),
  visits: z.object({
    views: z.number().int(),
    visitors: z.number().int(),
    today: z.number().int(),
    added: z.number().int(),
  }),
  updatedAt: z.string(),
});
export type CardOut = z.infer<typeof CardOut>;

export const CardVisit = z.object({
  visitor: z.string(),
  views: z.number().int(),
  firstAt: z.string(),
  lastAt: z.string(),
  added: z.boolean(),
});
export const CardVisitList = z.object({ items: z.array(CardVisit) });
export type CardVisit = z.infer<typeof CardVisit>;
