import { App, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ScriptPicker } from './script-picker';

/**
 * The picker on its own page (/scripts/pick?customerId=…): outside WeCom's sidebar, a tap copies
 * the script to paste into any chat, and still counts as a use.
 */
export function ScriptPickPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [params] = useSearchParams();
  return (
    <div className="kehu-page" data-testid="script-pick-page" style={{ maxWidth: 560 }}>
      <Typography.Title level={4}>{t('scripts.title')}</Typography.Title>
      <ScriptPicker
        customerId={params.get('customerId') ?? undefined}
        opportunityId={params.get('opportunityId') ?? undefined}
        onSend={async (s) => {
          await navigator.clipboard?.writeText(s.body).catch(() => {});
          message.success(t('scripts.copied'));
        }}
      />
    </div>
  );
}
