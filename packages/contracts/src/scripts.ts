import { z } from 'zod';
import { Id, list, Timestamp } from './common.ts';

/**
 * 话术库 (R5.2–R5.6): scripts staff send from the sidebar, searched in Chinese, recommended by
 * opportunity stage and customer tags, suggested as replies. Routes under /api/v1/scripts and
 * /api/v1/script-categories.
 */

export const SCRIPTS_PERMISSIONS = {
  read: 'scripts:read',
  /** Company and team scripts and the category tree; everyone manages their own personal scripts. */
  manage: 'scripts:manage',
} as const;

export const SCRIPT_SCOPES = ['company', 'team', 'personal'] as const;
export type ScriptScope = (typeof SCRIPT_SCOPES)[number];

const Title = z.string().trim().min(1).max(120);
const Body = z.string().trim().min(1).max(4000);
const Keys = z.array(z.string().trim().min(1).max(80)).max(30);

export const ScriptInput = z
  .object({
    title: Title,
    body: Body,
    categoryId: z.uuid().nullable().optional(),
    scope: z.enum(SCRIPT_SCOPES),
    /** Company and team scripts: the owning unit (default: the caller's unit). */
    unitId: z.uuid().optional(),
    /** Opportunity stage keys the script fits (recommendation). */
    stages: Keys.optional(),
    /** CDP tag keys of customers the script fits (recommendation). */
    tags: Keys.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type ScriptInput = z.infer<typeof ScriptInput>;

export const ScriptPatch = z
  .object({
    title: Title.optional(),
    body: Body.optional(),
    categoryId: z.uuid().nullable().optional(),
    stages: Keys.optional(),
    tags: Keys.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type ScriptPatch = z.infer<typeof ScriptPatch>;

export const ScriptsQuery = z.object({
  q: z.string().max(200).optional(),
  categoryId: z.uuid().optional(),
  scope: z.enum(SCRIPT_SCOPES).optional(),
  enabled: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export type ScriptsQuery = z.infer<typeof ScriptsQuery>;

export const RecommendQuery = z.object({
  customerId: z.uuid().optional(),
  profileId: z.uuid().optional(),
  opportunityId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(50).optional(),
});
export type RecommendQuery = z.infer<typeof RecommendQuery>;

export const SuggestInput = z.object({ text: z.string().trim().min(1).max(2000) }).strict();
export type SuggestInput = z.infer<typeof SuggestInput>;

export const CategoryInput = z
  .object({
    name: z.string().trim().min(1).max(40),
    /** A second-level category names its first-level parent; the tree is two levels deep. */
    parentId: z.uuid().nullable().optional(),
    sort: z.number().int().min(0).max(10_000).optional(),
  })
  .strict();
export type CategoryInput = z.infer<typeof CategoryInput>;

export const Script = z.object({
  id: Id,
  title: z.string(),
  body: z.string(),
  categoryId: Id.nullable(),
  categoryPath: z.string().nullable(),
  scope: z.enum(SCRIPT_SCOPES),
  unitId: Id,
  unitName: z.string().nullable(),
  authorId: Id,
  authorName: z.string().nullable(),
  stages: z.array(z.string()),
  tags: z.array(z.string()),
  enabled: z.boolean(),
  useCount: z.number().int(),
  myUseCount: z.number().int(),
  lastUsedAt: Timestamp.nullable(),
  /** Whether the caller may change it (own personal script, or a company/team script in their subtree with scripts:manage). */
  canEdit: z.boolean(),
  /** Search and suggestions: how well it matched (higher is better). */
  score: z.number().optional(),
  /** Recommendations: why it was picked. */
  reasons: z.array(z.string()).optional(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Script = z.infer<typeof Script>;
export const ScriptList = list(Script);
export type ScriptList = z.infer<typeof ScriptList>;

export const ScriptUsage = z.object({
  useCount: z.number().int(),
  myUseCount: z.number().int(),
  lastUsedAt: Timestamp,
  perStaff: z.array(
    z.object({ userId: Id, name: z.string(), uses: z.number().int(), lastUsedAt: Timestamp }),
  ),
});
export type ScriptUsage = z.infer<typeof ScriptUsage>;

export const ScriptCategory = z.object({
  id: Id,
  name: z.string(),
  parentId: Id.nullable(),
  sort: z.number().int(),
  /** Scripts the caller sees in it (and its children, for a first-level one). */
  count: z.number().int(),
});
export type ScriptCategory = z.infer<typeof ScriptCategory>;
export const ScriptCategories = list(ScriptCategory);
export type ScriptCategories = z.infer<typeof ScriptCategories>;
