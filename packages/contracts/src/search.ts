import { z } from 'zod';
import { Id, Label } from './common.ts';

/**
 * Global search (`GET /api/v1/search?q=&limit=`): one box over customers, contacts, leads,
 * opportunities, orders and profiles. Each group comes from a search source a module contributes
 * (`search-source` extension point); a group the caller may not read is left out, not refused.
 */

export const SEARCH_MAX_QUERY = 100;
export const SEARCH_MAX_LIMIT = 20;

export const SearchQuery = z.object({
  q: z.string().trim().min(1).max(SEARCH_MAX_QUERY),
  /** Hits per group. */
  limit: z.coerce.number().int().min(1).max(SEARCH_MAX_LIMIT).default(5),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchHit = z.object({
  /** The object api name (`customer`, `lead` …) or `profile`. */
  object: z.string(),
  id: Id,
  title: z.string(),
  /** Phone, company, amount … as the caller sees them (masked where their role sees a mask). */
  subtitle: z.string().nullable(),
  /** Where the web app opens the hit (a path inside the app). */
  url: z.string(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchGroup = z.object({
  /** The source key: `customer`, `contact`, `lead`, `opportunity`, `order`, `profile` … */
  key: z.string(),
  label: Label,
  hits: z.array(SearchHit),
  /** More hits exist than `limit`: the list page with the same search shows them. */
  more: z.boolean(),
  /** The list page that shows every match (with `q`), when there is one. */
  moreUrl: z.string().nullable(),
});
export type SearchGroup = z.infer<typeof SearchGroup>;

export const SearchResult = z.object({
  q: z.string(),
  groups: z.array(SearchGroup),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const SEARCH_PERMISSIONS = {
  /** Everyone may search: each group is filtered by the caller's own read rights and data scope. */
  search: 'authenticated',
} as const;
