import { FileTextOutlined, HistoryOutlined, SendOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 消息触达 (issue 12): the message log, templates (千人千面 variants) and channel settings. */
export const messagingModule: WebModule = {
  key: 'messaging',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': { nav: { log: '消息记录', templates: '消息模板', settings: '消息渠道' } },
    'en-US': { nav: { log: 'Message log', templates: 'Message templates', settings: 'Messaging channels' } },
  },
  nav: [
    {
      key: 'messaging-log',
      path: '/messaging',
      permission: 'messaging:read',
      labelKey: 'messaging.nav.log',
      icon: <HistoryOutlined />,
      group: 'marketing',
      order: 60,
    },
    {
      key: 'messaging-templates',
      path: '/messaging/templates',
      permission: 'messaging:read',
      labelKey: 'messaging.nav.templates',
      icon: <FileTextOutlined />,
      group: 'marketing',
      order: 61,
    },
    {
      key: 'messaging-settings',
      path: '/messaging/settings',
      permission: 'messaging:read',
      labelKey: 'messaging.nav.settings',
      icon: <SendOutlined />,
      group: 'settings',
      order: 70,
      setup: true,
    },
  ],
  routes: [
    { path: 'messaging', page: lazyPage(() => import('./log-page'), 'MessageLogPage') },
    { path: 'messaging/templates', page: lazyPage(() => import('./templates-page'), 'TemplatesPage') },
    { path: 'messaging/settings', page: lazyPage(() => import('./settings-page'), 'ChannelSettingsPage') },
  ],
  slots: {
    // The messages sent (or skipped, with why) to a customer's or contact's profiles.
    recordPanels: [
      { key: 'messaging-log', component: lazyPage(() => import('./record-messages'), 'RecordMessagesPanel') },
    ],
  },
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
