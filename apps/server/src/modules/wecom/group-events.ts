import type { Tx } from '../../core/db/tenant-scope.ts';
import { emitEvent } from '../../core/events/outbox.ts';

/**
 * Outbox events of customer-group membership (issue 11: fission's "join a group" task, journeys,
 * webhooks). Emitted by the group sync (groups.service.ts) in the transaction that records the
 * change, once per join (a new member, or one who had left) and once per leave, so a replayed or
 * reordered change_external_chat callback — a full re-read of the group — emits nothing twice.
 * `state` is the join code's state (群活码, join_scene 3) the member came through, when WeCom says.
 */
export type WeComGroupEvent =
  | {
      type: 'wecom.group.member_joined';
      payload: {
        corpRef: string;
        groupId: string;
        chatId: string;
        ownerUserid: string;
        /** external_userid for a customer, userid for staff. */
        memberId: string;
        kind: 'staff' | 'external';
        unionid: string | null;
        joinScene: number | null;
        state: string | null;
        joinedAt: string;
      };
    }
  | {
      type: 'wecom.group.member_left';
      payload: {
        corpRef: string;
        groupId: string;
        chatId: string;
        ownerUserid: string;
        memberId: string;
        kind: 'staff' | 'external';
        leftAt: string;
      };
    };

export const WECOM_GROUP_EVENT_TYPES = ['wecom.group.member_joined', 'wecom.group.member_left'] as const;

export function emitGroupEvent(tx: Tx, tenantId: string, e: WeComGroupEvent): Promise<void> {
  return emitEvent(tx, tenantId, {
    type: e.type,
    object: 'wecom_group',
    recordId: e.payload.groupId,
    payload: e.payload,
  });
}
