import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { zhCN } from './zh-CN';

export const LANGUAGES = ['zh-CN', 'en-US'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_KEY = 'kehu.locale';

export function initialLanguage(): Language {
  const saved = localStorage.getItem(LANGUAGE_KEY);
  if (saved === 'zh-CN' || saved === 'en-US') return saved;
  return 'zh-CN';
}

export function normalizeLanguage(lang: string | null | undefined): Language | null {
  if (!lang) return null;
  if (lang.toLowerCase().startsWith('zh')) return 'zh-CN';
  if (lang.toLowerCase().startsWith('en')) return 'en-US';
  return null;
}

// Chinese, the default, comes with the app; English is fetched when someone uses it (loadLanguage),
// so the Chinese-speaking majority does not download both.
const loaded = new Set<Language>(['zh-CN']);

/** Modules' strings come one language at a time too (app/web-modules.tsx registers their loaders). */
const languageLoaders: ((lang: Language) => Promise<void>)[] = [];
export function addLanguageLoader(load: (lang: Language) => Promise<void>) {
  languageLoaders.push(load);
}

/** Makes the language's strings (core and loaded modules') available; call before switching to it. */
export async function loadLanguage(lang: Language): Promise<void> {
  await Promise.all([loadCore(lang), ...languageLoaders.map((load) => load(lang))]);
}

async function loadCore(lang: Language) {
  if (loaded.has(lang)) return;
  const { enUS } = await import('./en-US');
  i18n.addResourceBundle(lang, 'translation', enUS, true, false);
  loaded.add(lang);
}

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN } },
  partialBundledLanguages: true,
  lng: initialLanguage(),
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
  returnNull: false,
});

export default i18n;
