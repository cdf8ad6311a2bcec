// `npm start`: builds the web app on first run, then starts Kehu (API + workers + web UI).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'apps/web/dist/index.html')) && existsSync(join(root, 'apps/web/index.html'))) {
  console.log('Building the web app (first start only) …');
  const r = spawnSync('npm', ['run', 'build', '-w', 'apps/web'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0)
    console.warn('Web build failed; the API still starts. Run `npm run build:web` to see why.');
}
process.argv.splice(2, 0, 'start');
await startWeComDemo();
await startSmsDemo();
await import('../apps/server/src/main.ts');

/**
 * The WeCom simulator for the demo (issue 10): a newcomer sees SCRM working without a real corp.
 * It plays the demo corp the demo tenant binds at first start (modules/wecom/wecom.demo.ts) and
 * calls Kehu back at the demo corp's callback path. KEHU_WECOM_SIMULATOR=off skips it; a real corp
 * is configured per unit in the UI.
 */
async function startWeComDemo() {
  if (process.env.KEHU_WECOM_SIMULATOR === 'off') return;
  const portArg = process.argv.indexOf('--port');
  const kehuPort = Number((portArg > 0 ? process.argv[portArg + 1] : undefined) ?? process.env.PORT ?? 3000);
  const simPort = Number(process.env.KEHU_WECOM_SIMULATOR_PORT ?? kehuPort + 100);
  try {
    const { startDemoCorp, startWeComSimulator } = await import('@kehu/wecom-simulator');
    const { DEMO_WECOM } = await import('../apps/server/src/modules/wecom/wecom.demo.ts');
    const sim = await startWeComSimulator({ host: '127.0.0.1', port: simPort });
    startDemoCorp(sim, {
      corpId: DEMO_WECOM.corpId,
      contactSecret: DEMO_WECOM.contactSecret,
      appSecret: DEMO_WECOM.appSecret,
      token: DEMO_WECOM.token,
      encodingAESKey: DEMO_WECOM.encodingAESKey,
      callbackUrl: `http://127.0.0.1:${kehuPort}/wecom/callback/${DEMO_WECOM.corpKey}`,
    });
    const host = new URL(sim.url).host;
    process.env.KEHU_OUTBOUND_ALLOW = [process.env.KEHU_OUTBOUND_ALLOW, host].filter(Boolean).join(',');
    process.env[DEMO_WECOM.simulatorUrlEnv] = sim.url;
    console.log(`WeCom simulator (demo corp ${DEMO_WECOM.corpId}): ${sim.url}/`);
  } catch (err) {
    console.warn(`WeCom simulator not started: ${(err as Error).message}`);
  }
}

/**
 * The SMS simulator for the demo (issue 12): Aliyun Dysms as the demo tenant's SMS account
 * (modules/messaging/messaging.demo.ts binds it at first start), receipts pushed back to Kehu.
 * KEHU_SMS_SIMULATOR=off skips it; a real account is set on 消息触达 › 渠道设置.
 */
async function startSmsDemo() {
  if (process.env.KEHU_SMS_SIMULATOR === 'off') return;
  const portArg = process.argv.indexOf('--port');
  const kehuPort = Number((portArg > 0 ? process.argv[portArg + 1] : undefined) ?? process.env.PORT ?? 3000);
  const simPort = Number(process.env.KEHU_SMS_SIMULATOR_PORT ?? kehuPort + 200);
  try {
    const { DEMO_SMS, startSmsSimulator } = await import('@kehu/sms-simulator');
    const sim = await startSmsSimulator({ host: '127.0.0.1', port: simPort, autoReport: true });
    const { bindDemoSms } = await import('../apps/server/src/modules/messaging/messaging.demo.ts');
    // The demo tenant's receipt URL is known once Kehu has bound the account (first start only:
    // on later starts SMS still go out, receipts wait until the account is saved again).
    const demo = {
      endpoint: sim.url,
      accessKeyId: DEMO_SMS.accessKeyId,
      accessKeySecret: DEMO_SMS.accessKeySecret,
      signName: DEMO_SMS.signName,
      textTemplate: 'SMS_DEMO_SERVICE',
    };
    bindDemoSms(demo, (reportUrl) =>
      sim.addAccount({
        accessKeyId: DEMO_SMS.accessKeyId,
        accessKeySecret: DEMO_SMS.accessKeySecret,
        signNames: [DEMO_SMS.signName],
        templates: { ...DEMO_SMS.templates },
        reportUrl: reportUrl.replace(/^https?:\/\/[^/]+/, `http://127.0.0.1:${kehuPort}`),
      }),
    );
    sim.addAccount({
      accessKeyId: DEMO_SMS.accessKeyId,
      accessKeySecret: DEMO_SMS.accessKeySecret,
      signNames: [DEMO_SMS.signName],
      templates: { ...DEMO_SMS.templates },
    });
    const host = new URL(sim.url).host;
    process.env.KEHU_OUTBOUND_ALLOW = [process.env.KEHU_OUTBOUND_ALLOW, host].filter(Boolean).join(',');
    console.log(`SMS simulator (Aliyun Dysms, demo account ${DEMO_SMS.accessKeyId}): ${sim.url}/`);
  } catch (err) {
    console.warn(`SMS simulator not started: ${(err as Error).message}`);
  }
}
