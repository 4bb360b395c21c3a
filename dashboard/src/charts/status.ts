import type { NodeStatus } from '@zhuyun/protocol';

/** Worst first, the order status lists and legends use. */
export const STATUS_ORDER: readonly NodeStatus[] = ['down', 'degraded', 'unknown', 'up'];
/** The order of the count tiles: the healthy count first, as operators read a board left to right. */
export const COUNT_ORDER: readonly NodeStatus[] = ['up', 'degraded', 'down', 'unknown'];

/**
 * Each status has a shape as well as a colour (WCAG 1.4.1: colour is not the only signal).
 * `symbol` is the ECharts marker, `glyph` the same shape as text for labels.
 */
export const STATUS_SHAPE: Record<NodeStatus, { symbol: 'circle' | 'triangle' | 'rect' | 'diamond'; glyph: string }> = {
  up: { symbol: 'circle', glyph: '●' },
  degraded: { symbol: 'triangle', glyph: '▲' },
  down: { symbol: 'rect', glyph: '■' },
  unknown: { symbol: 'diamond', glyph: '◆' },
};
