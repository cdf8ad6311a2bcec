import { guardedFetch } from '../../core/net/outbound-url.ts';
import type { DemoContext } from '../../engine/module.ts';
import { DEMO_WECOM } from '../wecom/index.ts';

const ARCHIVE_SECRET = 'kehu-demo-archive-secret-2026';

/**
 * The demo corp's chat archive, set up as a corp admin would: Kehu makes the key pair, the admin
 * "uploads" the public key in the simulator's console, and the rules a brand starts with. Chats
 * appear once someone talks in the simulator (its page at /) and the archive is pulled.
 */
export async function chatsWithSimulator(ctx: DemoContext, simUrl: string): Promise<void> {
  const admin = await ctx.signIn('admin');
  const corps = await admin<{ items: Array<{ id: string; corpId: string }> }>('GET', '/wecom/corps');
  const corp = corps.items.find((c) => c.corpId === DEMO_WECOM.corpId);
  if (!corp) return;
  const s = await admin<{ publicKey: string; keyVersion: number }>('PUT', `/chats/settings/${corp.id}`, {
    sidecarUrl: `${simUrl}/_sidecar/`,
    archiveSecret: ARCHIVE_SECRET,
  });
  // The corp admin's step in WeCom's console (管理工具 → 会话内容存档), played by the simulator.
  // Through the outbound guard like any request (npm start lets the simulator's address through).
  await guardedFetch(`${simUrl}/_sim/corps/${DEMO_WECOM.corpId}/setup-archive`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      secret: ARCHIVE_SECRET,
      publicKeyPem: s.publicKey,
      publicKeyVersion: s.keyVersion,
    }),
  });
  for (const rule of [
    {
      name: '私下交易',
      kind: 'risky',
      keywords: ['私下转账', '转我个人', '加我私人微信'],
      appliesTo: 'staff',
    },
    { name: '违规承诺', kind: 'sensitive', keywords: ['返现', '保证收益', '回扣'], appliesTo: 'staff' },
    { name: '竞品提及', kind: 'sensitive', keywords: ['特斯拉', '比亚迪', '理想'], appliesTo: 'customer' },
  ])
    await admin('POST', '/chats/rules', rule);
}
