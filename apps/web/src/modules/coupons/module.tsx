import { GiftOutlined, ScanOutlined } from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 优惠券 (issue 12): templates with stats and issuing; the store's redeem page. */
export const couponsModule: WebModule = {
  key: 'coupons',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': { nav: '优惠券', redeemNav: '核销优惠券' },
    'en-US': { nav: 'Coupons', redeemNav: 'Redeem coupons' },
  },
  nav: [
    {
      key: 'coupons',
      path: '/coupons',
      permission: 'coupons:read',
      labelKey: 'coupons.nav',
      icon: <GiftOutlined />,
      group: 'marketing',
      order: 50,
    },
    {
      key: 'coupons-redeem',
      path: '/coupons/redeem',
      permission: 'coupons:redeem',
      labelKey: 'coupons.redeemNav',
      icon: <ScanOutlined />,
      group: 'marketing',
      order: 51,
    },
  ],
  routes: [
    { path: 'coupons', page: lazyPage(() => import('./templates-page'), 'CouponTemplatesPage') },
    { path: 'coupons/redeem', page: lazyPage(() => import('./redeem-page'), 'RedeemPage') },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
