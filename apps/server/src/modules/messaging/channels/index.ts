import type { ChannelAdapter, ChannelKind } from '../types.ts';
import { emailChannel } from './email.ts';
import { inAppChannel } from './in-app.ts';
import { smsChannel } from './sms.ts';
import { webhookChannel } from './webhook.ts';
import { wecomMassChannel } from './wecom-mass.ts';
import { wecomPrivateChannel } from './wecom-private.ts';

/** Channel adapters by kind; a kind without an adapter fails its sends as `channel_unavailable`. */
const adapters = new Map<ChannelKind, ChannelAdapter>([
  [inAppChannel.kind, inAppChannel],
  [webhookChannel.kind, webhookChannel],
  [smsChannel.kind, smsChannel],
  [emailChannel.kind, emailChannel],
  [wecomPrivateChannel.kind, wecomPrivateChannel],
  [wecomMassChannel.kind, wecomMassChannel],
]);

export const channelAdapter = (kind: ChannelKind): ChannelAdapter | undefined => adapters.get(kind);
