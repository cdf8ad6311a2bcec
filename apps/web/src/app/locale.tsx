import { useQueryClient } from '@tanstack/react-query';
import { ConfigProvider } from 'antd';
import enUSAntd from 'antd/es/locale/en_US';
import zhCNAntd from 'antd/es/locale/zh_CN';
import { type ReactNode, useCallback, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import i18n, { LANGUAGE_KEY, type Language, loadLanguage } from '../i18n';
import { http, setApiLanguage } from '../shared/api-client';
import { ME_KEY } from './session';

function applyLanguage(lang: Language): void {
  setApiLanguage(lang);
  document.documentElement.lang = lang;
}

applyLanguage(i18n.language as Language);

/** The newest language asked for: a slower, older switch that finishes later must not win over it. */
let latestSwitch = 0;

/** Switch UI language; when signed in, also persist it on the user (PATCH /auth/me). */
export function useChangeLanguage(): (lang: Language, opts?: { persist?: boolean }) => Promise<void> {
  const qc = useQueryClient();
  return useCallback(
    async (lang, opts) => {
      const mine = ++latestSwitch;
      // Saved first, while the strings load: a reload right after the switch keeps it.
      const saved = opts?.persist
        ? http.patch('/auth/me', { locale: lang }).then(
            () => qc.invalidateQueries({ queryKey: ME_KEY }),
            () => {
              /* language still switches locally */
            },
          )
        : Promise.resolve();
      await loadLanguage(lang);
      if (mine === latestSwitch) {
        localStorage.setItem(LANGUAGE_KEY, lang);
        applyLanguage(lang);
        await i18n.changeLanguage(lang);
      }
      // Metadata labels are bilingual already; server error texts follow Accept-Language.
      await saved;
    },
    [qc],
  );
}

export function LocaleProvider({ children }: { children: ReactNode }) {
  const { i18n: inst } = useTranslation();
  const lang = inst.language as Language;
  useEffect(() => applyLanguage(lang), [lang]);
  return (
    <ConfigProvider
      locale={lang === 'en-US' ? enUSAntd : zhCNAntd}
      theme={{
        token: { colorPrimary: '#1677ff', borderRadius: 6 },
      }}
    >
      {children}
    </ConfigProvider>
  );
}
