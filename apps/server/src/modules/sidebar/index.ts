import { SIDEBAR_PERMISSIONS } from '@kehu/contracts/sidebar';
import { defineModule } from '../../engine/module.ts';
import { registerSidebarPagePolicy } from './page-policy.ts';
import { sidebarRoutes } from './sidebar.routes.ts';

/**
 * The WeCom chat sidebar (聊天工具栏, issue 11, R5.3): what a staff member sees of the customer or
 * group in the chat they have open, inside WeCom (web page `/sidebar`, JS-SDK signatures from the
 * wecom module). Reads through crm/sales/cdp/wecom; owns no tables.
 */
export default defineModule({
  name: 'sidebar',
  label: { 'zh-CN': '聊天工具栏', 'en-US': 'Chat sidebar' },
  requires: ['crm', 'sales', 'cdp', 'wecom', 'chats', 'scripts'],
  routes: sidebarRoutes,
  // The page itself is the web app's; only its security policy differs (page-policy.ts).
  http: registerSidebarPagePolicy,
  permissions: [
    {
      key: SIDEBAR_PERMISSIONS.use,
      label: { 'zh-CN': '使用企业微信聊天工具栏', 'en-US': 'Use the WeCom chat sidebar' },
      description: {
        'zh-CN':
          '在企业微信聊天中查看自己的客户（或管辖范围内员工的客户）的档案、标签、商机与订单，打标签、记跟进',
        'en-US':
          "In a WeCom chat: see the profile, tags, opportunities and orders of one's own customers (or those of staff in one's scope), tag them, log follow-ups",
      },
      demoRoles: ['总部销售经理', '区域经理', '经销商店长', '销售顾问'],
    },
  ],
  testKit: () => import('./test-kit.ts'),
});

/** The sidebar's access rule for other modules' chat actions (service files tickets from the chat). */
export { sidebarChatPerson } from './sidebar.service.ts';
