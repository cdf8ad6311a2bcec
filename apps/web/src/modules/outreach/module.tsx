import { NotificationOutlined, ScheduleOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 群发 and SOP (R5.2–R5.5): compose with a plan of who is excluded and why, results; SOP rules and tasks. */
export const outreachModule: WebModule = {
  key: 'outreach',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': { nav: { messages: '群发', sop: 'SOP' }, sidebarTab: 'SOP 任务' },
    'en-US': { nav: { messages: 'Mass messages', sop: 'SOP' }, sidebarTab: 'SOP tasks' },
  },
  /** Pages here show components (and so strings) of these modules. */
  uses: ['materials'],
  nav: [
    {
      key: 'outreach-messages',
      path: '/outreach/messages',
      permission: 'outreach:read',
      labelKey: 'outreach.nav.messages',
      icon: <NotificationOutlined />,
      group: 'marketing',
      order: 20,
    },
    {
      key: 'outreach-sop',
      path: '/outreach/sop',
      permission: 'outreach:read',
      labelKey: 'outreach.nav.sop',
      icon: <ScheduleOutlined />,
      group: 'marketing',
      order: 21,
    },
  ],
  routes: [
    { path: 'outreach/messages', page: lazyPage(() => import('./messages-page'), 'MessagesPage') },
    { path: 'outreach/messages/:id', page: lazyPage(() => import('./message-page'), 'MessagePage') },
    { path: 'outreach/sop', page: lazyPage(() => import('./sop-page'), 'SopPage') },
  ],
  sidebar: [
    {
      key: 'sop-sidebar',
      labelKey: 'outreach.sidebarTab',
      order: 30,
      component: lazyPage(() => import('./sidebar-section'), 'SopSidebarSection'),
    },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
