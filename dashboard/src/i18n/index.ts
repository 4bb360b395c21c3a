import { createI18n } from 'vue-i18n';
import { DEFAULT_LOCALE, MESSAGES, isLocale, type Locale } from './messages';

const STORAGE_KEY = 'zhuyun.locale';

/** `?lang=en` wins (links, browser tests), then the last choice made on this browser, then Chinese. */
export function initialLocale(search = location.search, storage: Pick<Storage, 'getItem'> | undefined = safeStorage()): Locale {
  const fromQuery = new URLSearchParams(search).get('lang');
  if (isLocale(fromQuery)) return fromQuery;
  const stored = storage?.getItem(STORAGE_KEY);
  return isLocale(stored) ? stored : DEFAULT_LOCALE;
}

function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // storage disabled (privacy mode): the choice just is not remembered
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: DEFAULT_LOCALE,
  messages: MESSAGES,
  // Numbers are formatted with Intl.NumberFormat (src/format), not vue-i18n's number formats.
  missingWarn: import.meta.env.DEV,
  fallbackWarn: import.meta.env.DEV,
});

/** Switches the language of the whole page and remembers it on this browser. */
export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  document.documentElement.lang = locale;
  document.title = MESSAGES[locale].app.documentTitle;
  safeStorage()?.setItem(STORAGE_KEY, locale);
}

export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale;
}

export type { Locale };
