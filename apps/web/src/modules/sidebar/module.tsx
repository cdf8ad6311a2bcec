import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/**
 * The WeCom chat sidebar (聊天工具栏, issue 11): `/sidebar`, outside the desktop shell, is the URL to
 * set as the app's chat tools page in WeCom. Other modules add tabs through `WebModule.sidebar`.
 */
export const sidebarModule: WebModule = {
  key: 'sidebar',
  /** No navigation entries of its own: its strings load with its first page. */
  navLabels: { 'zh-CN': {}, 'en-US': {} },
  nav: [],
  routes: [{ path: 'sidebar', page: lazyPage(() => import('./sidebar-page'), 'SidebarPage'), bare: true }],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
