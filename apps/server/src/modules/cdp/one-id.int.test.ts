import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { useTestEnv } from '../../testing/harness.ts';
import { loadIdentityRules, resolveIdentities, splitMerge } from './identity.service.ts';
import {
  canonicalPartition,
  DEFAULT_RULES,
  type Identity,
  IdentityModel,
  identityKey,
  ruleFor,
  rulesMap,
} from './identity.ts';

const env = useTestEnv();

async function bareTenant(): Promise<string> {
  const id = newId();
  await sql`insert into tenants (id, slug, name) values (${id}, ${`oneid-${id}`}, 'One ID test')`.execute(
    env.database.db,
  );
  return id;
}

async function dbPartition(tenantId: string): Promise<string[][]> {
  const rows = (
    await sql<{
      kind: string;
      namespace: string;
      value: string;
      profile_id: string;
    }>`select kind, namespace, value, profile_id
      from cdp_identities where tenant_id = ${tenantId}`.execute(env.database.db)
  ).rows;
  const groups = new Map<string, string[]>();
  for (const r of rows) groups.set(r.profile_id, [...(groups.get(r.profile_id) ?? []), identityKey(r)]);
  return canonicalPartition([...groups.values()]);
}

// Small pools so collisions (and so merges and conflicts) are frequent.
const ident = fc.oneof(
  fc.integer({ min: 0, max: 3 }).map((n): Identity => ({ kind: 'user_id', namespace: '', value: `u${n}` })),
  fc
    .integer({ min: 0, max: 6 })
    .map((n): Identity => ({ kind: 'anonymous_id', namespace: '', value: `a${n}` })),
  fc
    .integer({ min: 0, max: 4 })
    .map((n): Identity => ({ kind: 'phone', namespace: '', value: `+861390000000${n}` })),
  fc
    .integer({ min: 0, max: 3 })
    .map((n): Identity => ({ kind: 'email', namespace: '', value: `p${n}@x.cn` })),
  fc.integer({ min: 0, max: 2 }).map((n): Identity => ({ kind: 'member_no', namespace: '', value: `M${n}` })),
);
const stream = fc.array(fc.array(ident, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 14 });

async function runDb(tenantId: string, events: Identity[][]) {
  for (const ids of events)
    await inTenant(env.database.db, tenantId, async (tx) => {
      const rules = await loadIdentityRules(tx, tenantId);
      await resolveIdentities(tx, tenantId, rules, ids, { reason: 'test' });
    });
}

/** Plain union-find over co-occurring identities: the partition when no rule is ever hit. */
function components(events: Identity[][]): string[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    if (!parent.has(x)) parent.set(x, x);
    const p = parent.get(x)!;
    if (p === x) return x;
    const r = find(p);
    parent.set(x, r);
    return r;
  };
  for (const ids of events) {
    const keys = ids.map(identityKey);
    for (const k of keys) find(k);
    for (const k of keys.slice(1)) parent.set(find(k), find(keys[0]!));
  }
  const groups = new Map<string, string[]>();
  for (const k of parent.keys()) groups.set(find(k), [...(groups.get(find(k)) ?? []), k]);
  return canonicalPartition([...groups.values()]);
}

const rules = rulesMap([]);
const withinRules = (part: string[][]) =>
  part.every((g) => {
    const counts = new Map<string, number>();
    for (const k of g) counts.set(k.split('\u0000')[0]!, (counts.get(k.split('\u0000')[0]!) ?? 0) + 1);
    return [...counts].every(([kind, n]) => n <= ruleFor(rules, kind).maxPerProfile);
  });

describe('One ID (identity resolution)', () => {
  it('resolves any identity stream to the same partition as the reference union-find under the same rules', async () => {
    await fc.assert(
      fc.asyncProperty(stream, async (events) => {
        const tenantId = await bareTenant();
        await runDb(tenantId, events);
        const model = new IdentityModel(rulesMap(DEFAULT_RULES));
        for (const ids of events) await model.apply(ids);
        const got = await dbPartition(tenantId);
        assert.deepEqual(got, model.partition());
        // Never two user_ids (or member numbers) in one profile, whatever the order.
        for (const g of got) {
          assert.ok(g.filter((k) => k.startsWith('user_id')).length <= 1);
          assert.ok(g.filter((k) => k.startsWith('member_no')).length <= 1);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('gives the connected components regardless of event order when no rule is hit', async () => {
    await fc.assert(
      fc.asyncProperty(
        stream.filter((s) => withinRules(components(s))),
        fc.infiniteStream(fc.nat()),
        async (events, seeds) => {
          const it = seeds[Symbol.iterator]();
          const shuffled = events
            .map((e) => ({ e, k: it.next().value as number }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.e);
          const expected = components(events);
          const t1 = await bareTenant();
          await runDb(t1, shuffled);
          assert.deepEqual(await dbPartition(t1), expected);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('drops blocked values and normalises phones and emails', async () => {
    const tenantId = await bareTenant();
    const { normalizeIdentity } = await import('./identity.ts');
    const ids = [
      normalizeIdentity('phone', '139 1234 5678')!,
      normalizeIdentity('email', ' Zhang.San@Example.COM ')!,
      normalizeIdentity('user_id', 'null')!,
    ];
    assert.equal(ids[0]!.value, '+8613912345678');
    assert.equal(ids[1]!.value, 'zhang.san@example.com');
    await runDb(tenantId, [ids]);
    const part = await dbPartition(tenantId);
    assert.equal(part.length, 1);
    assert.equal(part[0]!.length, 2, 'user_id "null" is blocked');
  });

  it('records every merge with its evidence and can split it again', async () => {
    const tenantId = await bareTenant();
    const I = (kind: string, value: string): Identity => ({ kind, namespace: '', value });
    await runDb(tenantId, [
      [I('user_id', 'u1'), I('anonymous_id', 'a1')],
      [I('anonymous_id', 'a2'), I('phone', '+8613900000001')],
    ]);
    assert.equal((await dbPartition(tenantId)).length, 2);
    await runDb(tenantId, [[I('user_id', 'u1'), I('phone', '+8613900000001')]]);
    assert.equal((await dbPartition(tenantId)).length, 1);
    const merge = (
      await sql<any>`select id, evidence, target_id, source_id from cdp_merges where tenant_id = ${tenantId}`.execute(
        env.database.db,
      )
    ).rows[0];
    assert.equal(merge.evidence.identity.kind, 'phone');
    await inTenant(env.database.db, tenantId, (tx) =>
      splitMerge(tx, { tenantId, actorId: null, actorKind: 'system' }, merge.id),
    );
    const part = await dbPartition(tenantId);
    assert.equal(part.length, 2);
    assert.ok(part.some((g) => g.includes(identityKey(I('anonymous_id', 'a2')))));
    // A split pair is not merged again automatically by the same evidence.
    await runDb(tenantId, [[I('user_id', 'u1'), I('phone', '+8613900000001')]]);
    assert.equal((await dbPartition(tenantId)).length, 2);
  });
});
