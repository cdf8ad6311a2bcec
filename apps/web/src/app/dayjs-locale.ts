import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'dayjs/locale/en';
import i18n from '../i18n';

// Dates follow the UI language. Only the signed-in app shows dates, so the login page's
// download carries no dayjs; signed-in.tsx imports this once.
const apply = (lang: string) => dayjs.locale(lang === 'en-US' ? 'en' : 'zh-cn');
apply(i18n.language);
i18n.on('languageChanged', apply);
