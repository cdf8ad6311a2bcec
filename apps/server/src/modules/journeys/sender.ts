import type { Tx } from '../../core/db/tenant-scope.ts';

/**
 * The send step's way into messaging (docs: /work/briefs/messaging-contract.md). The shapes are
 * messaging's contract; the function is bound once messaging is installed (index.ts). Without
 * it a send step records `failed` / `channel_unavailable` and the run goes on per `onSkip`.
 */
export type ChannelKind = 'sms' | 'email' | 'webhook' | 'in_app' | 'wecom_private' | 'wecom_mass';
export interface SendRequest {
  profileId: string;
  channel: ChannelKind;
  purpose: 'marketing' | 'service';
  templateId?: string;
  content?: { subject?: string; text: string; url?: string };
  variables?: Record<string, string>;
  /** Asked for only when messaging's guards let the message go (a coupon is issued only then). */
  variablesWhenSent?: () => Promise<Record<string, string>>;
  idempotencyKey: string;
  source: { kind: 'journey' | 'campaign' | 'api' | 'manual'; id: string; stepId?: string };
  ownerUserId?: string;
  dropIfQuiet?: boolean;
}
export interface SendOutcome {
  messageId: string;
  status: 'queued' | 'deferred' | 'sent' | 'skipped' | 'failed';
  reason?: string;
  deferredUntil?: string;
}
export type SendMessage = (tx: Tx, tenantId: string, req: SendRequest) => Promise<SendOutcome>;
export type IssueCoupon = (
  tx: Tx,
  tenantId: string,
  req: {
    templateId: string;
    profileId: string;
    idempotencyKey: string;
    source: { kind: 'journey'; id: string };
  },
) => Promise<{ couponId: string; code: string; expiresAt: string | null }>;

let sender: SendMessage | null = null;
let coupons: IssueCoupon | null = null;

/** Binds the channel (messaging's sendMessage) and, when installed, coupon issuing. */
export function bindChannels(s: SendMessage | null, c?: IssueCoupon | null) {
  sender = s;
  if (c !== undefined) coupons = c;
}

export async function sendThroughChannel(
  tx: Tx,
  tenantId: string,
  req: SendRequest,
): Promise<SendOutcome | null> {
  return sender ? sender(tx, tenantId, req) : null;
}

export async function issueCouponFor(
  tx: Tx,
  tenantId: string,
  req: Parameters<IssueCoupon>[2],
): Promise<{ code: string } | null> {
  return coupons ? coupons(tx, tenantId, req) : null;
}
