import type { SearchHit } from '@kehu/contracts/search';
import type { Actor } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Label, Locale } from '../../core/i18n/locale.ts';

/** What one search source gets: the caller, their tenant transaction and the term. */
export interface SearchContext {
  tx: Tx;
  principal: Principal;
  actor: Actor;
  locale: Locale;
  /** Trimmed, 1–100 characters. */
  q: string;
  /** Hits wanted; a source returns at most this many and says whether there are more. */
  limit: number;
}

export interface SourceResult {
  hits: SearchHit[];
  more: boolean;
  /** The list page showing every match, when there is one. */
  moreUrl: string | null;
}

/**
 * A group of the global search, contributed by the module that owns what it finds
 * (`contributes: [{ point: 'search-source', value }]`). The search module knows no business
 * object: each source reads through its own scope and masking rules, so a hit shows exactly
 * what the caller's list shows — never a record outside their data scope, never a value their
 * role sees masked.
 */
export interface SearchSource {
  key: string;
  label: Label;
  /** Groups are shown in this order (lower first). */
  order: number;
  /** Whether the caller may search here at all (usually the read permission of the object). */
  visible(p: Principal): boolean;
  /** Null when the source has nothing to search in this tenant (e.g. an object not installed). */
  search(ctx: SearchContext): Promise<SourceResult | null>;
}

const sources = new Map<string, SearchSource>();

export function registerSearchSource(s: SearchSource): void {
  if (sources.has(s.key)) throw new Error(`search source ${s.key} is contributed twice`);
  sources.set(s.key, s);
}

export const searchSources = (): SearchSource[] => [...sources.values()].sort((a, b) => a.order - b.order);
