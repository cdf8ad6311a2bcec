import { CompassOutlined, EnvironmentOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 外勤 field sales (R4.6): the manager's map, coverage, photos, plans and store tiers; the rep's phone day. */
export const fieldSalesModule: WebModule = {
  key: 'fieldSales',
  navLabels: {
    'zh-CN': { nav: { manager: '外勤拜访', today: '今日拜访' } },
    'en-US': { nav: { manager: 'Field visits', today: 'Today’s visits' } },
  },
  nav: [
    {
      key: 'field-sales',
      path: '/field-sales',
      permission: 'field_sales:read',
      labelKey: 'fieldSales.nav.manager',
      icon: <CompassOutlined />,
      group: 'channels',
      order: 70,
    },
    {
      key: 'field-sales-today',
      path: '/field-sales/today',
      permission: 'field_sales:visit',
      labelKey: 'fieldSales.nav.today',
      icon: <EnvironmentOutlined />,
      group: 'channels',
      order: 71,
    },
  ],
  routes: [
    { path: 'field-sales', page: lazyPage(() => import('./manager-page'), 'ManagerPage') },
    { path: 'field-sales/today', page: lazyPage(() => import('./today-page'), 'TodayPage') },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
