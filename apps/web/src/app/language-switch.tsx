import { GlobalOutlined } from '@ant-design/icons';
import { Button, Dropdown } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Language } from '../i18n';
import { useChangeLanguage } from './locale';

const NAMES: Record<Language, string> = { 'zh-CN': '简体中文', 'en-US': 'English' };

export function LanguageSwitch({
  persist = false,
  compact = false,
}: {
  persist?: boolean;
  compact?: boolean;
}) {
  const { i18n, t } = useTranslation();
  const change = useChangeLanguage();
  const current = (i18n.language as Language) ?? 'zh-CN';
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        selectable: true,
        selectedKeys: [current],
        items: (Object.keys(NAMES) as Language[]).map((l) => ({
          key: l,
          label: <span data-testid={`lang-option-${l}`}>{NAMES[l]}</span>,
        })),
        onClick: ({ key }) => void change(key as Language, { persist }),
      }}
    >
      <Button
        type="text"
        icon={<GlobalOutlined />}
        data-testid="lang-switch"
        aria-label={t('shell.language')}
      >
        {compact ? null : NAMES[current]}
      </Button>
    </Dropdown>
  );
}
