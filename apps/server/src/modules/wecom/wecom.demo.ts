import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import type { DemoContext } from '../../engine/module.ts';

/**
 * The demo corp: `npm start` (scripts/start.ts) runs the WeCom simulator in process with the same
 * corp id, secrets and callback keys, and points it at `/wecom/callback/<corpKey>` below. These values
 * are public (they are in this file): they are fit for the demo tenant only, never for a real corp.
 */
export const DEMO_WECOM = {
  corpId: 'wwdemo0000kehu01',
  contactSecret: 'kehu-demo-contact-secret-2026',
  appSecret: 'kehu-demo-app-secret-2026',
  agentId: 1000002,
  token: 'kehuDemoToken2026',
  encodingAESKey: 'kehuDemoEncodingAESKey0000000000000000000ab',
  corpKey: 'demo-corp-callback',
  /** Set by scripts/start.ts when it started the simulator. */
  simulatorUrlEnv: 'KEHU_WECOM_DEMO_URL',
} as const;

/** The demo corp, bound to real WeCom's address until a simulator is attached (`wecomWithSimulator`). */
export async function seedWecom(ctx: DemoContext): Promise<void> {
  const hq = await inTenant(
    ctx.database.db,
    ctx.tenantId,
    async (tx) =>
      (
        await sql<{
          id: string;
        }>`select id from units where tenant_id = ${ctx.tenantId} and code = 'HQ'`.execute(tx)
      ).rows[0],
  );
  if (!hq) return;
  const admin = await ctx.signIn('admin');
  const corp = await admin<{ id: string }>('POST', '/wecom/corps', {
    name: '示例集团企业微信',
    unitId: hq.id,
    corpId: DEMO_WECOM.corpId,
    contactSecret: DEMO_WECOM.contactSecret,
    callbackToken: DEMO_WECOM.token,
    encodingAESKey: DEMO_WECOM.encodingAESKey,
  });
  // A known callback path, so the simulator started before Kehu can be told where to call.
  await inTenant(ctx.database.db, ctx.tenantId, (tx) =>
    sql`update wecom_corps set corp_key = ${DEMO_WECOM.corpKey} where tenant_id = ${ctx.tenantId} and id = ${corp.id}`.execute(
      tx,
    ),
  );
}

/** The demo corp's id, found through the API (a simulator part may run without the seed's state). */
export async function demoCorpId(ctx: DemoContext): Promise<string | undefined> {
  const admin = await ctx.signIn('admin');
  const corps = await admin<{ items: Array<{ id: string; corpId: string }> }>('GET', '/wecom/corps');
  return corps.items.find((c) => c.corpId === DEMO_WECOM.corpId)?.id;
}

/**
 * With the simulator: the corp talks to it, and has the app (企业微信扫码登录 on the login page — with
 * the public demo values real WeCom's login page would refuse the corp); staff synced, two codes.
 */
export async function wecomWithSimulator(ctx: DemoContext, simUrl: string): Promise<void> {
  const corpId = await demoCorpId(ctx);
  if (!corpId) return;
  const admin = await ctx.signIn('admin');
  await admin('PATCH', `/wecom/corps/${corpId}`, {
    baseUrl: simUrl,
    appSecret: DEMO_WECOM.appSecret,
    agentId: DEMO_WECOM.agentId,
  });
  await admin('POST', `/wecom/corps/${corpId}/staff/sync`);
  await admin('POST', '/wecom/codes', {
    corpRef: corpId,
    name: '2026 上海车展',
    state: 'expo-2026',
    channel: 'exhibition',
    staff: ['sun.lei', 'zhao.jing'],
    tags: ['车展意向'],
    dailyCap: 50,
    welcomeText: '您好！感谢关注示例集团车展，我是您的专属顾问，有任何问题随时找我。',
  });
  await admin('POST', '/wecom/codes', {
    corpRef: corpId,
    name: '浦东张江店 到店',
    state: 'store-pd-zj',
    channel: 'walk_in',
    staff: ['sun.lei'],
    tags: ['到店'],
    welcomeText: '欢迎光临浦东张江店！',
  });
}
