import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { loadPrincipal } from '../../core/auth/access-loader.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import type { DemoContext } from '../../engine/module.ts';
import { demoShelfPhoto } from '../trade-promotion/index.ts';
import { addPhoto, chinaDay } from './visits.service.ts';

/** Store tiers and the rep in charge (the dealer managers visit their dealer's stores). */
const TIERS: [string, 'A' | 'B' | 'C', string][] = [
  ['EC-D1-S1', 'A', 'zhang.wei'],
  ['EC-D1-S2', 'B', 'zhang.wei'],
  ['EC-D2-S1', 'A', 'liu.yang'],
  ['EC-D2-S2', 'C', 'liu.yang'],
  ['SC-D1-S1', 'A', 'wu.haitao'],
  ['SC-D1-S2', 'B', 'wu.haitao'],
  ['SC-D2-S1', 'B', 'zheng.xiaodong'],
  ['SC-D2-S2', 'C', 'zheng.xiaodong'],
];
const MANAGER: Record<string, string> = { EC: 'chen.zhiqiang', SC: 'huang.weiming' };

/** Monday of the current week (China time). */
export function weekStartOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(+d - back * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Field sales on first start: tiers and reps for the eight stores, this week's plan for each rep
 * (two stores each, both today so the manager's map has something to show), and today's visits
 * in several states — done inside the geofence with a shelf photo, in progress outside it with a
 * reason (flagged), and not started.
 */
export async function seedFieldSales(ctx: DemoContext) {
  const units = await inTenant(ctx.database.db, ctx.tenantId, async (tx) =>
    Object.fromEntries(
      (
        await sql<{
          code: string;
          id: string;
        }>`select code, id from units where tenant_id = ${ctx.tenantId}`.execute(tx)
      ).rows.map((r) => [r.code, r.id]),
    ),
  );
  const users = await inTenant(ctx.database.db, ctx.tenantId, async (tx) =>
    Object.fromEntries(
      (
        await sql<{
          login: string;
          id: string;
        }>`select login, id from users where tenant_id = ${ctx.tenantId}`.execute(tx)
      ).rows.map((r) => [r.login, r.id]),
    ),
  );
  const today = chinaDay(ctx.now);
  const week = weekStartOf(today);
  for (const region of ['EC', 'SC']) {
    const mgr = await ctx.signIn(MANAGER[region]!);
    for (const [code, tier, rep] of TIERS.filter(([c]) => c.startsWith(region)))
      await mgr('PUT', `/field-sales/stores/${units[code]}`, { tier, repId: users[rep], version: 0 });
    for (const rep of [...new Set(TIERS.filter(([c]) => c.startsWith(region)).map(([, , r]) => r))]) {
      const stores = TIERS.filter(([, , r]) => r === rep).map(([c]) => c);
      await mgr('PUT', '/field-sales/plans', {
        repId: users[rep],
        weekStart: week,
        visits: stores.map((c) => ({ storeUnitId: units[c], day: today, visitType: 'routine' })),
        version: 0,
      });
    }
  }
  // Today, seen from the phones. Store locations are GCJ-02 in TPM; phones report WGS-84.
  const zhang = await ctx.signIn('zhang.wei');
  const mine = (await zhang('GET', '/field-sales/my-visits')).items as any[];
  const first = mine[0];
  if (first?.storeLng != null) {
    const at = (minutesAgo: number) => new Date(ctx.now - minutesAgo * 60_000).toISOString();
    await zhang('POST', `/field-sales/visits/${first.id}/check-in`, {
      lng: first.storeLng + 0.0004,
      lat: first.storeLat + 0.0003,
      coordSystem: 'wgs84',
      accuracyM: 18,
      at: at(95),
    });
    await zhang('POST', `/field-sales/visits/${first.id}/steps`, {
      step: 'inventory',
      items: [
        { name: '净水器 K5', qty: 12 },
        { name: '滤芯 F2', qty: 40 },
      ],
      at: at(85),
    });
    const p = {
      ...(await loadPrincipal(ctx.database.db, ctx.tenantId, users['zhang.wei']!, -1))!,
      kind: 'user' as const,
    };
    await addPhoto(
      ctx.database,
      p,
      { tenantId: ctx.tenantId, actorId: p.userId, actorKind: 'user' },
      'zh-CN',
      first.id,
      {
        photoId: randomUUID(),
        step: 'shelf_photo',
        coordSystem: 'wgs84',
        lng: first.storeLng + 0.0004,
        lat: first.storeLat + 0.0003,
      },
      await demoShelfPhoto(9101, { capturedAt: new Date(ctx.now - 80 * 60_000) }),
    );
    await zhang('POST', `/field-sales/visits/${first.id}/steps`, {
      step: 'competitor_price',
      items: [{ name: '净水器 X3', brand: '竞品甲', price: 199900 }],
      at: at(75),
    });
    await zhang('POST', `/field-sales/visits/${first.id}/steps`, {
      step: 'order_intent',
      items: [{ name: '滤芯 F2', qty: 24 }],
      note: '周五前补货',
      at: at(70),
    });
    await zhang('POST', `/field-sales/visits/${first.id}/check-out`, { at: at(60) });
  }
  const wu = await ctx.signIn('wu.haitao');
  const w = ((await wu('GET', '/field-sales/my-visits')).items as any[])[0];
  if (w?.storeLng != null)
    await wu('POST', `/field-sales/visits/${w.id}/check-in`, {
      lng: w.storeLng + 0.012,
      lat: w.storeLat + 0.006,
      coordSystem: 'wgs84',
      accuracyM: 35,
      reason: '门店临时闭店，在附近仓库与店长沟通',
      at: new Date(ctx.now - 30 * 60_000).toISOString(),
    });
}
