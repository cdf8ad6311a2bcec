import { useQueries, useQuery } from '@tanstack/react-query';
import { asItems, http } from '../app/api-client';
import { type LocalizedLabel, useLabel } from '../app/meta';

export interface RegionItem {
  code: string;
  name: LocalizedLabel;
  hasChildren?: boolean;
  level?: number;
}

export function fetchRegions(parent: string | null): Promise<RegionItem[]> {
  return http
    .get<unknown>('/meta/regions', { parent: parent ?? undefined })
    .then((d) => asItems<RegionItem>(d).map((r) => ({ ...r, code: String(r.code) })));
}

export const regionKey = (parent: string | null) => ['meta', 'regions', parent ?? 'root'] as const;

/** GB/T 2260: province XX0000, city XXXX00, district XXXXXX. Returns the ancestor chain incl. the code. */
export function regionChain(code: string | null | undefined): string[] {
  if (!code || !/^\d{6}$/.test(code)) return [];
  const prov = `${code.slice(0, 2)}0000`;
  const city = `${code.slice(0, 4)}00`;
  if (code === prov) return [prov];
  if (code === city) return [prov, city];
  return [prov, city, code];
}

export function useRegionList(parent: string | null, enabled = true) {
  return useQuery({
    queryKey: regionKey(parent),
    queryFn: () => fetchRegions(parent),
    staleTime: Infinity,
    enabled,
  });
}

/** Resolve a region code to "省 / 市 / 区" using cached level lists. */
export function useRegionName(code: string | null | undefined): string | null {
  const label = useLabel();
  const chain = regionChain(code);
  const parents: Array<string | null> = chain.map((_, i) => (i === 0 ? null : chain[i - 1]));
  const results = useQueries({
    queries: parents.map((p) => ({
      queryKey: regionKey(p),
      queryFn: () => fetchRegions(p),
      staleTime: Infinity,
    })),
  });
  if (!code) return null;
  if (chain.length === 0) return code;
  const names = chain.map((c, i) => {
    const item = results[i]?.data?.find((r) => r.code === c);
    return item ? label(item.name, c) : null;
  });
  if (names.some((n) => n === null)) return results.some((r) => r.isPending) ? null : code;
  // Municipalities repeat a "市辖区" city level; skip that noise.
  return names.filter((n, i) => !(i === 1 && /^(市辖区|县|省直辖县级行政区划)$/.test(n!))).join(' / ');
}
