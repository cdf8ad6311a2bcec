import { marker } from '../../testing/fixtures.ts';
import { type Client, login } from '../../testing/harness.ts';
import { inSide, memo, ok, type ProbeKind, type Side } from '../../testing/probe-kit.ts';
import { demoShelfPhoto } from './demo-photo.ts';
import { expensePool } from './expense-pool.ts';

export const TEST_YEAR = 2026;

/** Signs in as a seeded user of the side's tenant. */
export const sideLogin = (side: Side, who: string) => login(side.env, side.dir.seed.slug, who);

/** HQ's display budget, allocated to EC and on to dealer EC-D1 (the dealer's budget id). */
export async function dealerBudget(side: Side): Promise<{ root: string; region: string; dealer: string }> {
  return memo(side, 'tpm_dealer_budget', async () => {
    const root = await ok(
      side.admin.post('/tpm/budgets', {
        year: TEST_YEAR,
        channel: 'traditional',
        expenseType: 'display',
        amount: 1_000_000_00,
      }),
      'tpm budget',
    );
    const region = await ok(
      side.admin.post(`/tpm/budgets/${root.id}/allocations`, {
        unitId: side.dir.unit('EC'),
        amount: 500_000_00,
      }),
      'tpm allocation',
    );
    const dealer = await ok(
      side.admin.post(`/tpm/budgets/${region.id}/allocations`, {
        unitId: side.dir.unit('EC-D1'),
        amount: 200_000_00,
      }),
      'tpm allocation',
    );
    return { root: root.id, region: region.id, dealer: dealer.id };
  });
}

export const activityBody = (side: Side, budgetId: string, name: string, amount = 10_000_00) => ({
  name,
  activityType: 'display',
  dealerUnitId: side.dir.unit('EC-D1'),
  storeUnitIds: [side.dir.unit('EC-D1-S1')],
  startsOn: `${TEST_YEAR}-03-01`,
  endsOn: `${TEST_YEAR}-03-31`,
  lines: [{ budgetId, amount }],
});

/** Approves every pending approval of `recordId` that `approver` can act on. */
export async function approveAs(approver: Client, recordId: string) {
  const inbox = await ok(approver.get('/approvals'), 'approval inbox');
  const items = (inbox.items ?? inbox) as { id: string; recordId: string; canAct?: boolean }[];
  for (const r of items.filter((x) => x.recordId === recordId))
    await ok(approver.post(`/approvals/${r.id}/approve`, { comment: 'ok' }), 'approve');
}

async function approvedActivity(side: Side) {
  const b = await dealerBudget(side);
  const m = marker('TA');
  const a = await ok(side.admin.post('/tpm/activities', activityBody(side, b.dealer, m)), 'tpm activity');
  await ok(side.admin.post(`/tpm/activities/${a.id}/submit`, {}), 'tpm submit');
  await approveAs(await sideLogin(side, 'zhang.wei'), a.id);
  return { id: a.id as string, marker: m };
}

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  tpm_budget: {
    async create(side) {
      const b = await dealerBudget(side);
      // A fresh allocation each time: the caller's own budget to probe.
      const c = await ok(
        side.admin.post(`/tpm/budgets/${b.region}/allocations`, {
          unitId: side.dir.unit('EC-D2'),
          amount: 100,
        }),
        'tpm allocation',
      );
      return { id: c.id, marker: c.id };
    },
  },
  tpm_activity: {
    async create(side) {
      const b = await dealerBudget(side);
      const m = marker('TA');
      const a = await ok(
        side.admin.post('/tpm/activities', activityBody(side, b.dealer, m, 100_00)),
        'tpm activity',
      );
      return { id: a.id, marker: m };
    },
  },
  tpm_proof: {
    async create(side) {
      const a = await memo(side, 'tpm_approved_activity', () => approvedActivity(side));
      const bytes = await demoShelfPhoto(Math.floor(Math.random() * 1e9), { width: 160 });
      const p = await ok(
        side.admin.request(
          'POST',
          `/tpm/activities/${a.id}/proofs?storeUnitId=${side.dir.unit('EC-D1-S1')}`,
          new Uint8Array(bytes),
          { 'content-type': 'application/octet-stream' },
        ),
        'tpm proof',
      );
      return { id: p.id, marker: a.marker };
    },
  },
  tpm_pool: {
    async create(side) {
      const dealer = side.dir.unit('EC-D1');
      await inSide(side, (tx) =>
        expensePool.credit(tx, side.dir.tenantId, {
          dealerUnitId: dealer,
          amount: 1,
          ref: 'probe',
          idempotencyKey: marker('PK'),
        }),
      );
      return { id: dealer, marker: dealer };
    },
  },
};
