#!/usr/bin/env node
// Runs the SMS simulator alone: `node packages/sms-simulator/src/main.ts [--port 3200]`.
import { DEMO_SMS, startSmsSimulator } from './index.ts';

const i = process.argv.indexOf('--port');
const port = Number((i > 0 ? process.argv[i + 1] : undefined) ?? process.env.PORT ?? 3200);
const sim = await startSmsSimulator({ host: '127.0.0.1', port, autoReport: true });
sim.addAccount({
  accessKeyId: DEMO_SMS.accessKeyId,
  accessKeySecret: DEMO_SMS.accessKeySecret,
  signNames: [DEMO_SMS.signName],
  templates: { ...DEMO_SMS.templates },
  reportUrl: process.env.SMS_REPORT_URL,
});
console.log(`SMS simulator: ${sim.url}/`);
