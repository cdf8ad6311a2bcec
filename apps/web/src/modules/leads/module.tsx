import { AimOutlined, InboxOutlined, SettingOutlined } from '@ant-design/icons';
import { Route } from 'react-router';
import type { WebModule } from '../registry';
import { InboxPage } from './inbox-page';
import { LeadPage } from './lead-page';
import { en, zh } from './messages';
import { PoolPage } from './pool-page';
import { SettingsPage } from './settings-page';

/** Lead inbox, pool, lead workspace, channels, scoring and assignment pages (R3). */
export const leadsModule: WebModule = {
  key: 'leads',
  nav: [
    {
      key: 'leads-inbox',
      path: '/leads/inbox',
      permission: 'lead:read',
      labelKey: 'leads.nav.inbox',
      icon: <AimOutlined />,
    },
    {
      key: 'leads-pool',
      path: '/leads/pool',
      permission: 'lead:read',
      labelKey: 'leads.nav.pool',
      icon: <InboxOutlined />,
    },
    {
      key: 'leads-settings',
      path: '/leads/settings',
      permission: 'leads:configure',
      labelKey: 'leads.nav.settings',
      icon: <SettingOutlined />,
    },
  ],
  routes: (
    <Route path="leads" key="leads">
      <Route path="inbox" element={<InboxPage />} />
      {/* Under the inbox path so the side navigation keeps the inbox highlighted. */}
      <Route path="inbox/:id" element={<LeadPage />} />
      <Route path="pool" element={<PoolPage />} />
      <Route path="settings" element={<SettingsPage />} />
      <Route path=":id" element={<LeadPage />} />
    </Route>
  ),
  messages: { 'zh-CN': zh, 'en-US': en },
};
