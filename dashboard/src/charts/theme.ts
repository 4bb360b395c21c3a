import type { NodeStatus } from '@zhuyun/protocol';

export type ThemeName = 'dark' | 'light';

/** Colours the charts and the page share; the page reads them as CSS variables (App.vue). */
export interface Palette {
  background: string;
  panel: string;
  text: string;
  textMuted: string;
  border: string;
  gridLine: string;
  /** Outline of the district picked for the latency chart. */
  selected: string;
  status: Record<NodeStatus, string>;
  /** Map fill per status: the status colour, darkened so labels stay readable on it. */
  area: Record<NodeStatus, string>;
  warning: string;
  critical: string;
  /** Line colours of the latency chart, one per node, in order. */
  series: string[];
}

/**
 * Status colours follow the usual ops convention (green / amber / red / grey); each status also has
 * a shape and a word (status.ts), so nothing depends on telling the colours apart.
 */
export const PALETTES: Record<ThemeName, Palette> = {
  dark: {
    background: '#0a1020',
    panel: '#111a2e',
    text: '#e6edf7',
    textMuted: '#8fa0bb',
    border: '#24324f',
    gridLine: '#1f2b45',
    selected: '#5ec8ff',
    status: { up: '#2fbf71', degraded: '#f5a623', down: '#ff4d4f', unknown: '#8c96a8' },
    area: { up: '#1d6b47', degraded: '#8a6216', down: '#8f2a2d', unknown: '#3a4254' },
    warning: '#f5a623',
    critical: '#ff4d4f',
    series: ['#5ec8ff', '#b38cff', '#4fd1c5', '#ffd166', '#ff8fab', '#9be564', '#f79d65', '#a0c4ff', '#e0aaff', '#7bdff2'],
  },
  light: {
    background: '#f4f6fa',
    panel: '#ffffff',
    text: '#1b2333',
    textMuted: '#5b6578',
    border: '#d5dbe6',
    gridLine: '#e5e9f0',
    selected: '#0b6bcb',
    status: { up: '#1f9d55', degraded: '#c77c02', down: '#d92d20', unknown: '#7a8494' },
    area: { up: '#9fdcb8', degraded: '#f7cf85', down: '#f4a29b', unknown: '#cfd4dc' },
    warning: '#c77c02',
    critical: '#d92d20',
    series: ['#0b6bcb', '#7a3fd1', '#0f9488', '#b7791f', '#c0266d', '#4d7c0f', '#c2410c', '#1d4ed8', '#9333ea', '#0e7490'],
  },
};
