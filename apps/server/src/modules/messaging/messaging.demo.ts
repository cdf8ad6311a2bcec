import type { DemoContext } from '../../engine/module.ts';

/**
 * The demo tenant's SMS account: `npm start` (scripts/start.ts) starts the SMS simulator and
 * binds it here before the demo is seeded; the seed saves it as the tenant's account and hands
 * the receipt URL (shown once) back so the simulator pushes receipts to Kehu.
 */
interface DemoSms {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  textTemplate: string;
}
let bound: { account: DemoSms; onReceiptUrl: (url: string) => void } | null = null;

export function bindDemoSms(account: DemoSms, onReceiptUrl: (url: string) => void): void {
  bound = { account, onReceiptUrl };
}

export async function seedMessaging(ctx: DemoContext): Promise<void> {
  const admin = await ctx.signIn('admin');
  if (bound) {
    const saved = await admin<{ receiptUrl: string }>('PUT', '/messaging/sms-account', bound.account);
    bound.onReceiptUrl(saved.receiptUrl);
  }
  await admin('PUT', '/messaging/settings', {
    quietStart: '21:00',
    quietEnd: '08:00',
    caps: [
      { channel: 'sms', purpose: 'marketing', max: 2, days: 7 },
      { channel: '*', purpose: 'marketing', max: 5, days: 30 },
    ],
    webhookUrl: null,
  });
  const segments = (await admin<{ items: Array<{ id: string; name: string }> }>('GET', '/cdp/segments'))
    .items;
  const sms = await admin<{ id: string }>('POST', '/messaging/templates', {
    name: '保养到期提醒',
    channel: 'sms',
    body: '{{name}}您好，您的爱车已到保养周期，{{owner.name}}已为您预留工位，点击预约 https://kehu.example.com/book?src=sms 回TD退订',
  });
  await admin('POST', '/messaging/templates', {
    name: '春季保养季 8 折',
    channel: 'email',
    subject: '{{name}}，春季保养季 8 折券已到账',
    body: '{{name}}您好：\n\n春季保养季期间到店保养享 8 折，券码 {{coupon_code}}，4 月 30 日前有效。\n\n活动详情 https://kehu.example.com/spring',
    url: 'https://kehu.example.com/book?src=email',
    variants: segments.slice(0, 1).map((s) => ({
      segmentId: s.id,
      subject: '{{name}}，老客户专享：春季保养 7 折',
      body: '{{name}}您好：\n\n感谢您一直以来的信任，老客户春季保养享 7 折，券码 {{coupon_code}}。\n\n立即预约 https://kehu.example.com/spring?vip=1',
    })),
  });
  await admin('POST', '/messaging/templates', {
    name: '新线索跟进提醒',
    channel: 'in_app',
    body: '客户 {{name}} 刚刚点击了保养预约链接，请今天内联系。',
  });
  // A few sends through the guards, so the log shows sent, held and skipped messages with reasons.
  const profiles = (await admin<{ items: Array<{ id: string }> }>('GET', '/cdp/profiles?limit=12')).items;
  for (const [i, p] of profiles.entries()) {
    await admin('POST', '/messaging/messages', {
      profileId: p.id,
      channel: i % 3 === 2 ? 'in_app' : 'sms',
      purpose: i % 2 ? 'service' : 'marketing',
      ...(i % 3 === 2
        ? { content: { text: '客户刚刚浏览了春季保养活动页，请跟进。' } }
        : { templateId: sms.id }),
      idempotencyKey: `demo-${i}`,
      dropIfQuiet: false,
    }).catch(() => undefined);
  }
  await ctx.drain();
}
