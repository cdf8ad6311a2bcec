import { FileImageOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 素材库 (R5.2–R5.6): the library, tracked sharing and per-material results. */
export const materialsModule: WebModule = {
  key: 'materials',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': { nav: '素材库', sidebarTab: '素材' },
    'en-US': { nav: 'Materials', sidebarTab: 'Materials' },
  },
  nav: [
    {
      key: 'materials',
      path: '/materials',
      permission: 'materials:read',
      labelKey: 'materials.nav',
      icon: <FileImageOutlined />,
      group: 'marketing',
      order: 20,
      alsoMatches: ['/materials/'],
    },
  ],
  routes: [
    { path: 'materials', page: lazyPage(() => import('./library-page'), 'LibraryPage') },
    { path: 'materials/:id/report', page: lazyPage(() => import('./report-page'), 'ReportPage') },
  ],
  sidebar: [
    {
      key: 'materials-sidebar',
      labelKey: 'materials.sidebarTab',
      order: 20,
      component: lazyPage(() => import('./sidebar-section'), 'MaterialsSidebarSection'),
    },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
