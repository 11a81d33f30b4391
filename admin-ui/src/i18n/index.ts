import type { TranslationMessages } from 'react-admin';
import polyglotI18nProvider from 'ra-i18n-polyglot';
import englishMessages from 'ra-language-english';
import raChineseMessages from './ra-zh-CN';
import appChineseMessages from './app-zh-CN';
import appEnglishMessages from './app-en';

const messages: Record<string, TranslationMessages> = {
  'zh-CN': { ...raChineseMessages, ...appChineseMessages },
  en: { ...englishMessages, ...appEnglishMessages },
};

/** Simplified Chinese by default; English is one click away in the app bar. */
export const i18nProvider = polyglotI18nProvider((locale) => messages[locale] ?? messages['zh-CN'], 'zh-CN', [
  { locale: 'zh-CN', name: '简体中文' },
  { locale: 'en', name: 'English' },
]);
