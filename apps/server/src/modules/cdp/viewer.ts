import type { Actor } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';

/** The person a CDP read or rule is evaluated for: what they may do and who to audit. */
export interface Viewer {
  principal: Principal;
  actor: Actor;
}

/**
 * The system as a viewer (benchmarks, seeds, jobs acting for nobody): every permission and the
 * whole tenant, so rule checks pass and counts are tenant-wide.
 */
export function systemViewer(tenantId: string): Viewer {
  return {
    principal: {
      tenantId,
      userId: '00000000-0000-0000-0000-000000000000',
      userName: 'system',
      unitId: '00000000-0000-0000-0000-000000000000',
      locale: 'zh-CN',
      kind: 'user',
      permissions: ['*'],
      dataScopes: { '*': 'tenant' },
      fieldAccess: {},
      subtreeUnitIds: [],
      authzVersion: -1,
    },
    actor: { tenantId, actorId: null, actorKind: 'system' },
  };
}
