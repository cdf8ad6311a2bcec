import { WECOM_PERMISSIONS } from '@kehu/contracts/wecom';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../core/db/database.ts';
import { defineModule } from '../../engine/module.ts';
import { CALLBACK_QUEUE, registerCallbacks } from './callback.http.ts';
import { bindDatabase, callbackJob } from './callback.job.ts';
import { bindReconcileDatabase, RECONCILE_QUEUE, reconcileJob } from './reconcile.job.ts';
import { wecomTagRoutes } from './tags.routes.ts';
import {
  bindTagDatabase,
  cdpTagSubscriber,
  TAG_APPLY_QUEUE,
  TAG_SYNC_QUEUE,
  tagApplyJob,
  tagSyncJob,
} from './tags.service.ts';
import { seedWecom } from './wecom.demo.ts';
import { wecomRoutes } from './wecom.routes.ts';

/** WeCom (企业微信) connection (issue 10; R5.1, R5.7, R11.3): corps per unit, channel codes, external contacts. */
export default defineModule({
  name: 'wecom',
  label: { 'zh-CN': '企业微信', 'en-US': 'WeCom' },
  requires: ['crm', 'notifications', 'leads', 'cdp'],
  routes: [...wecomRoutes, ...wecomTagRoutes],
  // WeCom's callback protocol lives outside /api/v1 (`/wecom/callback/:corpKey`, XML, signatures).
  http: async (app: FastifyInstance, database: Database) => {
    bindDatabase(database);
    bindReconcileDatabase(database);
    bindTagDatabase(database);
    await registerCallbacks(app, database);
  },
  subscribers: [cdpTagSubscriber],
  jobs: {
    [CALLBACK_QUEUE]: callbackJob,
    [RECONCILE_QUEUE]: reconcileJob,
    [TAG_APPLY_QUEUE]: tagApplyJob,
    [TAG_SYNC_QUEUE]: tagSyncJob,
  },
  permissions: [
    {
      key: WECOM_PERMISSIONS.read,
      label: { 'zh-CN': '查看企业微信', 'en-US': 'View WeCom' },
      description: {
        'zh-CN': '企业、成员、渠道活码及数据、外部联系人（不含任何密钥）',
        'en-US': 'Corps, staff, channel codes with their figures, external contacts (never any secret)',
      },
      demoRoles: ['总部销售经理', '区域经理', '经销商店长'],
    },
    {
      key: WECOM_PERMISSIONS.manage,
      label: { 'zh-CN': '管理企业微信', 'en-US': 'Manage WeCom' },
      description: {
        'zh-CN': '绑定企业与密钥、成员映射、创建和修改渠道活码',
        'en-US': 'Bind corps and their secrets, map staff, create and change channel codes',
      },
      // A dealer binds its own corp (R5.7).
      demoRoles: ['总部销售经理', '经销商店长'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  demo: { order: 60, run: seedWecom },
});

/** For the sidebar, mass messaging and journeys (issues 11, 12): the connector and its crypto. */
export { WeComApiError, WeComClient } from './connector/client.ts';
export { DEMO_WECOM } from './wecom.demo.ts';
