import { MESSAGING_PERMISSIONS } from '@kehu/contracts/messaging';
import { defineModule } from '../../engine/module.ts';
import { BULK_QUEUE, bulkSendJob } from './bulk-send.service.ts';
import { deliverJob } from './deliver.job.ts';
import { seedMessaging } from './messaging.demo.ts';
import { messagingRoutes } from './messaging.routes.ts';
import { registerPublicMessaging } from './public.http.ts';
import { DELIVER_QUEUE } from './send.service.ts';
import { sendTaskSubscriber } from './send-task.subscriber.ts';
import { registerSmsReceipts } from './sms-receipts.http.ts';
import { WECOM_MASS_POLL_QUEUE, wecomMassPollJob } from './wecom-mass-poll.job.ts';

const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });

/**
 * Messaging (issue 12; R5, R13.1): one send path — guards (consent, unsubscribes, WeCom's rules,
 * frequency caps, quiet hours), templates, channel adapters, durable delivery and the attempt log —
 * for journeys, campaigns, the API and people.
 */
export default defineModule({
  name: 'messaging',
  label: label('消息触达', 'Messaging'),
  requires: ['cdp', 'notifications', 'wecom', 'outreach'],
  routes: messagingRoutes,
  // Outside /api/v1, each authorised by the token in its URL: Aliyun's SMS receipts, tracked
  // links, the open pixel, unsubscribe links and the bounce hook.
  http: async (app, database) => {
    await registerSmsReceipts(app, database);
    await registerPublicMessaging(app, database);
  },
  subscribers: [sendTaskSubscriber],
  jobs: { [DELIVER_QUEUE]: deliverJob, [BULK_QUEUE]: bulkSendJob, [WECOM_MASS_POLL_QUEUE]: wecomMassPollJob },
  permissions: [
    {
      key: MESSAGING_PERMISSIONS.read,
      label: label('查看消息记录', 'View the message log'),
      description: label(
        '消息发送记录、跳过原因与渠道设置（手机号、邮箱脱敏）',
        'Message attempts, skip reasons and channel settings (phones and emails masked)',
      ),
      demoRoles: ['总部销售经理', '数据分析师'],
    },
    {
      key: MESSAGING_PERMISSIONS.send,
      label: label('发送消息', 'Send messages'),
      description: label(
        '通过短信、邮件、站内信、企业微信等渠道向客户发送消息（经同意、退订、频控与免打扰检查）',
        'Send messages to customers by SMS, email, in-app, WeCom … (through consent, unsubscribe, cap and quiet-hour checks)',
      ),
      demoRoles: ['总部销售经理'],
    },
    {
      key: MESSAGING_PERMISSIONS.manage,
      label: label('管理消息渠道与模板', 'Manage channels and templates'),
      description: label(
        '短信凭据、发件人、频控、免打扰时段、Webhook 与消息模板',
        'SMS credentials, sender, caps, quiet hours, webhook and message templates',
      ),
      demoRoles: ['总部销售经理'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  demo: { order: 90, run: seedMessaging },
});

/** The messaging contract (journeys, campaigns): see README.md. */
export { sendMessage } from './send.service.ts';
export type { ChannelKind, ConsentPurpose, SendOutcome, SendRequest, SkipReason } from './types.ts';
