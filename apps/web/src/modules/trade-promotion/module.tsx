import {
  AccountBookOutlined,
  AuditOutlined,
  CameraOutlined,
  FundOutlined,
  WalletOutlined,
} from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 费用与活动 TPM (issue 14): budgets tree, activities, the rep's proof page, verification, expense pools. */
export const tradePromotionModule: WebModule = {
  key: 'tpm',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': {
      nav: {
        budgets: '费用预算',
        activities: '费用活动',
        proof: '执行拍照',
        review: '费用核销',
        pools: '经销商费用池',
      },
    },
    'en-US': {
      nav: {
        budgets: 'Promotion budgets',
        activities: 'Promotion activities',
        proof: 'Proof photos',
        review: 'Verification',
        pools: 'Dealer expense pools',
      },
    },
  },
  nav: [
    {
      key: 'tpm-budgets',
      path: '/tpm/budgets',
      permission: 'trade_promotion:read',
      labelKey: 'tpm.nav.budgets',
      icon: <FundOutlined />,
      group: 'channels',
      order: 60,
    },
    {
      key: 'tpm-activities',
      path: '/tpm/activities',
      permission: 'trade_promotion:read',
      labelKey: 'tpm.nav.activities',
      icon: <AccountBookOutlined />,
      group: 'channels',
      order: 61,
    },
    {
      key: 'tpm-proof',
      path: '/tpm/proof',
      permission: 'trade_promotion:proof',
      labelKey: 'tpm.nav.proof',
      icon: <CameraOutlined />,
      group: 'channels',
      order: 62,
    },
    {
      key: 'tpm-review',
      path: '/tpm/review',
      permission: 'trade_promotion:verify',
      labelKey: 'tpm.nav.review',
      icon: <AuditOutlined />,
      group: 'channels',
      order: 63,
    },
    {
      key: 'tpm-pools',
      path: '/tpm/pools',
      permission: 'trade_promotion:read',
      labelKey: 'tpm.nav.pools',
      icon: <WalletOutlined />,
      group: 'channels',
      order: 64,
    },
  ],
  routes: [
    { path: 'tpm/budgets', page: lazyPage(() => import('./budgets-page'), 'BudgetsPage') },
    { path: 'tpm/activities', page: lazyPage(() => import('./activities-page'), 'ActivitiesPage') },
    { path: 'tpm/proof', page: lazyPage(() => import('./proof-page'), 'ProofPage') },
    { path: 'tpm/review', page: lazyPage(() => import('./review-page'), 'ReviewPage') },
    { path: 'tpm/pools', page: lazyPage(() => import('./pools-page'), 'PoolsPage') },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).en
      : (await import('./messages?lang=zh-CN')).zh,
};
