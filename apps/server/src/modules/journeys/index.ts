import { JOURNEY_PERMISSIONS } from '@kehu/contracts/journeys';
import { defineModule } from '../../engine/module.ts';
import { issueCoupon } from '../coupons/index.ts';
import { sendMessage } from '../messaging/index.ts';
import { advanceJob } from './advance.job.ts';
import { couponUnsentSubscriber } from './coupon-unsent.ts';
import { ADVANCE_QUEUE } from './enrol.service.ts';
import { journeyRoutes } from './journeys.routes.ts';
import { messageEventsSubscriber } from './message-events.ts';
import { PRUNE_QUEUE, pruneJob } from './prune.job.ts';
import { bindChannels } from './sender.ts';
import { DATES_QUEUE, datesJob, EVENTS_QUEUE, eventsJob, triggerSubscribers } from './triggers.ts';

// Sends go through messaging's guards (consent, caps, quiet hours …) in the step's transaction;
// a send step with a coupon template issues the coupon first (same key) and passes its code.
bindChannels(sendMessage, issueCoupon);

const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });
const MARKETERS = ['总部销售经理'];

/**
 * Journeys (issue 12; R6.1–R6.3, R13.1): a per-profile durable workflow on PostgreSQL, started by
 * segment entry/exit, events, dates, CRM changes or by hand, through waits, splits, sends (via
 * messaging's guards), tasks, tags and field updates, measured against a holdout.
 */
export default defineModule({
  name: 'journeys',
  label: label('客户旅程', 'Journeys'),
  requires: ['cdp', 'notifications', 'messaging', 'coupons', 'leads'],
  routes: journeyRoutes,
  jobs: {
    [ADVANCE_QUEUE]: advanceJob,
    [EVENTS_QUEUE]: eventsJob,
    [DATES_QUEUE]: datesJob,
    [PRUNE_QUEUE]: pruneJob,
  },
  subscribers: [...triggerSubscribers, messageEventsSubscriber, couponUnsentSubscriber],
  permissions: [
    {
      key: JOURNEY_PERMISSIONS.read,
      label: label('查看客户旅程', 'View journeys'),
      description: label(
        '旅程、各步骤人数与转化、对照组提升',
        'Journeys, people per step, conversion and uplift',
      ),
      demoRoles: [...MARKETERS, '数据分析师', '区域经理'],
    },
    {
      key: JOURNEY_PERMISSIONS.manage,
      label: label('设计与发布旅程', 'Design and publish journeys'),
      description: label(
        '编辑画布、发布新版本、暂停与归档',
        'Edit the canvas, publish versions, pause and archive',
      ),
      demoRoles: MARKETERS,
    },
    {
      key: JOURNEY_PERMISSIONS.enrol,
      label: label('手动加入旅程', 'Enrol into journeys'),
      description: label(
        '手动或通过 API 将客户加入已发布的旅程',
        'Put profiles into a live journey by hand or API',
      ),
      demoRoles: MARKETERS,
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
});
