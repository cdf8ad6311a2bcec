import {
  DatabaseOutlined,
  FileTextOutlined,
  GiftOutlined,
  ProfileOutlined,
  ShoppingCartOutlined,
  TagsOutlined,
  WalletOutlined,
} from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 经销商订货 DMS (issue 14): the dealer portal (catalogue → cart → submit), orders, statements, accounts. */
export const dealersModule: WebModule = {
  key: 'dms',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': {
      nav: {
        portal: '经销商订货',
        orders: '订货单',
        statements: '对账单',
        accounts: '经销商账户',
        pricing: '价格与促销',
        stock: '渠道库存',
        rebates: '返利',
      },
    },
    'en-US': {
      nav: {
        portal: 'Dealer ordering',
        orders: 'Dealer orders',
        statements: 'Statements',
        accounts: 'Dealer accounts',
        pricing: 'Prices & promotions',
        stock: 'Channel inventory',
        rebates: 'Rebates',
      },
    },
  },
  nav: [
    {
      key: 'dms-portal',
      path: '/dealers/portal',
      permission: 'dealers:order',
      labelKey: 'dms.nav.portal',
      icon: <ShoppingCartOutlined />,
      group: 'channels',
      order: 50,
    },
    {
      key: 'dms-orders',
      path: '/dealers/orders',
      permission: 'dealers:read',
      labelKey: 'dms.nav.orders',
      icon: <ProfileOutlined />,
      group: 'channels',
      order: 51,
    },
    {
      key: 'dms-statements',
      path: '/dealers/statements',
      permission: 'dealers:read',
      labelKey: 'dms.nav.statements',
      icon: <FileTextOutlined />,
      group: 'channels',
      order: 52,
    },
    {
      key: 'dms-accounts',
      path: '/dealers/accounts',
      permission: 'dealers:manage',
      labelKey: 'dms.nav.accounts',
      icon: <WalletOutlined />,
      group: 'channels',
      order: 53,
    },
    {
      key: 'dms-pricing',
      path: '/dealers/pricing',
      permission: 'dealers:read',
      labelKey: 'dms.nav.pricing',
      icon: <TagsOutlined />,
      group: 'channels',
      order: 54,
    },
    {
      key: 'dms-stock',
      path: '/dealers/stock',
      permission: 'dealers:read',
      labelKey: 'dms.nav.stock',
      icon: <DatabaseOutlined />,
      group: 'channels',
      order: 55,
    },
    {
      key: 'dms-rebates',
      path: '/dealers/rebates',
      permission: 'dealers:read',
      labelKey: 'dms.nav.rebates',
      icon: <GiftOutlined />,
      group: 'channels',
      order: 56,
    },
  ],
  routes: [
    { path: 'dealers/portal', page: lazyPage(() => import('./portal-page'), 'PortalPage') },
    { path: 'dealers/orders', page: lazyPage(() => import('./orders-page'), 'OrdersPage') },
    { path: 'dealers/statements', page: lazyPage(() => import('./statements-page'), 'StatementsPage') },
    { path: 'dealers/accounts', page: lazyPage(() => import('./accounts-page'), 'AccountsPage') },
    { path: 'dealers/pricing', page: lazyPage(() => import('./pricing-page'), 'PricingPage') },
    { path: 'dealers/stock', page: lazyPage(() => import('./stock-page'), 'StockPage') },
    { path: 'dealers/rebates', page: lazyPage(() => import('./rebates-page'), 'RebatesPage') },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
