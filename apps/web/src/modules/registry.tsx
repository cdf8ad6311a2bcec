import type { ReactElement, ReactNode } from 'react';
import i18n from '../i18n';
import { cdpModule } from './cdp/module';
import { leadsModule } from './leads/module';
import { salesModule } from './sales/module';

/** A page group a domain module adds to the side navigation. */
export interface ModuleNavItem {
  key: string;
  path: string;
  /** Shown only when the user holds this permission (e.g. `lead:read`). */
  permission: string;
  labelKey: string;
  icon: ReactNode;
}

/**
 * A domain module's web part: its routes (rendered inside the app shell), nav entries and
 * its own i18n strings (namespaced under the module key, e.g. `leads.inbox.title`).
 */
export interface WebModule {
  key: string;
  nav: ModuleNavItem[];
  routes: ReactElement | null;
  messages: { 'zh-CN': Record<string, unknown>; 'en-US': Record<string, unknown> };
}

export const WEB_MODULES: WebModule[] = [leadsModule, salesModule, cdpModule];

for (const m of WEB_MODULES) {
  i18n.addResourceBundle('zh-CN', 'translation', { [m.key]: m.messages['zh-CN'] }, true, false);
  i18n.addResourceBundle('en-US', 'translation', { [m.key]: m.messages['en-US'] }, true, false);
}

export const moduleNav = (): ModuleNavItem[] => WEB_MODULES.flatMap((m) => m.nav);
