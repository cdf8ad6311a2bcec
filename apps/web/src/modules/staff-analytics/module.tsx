import { TeamOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 员工数据 (issue 11 "Staff analytics", R11.3): one dashboard per staff member and team. */
export const staffAnalyticsModule: WebModule = {
  key: 'staff-analytics',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: { 'zh-CN': { nav: '员工数据' }, 'en-US': { nav: 'Staff analytics' } },
  nav: [
    {
      key: 'staff-analytics',
      path: '/staff-analytics',
      permission: 'staff_analytics:read',
      labelKey: 'staff-analytics.nav',
      icon: <TeamOutlined />,
      group: 'data',
      order: 40,
    },
  ],
  routes: [
    {
      path: 'staff-analytics',
      page: lazyPage(() => import('./dashboard-page'), 'StaffDashboardPage'),
    },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
