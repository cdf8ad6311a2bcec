import { AimOutlined, InboxOutlined, SettingOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

const LeadPage = lazyPage(() => import('./lead-page'), 'LeadPage');

/** Lead inbox, pool, lead workspace, channels, scoring and assignment pages (R3). */
export const leadsModule: WebModule = {
  key: 'leads',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': { nav: { inbox: '线索工作台', pool: '线索公海', settings: '线索配置' } },
    'en-US': { nav: { inbox: 'Lead inbox', pool: 'Lead pool', settings: 'Lead settings' } },
  },
  nav: [
    {
      key: 'leads-inbox',
      path: '/leads/inbox',
      permission: 'lead:read',
      labelKey: 'leads.nav.inbox',
      icon: <AimOutlined />,
      group: 'sales',
      order: 10,
    },
    {
      key: 'leads-pool',
      path: '/leads/pool',
      permission: 'lead:read',
      labelKey: 'leads.nav.pool',
      icon: <InboxOutlined />,
      group: 'sales',
      order: 12,
    },
    {
      key: 'leads-settings',
      path: '/leads/settings',
      permission: 'leads:configure',
      labelKey: 'leads.nav.settings',
      icon: <SettingOutlined />,
      group: 'sales',
      order: 10,
      setup: true,
    },
  ],
  routes: [
    { path: 'leads/inbox', page: lazyPage(() => import('./inbox-page'), 'InboxPage') },
    // Under the inbox path so the side navigation keeps the inbox highlighted.
    { path: 'leads/inbox/:id', page: LeadPage },
    { path: 'leads/pool', page: lazyPage(() => import('./pool-page'), 'PoolPage') },
    { path: 'leads/settings', page: lazyPage(() => import('./settings-page'), 'SettingsPage') },
    { path: 'leads/:id', page: LeadPage },
  ],
  slots: {
    headerItems: [
      { key: 'notifications', component: lazyPage(() => import('./notification-bell'), 'NotificationBell') },
    ],
    homeCards: {
      leads: lazyPage(() => import('./home-cards'), 'LeadsCard'),
      teamSla: lazyPage(() => import('./home-cards'), 'TeamSlaCard'),
    },
  },
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
