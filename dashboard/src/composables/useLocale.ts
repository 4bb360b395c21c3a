import { computed, type ComputedRef } from 'vue';
import { useI18n } from 'vue-i18n';
import type { Locale } from '../i18n/messages';

/** The page's language as the format helpers and option builders take it. */
export function useLocale(): ComputedRef<Locale> {
  const { locale } = useI18n();
  return computed(() => locale.value as Locale);
}
