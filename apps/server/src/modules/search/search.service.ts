import type { SearchGroup, SearchResult } from '@kehu/contracts/search';
import type { SearchContext, SearchSource } from './search-source.ts';

/**
 * Runs every source the caller may use, one after the other in the caller's read-only tenant
 * transaction (one connection; the sources are a handful of index lookups each). Groups with
 * no hit are left out.
 */
export async function search(sources: SearchSource[], ctx: SearchContext): Promise<SearchResult> {
  const groups: SearchGroup[] = [];
  for (const s of sources) {
    if (!s.visible(ctx.principal)) continue;
    const r = await s.search(ctx);
    if (!r?.hits.length) continue;
    groups.push({ key: s.key, label: s.label, hits: r.hits, more: r.more, moreUrl: r.moreUrl });
  }
  return { q: ctx.q, groups };
}
