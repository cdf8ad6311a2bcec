import { MessageOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 话术库 (R5.2–R5.6): the script library page; `ScriptPicker` (script-picker.tsx) for the sidebar. */
export const scriptsModule: WebModule = {
  key: 'scripts',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': { nav: '话术库', sidebarTab: '话术' },
    'en-US': { nav: 'Scripts', sidebarTab: 'Scripts' },
  },
  nav: [
    {
      key: 'scripts',
      path: '/scripts',
      permission: 'scripts:read',
      labelKey: 'scripts.nav',
      icon: <MessageOutlined />,
      group: 'marketing',
      order: 30,
    },
  ],
  routes: [
    { path: 'scripts', page: lazyPage(() => import('./scripts-page'), 'ScriptsPage') },
    { path: 'scripts/pick', page: lazyPage(() => import('./pick-page'), 'ScriptPickPage') },
  ],
  sidebar: [
    {
      key: 'scripts-sidebar',
      labelKey: 'scripts.sidebarTab',
      order: 10,
      component: lazyPage(() => import('./sidebar-section'), 'ScriptsSidebarSection'),
    },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
