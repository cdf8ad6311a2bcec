import type { SidebarSectionProps } from '../../app/web-modules';
import { SopTaskList } from './sop-task-list';

/** SOP tasks for this customer or group in the WeCom chat sidebar; "send" sends the step's text. */
export function SopSidebarSection({ chat, send }: SidebarSectionProps) {
  const target = chat.kind === 'single' ? chat.externalUserId : chat.chatId;
  return <SopTaskList target={target} onSend={(content) => send({ msgtype: 'text', text: { content } })} />;
}
