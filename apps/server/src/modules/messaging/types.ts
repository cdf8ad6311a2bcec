import type { Tx } from '../../core/db/tenant-scope.ts';

/** The messaging contract (docs: /modules/messaging/README.md), shared with journeys and campaigns. */
export type ChannelKind = 'sms' | 'email' | 'webhook' | 'in_app' | 'wecom_private' | 'wecom_mass';
export type ConsentPurpose = 'marketing' | 'service';
export type SkipReason =
  | 'no_consent' // withdrew consent for the purpose (cdp_consents), PIPL R13.1
  | 'unsubscribed' // unsubscribed from the channel (email link, SMS TD)
  | 'frequency_cap' // per channel and across journeys/campaigns, per tenant settings
  | 'quiet_hours' // tenant time zone; deferred to the end of quiet hours unless dropIfQuiet
  | 'wecom_monthly_cap' // WeCom's monthly cap per customer
  | 'staff_deleted' // the customer deleted the staff member / no live WeCom relation
  | 'no_address' // no phone / email / external_userid for this channel
  | 'undeliverable'; // the address hard-bounced (email) and is not tried again

export interface SendRequest {
  profileId: string;
  channel: ChannelKind;
  purpose: ConsentPurpose;
  templateId?: string;
  content?: { subject?: string; text: string; url?: string };
  variables?: Record<string, string>;
  /**
   * Variables that cost something (a journey's coupon): asked for only when the guards let the
   * message go, so a skipped send (no consent, caps …) spends no coupon. Not part of the HTTP API.
   */
  variablesWhenSent?: () => Promise<Record<string, string>>;
  idempotencyKey: string;
  source: { kind: 'journey' | 'campaign' | 'api' | 'manual'; id: string; stepId?: string };
  ownerUserId?: string;
  dropIfQuiet?: boolean;
  /** The text holds a secret (a sign-in code): delivered as written, shown in the log with its digits hidden. */
  secret?: boolean;
}

export interface SendOutcome {
  messageId: string;
  status: 'queued' | 'deferred' | 'sent' | 'skipped' | 'failed';
  reason?: SkipReason;
  deferredUntil?: string;
}

/** What a channel adapter delivers: the rendered message and where it goes. */
export interface RenderedMessage {
  messageId: string;
  tenantId: string;
  profileId: string;
  channel: ChannelKind;
  purpose: ConsentPurpose;
  /** Phone (E.164), email, external_userid, user id or webhook URL, by channel. */
  address: string | null;
  ownerUserId: string | null;
  subject: string | null;
  text: string;
  url: string | null;
  /** Passed to the provider so a retried delivery is never a second message. */
  idempotencyKey: string;
  source: SendRequest['source'];
  templateCode?: string | null;
  templateParams?: Record<string, string>;
  /** The delivery attempt (1 first): an adapter whose provider has no idempotency key checks before a retry. */
  attempt?: number;
}

export type DeliveryResult =
  | { status: 'sent'; providerRef?: string; delivered?: boolean }
  | { status: 'failed'; retryable: boolean; error: string };

/** One interface for every channel: send(tx, rendered message) → sent | failed{retryable}. */
export interface ChannelAdapter {
  kind: ChannelKind;
  /**
   * The provider has no idempotency key and no way to ask (SMTP): the delivery job commits a
   * "started" marker before `send` and, when a retry finds it without a result, records the
   * message as sent-unconfirmed instead of sending again (at most once).
   */
  atMostOnce?: boolean;
  send(tx: Tx, msg: RenderedMessage): Promise<DeliveryResult>;
}
