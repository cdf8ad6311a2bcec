import { CHATS_PERMISSIONS } from '@kehu/contracts/chats';
import { defineModule } from '../../engine/module.ts';
import { ARCHIVE_QUEUE, archiveJob, bindArchiveDatabase } from './archive.job.ts';
import { chatsWithSimulator } from './chats.demo.ts';
import { chatRoutes } from './chats.routes.ts';

const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });

/**
 * 会话内容存档 (issue 11; R5.6, R12.5): messages from WeCom's chat archive through the Finance SDK
 * sidecar, customers' archive consent in the CDP ledger, sensitive-word and risky-behaviour alerts
 * to managers, keyword auto-tags, and first-reply time and reply rate per staff member.
 */
export default defineModule({
  name: 'chats',
  label: label('会话存档', 'Chat archive'),
  requires: ['wecom', 'cdp', 'notifications', 'leads'],
  routes: chatRoutes,
  start: bindArchiveDatabase,
  jobs: { [ARCHIVE_QUEUE]: archiveJob },
  permissions: [
    {
      key: CHATS_PERMISSIONS.read,
      label: label('查看会话存档', 'Read archived chats'),
      description: label(
        '按数据范围查看会话、预警与回复时效（销售顾问看自己的，经理看团队的）',
        'Conversations, alerts and reply figures in the data scope (a salesperson their own, a manager their team’s)',
      ),
      demoRoles: ['总部销售经理', '区域经理', '经销商店长'],
    },
    {
      key: CHATS_PERMISSIONS.manage,
      label: label('管理会话存档', 'Manage the chat archive'),
      description: label(
        '配置存档服务与密钥、敏感词与风险行为规则、关键词自动打标签',
        'Set up the archive sidecar and keys, sensitive-word and risky-behaviour rules, keyword auto-tags',
      ),
      demoRoles: ['总部销售经理'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  demo: { order: 65, withSimulator: chatsWithSimulator },
});

/** The sidebar's reply suggestions answer the customer's latest message to the staff member. */
export { lastCustomerTextTo } from './chats.queries.ts';
/** For staff analytics: reply figures per Kehu user and day. */
export { type ChatStaffDay, chatFiguresByStaff } from './staff-figures.ts';
