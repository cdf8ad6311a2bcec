import type { Tx } from '../../core/db/tenant-scope.ts';
import { emitEvent } from '../../core/events/outbox.ts';

/**
 * Outbox events journeys and webhooks can follow (payloads documented in README.md). One per
 * relationship change, stored in the same transaction as the change so a rollback emits nothing.
 */
export type WeComContactEvent =
  | {
      type: 'wecom.contact.added';
      payload: {
        corpRef: string;
        externalUserid: string;
        userid: string;
        state: string | null;
        contactId: string | null;
      };
    }
  | {
      type: 'wecom.contact.lost';
      payload: {
        corpRef: string;
        externalUserid: string;
        userid: string;
        /** `deleted_by_customer` (del_follow_user) or `removed_by_staff` (del_external_contact). */
        reason: 'deleted_by_customer' | 'removed_by_staff';
      };
    }
  | {
      type: 'wecom.contact.transferred';
      payload: {
        corpRef: string;
        externalUserid: string;
        kind: 'onjob' | 'resigned';
        handoverUserid: string;
        takeoverUserid: string;
        contactId: string | null;
        ownerId: string | null;
      };
    };

export const WECOM_CONTACT_EVENT_TYPES = [
  'wecom.contact.added',
  'wecom.contact.lost',
  'wecom.contact.transferred',
] as const;

export function emitContactEvent(tx: Tx, tenantId: string, e: WeComContactEvent): Promise<void> {
  return emitEvent(tx, tenantId, {
    type: e.type,
    object: 'wecom_contact',
    recordId: (e.payload as { contactId?: string | null }).contactId ?? undefined,
    payload: e.payload,
  });
}
