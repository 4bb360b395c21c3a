import { findUnit, type NodeStatus } from '@zhuyun/protocol';
import type { TreeSeriesOption } from 'echarts/charts';
import type { TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { MESSAGES, fill, unitName, type Locale } from '../i18n/messages';
import { STATUS_SHAPE } from './status';
import { PALETTES, type ThemeName } from './theme';
import { drawnExtent, worstOfSubtree, type SubtreeSummary, type TopoTree, type TopoVertex, type VertexKind } from './topology.tree';

export type TopologyTreeOption = ComposeOption<TreeSeriesOption | TooltipComponentOption>;

export interface TopologyTreeInput {
  locale: Locale;
  theme: ThemeName;
  /** The vertex a search found: drawn larger, ringed and labelled in bold. */
  highlight?: string;
  /** Multiplies symbol and label sizes (a wall screen is larger than a laptop). Default 1. */
  scale?: number;
  /** A phone: the narrow layout (`TREE_LAYOUT_COMPACT`). */
  compact?: boolean;
  /** The subtrees' summaries when the caller has them (the view reads them for its side panel too). */
  summary?: ReadonlyMap<string, SubtreeSummary>;
}

/** What every drawn tree item carries besides ECharts' own fields (clicks, tooltips, tests). */
export interface TreeItemExtra {
  vid: string;
  kind: VertexKind;
  /** The worst status of the vertex's whole subtree (its own for a leaf node). */
  status: NodeStatus;
  behind?: string;
  unit?: string;
  /** Nodes in the subtree, and how many of them are down. */
  total: number;
  down: number;
  /** It has children; and they are drawn. */
  expandable: boolean;
  expanded: boolean;
  highlighted: boolean;
  /** The label as drawn (tests and screen readers read it). */
  text: string;
  tip: string;
}

type TreeItem = NonNullable<TreeSeriesOption['data']>[number] & TreeItemExtra;

/**
 * The drawn tree's room, in CSS pixels: a column per level and a row per drawn leaf, so labels never
 * sit on each other; the view scrolls the chart inside its panel when the room is larger than the
 * panel (a phone, or several townships open at once) instead of squeezing it.
 */
export const TREE_LAYOUT = { left: 48, right: 250, top: 40, bottom: 16, column: 270, row: 24 } as const;
/** On a phone: narrower columns, so the folded city (two columns) fits 390 px without scrolling. */
export const TREE_LAYOUT_COMPACT = { left: 16, right: 160, top: 40, bottom: 16, column: 160, row: 26 } as const;

export function treeCanvasSize(tree: TopoTree, expanded: ReadonlySet<string>, scale = 1, compact = false): { width: number; height: number } {
  const { columns, rows } = drawnExtent(tree, expanded);
  const L = compact ? TREE_LAYOUT_COMPACT : TREE_LAYOUT;
  return {
    width: Math.round((L.left + L.right + Math.max(0, columns - 1) * L.column) * scale),
    height: Math.round((L.top + L.bottom + rows * L.row) * scale),
  };
}

/** A vertex's name on screen: the node's name, the unit's name, the city's word, else the id. */
export function vertexName(v: TopoVertex, locale: Locale): string {
  if (v.kind === 'unit') {
    const u = v.unit ? findUnit(v.unit) : undefined;
    // A zone's full name (贵阳国家高新技术产业开发区) would push its label into the next column.
    return u ? (u.kind === 'zone' && locale === 'zh-CN' ? u.zhShort : unitName(u, locale)) : v.id;
  }
  // Place names stay Chinese in English too (there is no official English list); the id is in the
  // tooltip and the side panel.
  if (v.name) return v.name;
  return v.kind === 'city' ? MESSAGES[locale].topology.city : v.id;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The subtree's headline status for a label: the worst status that has nodes, with its count. */
function headline(s: SubtreeSummary): { status: NodeStatus; n: number } | null {
  for (const st of ['down', 'degraded', 'unknown'] as const) if (s.counts[st] > 0) return { status: st, n: s.counts[st] };
  return null;
}

/**
 * The topology as an ECharts tree, left to right, drawing only what is expanded: the root always,
 * and the children of each drawn vertex in `expanded` — so 10,000 nodes cost what is open, not
 * what exists. Each vertex is coloured and shaped by the worst status of its whole subtree, and a
 * vertex with children says its count ("清镇市 · 3 中断 / 255"); a collapsed one ends in "▸". A node
 * behind a down ancestor is drawn hollow with a dashed border, its link dashed.
 */
export function topologyTreeOption(tree: TopoTree, expanded: ReadonlySet<string>, { locale, theme, highlight, scale = 1, compact = false, summary: given }: TopologyTreeInput): TopologyTreeOption {
  const L = compact ? TREE_LAYOUT_COMPACT : TREE_LAYOUT;
  const m = MESSAGES[locale];
  const pal = PALETTES[theme];
  const summary = given ?? worstOfSubtree(tree, tree.status);
  const px = (n: number) => Math.round(n * scale);
  const colon = locale === 'zh-CN' ? '：' : ': ';

  const item = (id: string): TreeItem => {
    const v = tree.vertices.get(id)!;
    const s = summary.get(id)!;
    const name = vertexName(v, locale);
    const expandable = v.children.length > 0;
    const isOpen = expandable && expanded.has(id);
    const hl = highlight === id;
    const status = s.worst;
    const head = headline(s);
    let text: string;
    if (expandable) text = head ? fill(m.topology.subtree, { name, n: head.n, status: m.status[head.status], total: s.total }) : fill(m.topology.subtreeAll, { name, total: s.total });
    else if (v.behind) text = `${name} ${m.topology.behindShort}`;
    else text = status === 'up' ? name : `${name} ${m.status[status]}`;
    const shape = STATUS_SHAPE[status];
    const tip = [`<div style="font-weight:600">${escapeHtml(name)}</div>`];
    if (v.node && v.node !== name) tip.push(`<div>${escapeHtml(m.topology.id)}${colon}${escapeHtml(v.node)}</div>`);
    tip.push(`<div>${escapeHtml(m.map.status)}${colon}<span style="color:${pal.status[status]}">${shape.glyph}</span> ${escapeHtml(m.status[status])}</div>`);
    if (expandable) {
      const parts = (['down', 'degraded', 'unknown', 'up'] as const).filter((st) => s.counts[st] > 0).map((st) => `${m.status[st]} ${s.counts[st]}`);
      tip.push(`<div>${escapeHtml(m.topology.nodes)}${colon}${escapeHtml(parts.join(' · '))} / ${s.total}</div>`);
    }
    if (v.role) tip.push(`<div>${escapeHtml(m.topology.role)}${colon}${escapeHtml((m.topology.roles as Record<string, string>)[v.role] ?? v.role)}</div>`);
    if (v.behind) tip.push(`<div style="color:${pal.status.down}">${escapeHtml(fill(m.topology.behind, { parent: v.behind }))}</div>`);
    const size = v.kind === 'city' ? 22 : v.kind === 'unit' ? 16 : expandable ? 12 : 9;
    const out: TreeItem = {
      name: id,
      vid: id,
      kind: v.kind,
      status,
      ...(v.behind ? { behind: v.behind } : {}),
      ...(v.unit ? { unit: v.unit } : {}),
      total: s.total,
      down: s.counts.down,
      expandable,
      expanded: isOpen,
      highlighted: hl,
      text,
      tip: tip.join(''),
      symbol: shape.symbol,
      symbolSize: px(hl ? size + 8 : size),
      itemStyle: v.behind
        ? { color: pal.background, borderColor: pal.status.down, borderWidth: 2, borderType: 'dashed' }
        : { color: pal.status[status], borderColor: hl ? pal.selected : pal.background, borderWidth: hl ? 3 : 1 },
      lineStyle: v.behind || (v.kind === 'node' && tree.status.get(v.node ?? '') === 'down') ? { color: pal.status.down, type: 'dashed', width: 1.5 } : { color: pal.border, width: 1 },
      label: {
        // A folded vertex or a leaf speaks on its right. An open one above its edge to its children,
        // starting at its symbol: that strip is empty up to the next column, whereas its left is the
        // previous column's labels. The root's count goes on a second line (its name is long).
        ...(isOpen ? { position: 'top' as const, align: 'left' as const, distance: 8 } : { position: 'right' as const }),
        formatter: expandable && !isOpen ? `${text} ▸` : id === tree.root && text !== name ? `${name}\n${text.slice(name.length + 3)}` : text,
        color: hl ? pal.selected : status === 'down' || v.behind ? pal.status.down : v.kind === 'node' && !expandable && status === 'up' ? pal.textMuted : pal.text,
        fontSize: px(v.kind === 'node' && !expandable ? 11 : 13),
        lineHeight: px(v.kind === 'node' && !expandable ? 14 : 17),
        fontWeight: hl || v.kind !== 'node' ? 'bold' : 'normal',
        textBorderColor: pal.background,
        textBorderWidth: 2,
        ...(hl ? { backgroundColor: pal.panel, borderColor: pal.selected, borderWidth: 1, padding: [2, 4], borderRadius: 3 } : {}),
      },
    };
    if (isOpen) out.children = v.children.map(item);
    return out;
  };

  return {
    backgroundColor: 'transparent',
    animation: false,
    tooltip: {
      trigger: 'item',
      backgroundColor: pal.panel,
      borderColor: pal.border,
      textStyle: { color: pal.text, fontSize: 13 },
      formatter: (p) => {
        const one = Array.isArray(p) ? p[0] : p;
        return (one?.data as Partial<TreeItemExtra> | undefined)?.tip ?? '';
      },
    },
    series: [
      {
        id: 'topology-tree',
        type: 'tree',
        layout: 'orthogonal',
        orient: 'LR',
        edgeShape: 'polyline',
        // The view folds and unfolds (it owns `expanded`): ECharts draws what it is given.
        expandAndCollapse: false,
        // No zoom or pan: the view gives the chart the room it needs and scrolls it.
        roam: false,
        left: px(L.left),
        right: px(L.right),
        top: px(L.top),
        bottom: px(L.bottom),
        // No focus/blur on hover: a redraw under a resting pointer left vertices faded.
        emphasis: { focus: 'none' },
        data: [item(tree.root)],
      },
    ],
  };
}

/** The drawn vertices (depth first), as tests and the page's hooks read them from an option. */
export function treeItems(option: { series?: unknown }): TreeItemExtra[] {
  const series = (Array.isArray(option.series) ? option.series : [option.series]) as Array<{ type?: string; data?: Array<TreeItemExtra & { children?: unknown[] }> }>;
  const out: TreeItemExtra[] = [];
  const walk = (d: TreeItemExtra & { children?: unknown[] }) => {
    out.push(d);
    for (const k of (d.children ?? []) as Array<TreeItemExtra & { children?: unknown[] }>) walk(k);
  };
  for (const s of series) if (s?.type === 'tree') for (const d of s.data ?? []) walk(d);
  return out;
}
