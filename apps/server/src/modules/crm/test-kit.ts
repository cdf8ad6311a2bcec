import { type ProbeKind, record } from '../../testing/probe-kit.ts';

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  customer: { unitScoped: true, create: (side, at) => record(side, 'customer', { kind: 'company' }, at) },
};
