import { OUTREACH_PERMISSIONS } from '@kehu/contracts/outreach';
import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { defineModule } from '../../engine/module.ts';
import { outreachRoutes } from './outreach.routes.ts';
import { pollJob } from './poll.job.ts';
import { POLL_QUEUE } from './poll-schedule.ts';
import { bindOutreachDatabase, SEND_QUEUE, sendJob } from './send.job.ts';
import { getSettings } from './settings.service.ts';
import { SOP_QUEUE, sopJob } from './sop.job.ts';
import { sopStageSubscriber } from './sop-stage.subscriber.ts';

const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });

/**
 * 群发 and SOP (issue 11; R5.2–R5.5, R13.1): mass messages to customers and groups through WeCom's
 * add_msg_template with a plan that names who is excluded and why (consent, deleted staff, the
 * monthly cap, quiet hours), staff confirmation and results; SOP rules that become staff tasks.
 */
export default defineModule({
  name: 'outreach',
  label: label('群发与SOP', 'Mass messages & SOP'),
  requires: ['wecom', 'cdp', 'notifications', 'chats'],
  routes: outreachRoutes,
  start: bindOutreachDatabase,
  subscribers: [sopStageSubscriber],
  jobs: { [SEND_QUEUE]: sendJob, [SOP_QUEUE]: sopJob, [POLL_QUEUE]: pollJob },
  permissions: [
    {
      key: OUTREACH_PERMISSIONS.read,
      label: label('查看群发与SOP', 'View mass messages and SOP'),
      description: label(
        '按数据范围查看群发计划与结果、我的 SOP 任务与完成率',
        'Mass message plans and results in the data scope, my SOP tasks and completion rates',
      ),
      demoRoles: ['总部销售经理', '区域经理', '经销商店长', '销售顾问'],
    },
    {
      key: OUTREACH_PERMISSIONS.send,
      label: label('发起群发', 'Send mass messages'),
      description: label(
        '向自己可见的客户或客户群发起群发、设置免打扰时段、编辑 SOP',
        'Send mass messages to customers or groups one may see, set quiet hours, edit SOPs',
      ),
      // A salesperson sends to their own customers (their data scope), as in WeCom's client.
      demoRoles: ['总部销售经理', '区域经理', '经销商店长', '销售顾问'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
});

/** Messaging's wecom_mass channel: one 企业群发 template to one customer from the staff member who has them. */
export {
  type MassTemplateOutcome,
  type MassTemplateResult,
  massTemplateOutcome,
  sendMassTemplate,
} from './mass-template.ts';
/** Messaging's wecom_private channel: a 1:1 message becomes the staff member's one-tap send task. */
export { createSendTask } from './send-task.ts';
/** For staff analytics: SOP completion and mass-message confirmation per Kehu user and day. */
export { type OutreachStaffDay, outreachFiguresByStaff } from './staff-figures.ts';
/**
 * WeCom's monthly cap on 企业群发 per customer, as 群发 counts it (messaging's wecom_mass channel adds
 * its own sends): the tenant's cap and the mass messages planned or sent to `externalUserid` this
 * calendar month (China time, WeCom's clock).
 */
export async function wecomMonthlyUse(
  tx: Tx,
  tenantId: string,
  externalUserid: string,
  at: Date,
): Promise<{ cap: number; used: number }> {
  const { monthlyCap } = await getSettings(tx, tenantId);
  const r = await sql<{ n: number }>`select count(*)::int as n from outreach_recipients
    where tenant_id = ${tenantId} and target = ${externalUserid} and status in ('planned', 'waiting', 'sent')
      and planned_at >= date_trunc('month', ${at}::timestamptz at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai'
      and planned_at < (date_trunc('month', ${at}::timestamptz at time zone 'Asia/Shanghai') + interval '1 month') at time zone 'Asia/Shanghai'`.execute(
    tx,
  );
  return { cap: monthlyCap, used: r.rows[0]?.n ?? 0 };
}
