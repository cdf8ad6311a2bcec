import { BookOutlined, CustomerServiceOutlined, SettingOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 服务 (issue 13): tickets with SLA in business time, the knowledge base, service settings. */
export const serviceModule: WebModule = {
  key: 'service',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': { nav: '工单', kbNav: '知识库', settingsNav: '服务设置', sidebarTab: '工单' },
    'en-US': {
      nav: 'Tickets',
      kbNav: 'Knowledge base',
      settingsNav: 'Service settings',
      sidebarTab: 'Tickets',
    },
  },
  nav: [
    {
      key: 'service-tickets',
      path: '/service/tickets',
      permission: 'service:read',
      labelKey: 'service.nav',
      icon: <CustomerServiceOutlined />,
      group: 'service',
      order: 10,
    },
    {
      key: 'service-kb',
      path: '/service/kb',
      permission: 'service:read',
      labelKey: 'service.kbNav',
      icon: <BookOutlined />,
      group: 'service',
      order: 40,
    },
    {
      key: 'service-settings',
      path: '/service/settings',
      permission: 'service:manage',
      labelKey: 'service.settingsNav',
      icon: <SettingOutlined />,
      group: 'service',
      order: 90,
    },
  ],
  routes: [
    { path: 'service/tickets', page: lazyPage(() => import('./tickets-page'), 'TicketsPage') },
    { path: 'service/tickets/:id', page: lazyPage(() => import('./ticket-page'), 'TicketPage') },
    { path: 'service/kb', page: lazyPage(() => import('./kb-page'), 'KbPage') },
    { path: 'service/settings', page: lazyPage(() => import('./settings-page'), 'ServiceSettingsPage') },
  ],
  sidebar: [
    {
      key: 'service-sidebar',
      labelKey: 'service.sidebarTab',
      order: 40,
      component: lazyPage(() => import('./sidebar-section'), 'ServiceSidebarSection'),
    },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
