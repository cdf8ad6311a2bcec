import { BarChartOutlined, ShopOutlined, ShoppingOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 积分商城 / 兑换订单 / 会员分析 (issue 13); the member card itself is the public page /vip/<token>. */
export const memberMallModule: WebModule = {
  key: 'member-mall',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': { nav: '积分商城', redemptionsNav: '兑换订单', analyticsNav: '会员分析' },
    'en-US': { nav: 'Member mall', redemptionsNav: 'Redemptions', analyticsNav: 'Member analytics' },
  },
  nav: [
    {
      key: 'member-mall',
      path: '/member-mall',
      permission: 'member_mall:read',
      labelKey: 'member-mall.nav',
      icon: <ShopOutlined />,
      group: 'marketing',
      order: 60,
    },
    {
      key: 'member-mall-redemptions',
      path: '/member-mall/redemptions',
      permission: 'member_mall:read',
      labelKey: 'member-mall.redemptionsNav',
      icon: <ShoppingOutlined />,
      group: 'marketing',
      order: 61,
    },
    {
      key: 'member-analytics',
      path: '/member-mall/analytics',
      permission: 'member_mall:read',
      labelKey: 'member-mall.analyticsNav',
      icon: <BarChartOutlined />,
      group: 'data',
      order: 60,
    },
  ],
  routes: [
    { path: 'member-mall', page: lazyPage(() => import('./rewards-page'), 'RewardsPage') },
    {
      path: 'member-mall/redemptions',
      page: lazyPage(() => import('./redemptions-page'), 'RedemptionsPage'),
    },
    {
      path: 'member-mall/analytics',
      page: lazyPage(() => import('./analytics-page'), 'MemberAnalyticsPage'),
    },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
