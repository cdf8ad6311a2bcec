import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { startWeComSimulator, type WeComSimulator } from '@kehu/wecom-simulator';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { tenantDirectory } from '../../testing/fixtures.ts';
import { newTenantWithAdmin, type TestEnv } from '../../testing/harness.ts';
import { clientTuning } from './connector/client.ts';

/**
 * Test-only: the WeCom simulator for one test file (started before, closed after, let through the
 * outbound guard), and a tenant whose HQ has bound a simulated corp. The WeCom tests share these.
 */
export function useWeComSimulator(seed: number, got: (sim: WeComSimulator) => void): void {
  let sim: WeComSimulator;
  let savedAllow: string | undefined;
  before(async () => {
    sim = await startWeComSimulator({ seed, callbackRetryDelayMs: 0, callbackTimeoutMs: 5000 });
    savedAllow = process.env.KEHU_OUTBOUND_ALLOW;
    process.env.KEHU_OUTBOUND_ALLOW = new URL(sim.url).host;
    clientTuning.backoffMs = 5;
    got(sim);
  });
  after(async () => {
    process.env.KEHU_OUTBOUND_ALLOW = savedAllow;
    await sim.close();
  });
}

let corpCounter = 0;

/** A new tenant whose HQ binds a simulated corp with staff 孙磊 and 赵静 (mapped by phone) and `extraStaff`. */
export async function bindSimulatedCorp(
  env: TestEnv,
  sim: WeComSimulator,
  opts: { prefix: string; extraStaff?: Array<{ userid: string; name: string }>; syncStaff: boolean },
) {
  const { seed, admin } = await newTenantWithAdmin(env, 0);
  const dir = await tenantDirectory(env, seed);
  const corpId = `${opts.prefix}${Date.now().toString(36)}${corpCounter++}`;
  const created = await admin.post('/wecom/corps', {
    name: '总部企业微信',
    unitId: dir.unit('HQ'),
    corpId,
    contactSecret: `cs-${corpId}`,
    baseUrl: sim.url,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const phones = await inTenant(env.database.db, seed.tenantId, async (tx) =>
    Object.fromEntries(
      (await sql<{ login: string; phone: string }>`select login, phone from users`.execute(tx)).rows.map(
        (r) => [r.login, r.phone],
      ),
    ),
  );
  const corp = sim.addCorp({
    corpId,
    contactSecret: `cs-${corpId}`,
    callback: {
      url: `${env.baseUrl}${created.body.callbackPath}`,
      token: created.body.callbackToken,
      encodingAESKey: created.body.encodingAESKey,
    },
    staff: [
      { userid: 'sun.lei', name: '孙磊', mobile: phones['sun.lei'] },
      { userid: 'zhao.jing', name: '赵静', mobile: phones['zhao.jing'] },
      ...(opts.extraStaff ?? []),
    ],
  });
  if (opts.syncStaff) {
    const sync = await admin.post(`/wecom/corps/${created.body.id}/staff/sync`);
    assert.equal(sync.status, 200, JSON.stringify(sync.body));
  }
  return {
    seed,
    dir,
    admin,
    corp,
    corpRef: created.body.id as string,
    corpId,
    keys: {
      token: created.body.callbackToken as string,
      encodingAESKey: created.body.encodingAESKey as string,
      receiveId: corpId,
    },
    callbackPath: created.body.callbackPath as string,
  };
}
