import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * One ID (R1.2): identity kinds, normalisation and the merge rules, as pure functions. The
 * database resolver (identity.service.ts) and the reference model below apply the same
 * `planResolution`, so the property test can hold the two equal for any event stream.
 */
export const IDENTITY_KINDS = [
  'user_id',
  'member_no',
  'wechat_unionid',
  'wecom_external_userid',
  'phone',
  'email',
  'openid',
  'anonymous_id',
  'custom',
] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export interface IdentityRule {
  kind: string;
  maxPerProfile: number;
  priority: number;
  blocked: string[];
}

/** Defaults per kind; a tenant overrides them in cdp_identity_rules. */
export const DEFAULT_RULES: IdentityRule[] = [
  {
    kind: 'user_id',
    maxPerProfile: 1,
    priority: 100,
    blocked: ['null', 'undefined', '0', '-1', 'none', 'anonymous'],
  },
  { kind: 'member_no', maxPerProfile: 1, priority: 90, blocked: ['0', 'null'] },
  { kind: 'wechat_unionid', maxPerProfile: 1, priority: 80, blocked: ['null'] },
  { kind: 'wecom_external_userid', maxPerProfile: 5, priority: 70, blocked: ['null'] },
  // Test and placeholder numbers seen in real data.
  {
    kind: 'phone',
    maxPerProfile: 3,
    priority: 60,
    blocked: ['+8613800000000', '+8613800138000', '+8611111111111', '+8613888888888'],
  },
  { kind: 'email', maxPerProfile: 3, priority: 50, blocked: ['test@test.com', 'a@a.com', 'null@null.com'] },
  { kind: 'openid', maxPerProfile: 10, priority: 40, blocked: ['null'] },
  { kind: 'custom', maxPerProfile: 10, priority: 30, blocked: [] },
  { kind: 'anonymous_id', maxPerProfile: 50, priority: 10, blocked: ['null', 'undefined', '0', ''] },
];

export interface Identity {
  kind: string;
  /** wecom corp id, openid app id, custom kind name; '' otherwise. */
  namespace: string;
  value: string;
}
export const identityKey = (i: Identity) => `${i.kind}\u0000${i.namespace}\u0000${i.value}`;

/** Normalises a raw value for its kind; null when it is not a usable identity. */
export function normalizeIdentity(kind: string, raw: unknown, namespace = ''): Identity | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  let value = String(raw).trim();
  if (!value || value.length > 200) return null;
  if (kind === 'phone') {
    const p = parsePhoneNumberFromString(value, 'CN');
    if (!p?.isValid()) return null;
    value = p.number; // E.164
  } else if (kind === 'email') {
    value = value.toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return null;
  } else if (kind === 'member_no') {
    value = value.toUpperCase();
  }
  return { kind, namespace: namespace.slice(0, 100), value };
}

export function ruleFor(rules: Map<string, IdentityRule>, kind: string): IdentityRule {
  return rules.get(kind) ?? { kind, maxPerProfile: 10, priority: 20, blocked: [] };
}
export const rulesMap = (rules: IdentityRule[]) => {
  const m = new Map(DEFAULT_RULES.map((r) => [r.kind, r]));
  for (const r of rules) m.set(r.kind, r);
  return m;
};

export function isBlocked(rules: Map<string, IdentityRule>, i: Identity): boolean {
  return ruleFor(rules, i.kind).blocked.some((b) => b.toLowerCase() === i.value.toLowerCase());
}

/** Usable identities of one message, deduplicated, highest priority first. */
export function orderIdentities(rules: Map<string, IdentityRule>, ids: Identity[]): Identity[] {
  const seen = new Set<string>();
  const out: Identity[] = [];
  for (const i of ids) {
    const k = identityKey(i);
    if (seen.has(k) || isBlocked(rules, i)) continue;
    seen.add(k);
    out.push(i);
  }
  // Stable: ties keep the message's own order.
  return out
    .map((i, n) => ({ i, n }))
    .sort((a, b) => ruleFor(rules, b.i.kind).priority - ruleFor(rules, a.i.kind).priority || a.n - b.n)
    .map((x) => x.i);
}

