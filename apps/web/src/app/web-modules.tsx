import { useQuery } from '@tanstack/react-query';
import { type ComponentType, createContext, createElement, lazy, type ReactNode, useContext } from 'react';
import i18n, { addLanguageLoader, type Language, normalizeLanguage } from '../i18n';
import type { NavGroup } from './nav-groups';

export type { NavGroup } from './nav-groups';

/**
 * A page a domain module adds to the side navigation, under one of the shell's groups of work
 * (nav-groups.ts: workspace · sales · customers · marketing · service · channels · data ·
 * settings). A new module names its group; it never adds a top-level entry of its own.
 */
export interface ModuleNavItem {
  key: string;
  path: string;
  /** Shown only when the user holds this permission (e.g. `lead:read`). */
  permission: string;
  labelKey: string;
  icon: ReactNode;
  group: NavGroup;
  /** Position inside the group (lower first); record-object lists use 10, 20 … (nav-groups.ts). */
  order: number;
  /** A configuration page (lead settings, pipeline settings, sources …): listed under settings, apart from daily work. */
  setup?: boolean;
  /** Other paths whose pages highlight this entry (the longest matching path wins). */
  alsoMatches?: string[];
}

/** A page a module adds inside the app shell; `page` is a `lazyPage(...)` so it loads on first visit. */
export interface ModuleRoute {
  /** Relative to the root, e.g. `leads/inbox/:id`; a static segment outranks the generic `o/:object/:id`. */
  path: string;
  page: ComponentType;
  /** A page outside the desktop shell (the WeCom chat sidebar): no navigation, no top bar. */
  bare?: boolean;
}

/** The chat in which the WeCom sidebar is open: a customer (single chat) or a customer group. */
export type SidebarChat =
  | { kind: 'single'; externalUserId: string; customerId: string | null; profileId: string | null }
  | { kind: 'group'; chatId: string };

/** A message for `sendChatMessage` (WeCom JS-SDK): text, image, news (link card) or mini program. */
export type SidebarMessage =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'image'; image: { mediaid: string } }
  | { msgtype: 'news'; news: { link: string; title: string; desc?: string; imgUrl?: string } }
  | { msgtype: 'miniprogram'; miniprogram: { appid: string; title: string; imgUrl?: string; page?: string } };

export interface SidebarSectionProps {
  chat: SidebarChat;
  /** Sends into the open chat; rejects with WeCom's errMsg (`sendChatMessage:fail …`). */
  send: (message: SidebarMessage) => Promise<void>;
}

