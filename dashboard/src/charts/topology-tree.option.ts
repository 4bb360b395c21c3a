import { findUnit, type NodeStatus } from '@zhuyun/protocol';
import type { TreeSeriesOption } from 'echarts/charts';
import type { TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { MESSAGES, fill, unitName, type Locale } from '../i18n/messages';
import { STATUS_SHAPE } from './status';
import { PALETTES, type ThemeName } from './theme';
import { worstOfSubtree, type SubtreeSummary, type TopoTree, type TopoVertex, type VertexKind } from './topology.tree';

export type TopologyTreeOption = ComposeOption<TreeSeriesOption | TooltipComponentOption>;

export interface TopologyTreeInput {
  locale: Locale;
  theme: ThemeName;
  /** The vertex a search found: drawn larger, ringed and labelled in bold. */
  highlight?: string;
  /** Multiplies symbol and label sizes (a wall screen is larger than a laptop). Default 1. */
  scale?: number;
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

/** A vertex's name on screen: the node's name, the unit's name, the city's word, else the id. */
export function vertexName(v: TopoVertex, locale: Locale): string {
  if (v.kind === 'unit') {
    const u = v.unit ? findUnit(v.unit) : undefined;
    return u ? unitName(u, locale) : v.id;
  }
  if (v.name && locale === 'zh-CN') return v.name;
  if (v.kind === 'city') return MESSAGES[locale].topology.city;
  // The names are Chinese place names: in English the id reads better beside them.
  return v.name ? `${v.id} ${v.name}` : v.id;
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
export function topologyTreeOption(tree: TopoTree, expanded: ReadonlySet<string>, { locale, theme, highlight, scale = 1 }: TopologyTreeInput): TopologyTreeOption {
  const m = MESSAGES[locale];
  const pal = PALETTES[theme];
  const summary = worstOfSubtree(tree, tree.status);
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
        // Open vertices speak on their left (their children fill the right), the rest on the right.
        position: isOpen ? 'left' : 'right',
        formatter: expandable && !isOpen ? `${text} ▸` : text,
        color: hl ? pal.selected : status === 'down' || v.behind ? pal.status.down : v.kind === 'node' && !expandable && status === 'up' ? pal.textMuted : pal.text,
        fontSize: px(v.kind === 'node' && !expandable ? 11 : 13),
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
        roam: true,
        left: px(150),
        right: px(240),
        top: 16,
        bottom: 16,
        emphasis: { focus: 'ancestor' },
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
