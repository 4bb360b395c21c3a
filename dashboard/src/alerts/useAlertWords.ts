import { useI18n } from 'vue-i18n';
import { heldBack, ruleKey, ruleMetric, type AlertView } from './alerts-model';

/**
 * The words of alerts in the user's language (issue 15): built-in rules by their id (`alertOps.rule.*`),
 * held back behind a named node, by its own node down, or silenced. A rule ops made keeps its name.
 */
export function useAlertWords() {
  const { t, te } = useI18n();
  function ruleText(a: { ruleId: string; ruleName: string | null }): string {
    const key = ruleKey(a.ruleId);
    if (key === null || !te(`alertOps.rule.${key}`)) return a.ruleName ?? a.ruleId;
    const metric = ruleMetric(a.ruleId);
    const mk = metric ? `alertOps.metric.${metric.replace('.', '_')}` : null;
    return t(`alertOps.rule.${key}`, { metric: mk && te(mk) ? t(mk) : (metric ?? '') });
  }
  function suppressedText(a: Pick<AlertView, 'suppressed' | 'suppressedName'>): string | null {
    const x = heldBack(a);
    if (!x) return null;
    return x.kind === 'behind' ? t('alertOps.held.behind', { name: x.name }) : x.kind === 'down' ? t('alertOps.held.down') : t('alertOps.held.silence');
  }
  return { ruleText, suppressedText };
}
