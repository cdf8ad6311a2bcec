import type { SidebarMessage, SidebarSectionProps } from '../../app/web-modules';
import { MaterialPicker } from './material-picker';
import type { SharePayload } from './materials-api';

/** What `sendChatMessage` takes of a share's payload (WeCom ignores unknown fields; we drop them). */
function toMessage(p: SharePayload): SidebarMessage {
  const { enterChat: _enter, ...message } = p as SharePayload & { enterChat?: boolean };
  return message as SidebarMessage;
}

/** 素材 in the WeCom chat sidebar: a tap makes this customer's tracked link and sends it into the chat. */
export function MaterialsSidebarSection({ chat, send }: SidebarSectionProps) {
  const single = chat.kind === 'single' ? chat : null;
  return (
    <MaterialPicker
      customerId={single?.customerId ?? undefined}
      externalUserId={single?.externalUserId}
      onSend={(payload) => void send(toMessage(payload))}
    />
  );
}
