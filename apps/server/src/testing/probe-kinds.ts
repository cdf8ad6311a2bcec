import { modules } from '../modules/index.ts';
import { marker } from './fixtures.ts';
import { ok, type ProbeKind } from './probe-kit.ts';

export type { Placement, ProbeKind, Side, Thing } from './probe-kit.ts';

/**
 * Factories for the tenant-owned things that routes name in their path, query or body
 * (`probe: { params: { id: 'cdp_segment' } }`). The permission matrix makes one in the other
 * tenant (and, for unit-scoped kinds, in a sibling and a parent unit) and checks the caller
 * gets 404; it makes a fresh one of the caller's own as the control that the route finds it.
 * The record engine's kinds are here; every module brings its own in its test kit.
 */
const engineKinds: Record<string, ProbeKind> = {
  view: {
    async create(side) {
      const m = marker('VW');
      const v = await ok(side.admin.post('/views', { object: 'customer', name: m, shared: true }), 'view');
      return { id: v.id, marker: m };
    },
  },
  import: {
    async create(side) {
      const m = marker('IM');
      const r = await ok(
        side.admin.request(
          'POST',
          '/records/customer/imports?filename=p.csv',
          `客户名称,电话\n${m},13800000000\n`,
          {
            'content-type': 'text/csv',
          },
        ),
        'import',
      );
      return { id: r.id, marker: m };
    },
  },
};

const moduleKits = await Promise.all(modules.map(async (m) => (m.testKit ? await m.testKit() : {})));

export const probeKinds: Record<string, ProbeKind> = Object.assign(
  {},
  engineKinds,
  ...moduleKits.map((k) => (k.probeKinds ?? {}) as Record<string, ProbeKind>),
);

/** Splits a probe value: `=literal`, `kind` or `kind.field`. */
export function parseProbeValue(v: string): { literal: string } | { kind: string; field?: string } {
  if (v.startsWith('=')) return { literal: v.slice(1) };
  const [kind, field] = v.split('.');
  if (!probeKinds[kind!]) throw new Error(`unknown probe kind ${kind}`);
  return { kind: kind!, field };
}
