import { WECOM_PERMISSIONS } from '@kehu/contracts/wecom';
import { WECOM_ACTIVITY_PERMISSION } from '@kehu/contracts/wecom-groups';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../core/db/database.ts';
import { defineModule } from '../../engine/module.ts';
import { acquisitionLinkRoutes } from './acquisition-links.routes.ts';
import { ACTIVITY_QUEUE, activityJob, bindActivityDatabase } from './activity.service.ts';
import { CALLBACK_QUEUE, registerCallbacks } from './callback.http.ts';
import { bindDatabase, callbackJob } from './callback.job.ts';
import { groupRoutes } from './groups.routes.ts';
import { joinCodeRoutes } from './join-codes.routes.ts';
import { jsapiRoutes } from './jsapi-signature.ts';
import { bindReconcileDatabase, RECONCILE_QUEUE, reconcileJob } from './reconcile.job.ts';
import { hasWecomSignIn, registerSso } from './sso.http.ts';
import { registerStoreCodePage } from './store-codes.page.ts';
import { storeCodeRoutes } from './store-codes.routes.ts';
import { syncRoutes } from './sync.routes.ts';
import { wecomTagRoutes } from './tags.routes.ts';
import {
  bindTagDatabase,
  cdpTagSubscriber,
  TAG_APPLY_QUEUE,
  TAG_SYNC_QUEUE,
  tagApplyJob,
  tagSyncJob,
} from './tags.service.ts';
import { transferRoutes } from './transfers.routes.ts';
import { wecomUserDisableCheck } from './user-disable.check.ts';
import { seedWecom, wecomWithSimulator } from './wecom.demo.ts';
import { wecomRoutes } from './wecom.routes.ts';

/** WeCom (企业微信) connection (issue 10; R5.1, R5.7, R11.3): corps per unit, channel codes, external contacts. */
export default defineModule({
  name: 'wecom',
  label: { 'zh-CN': '企业微信', 'en-US': 'WeCom' },
  requires: ['crm', 'notifications', 'leads', 'cdp', 'materials'],
  routes: [
    ...wecomRoutes,
    ...groupRoutes,
    ...wecomTagRoutes,
    ...jsapiRoutes,
    ...acquisitionLinkRoutes,
    ...joinCodeRoutes,
    ...transferRoutes,
    ...syncRoutes,
    ...storeCodeRoutes,
  ],
  // WeCom's callback protocol lives outside /api/v1 (`/wecom/callback/:corpKey`, XML, signatures).
  start: (database: Database) => {
    bindDatabase(database);
    bindReconcileDatabase(database);
    bindActivityDatabase(database);
    bindTagDatabase(database);
  },
  http: async (app: FastifyInstance, database: Database) => {
    await registerCallbacks(app, database);
    await registerSso(app, database);
    registerStoreCodePage(app, database);
  },
  subscribers: [cdpTagSubscriber],
  jobs: {
    [CALLBACK_QUEUE]: callbackJob,
    [RECONCILE_QUEUE]: reconcileJob,
    [ACTIVITY_QUEUE]: activityJob,
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
    {
      key: WECOM_ACTIVITY_PERMISSION,
      label: { 'zh-CN': '查看企业微信员工活跃度', 'en-US': 'View WeCom staff activity' },
      description: {
        'zh-CN': '按员工和团队每日的加好友、被删、流失、聊天和回复数据（销售顾问只看自己，经理看团队）',
        'en-US':
          'Per staff member and team per day: adds, deletions, losses, chats and replies (a salesperson sees themself, a manager their team)',
      },
      demoRoles: ['总部销售经理', '区域经理', '经销商店长', '销售顾问'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  demo: { order: 60, run: seedWecom, withSimulator: wecomWithSimulator },
  // 企业微信扫码登录 on the login page, for tenants with a corp whose app is set up (sso.http.ts).
  contributes: [
    {
      point: 'sign-in-method',
      value: {
        key: 'wecom',
        label: { 'zh-CN': '企业微信扫码登录', 'en-US': 'Sign in with WeCom' },
        startUrl: '/wecom/sso/start?tenant={tenant}',
        icon: 'wecom',
        enabledFor: hasWecomSignIn,
      },
    },
    { point: 'user-disable-check', value: wecomUserDisableCheck },
  ],
});

/** For business cards and fission (issue 11): a contact way per card / participant, its QR image, its adds. */
export { createCode, fetchQrImage, type QrImage } from './codes.service.ts';
/** For the sidebar, mass messaging and journeys (issues 11, 12): the connector and its crypto. */
export { WeComApiError, WeComClient } from './connector/client.ts';
export type { WeComContactEvent } from './contact-events.ts';
/** The corp's directory and runtime for modules built on the connection (chat archive, sidebar …). */
export { corpRuntime, getCorp } from './corps.service.ts';
export { externalContacts, staffOfCorp } from './directory.ts';
/** Group membership events (fission's join-a-group task) and per-participant join codes. */
export { WECOM_GROUP_EVENT_TYPES, type WeComGroupEvent } from './group-events.ts';
export { createJoinCode } from './join-codes.service.ts';
/** For outreach (群发): material attachments per kind and sending staff member (issue 11). */
export {
  type MassMaterial,
  type MassSender,
  massAttachments,
  pickMassMaterials,
} from './mass-attachments.ts';
/** For the chat sidebar (issue 11): who follows a contact, a group with its members, the corp tags. */
export { corpTagChoices, type FollowRow, followsOf, groupByChatId } from './sidebar-lookup.ts';
/** For staff analytics: the activity report's figures per Kehu user and day. */
export { type WecomStaffDay, wecomFiguresByStaff } from './staff-figures.ts';
export { DEMO_WECOM } from './wecom.demo.ts';
