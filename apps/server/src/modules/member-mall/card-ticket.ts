import type { Tx } from '../../core/db/tenant-scope.ts';
import { getMemberSummary } from '../loyalty/index.ts';
import { createTicket } from '../service/index.ts';
import type { CardSession } from './card.service.ts';

/**
 * 提交服务工单 from the member card (R8.1, channel `form`): a ticket for the member's profile in the
 * member's unit (a dealer's store members reach that store's service team), under the general
 * category; SLA and assignment run as for any ticket. The member's own key space: a double tap files once.
 */
export async function fileCardTicket(
  tx: Tx,
  tenantId: string,
  s: CardSession,
  body: { description: string; idempotencyKey: string },
): Promise<{ number: string }> {
  const text = body.description.trim();
  const member = await getMemberSummary(tx, tenantId, s.memberId);
  const r = await createTicket(tx, tenantId, {
    subject: `会员卡：${[...text.replace(/\s+/g, ' ')].slice(0, 30).join('')}`,
    description: text,
    categoryKey: 'general',
    priority: 'normal',
    channel: 'form',
    profileId: s.profileId,
    unitId: member.unitId,
    createdBy: null,
    idempotencyKey: `card:${s.memberId}:${body.idempotencyKey}`,
    locale: 'zh-CN',
  });
  return { number: r.number };
}
