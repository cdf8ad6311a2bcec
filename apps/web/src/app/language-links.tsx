import { Button } from 'antd';
import type { Language } from '../i18n';
import { useChangeLanguage } from './locale';

const NAMES: Record<Language, string> = { 'zh-CN': '简体中文', 'en-US': 'English' };

/**
 * The languages side by side, for the login page: the shell's drop-down menu would add the whole
 * antd menu to the first download for a choice between two words.
 */
export function LanguageLinks({ current }: { current: Language }) {
  const change = useChangeLanguage();
  return (
    <span className="kehu-lang-links" data-testid="lang-links">
      {(Object.keys(NAMES) as Language[]).map((l) => (
        <Button
          key={l}
          type="link"
          size="small"
          disabled={l === current}
          onClick={() => void change(l)}
          data-testid={`lang-link-${l}`}
          lang={l}
        >
          {NAMES[l]}
        </Button>
      ))}
    </span>
  );
}
