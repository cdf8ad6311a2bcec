import {
  AuditOutlined,
  DashboardOutlined,
  FundOutlined,
  ProjectOutlined,
  SettingOutlined,
} from '@ant-design/icons';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

const homeCard = <K extends keyof typeof import('./home-cards')>(name: K) =>
  lazyPage(() => import('./home-cards'), name);

/**
 * Pipeline kanban, quotes, approvals, orders, targets and dashboards (R4, R10.2, R11.1). The customer
 * 360 became the one customer page (modules/customers), which reads the 360 through ./index.ts.
 * `o/<object>/:id` routes for sales objects outrank the generic detail page (static segment),
 * so opportunities, quotes, contracts and orders open their working pages; edit and list stay generic.
 */
export const salesModule: WebModule = {
  key: 'sales',
  /** The labels the navigation shows before the module's strings load (they load with its first page). */
  navLabels: {
    'zh-CN': {
      nav: {
        kanban: '商机看板',
        approvals: '审批',
        targets: '目标与预测',
        dashboard: '经营分析',
        settings: '销售配置',
      },
    },
    'en-US': {
      nav: {
        kanban: 'Pipeline',
        approvals: 'Approvals',
        targets: 'Targets & forecast',
        dashboard: 'Dashboards',
        settings: 'Sales settings',
      },
    },
  },
  nav: [
    {
      key: 'kanban',
      path: '/sales/kanban',
      permission: 'opportunity:read',
      labelKey: 'sales.nav.kanban',
      icon: <ProjectOutlined />,
      group: 'sales',
      order: 20,
    },
    {
      key: 'approvals',
      path: '/sales/approvals',
      permission: 'approval:read',
      labelKey: 'sales.nav.approvals',
      icon: <AuditOutlined />,
      group: 'workspace',
      order: 20,
    },
    {
      key: 'targets',
      path: '/sales/targets',
      permission: 'target:read',
      labelKey: 'sales.nav.targets',
      icon: <FundOutlined />,
      group: 'sales',
      order: 90,
    },
    {
      key: 'dashboard',
      path: '/sales/dashboard',
      permission: 'opportunity:read',
      labelKey: 'sales.nav.dashboard',
      icon: <DashboardOutlined />,
      group: 'data',
      order: 10,
    },
    {
      key: 'settings',
      path: '/sales/settings',
      permission: 'sales:configure',
      labelKey: 'sales.nav.settings',
      icon: <SettingOutlined />,
      group: 'sales',
      order: 20,
      setup: true,
    },
  ],
  routes: [
    { path: 'sales/kanban', page: lazyPage(() => import('./kanban-page'), 'KanbanPage') },
    { path: 'sales/approvals', page: lazyPage(() => import('./approvals-page'), 'ApprovalsPage') },
    { path: 'sales/targets', page: lazyPage(() => import('./targets-page'), 'TargetsPage') },
    { path: 'sales/dashboard', page: lazyPage(() => import('./dashboard-page'), 'DashboardPage') },
    { path: 'sales/settings', page: lazyPage(() => import('./settings-page'), 'SalesSettingsPage') },
    { path: 'o/opportunity/:id', page: lazyPage(() => import('./opportunity-page'), 'OpportunityPage') },
    { path: 'o/quote/:id', page: lazyPage(() => import('./quote-page'), 'QuotePage') },
    { path: 'o/contract/:id', page: lazyPage(() => import('./order-page'), 'ContractPage') },
    { path: 'o/order/:id', page: lazyPage(() => import('./order-page'), 'OrderPage') },
  ],
  slots: {
    homeCards: {
      approvals: homeCard('ApprovalsCard'),
      teamPipeline: homeCard('PipelineCard'),
      closingDeals: homeCard('DealsCard'),
      target: homeCard('TargetCard'),
      pendingQuotes: homeCard('QuotesCard'),
    },
  },
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).enUS
      : (await import('./messages?lang=zh-CN')).zhCN,
};
