import { useTranslation } from 'react-i18next';
import type { SidebarSectionProps } from '../../app/web-modules';
import { ReplySuggestions } from './reply-suggestions';
import { ScriptPicker } from './script-picker';
import { reportUse, type Script, useChatSuggestions } from './scripts-api';

/**
 * 话术 in the WeCom chat sidebar: replies suggested for what the customer just said, then the
 * scripts recommended for this customer; a tap sends it into the chat.
 */
export function ScriptsSidebarSection({ chat, send }: SidebarSectionProps) {
  const { t } = useTranslation();
  const single = chat.kind === 'single' ? chat : null;
  const suggestions = useChatSuggestions(single?.externalUserId ?? null);
  const sendScript = async (s: Script) => {
    await send({ msgtype: 'text', text: { content: s.body } });
    await reportUse(s.id).catch(() => {});
  };
  return (
    <>
      <ReplySuggestions
        basedOn={suggestions.data?.basedOn?.text ?? null}
        items={suggestions.data?.items ?? []}
        loading={suggestions.isPending}
        actionLabel={t('scripts.send')}
        onUse={sendScript}
      />
      <ScriptPicker
        customerId={single?.customerId ?? undefined}
        profileId={single?.profileId ?? undefined}
        onSend={(s) => send({ msgtype: 'text', text: { content: s.body } })}
      />
    </>
  );
}
