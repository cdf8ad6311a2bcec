import { IdcardOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 名片 (issue 11): the staff member's own business card and who looked at it. */
export const cardsModule: WebModule = {
  key: 'cards',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': { nav: '我的名片', sidebarTab: '名片' },
    'en-US': { nav: 'My card', sidebarTab: 'Card' },
  },
  nav: [
    {
      key: 'cards',
      path: '/cards/me',
      permission: 'cards:use',
      labelKey: 'cards.nav',
      icon: <IdcardOutlined />,
      group: 'workspace',
      order: 40,
    },
  ],
  routes: [{ path: 'cards/me', page: lazyPage(() => import('./card-page'), 'CardPage') }],
  sidebar: [
    {
      key: 'cards-sidebar',
      labelKey: 'cards.sidebarTab',
      order: 40,
      component: lazyPage(() => import('./sidebar-section'), 'CardSidebarSection'),
    },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
