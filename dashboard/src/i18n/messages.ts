import type { Unit } from '@zhuyun/protocol';
import en from './en';
import zhCN, { type Messages } from './zh-CN';

/** The dashboard's languages: Chinese first (DESIGN "Who uses it"), English second. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export const MESSAGES: Record<Locale, Messages> = { 'zh-CN': zhCN, en };

export function isLocale(v: unknown): v is Locale {
  return (LOCALES as readonly unknown[]).includes(v);
}

/**
 * Fills `{name}` placeholders the way vue-i18n does, for code that runs outside components (chart
 * option builders). An unknown placeholder is left as written, so a typo shows instead of vanishing.
 */
export function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

/** A unit's name in the language: the full Chinese name, or the English one. */
export function unitName(unit: Unit, locale: Locale): string {
  return locale === 'zh-CN' ? unit.zh : unit.en;
}

/** A unit's short name: zhShort in Chinese (map markers, tight spaces), English otherwise. */
export function unitShortName(unit: Unit, locale: Locale): string {
  return locale === 'zh-CN' ? unit.zhShort : unit.en;
}
