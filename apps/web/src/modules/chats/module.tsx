import { MessageOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 会话存档 (R5.6, R12.5): archived WeCom chats, alerts, reply figures, rules and set-up. */
export const chatsModule: WebModule = {
  key: 'chats',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: { 'zh-CN': { nav: '会话存档' }, 'en-US': { nav: 'Chat archive' } },
  /** Pages here show components (and so strings) of these modules. */
  uses: ['scripts'],
  nav: [
    {
      key: 'chats',
      path: '/chats',
      permission: 'chats:read',
      labelKey: 'chats.nav',
      icon: <MessageOutlined />,
      group: 'customers',
      order: 42,
    },
  ],
  routes: [{ path: 'chats', page: lazyPage(() => import('./chats-page'), 'ChatsPage') }],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
