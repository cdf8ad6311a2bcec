import { type ComponentType, createContext, type ReactNode, useContext } from 'react';

/** A page group a domain module adds to the side navigation. */
export interface ModuleNavItem {
  key: string;
  path: string;
  /** Shown only when the user holds this permission (e.g. `lead:read`). */
  permission: string;
  labelKey: string;
  icon: ReactNode;
}

/** A page a module adds inside the app shell; `page` is a `lazyPage(...)` so it loads on first visit. */
export interface ModuleRoute {
  /** Relative to the root, e.g. `leads/inbox/:id`; a static segment outranks the generic `o/:object/:id`. */
  path: string;
  page: ComponentType;
}

export interface RecordPanelProps {
  object: string;
  id: string;
}

/** A home card gets its section of GET /me/today (the home page decides when and in which order). */
export interface HomeCardProps<T = any> {
  data: T;
  userId: string;
}

/**
 * What the shell and the generic record pages render on a module's behalf. Components here are
 * lazy: a module's code downloads only when one of its slots is on screen.
 */
export interface ModuleSlots {
  /** Cards on every record detail page (each decides for which objects and users it shows). */
  recordPanels?: { key: string; component: ComponentType<RecordPanelProps> }[];
  /** Items in the top bar, left of the language switch. */
  headerItems?: { key: string; component: ComponentType }[];
  /** Home cards by section of the today payload (`leads`, `closingDeals`, …). */
  homeCards?: Record<string, ComponentType<HomeCardProps>>;
}

/**
 * A domain module's web part: nav entries, lazy routes, slots and its own i18n strings
 * (namespaced under the module key, e.g. `leads.inbox.title`). The list of modules is
 * modules/registry.tsx; the shell only sees them through `useWebModules()`.
 */
export interface WebModule {
  key: string;
  nav: ModuleNavItem[];
  routes: ModuleRoute[];
  slots?: ModuleSlots;
  messages: { 'zh-CN': Record<string, unknown>; 'en-US': Record<string, unknown> };
}

const WebModulesContext = createContext<readonly WebModule[]>([]);

export function WebModulesProvider({
  modules,
  children,
}: {
  modules: readonly WebModule[];
  children: ReactNode;
}) {
  return <WebModulesContext.Provider value={modules}>{children}</WebModulesContext.Provider>;
}

export function useWebModules(): readonly WebModule[] {
  return useContext(WebModulesContext);
}

export const moduleNav = (modules: readonly WebModule[]): ModuleNavItem[] => modules.flatMap((m) => m.nav);

export function slotsOf<K extends keyof ModuleSlots>(
  modules: readonly WebModule[],
  slot: K,
): NonNullable<ModuleSlots[K]>[] {
  return modules.flatMap((m) => (m.slots?.[slot] ? [m.slots[slot] as NonNullable<ModuleSlots[K]>] : []));
}
