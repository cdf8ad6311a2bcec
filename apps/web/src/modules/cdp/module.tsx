import type { WebModule } from '../registry';

/** Sources and live debugger, profiles (One ID), tag factory, segments (R1, R2). */
export const cdpModule: WebModule = {
  key: 'cdp',
  nav: [],
  routes: null,
  messages: { 'zh-CN': {}, 'en-US': {} },
};
