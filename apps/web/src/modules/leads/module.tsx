import type { WebModule } from '../registry';

/** Lead inbox, pool, channels, scoring and assignment pages (R3). */
export const leadsModule: WebModule = {
  key: 'leads',
  nav: [],
  routes: null,
  messages: { 'zh-CN': {}, 'en-US': {} },
};
