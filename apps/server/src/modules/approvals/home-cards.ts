import { can } from '../../core/auth/principal.ts';
import { TOP } from '../../engine/home-cards.ts';
import type { HomeCard, HomeCardContext } from '../../engine/module.ts';
import { inbox as approvalInbox } from './approval.service.ts';

/** Home card ("my day") of the approvals module: approvals waiting for me. */
async function myApprovals({ tx, principal: p }: HomeCardContext) {
  const r = await approvalInbox(tx, p, 'pending', TOP);
  return {
    pending: r.counts.pending ?? 0,
    items: r.items.map((a) => ({
      id: a.id,
      object: a.object,
      recordId: a.recordId,
      recordName: a.recordName,
      requester: a.requester.name,
      stepName: a.steps[a.currentStep]?.name ?? null,
      summary: a.summary,
      createdAt: a.createdAt,
    })),
  };
}

export const approvalHomeCards: HomeCard[] = [
  {
    key: 'approvals',
    order: 60,
    audience: 'manager',
    visible: (p) => can(p, 'approval:read') && can(p, 'approval:update'),
    load: myApprovals,
  },
];
