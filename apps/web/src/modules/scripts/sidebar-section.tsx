import type { SidebarSectionProps } from '../../app/web-modules';
import { ScriptPicker } from './script-picker';

/** 话术 in the WeCom chat sidebar: recommended for this customer first; a tap sends it into the chat. */
export function ScriptsSidebarSection({ chat, send }: SidebarSectionProps) {
  const single = chat.kind === 'single' ? chat : null;
  return (
    <ScriptPicker
      customerId={single?.customerId ?? undefined}
      profileId={single?.profileId ?? undefined}
      onSend={(s) => send({ msgtype: 'text', text: { content: s.body } })}
    />
  );
}
