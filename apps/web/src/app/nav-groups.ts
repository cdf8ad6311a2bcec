/**
 * The side navigation as groups of work, in the business's words (issue 9 §1): 工作台 · 销售 ·
 * 客户 · 营销 · 服务 · 渠道 · 数据 · 设置. Modules name a group for each nav entry; record objects
 * get theirs from the table below (custom objects from their metadata, else 数据); configuration
 * pages (`setup`) and administration go under 设置, apart from daily work. Only what the caller
 * may use is listed, and a group with nothing in it is not shown. Pure, so it is unit-tested.
 */

export const NAV_GROUPS = [
  'workspace',
  'sales',
  'customers',
  'marketing',
  'service',
  'channels',
  'data',
  'settings',
] as const;
export type NavGroup = (typeof NAV_GROUPS)[number];

export const isNavGroup = (g: unknown): g is NavGroup =>
  typeof g === 'string' && (NAV_GROUPS as readonly string[]).includes(g);

/** Where a standard record object's list sits, and the nav label when its own would collide. */
export interface ObjectPlacement {
  group: NavGroup;
  order: number;
  setup?: boolean;
  /** i18n key of the nav label, when the object's plural label would repeat a module page's name. */
  labelKey?: string;
  /** Other paths whose pages belong to this entry (a module's own detail page of the object). */
  alsoMatches?: string[];
}

export const OBJECT_PLACEMENT: Record<string, ObjectPlacement> = {
  activity: { group: 'workspace', order: 30 },
  // Leads are worked in the lead inbox and pool (leads module); the object list is every lead.
  lead: { group: 'sales', order: 14, labelKey: 'nav.objects.lead', alsoMatches: ['/leads'] },
  opportunity: { group: 'sales', order: 30 },
  quote: { group: 'sales', order: 40 },
  contract: { group: 'sales', order: 50 },
  order: { group: 'sales', order: 60 },
  payment: { group: 'sales', order: 70 },
  product: { group: 'sales', order: 80 },
  customer: { group: 'customers', order: 10 },
  contact: { group: 'customers', order: 20 },
  // Targets are read on 目标与预测 (sales module); the records behind it are set up under 设置.
  target: { group: 'settings', order: 30, setup: true, labelKey: 'nav.objects.target' },
  price_list: { group: 'settings', order: 35, setup: true },
};

/** One entry of the menu, whatever put it there (a module page, an object list, administration). */
export interface NavEntry {
  key: string;
  path: string;
  group: NavGroup;
  order: number;
  /** A configuration page: listed under 设置 whatever its group. */
  setup?: boolean;
  /** Shown only when the caller holds it; absent: always (the list already holds only readable objects). */
  permission?: string;
  /** Other paths whose pages highlight this entry; the longest matching path wins. */
  alsoMatches?: string[];
}

export interface NavSection<E extends NavEntry = NavEntry> {
  group: NavGroup;
  entries: E[];
}

/** Custom objects: the group their metadata names (`navGroup`), else 数据. */
export function placeObject(apiName: string, navGroup?: string | null): ObjectPlacement {
  const known = OBJECT_PLACEMENT[apiName];
  if (known) return known;
  return { group: isNavGroup(navGroup) ? navGroup : 'data', order: 100 };
}

/**
 * Groups the entries the caller may use, in NAV_GROUPS order; entries by `order`, then as given.
 * Setup entries go under settings (before administration, which comes with order ≥ 100).
 */
export function groupNav<E extends NavEntry>(
  entries: E[],
  can: (permission: string) => boolean,
): NavSection<E>[] {
  const byGroup = new Map<NavGroup, { e: E; i: number }[]>();
  entries.forEach((e, i) => {
    if (e.permission && !can(e.permission)) return;
    const group = e.setup ? 'settings' : e.group;
    if (!byGroup.has(group)) byGroup.set(group, []);
    byGroup.get(group)!.push({ e, i });
  });
  return NAV_GROUPS.flatMap((group) => {
    const list = byGroup.get(group);
    if (!list?.length) return [];
    list.sort((a, b) => a.e.order - b.e.order || a.i - b.i);
    return [{ group, entries: list.map((x) => x.e) }];
  });
}

/**
 * The entry a location belongs to: the longest entry path that is the location or a parent of it
 * (`/o/customer/123` → `/o/customer`, `/leads/inbox/9` → `/leads/inbox`); `/` only for itself.
 */
export function selectedEntry<E extends NavEntry>(
  sections: NavSection<E>[],
  pathname: string,
): E | undefined {
  let best: E | undefined;
  let bestLength = -1;
  const under = (path: string) =>
    path === '/' ? pathname === '/' : pathname === path || pathname.startsWith(`${path}/`);
  for (const s of sections)
    for (const e of s.entries)
      for (const path of [e.path, ...(e.alsoMatches ?? [])])
        if (under(path) && path.length > bestLength) {
          best = e;
          bestLength = path.length;
        }
  return best;
}