/** Counts of identities per kind on a profile, to test a kind's max per profile. */
export type KindCounts = Map<string, number>;

export function canHold(rules: Map<string, IdentityRule>, counts: KindCounts, add: KindCounts): boolean {
  for (const [kind, n] of add)
    if ((counts.get(kind) ?? 0) + n > ruleFor(rules, kind).maxPerProfile) return false;
  return true;
}

/**
 * What the store must tell the planner: who owns an identity, and a profile's kind counts.
 * The same planner runs over the database (identity.service.ts) and over the in-memory
 * reference model, so both apply exactly these rules:
 * 1. the profiles owning any of the message's identities, ordered by the priority of the first
 *    identity each owns, are merged into the first one, one by one, as long as the union keeps
 *    every kind within its max per profile (so two user_ids never meet) and no split forbade it;
 * 2. identities nobody owns join that profile while their kind has room; those that do not fit
 *    start one new profile together (created also when nobody owned anything).
 */
export interface ResolutionStore {
  /** Owner profile per identity key (absent: nobody owns it). */
  owners(ids: Identity[]): Promise<Map<string, string>>;
  /** Kind counts per profile. */
  counts(profileIds: string[]): Promise<Map<string, KindCounts>>;
  /** Profiles among `others` that a split forbids merging with `target`. */
  splitForbidden(target: string, others: string[]): Promise<Set<string>>;
}
export interface Plan {
  target: string | null;
  merges: { source: string; evidence: Identity }[];
  attach: Identity[];
  overflow: Identity[];
}

export async function planResolution(
  rules: Map<string, IdentityRule>,
  store: ResolutionStore,
  ordered: Identity[],
): Promise<Plan> {
  const owners: { id: string; via: Identity }[] = [];
  const unowned: Identity[] = [];
  const ownerMap = await store.owners(ordered);
  for (const i of ordered) {
    const o = ownerMap.get(identityKey(i));
    if (!o) unowned.push(i);
    else if (!owners.some((x) => x.id === o)) owners.push({ id: o, via: i });
  }
  const plan: Plan = { target: owners[0]?.id ?? null, merges: [], attach: [], overflow: [] };
  if (plan.target) {
    const all = await store.counts(owners.map((o) => o.id));
    const forbidden =
      owners.length > 1
        ? await store.splitForbidden(
            plan.target,
            owners.slice(1).map((o) => o.id),
          )
        : new Set<string>();
    const counts = new Map(all.get(plan.target) ?? new Map());
    for (const o of owners.slice(1)) {
      const add = all.get(o.id) ?? new Map();
      if (!canHold(rules, counts, add)) continue;
      if (forbidden.has(o.id)) continue;
      for (const [k, n] of add) counts.set(k, (counts.get(k) ?? 0) + n);
      plan.merges.push({ source: o.id, evidence: o.via });
    }
    const overflowCounts: KindCounts = new Map();
    for (const i of unowned) {
      const one = new Map([[i.kind, 1]]);
      if (canHold(rules, counts, one)) {
        counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1);
        plan.attach.push(i);
      } else if (canHold(rules, overflowCounts, one)) {
        overflowCounts.set(i.kind, (overflowCounts.get(i.kind) ?? 0) + 1);
        plan.overflow.push(i);
      }
    }
  } else {
    const counts: KindCounts = new Map();
    for (const i of unowned) {
      const one = new Map([[i.kind, 1]]);
      if (!canHold(rules, counts, one)) continue;
      counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1);
      plan.attach.push(i);
    }
  }
  return plan;
}

