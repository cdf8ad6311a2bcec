import { CrownOutlined, SettingOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 会员与积分 (issue 13): members with their points and tiers; program settings. */
export const loyaltyModule: WebModule = {
  key: 'loyalty',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': { nav: '会员', programsNav: '会员计划' },
    'en-US': { nav: 'Loyalty', programsNav: 'Loyalty programs' },
  },
  nav: [
    {
      key: 'loyalty-members',
      path: '/loyalty/members',
      permission: 'loyalty:read',
      labelKey: 'loyalty.nav',
      icon: <CrownOutlined />,
      group: 'marketing',
      order: 55,
    },
    {
      key: 'loyalty-programs',
      path: '/loyalty/programs',
      permission: 'loyalty:manage',
      labelKey: 'loyalty.programsNav',
      icon: <SettingOutlined />,
      group: 'marketing',
      order: 56,
    },
  ],
  routes: [
    { path: 'loyalty/members', page: lazyPage(() => import('./members-page'), 'MembersPage') },
    { path: 'loyalty/members/:id', page: lazyPage(() => import('./member-page'), 'MemberPage') },
    { path: 'loyalty/programs', page: lazyPage(() => import('./programs-page'), 'ProgramsPage') },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
