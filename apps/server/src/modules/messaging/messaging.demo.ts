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
  if (!bound) return;
  const admin = await ctx.signIn('admin');
  const saved = await admin<{ receiptUrl: string }>('PUT', '/messaging/sms-account', bound.account);
  bound.onReceiptUrl(saved.receiptUrl);
}
