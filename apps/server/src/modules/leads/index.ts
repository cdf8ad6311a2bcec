import { LEADS_PERMISSIONS } from '@kehu/contracts/leads';
import { defineModule } from '../../engine/module.ts';
import { activityHooks } from './activity.hooks.ts';
import { activityObject } from './activity.object.ts';
import { leadHomeCards } from './home-cards.ts';
import { inboxStatsRoutes } from './inbox-stats.service.ts';
import { leadHooks, NOTIFY_QUEUE, TICK_QUEUE, TRAIN_QUEUE } from './lead.hooks.ts';
import { leadObject } from './lead.object.ts';
import { seedLeads } from './leads.demo.ts';
import { notifyJob, tickJob, trainJob } from './leads.jobs.ts';
import { leadRoutes } from './leads.routes.ts';

/** Leads (R3): intake, dedupe, scoring, assignment, SLA, pool, conversion; activities. */
export default defineModule({
  name: 'leads',
  label: { 'zh-CN': '线索', 'en-US': 'Leads' },
  requires: ['crm', 'notifications'],
  objects: [leadObject, activityObject],
  hooks: [
    { object: 'lead', hooks: leadHooks },
    { object: 'activity', hooks: activityHooks },
  ],
  routes: [...leadRoutes, ...inboxStatsRoutes],
  jobs: { [NOTIFY_QUEUE]: notifyJob, [TICK_QUEUE]: tickJob, [TRAIN_QUEUE]: trainJob },
  permissions: [
    {
      key: LEADS_PERMISSIONS.configure,
      label: { 'zh-CN': '线索设置', 'en-US': 'Configure leads' },
      description: {
        'zh-CN': '分配规则、SLA、评分、公海、表单与渠道码、通知 Webhook',
        'en-US': 'Assignment rules, SLA, scoring, pool, forms and channel codes, notification webhooks',
      },
      demoRoles: ['总部销售经理'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  homeCards: leadHomeCards,
  demo: { order: 20, run: seedLeads },
});