/** A tab a module adds to the WeCom chat sidebar (scripts, materials, SOP tasks …), lazy like every slot. */
export interface SidebarSection {
  key: string;
  labelKey: string;
  /** Position among the tabs (the sidebar's own customer tab is 0). */
  order: number;
  component: ComponentType<SidebarSectionProps>;
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
 * modules/registry.tsx; the shell only sees them through `useWebModules()`, once signed in.
 */
export interface WebModule {
  key: string;
  nav: ModuleNavItem[];
  routes: ModuleRoute[];
  slots?: ModuleSlots;
  /** Tabs in the WeCom chat sidebar (modules/sidebar renders them). */
  sidebar?: SidebarSection[];
  /** Loaded once signed in (the login page needs none of them). */
  messages?: () => Promise<ModuleMessages>;
  /**
   * One language's strings, from `import('./messages?lang=…')` (build/language-split.ts): a session
   * downloads only its own language's, the other's on switching. Preferred over `messages`.
   */
  messagesIn?: (lang: Language) => Promise<Record<string, unknown>>;
  /**
   * The few strings the navigation shows (nav entries, sidebar tabs), in both languages, under the
   * module key. With them the module's own strings download with its first page or slot instead of at
   * start, so the first screen carries no module's texts. Without them they load at start.
   */
  navLabels?: Record<Language, Record<string, unknown>>;
  /** Other modules whose strings this module's pages also show (the customer page shows the CDP's). */
  uses?: string[];
}

export type ModuleMessages = { 'zh-CN': Record<string, unknown>; 'en-US': Record<string, unknown> };

/** The registry, loaded on demand: the login page downloads no module. */
type LoadModules = () => Promise<readonly WebModule[]>;

const LoadModulesContext = createContext<LoadModules>(async () => []);
const WebModulesContext = createContext<readonly WebModule[]>([]);

/** main.tsx names where the modules are (a dynamic import of modules/registry.tsx); the shell never does. */
export function WebModulesProvider({ load, children }: { load: LoadModules; children: ReactNode }) {
  return <LoadModulesContext.Provider value={load}>{children}</LoadModulesContext.Provider>;
}

/** Gives the loaded modules to everything below (the signed-in app). */
export function LoadedModules({ modules, children }: { modules: readonly WebModule[]; children: ReactNode }) {
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

/**
 * Loads the module list and adds every module's strings to i18n (under the module key) before
 * the shell first renders: nav labels and pages read them synchronously. Runs beside the session
 * check, once per page load.
 */
export function useLoadWebModules() {
  const load = useContext(LoadModulesContext);
  return useQuery({
    queryKey: ['web-modules'],
    queryFn: async () => {
      const modules = await load();
      const strings = new Map<string, () => Promise<void>>();
      for (const m of modules) {
        let once: Promise<void> | undefined;
        strings.set(m.key, () => {
          once ??= loadStrings(m);
          return once;
        });
      }
      await Promise.all(modules.filter((m) => !m.navLabels).map((m) => strings.get(m.key)?.()));
      return modules.map((m) => {
        if (!m.navLabels) return m;
        for (const lang of ['zh-CN', 'en-US'] as const)
          i18n.addResourceBundle(lang, 'translation', { [m.key]: m.navLabels[lang] }, true, false);
        const keys = [m.key, ...(m.uses ?? [])];
        return withStrings(m, () => Promise.all(keys.map((k) => strings.get(k)?.())).then(() => undefined));
      });
    },
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: Number.POSITIVE_INFINITY,
  });
}

async function loadStrings(m: WebModule): Promise<void> {
  if (m.messagesIn) return loadPerLanguage(m.key, m.messagesIn);
  const messages = await m.messages?.();
  for (const lang of ['zh-CN', 'en-US'] as const)
    if (messages) i18n.addResourceBundle(lang, 'translation', { [m.key]: messages[lang] }, true, false);
}

/** The module with every page and slot component waiting for its strings first (they suspend meanwhile). */
function withStrings(m: WebModule, ready: () => Promise<void>): WebModule {
  const wrap = <C extends ComponentType<any>>(component: C): C =>
    lazy(async () => {
      await ready();
      // A lazy component (every page is one) cannot be another lazy's default: render it from a function.
      return { default: (props: object) => createElement(component, props) };
    }) as unknown as C;
  const slots = m.slots;
  return {
    ...m,
    routes: m.routes.map((r) => ({ ...r, page: wrap(r.page) })),
    sidebar: m.sidebar?.map((s) => ({ ...s, component: wrap(s.component) })),
    slots: slots && {
      recordPanels: slots.recordPanels?.map((p) => ({ ...p, component: wrap(p.component) })),
      headerItems: slots.headerItems?.map((h) => ({ ...h, component: wrap(h.component) })),
      homeCards:
        slots.homeCards && Object.fromEntries(Object.entries(slots.homeCards).map(([k, c]) => [k, wrap(c)])),
    },
  };
}

/** The current language's strings now, any other's when someone switches to it (i18n loadLanguage). */
function loadPerLanguage(key: string, messagesIn: (lang: Language) => Promise<Record<string, unknown>>) {
  const loading = new Map<Language, Promise<void>>();
  const load = (lang: Language) => {
    let p = loading.get(lang);
    if (!p) {
      p = messagesIn(lang).then((strings) => {
        i18n.addResourceBundle(lang, 'translation', { [key]: strings }, true, false);
      });
      // A failed download is tried again on the next switch rather than remembered.
      p.catch(() => loading.delete(lang));
      loading.set(lang, p);
    }
    return p;
  };
  addLanguageLoader(load);
  return load(normalizeLanguage(i18n.language) ?? 'zh-CN');
}
