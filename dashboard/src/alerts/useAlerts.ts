import { computed, ref, shallowRef, watch } from 'vue';
import { useLiveTopic } from '../live/useLiveTopic';
import type { AlertRule, AlertView, AlertsLiveData } from './alerts-model';
import { errorText, getJson } from './http';

/**
 * The live topic `alerts` plus the rules (for thresholds and names), read once and again when an
 * alert names a rule not yet known. Held for as long as the calling component lives.
 */
export function useAlerts() {
  const live = useLiveTopic<AlertsLiveData>('alerts');
  const rules = shallowRef<Map<string, AlertRule>>(new Map());
  const rulesError = ref<string | null>(null);
  let reading = false;

  async function readRules() {
    if (reading) return;
    reading = true;
    try {
      const list = await getJson<AlertRule[]>('/api/v1/alert-rules');
      rules.value = new Map(list.map((r) => [r.id, r]));
      rulesError.value = null;
    } catch (err) {
      rulesError.value = errorText(err);
    } finally {
      reading = false;
    }
  }
  void readRules();
  watch(live.data, (d) => {
    if (d && d.open.some((a) => !rules.value.has(a.ruleId))) void readRules();
  });

  const open = computed<AlertView[]>(() => live.data.value?.open ?? []);
  return { live, rules, rulesError, open, readRules };
}