/** The reference model: a union-find over profiles, applying the same plan in memory. */
export class IdentityModel {
  readonly rules: Map<string, IdentityRule>;
  private owner = new Map<string, string>();
  private parent = new Map<string, string>();
  private kindCounts = new Map<string, KindCounts>();
  private next = 0;
  constructor(rules: Map<string, IdentityRule>) {
    this.rules = rules;
  }
  private find(p: string): string {
    let r = p;
    while (this.parent.get(r) !== r) r = this.parent.get(r)!;
    this.parent.set(p, r);
    return r;
  }
  private newProfile(): string {
    const id = `m${this.next++}`;
    this.parent.set(id, id);
    this.kindCounts.set(id, new Map());
    return id;
  }
  private attach(p: string, i: Identity) {
    this.owner.set(identityKey(i), p);
    const c = this.kindCounts.get(p)!;
    c.set(i.kind, (c.get(i.kind) ?? 0) + 1);
  }
  async apply(ids: Identity[]): Promise<string | null> {
    const ordered = orderIdentities(this.rules, ids);
    if (ordered.length === 0) return null;
    const store: ResolutionStore = {
      owners: async (ids) => {
        const m = new Map<string, string>();
        for (const i of ids) {
          const o = this.owner.get(identityKey(i));
          if (o) m.set(identityKey(i), this.find(o));
        }
        return m;
      },
      counts: async (ps) => new Map(ps.map((p) => [p, this.kindCounts.get(p)!])),
      splitForbidden: async () => new Set(),
    };
    const plan = await planResolution(this.rules, store, ordered);
    let target = plan.target;
    if (!target) target = this.newProfile();
    for (const m of plan.merges) {
      this.parent.set(m.source, target);
      const t = this.kindCounts.get(target)!;
      for (const [k, n] of this.kindCounts.get(m.source)!) t.set(k, (t.get(k) ?? 0) + n);
    }
    for (const i of plan.attach) this.attach(target, i);
    if (plan.overflow.length) {
      const q = this.newProfile();
      for (const i of plan.overflow) this.attach(q, i);
    }
    return target;
  }
  /** The partition: sets of identity keys per live profile, canonically sorted. */
  partition(): string[][] {
    const groups = new Map<string, string[]>();
    for (const [k, p] of this.owner) {
      const r = this.find(p);
      groups.set(r, [...(groups.get(r) ?? []), k]);
    }
    return canonicalPartition([...groups.values()]);
  }
}

export const canonicalPartition = (groups: string[][]) =>
  groups.map((g) => [...g].sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));

/**
 * The identities one Segment message carries: userId, anonymousId, and for identify/alias the
 * traits and `context.externalIds` ([{type, id, collection}] as Segment sends them).
 */
export function identitiesOf(msg: {
  type: string;
  userId?: string | null;
  anonymousId?: string | null;
  previousId?: string | null;
  traits?: Record<string, unknown>;
  context?: Record<string, unknown>;
}): Identity[] {
  const out: Identity[] = [];
  const push = (kind: string, v: unknown, ns = '') => {
    const i = normalizeIdentity(kind, v, ns);
    if (i) out.push(i);
  };
  push('user_id', msg.userId);
  push('anonymous_id', msg.anonymousId);
  const traits = { ...((msg.context?.traits as Record<string, unknown>) ?? {}), ...(msg.traits ?? {}) };
  if (msg.type === 'identify' || msg.type === 'alias') {
    push('phone', traits.phone ?? traits.mobile);
    push('email', traits.email);
    push('member_no', traits.memberNo ?? traits.member_no);
    push('wechat_unionid', traits.unionid ?? traits.unionId);
  }
  const ext = msg.context?.externalIds;
  if (Array.isArray(ext)) {
    for (const e of ext.slice(0, 20)) {
      if (!e || typeof e !== 'object') continue;
      const { type, id, collection } = e as Record<string, unknown>;
      const t = String(type ?? '');
      const ns = typeof collection === 'string' ? collection : '';
      if (t === 'unionid' || t === 'wechat_unionid') push('wechat_unionid', id);
      else if (t === 'openid') push('openid', id, ns);
      else if (t === 'external_userid' || t === 'wecom_external_userid')
        push('wecom_external_userid', id, ns);
      else if (t === 'phone' || t === 'email' || t === 'member_no') push(t, id);
      else if (t) push('custom', id, t);
    }
  }
  return out;
}
