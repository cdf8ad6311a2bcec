import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { DUPLICATE_DISTANCE, findDuplicate } from './proofs.service.ts';

const env = useTestEnv();

/** Flips the given bit positions of a signed 64-bit hash. */
const flip = (h: bigint, bits: number[]) =>
  BigInt.asIntN(
    64,
    bits.reduce((x, b) => x ^ (1n << BigInt(b)), BigInt.asUintN(64, h)),
  );

describe('duplicate-photo check through hash bands', () => {
  it('finds every stored hash within 6 bits wherever the bits differ, and nothing at 7', async () => {
    const { tenantId } = await newTenantWithAdmin(env, 0);
    const stored = -0x7edcba9876543211n; // negative: the sign bit lives in the last band
    const q = <T>(fn: (tx: any) => Promise<T>) => inTenant(env.database.db, tenantId, fn);
    const proofId = newId();
    await q(async (tx) => {
      const unit = (await sql<{ id: string }>`select id from units limit 1`.execute(tx)).rows[0]!.id;
      const activity = newId();
      await sql`insert into tpm_activities (tenant_id, id, name, activity_type, dealer_unit_id, store_unit_ids,
          starts_on, ends_on, amount, proposed_by)
        values (${tenantId}, ${activity}, 'dup', 'display', ${unit}, array[${unit}]::uuid[], current_date,
          current_date, 100, ${newId()})`.execute(tx);
      await sql`insert into tpm_proofs (tenant_id, id, activity_id, store_unit_id, uploaded_by, dhash, sha256, status, image, thumb)
        values (${tenantId}, ${proofId}, ${activity}, ${unit}, ${newId()}, ${stored.toString()}::bigint, 'x', 'accepted',
          '\\x00'::bytea, '\\x00'::bytea)`.execute(tx);
    });
    assert.equal(DUPLICATE_DISTANCE, 6);
    // One differing bit in each of six bands (0–5), and the sign bit: every band but one differs.
    for (const bits of [
      [0],
      [63],
      [1, 10, 19, 28, 37, 46],
      [5, 14, 23, 32, 41, 63],
      [54, 55, 56, 57, 58, 63],
    ]) {
      const hit = await q((tx) => findDuplicate(tx, tenantId, flip(stored, bits)));
      assert.deepEqual(hit && [hit.id, hit.distance], [proofId, bits.length], `bits ${bits}`);
    }
    // Seven bits, one in every band: too far, and no band matches.
    const far = await q((tx) => findDuplicate(tx, tenantId, flip(stored, [0, 9, 18, 27, 36, 45, 54])));
    assert.equal(far, null);
  });
});
