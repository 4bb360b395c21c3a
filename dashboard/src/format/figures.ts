import type { Platform } from '@zhuyun/protocol';
import { MESSAGES, fill, type Locale } from '../i18n/messages';
import { formatMs, formatNumber, formatPct } from './format';

/** The headline figures of each platform panel, in the order shown; others follow, by name. */
export const FIGURE_ORDER: Record<Platform, readonly string[]> = {
  cloud: ['systems_running', 'hosts', 'cpu_pct', 'mem_pct', 'disk_pct'],
  share: ['up', 'success_pct', 'latency_ms', 'api_calls_per_s', 'records_per_s', 'catalog_resources'],
  open: ['up', 'latency_ms', 'datasets', 'api_calls_per_s', 'downloads_per_s'],
};

export interface Figure {
  key: string;
  label: string;
  value: string;
}

/**
 * PlatformSummary.figures as label/value pairs for the panel: percentages, milliseconds, rates per
 * second and counts each in their form, in the platform's order. A figure the server adds later
 * still shows, under its key.
 */
export function platformFigures(platform: Platform, figures: Record<string, number>, locale: Locale): Figure[] {
  const m = MESSAGES[locale].platform;
  const order = FIGURE_ORDER[platform];
  const keys = [...order.filter((k) => k in figures), ...Object.keys(figures).filter((k) => !order.includes(k)).sort()];
  return keys.map((key) => {
    const v = figures[key];
    const label = (m.figures as Record<string, string>)[key] ?? key;
    let value: string;
    if (key === 'up') value = v >= 1 ? m.yes : m.no;
    else if (key.endsWith('_pct')) value = `${formatPct(v, locale)}%`;
    else if (key.endsWith('_ms')) value = `${formatMs(v, locale)} ms`;
    else if (key.endsWith('_per_s')) value = fill(m.perSecond, { v: formatNumber(v, locale, v < 10 ? 1 : 0) });
    else value = fill(m.count, { v: formatNumber(v, locale) });
    return { key, label, value };
  });
}
