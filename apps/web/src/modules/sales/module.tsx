import {
  AuditOutlined,
  DashboardOutlined,
  FundOutlined,
  IdcardOutlined,
  ProjectOutlined,
  SettingOutlined,
} from '@ant-design/icons';
import { Route } from 'react-router';
import type { WebModule } from '../registry';
import { ApprovalsPage } from './approvals-page';
import { Customer360Page, CustomersPage } from './customer360-page';
import { DashboardPage } from './dashboard-page';
import { KanbanPage } from './kanban-page';
import { enUS, zhCN } from './messages';
import { OpportunityPage } from './opportunity-page';
import { ContractPage, OrderPage } from './order-page';
import { QuotePage } from './quote-page';
import { SalesSettingsPage } from './settings-page';
import { TargetsPage } from './targets-page';

/**
 * Pipeline kanban, quotes, approvals, orders, targets, customer 360 and dashboards (R4, R10.2, R11.1).
 * `o/<object>/:id` routes for sales objects outrank the generic detail page (static segment),
 * so opportunities, quotes, contracts and orders open their working pages; edit and list stay generic.
 */
export const salesModule: WebModule = {
  key: 'sales',
  nav: [
    {
      key: 'kanban',
      path: '/sales/kanban',
      permission: 'opportunity:read',
      labelKey: 'sales.nav.kanban',
      icon: <ProjectOutlined />,
    },
    {
      key: 'approvals',
      path: '/sales/approvals',
      permission: 'approval:read',
      labelKey: 'sales.nav.approvals',
      icon: <AuditOutlined />,
    },
    {
      key: 'targets',
      path: '/sales/targets',
      permission: 'target:read',
      labelKey: 'sales.nav.targets',
      icon: <FundOutlined />,
    },
    {
      key: 'c360',
      path: '/sales/customers',
      permission: 'customer:read',
      labelKey: 'sales.nav.c360',
      icon: <IdcardOutlined />,
    },
    {
      key: 'dashboard',
      path: '/sales/dashboard',
      permission: 'opportunity:read',
      labelKey: 'sales.nav.dashboard',
      icon: <DashboardOutlined />,
    },
    {
      key: 'settings',
      path: '/sales/settings',
      permission: 'sales:configure',
      labelKey: 'sales.nav.settings',
      icon: <SettingOutlined />,
    },
  ],
  routes: (
    <Route key="sales">
      <Route path="sales/kanban" element={<KanbanPage />} />
      <Route path="sales/approvals" element={<ApprovalsPage />} />
      <Route path="sales/targets" element={<TargetsPage />} />
      <Route path="sales/customers" element={<CustomersPage />} />
      <Route path="sales/customers/:id" element={<Customer360Page />} />
      <Route path="sales/dashboard" element={<DashboardPage />} />
      <Route path="sales/settings" element={<SalesSettingsPage />} />
      <Route path="o/opportunity/:id" element={<OpportunityPage />} />
      <Route path="o/quote/:id" element={<QuotePage />} />
      <Route path="o/contract/:id" element={<ContractPage />} />
      <Route path="o/order/:id" element={<OrderPage />} />
    </Route>
  ),
  messages: { 'zh-CN': zhCN, 'en-US': enUS },
};
