import { CAMPAIGNS_PERMISSIONS } from '@kehu/contracts/campaigns';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../core/db/database.ts';
import { defineModule } from '../../engine/module.ts';
import { seedCampaigns } from './campaigns.demo.ts';
import { campaignRoutes } from './campaigns.routes.ts';
import { registerCampaignPages } from './public.page.ts';
import { LINK_QUEUE, linkProfileJob } from './registration.service.ts';

const MANAGERS = ['总部销售经理', '区域经理', '经销商店长'];

/** 市场活动 (issue 12): activities, registration pages, check-in, channel links, report. */
export default defineModule({
  name: 'campaigns',
  label: { 'zh-CN': '市场活动', 'en-US': 'Campaigns' },
  requires: ['cdp', 'leads', 'sales', 'coupons'],
  routes: campaignRoutes,
  // The registration page, its script, the ticket and short links are public (`/r/…`, `/l/…`).
  http: (app: FastifyInstance, database: Database) => registerCampaignPages(app, database),
  jobs: { [LINK_QUEUE]: linkProfileJob },
  demo: { order: 95, run: seedCampaigns },
  permissions: [
    {
      key: CAMPAIGNS_PERMISSIONS.read,
      label: { 'zh-CN': '查看市场活动', 'en-US': 'View campaigns' },
      demoRoles: [...MANAGERS, '销售顾问'],
    },
    {
      key: CAMPAIGNS_PERMISSIONS.manage,
      label: { 'zh-CN': '管理市场活动', 'en-US': 'Manage campaigns' },
      description: {
        'zh-CN': '在本单位及下级单位创建活动、报名表、渠道链接，录入费用',
        'en-US': 'Create campaigns, registration forms and channel links in your units; record costs',
      },
      demoRoles: MANAGERS,
    },
    {
      key: CAMPAIGNS_PERMISSIONS.checkIn,
      label: { 'zh-CN': '活动签到', 'en-US': 'Check attendees in' },
      description: { 'zh-CN': '在现场扫码或输入手机号签到', 'en-US': 'Scan or type a phone at the venue' },
      demoRoles: [...MANAGERS, '销售顾问'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
});
