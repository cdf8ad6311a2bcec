import { ShareAltOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 裂变 (issue 11): poster campaigns with personal codes, rewards and a funnel report. */
export const fissionModule: WebModule = {
  key: 'fission',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: { 'zh-CN': { nav: '裂变活动' }, 'en-US': { nav: 'Fission' } },
  nav: [
    {
      key: 'fission',
      path: '/fission',
      permission: 'fission:read',
      labelKey: 'fission.nav',
      icon: <ShareAltOutlined />,
      group: 'marketing',
      order: 40,
      alsoMatches: ['/fission/'],
    },
  ],
  routes: [
    { path: 'fission', page: lazyPage(() => import('./campaigns-page'), 'CampaignsPage') },
    { path: 'fission/:id', page: lazyPage(() => import('./report-page'), 'ReportPage') },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
