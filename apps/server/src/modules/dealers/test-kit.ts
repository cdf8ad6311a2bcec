import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { marker } from '../../testing/fixtures.ts';
import { login } from '../../testing/harness.ts';
import { inSide, memo, ok, type ProbeKind, product, type Side } from '../../testing/probe-kit.ts';

/** The dealer manager of EC-D1 (张伟) of the side's tenant. */
const dealerUser = (side: Side) =>
  memo(side, 'dms_dealer_user', () => login(side.env, side.dir.seed.slug, 'zhang.wei'));

/** The probe product, listed for dealer ordering (stock and MOQ set by HQ). */
const listedProduct = (side: Side) =>
  memo(side, 'dms_listed_product', async () => {
    const id = await product(side);
    await ok(side.admin.request('PUT', `/dealers/products/${id}`, { onHand: 1_000_000 }), 'dms listing');
    return id;
  });

let periods = 0;

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  /** A dealer unit (its account, statements): EC-D1 of the side's tenant. */
  dms_dealer: {
    async create(side) {
      const id = side.dir.unit('EC-D1');
      return { id, marker: id };
    },
  },
  dms_order: {
    async create(side) {
      const zhang = await dealerUser(side);
      const m = marker('DO');
      const o = await ok(
        zhang.post('/dealers/orders', {
          lines: [{ productId: await listedProduct(side), quantity: 1 }],
          note: m,
        }),
        'dms order',
      );
      return { id: o.id, marker: m };
    },
  },
  dms_statement: {
    async create(side) {
      // A month of its own each time (one statement per dealer and month), long past, with one
      // ledger line in it (written on the owner side: the ledger takes no backdated entries).
      const n = periods++;
      const period = `${2000 + Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
      // EC-D2: the ledger line must not move the account the dms_dealer probes look at (EC-D1).
      const dealer = side.dir.unit('EC-D2');
      const m = marker('ST');
      await inSide(side, async (tx) => {
        await sql`insert into dms_accounts (tenant_id, dealer_unit_id) values (${side.dir.tenantId}, ${dealer})
          on conflict do nothing`.execute(tx);
        await sql`insert into dms_account_entries (tenant_id, id, dealer_unit_id, kind, amount, ref, at)
          values (${side.dir.tenantId}, gen_random_uuid(), ${dealer}, 'payment', 1, ${m}, ${`${period}-15T12:00:00+08:00`})`.execute(
          tx,
        );
        await sql`update dms_accounts set balance = balance + 1 where tenant_id = ${side.dir.tenantId}
          and dealer_unit_id = ${dealer}`.execute(tx);
      });
      const s = await ok(
        side.admin.post('/dealers/statements', { dealerUnitId: dealer, period }),
        'dms statement',
      );
      return { id: s.id, marker: m };
    },
  },
  dms_rebate_rule: {
    async create(side) {
      const m = marker('RR');
      const r = await ok(
        side.admin.post('/dealers/rebate-rules', {
          name: m,
          basis: 'volume',
          periodKind: 'quarter',
          threshold: 1,
          percent: 2,
          dealerUnitId: side.dir.unit('EC-D2'),
          startsOn: '2000-01-01',
          endsOn: '2000-12-31',
        }),
        'dms rebate rule',
      );
      return { id: r.id, marker: m };
    },
  },
  /** An accrual of EC-D2 under a rule of its own (written on the owner side: accruals come from the job). */
  dms_rebate_accrual: {
    async create(side) {
      const m = marker('RA');
      const ruleId = randomUUID();
      const id = randomUUID();
      await inSide(side, async (tx) => {
        await sql`insert into dms_rebate_rules (tenant_id, id, name, basis, period_kind, threshold, percent, dealer_unit_id, starts_on)
          values (${side.dir.tenantId}, ${ruleId}, ${m}, 'volume', 'month', 0, 1, ${side.dir.unit('EC-D2')}, '2000-01-01')`.execute(
          tx,
        );
        await sql`insert into dms_rebate_accruals (tenant_id, id, dealer_unit_id, rule_id, period, base, amount)
          values (${side.dir.tenantId}, ${id}, ${side.dir.unit('EC-D2')}, ${ruleId}, '2000-01', 100, 1)`.execute(
          tx,
        );
      });
      return { id, marker: m };
    },
  },
};
