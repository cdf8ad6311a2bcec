import {
  CommentOutlined,
  LineChartOutlined,
  LinkOutlined,
  QrcodeOutlined,
  SwapOutlined,
  TagsOutlined,
  TeamOutlined,
  WechatWorkOutlined,
} from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** WeCom (企业微信): corps per unit, channel codes with QR and figures, external contacts (R5.1, R5.7). */
export const wecomModule: WebModule = {
  key: 'wecom',
  nav: [
    {
      key: 'wecom-contacts',
      path: '/wecom/contacts',
      permission: 'wecom:read',
      labelKey: 'wecom.nav.contacts',
      icon: <TeamOutlined />,
      group: 'customers',
      order: 40,
    },
    {
      key: 'wecom-codes',
      path: '/wecom/codes',
      permission: 'wecom:read',
      labelKey: 'wecom.nav.codes',
      icon: <QrcodeOutlined />,
      group: 'marketing',
      order: 10,
    },
    {
      key: 'wecom-acquisition-links',
      path: '/wecom/acquisition-links',
      permission: 'wecom:read',
      labelKey: 'wecom.acquisition.nav',
      icon: <LinkOutlined />,
      group: 'marketing',
      order: 11,
    },
    {
      key: 'wecom-transfers',
      path: '/wecom/transfers',
      permission: 'wecom:manage',
      labelKey: 'wecom.nav.transfers',
      icon: <SwapOutlined />,
      group: 'settings',
      order: 60,
      setup: true,
    },
    {
      key: 'wecom-corps',
      path: '/wecom/corps',
      permission: 'wecom:read',
      labelKey: 'wecom.nav.corps',
      icon: <WechatWorkOutlined />,
      group: 'settings',
      order: 50,
      setup: true,
    },
    {
      key: 'wecom-groups',
      path: '/wecom/groups',
      permission: 'wecom:read',
      labelKey: 'wecom.groups.title',
      icon: <CommentOutlined />,
      group: 'customers',
      order: 41,
    },
    {
      key: 'wecom-activity',
      path: '/wecom/activity',
      permission: 'wecom:activity',
      labelKey: 'wecom.activity.title',
      icon: <LineChartOutlined />,
      group: 'data',
      order: 40,
    },
    {
      key: 'wecom-tags',
      path: '/wecom/tags',
      permission: 'wecom:read',
      labelKey: 'wecom.corpTags.nav',
      icon: <TagsOutlined />,
      group: 'settings',
      order: 55,
      setup: true,
    },
  ],
  routes: [
    { path: 'wecom/corps', page: lazyPage(() => import('./corps-page'), 'CorpsPage') },
    { path: 'wecom/codes', page: lazyPage(() => import('./codes-page'), 'CodesPage') },
    { path: 'wecom/transfers', page: lazyPage(() => import('./transfers-page'), 'TransfersPage') },
    { path: 'wecom/tags', page: lazyPage(() => import('./tags-page'), 'CorpTagsPage') },
    { path: 'wecom/contacts', page: lazyPage(() => import('./contacts-page'), 'ContactsPage') },
    { path: 'wecom/groups', page: lazyPage(() => import('./groups-page'), 'GroupsPage') },
    { path: 'wecom/groups/:id', page: lazyPage(() => import('./group-page'), 'GroupPage') },
    {
      path: 'wecom/acquisition-links',
      page: lazyPage(() => import('./acquisition-links-page'), 'AcquisitionLinksPage'),
    },
    { path: 'wecom/activity', page: lazyPage(() => import('./activity-page'), 'ActivityPage') },
  ],
  messages: async () => {
    const m = await import('./messages');
    return { 'zh-CN': m.zh, 'en-US': m.en };
  },
};
