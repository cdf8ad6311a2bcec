// @kehu/sms-simulator: a protocol-faithful stand-in for Aliyun SMS (Dysms), for Kehu's tests,
// benchmarks and demo. It imports nothing from Kehu: it plays an external service. See README.md.
import { SmsSimulator, type SmsSimulatorOptions } from './simulator.ts';

export type { SimAccount, SimSms, SmsReport } from './model.ts';
export { canonicalQuery, percentEncode, signedParams, signV1 } from './signature.ts';
export { beijing, normalise, SmsSimulator, type SmsSimulatorOptions } from './simulator.ts';

export async function startSmsSimulator(
  opts: SmsSimulatorOptions & { host?: string; port?: number } = {},
): Promise<SmsSimulator> {
  const sim = new SmsSimulator(opts);
  await sim.listen(opts.host ?? '127.0.0.1', opts.port ?? 0);
  return sim;
}

/** The demo tenant's SMS account (npm start): Kehu's demo settings use the same pair. */
export const DEMO_SMS = {
  accessKeyId: 'LTAIdemoKehuSms0001',
  accessKeySecret: 'demo-sms-secret-kehu-2026',
  signName: '示例集团',
  templates: {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Aliyun's template placeholders
    SMS_DEMO_MARKETING: '${name}您好，${text}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Aliyun's template placeholders
    SMS_DEMO_SERVICE: '${text}',
  },
} as const;
