import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { type LocalizedLabel, useLabel } from '../app/meta';
import { asItems, http } from '../shared/api-client';

export interface RegionItem {
  code: string;
  label?: LocalizedLabel;
  name?: LocalizedLabel;
  isLeaf?: boolean;
  level?: number;
}

export function fetchRegions(parent: string | null): Promise<RegionItem[]> {
  return http
    .get<unknown>('/meta/regions', { parent: parent ?? undefined })
    .then((d) => asItems<RegionItem>(d).map((r) => ({ ...r, code: String(r.code) })));
}

export const regionKey = (parent: string | null) => ['meta', 'regions', parent ?? 'root'] as const;

export function regionLists(qc: QueryClient, parent: string | null): Promise<RegionItem[]> {
  return qc.fetchQuery({
    queryKey: regionKey(parent),
    queryFn: () => fetchRegions(parent),
    staleTime: Infinity,
  });
}

/**
 * Ancestor chain of a GB/T 2260 code, resolved against the server's tree: municipalities
 * (e.g. 310000) list districts directly, provinces go through a city level (XXXX00).
 */
export async function resolveRegionPath(
  qc: QueryClient,
  code: string | null | undefined,
): Promise<RegionItem[]> {
  if (!code || !/^\d{6}$/.test(code)) return [];
  const provCode = `${code.slice(0, 2)}0000`;
  const prov = (await regionLists(qc, null)).find((r) => r.code === provCode);
  if (!prov) return [];
  if (code === provCode) return [prov];
  const kids = await regionLists(qc, provCode);
  const direct = kids.find((r) => r.code === code);
  if (direct) return [prov, direct];
  const cityCode = `${code.slice(0, 4)}00`;
  const city = kids.find((r) => r.code === cityCode);
  if (!city) return [prov];
  if (code === cityCode) return [prov, city];
  const leaf = (await regionLists(qc, cityCode)).find((r) => r.code === code);
  return leaf ? [prov, city, leaf] : [prov, city];
}

export function useRegionPath(code: string | null | undefined) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: ['meta', 'regionPath', code ?? ''],
    queryFn: () => resolveRegionPath(qc, code),
    enabled: !!code,
    staleTime: Infinity,
  });
}

export const regionText = (r: RegionItem) => r.label ?? r.name ?? r.code;

/** "省 / 市 / 区" for a code, or null while loading. */
export function useRegionName(code: string | null | undefined): string | null {
  const label = useLabel();
  const path = useRegionPath(code);
  if (!code) return null;
  if (path.isPending) return null;
  if (!path.data?.length) return code;
  return path.data
    .map((r) => label(regionText(r), r.code))
    .filter((n, i) => !(i === 1 && /^(市辖区|县|省直辖县级行政区划)$/.test(n)))
    .join(' / ');
}
