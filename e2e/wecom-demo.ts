// The WeCom simulator as the demo corp, in the test process of a browser test file.
import { after } from 'node:test';
import { type SimCorp, startDemoCorp, startWeComSimulator, type WeComSimulator } from '@kehu/wecom-simulator';
import { DEMO_WECOM } from '../apps/server/src/modules/wecom/wecom.demo.ts';
import { allowOutboundHost } from '../apps/server/src/testing/outbound-allow.ts';

/**
 * Starts the simulator playing the demo corp before the file's Kehu server starts: it is let through
 * the outbound guard and named to the demo seeding (which binds the corp to it), and closed after.
 */
export async function startDemoWeCom(
  seed: number,
): Promise<{ sim: WeComSimulator; demo: { corp: SimCorp } }> {
  const sim = await startWeComSimulator({ seed, callbackRetryDelayMs: 0 });
  const demo = startDemoCorp(sim, {
    corpId: DEMO_WECOM.corpId,
    contactSecret: DEMO_WECOM.contactSecret,
    appSecret: DEMO_WECOM.appSecret,
  });
  allowOutboundHost(new URL(sim.url).host);
  process.env[DEMO_WECOM.simulatorUrlEnv] = sim.url;
  after(() => sim.close());
  return { sim, demo };
}

/** Points the demo corp's callbacks at the Kehu server the tests started (its demo corp's path and keys). */
export function callBackTo(demo: { corp: SimCorp }, server: { url: string }): void {
  demo.corp.setCallback({
    url: `${server.url}/wecom/callback/${DEMO_WECOM.corpKey}`,
    token: DEMO_WECOM.token,
    encodingAESKey: DEMO_WECOM.encodingAESKey,
  });
}
