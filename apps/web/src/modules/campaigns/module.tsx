import { CalendarOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 市场活动 (issue 12): campaigns with registration form, links, costs, report; the venue check-in page. */
export const campaignsModule: WebModule = {
  key: 'campaigns',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: { 'zh-CN': { nav: '市场活动' }, 'en-US': { nav: 'Campaigns' } },
  nav: [
    {
      key: 'campaigns',
      path: '/campaigns',
      permission: 'campaigns:read',
      labelKey: 'campaigns.nav',
      icon: <CalendarOutlined />,
      group: 'marketing',
      order: 45,
      alsoMatches: ['/campaigns/'],
    },
  ],
  routes: [
    { path: 'campaigns', page: lazyPage(() => import('./campaigns-page'), 'CampaignsPage') },
    { path: 'campaigns/:id/check-in', page: lazyPage(() => import('./check-in-page'), 'CheckInPage') },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
