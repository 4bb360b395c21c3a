import { STATUS_SEVERITY, UNITS, findUnit, type NodeStatus } from '@zhuyun/protocol';
import type { GraphSeriesOption } from 'echarts/charts';
import type { TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { MESSAGES, fill, unitShortName, type Locale } from '../i18n/messages';
import { STATUS_SHAPE } from './status';
import { PALETTES, type ThemeName } from './theme';

export type TopologyOption = ComposeOption<GraphSeriesOption | TooltipComponentOption>;

/** One row of `GET /api/v1/topology` (docs/TOPOLOGY.md). */
export interface TopologyNode {
  node: string;
  /** The node's name, when the server knows it (the simulated city's names). */
  name?: string;
  parent?: string;
  role?: string;
  unit?: string;
  status: NodeStatus;
  /** Nearest down ancestor: the node is unreachable behind it. */
  behind?: string;
  configured: boolean;
}

export interface TopologyResponse {
  nodes: TopologyNode[];
}

export type GraphItemKind = 'city' | 'unit' | 'node';

/** A vertex of the drawn tree, before styling. */
export interface TreeVertex {
  id: string;
  kind: GraphItemKind;
  parent: string | null;
  status: NodeStatus;
  behind?: string;
  role?: string;
  unit?: string;
  depth: number;
  /** Angle (radians) of the radial layout (0 at the top, clockwise), and the position on ring `depth`. */
  angle: number;
  x: number;
  y: number;
}

/** The root drawn when the topology names none: the city core. */
export const CITY_ID = 'city';
const UNIT_PREFIX = 'unit:';
/**
 * Distance between rings in layout units. Large on purpose: ECharts snaps line ends to whole
 * units before scaling them to the screen (sub-pixel optimisation), so rings 1 unit apart would
 * draw every link to a grid point instead of its node.
 */
export const RING = 100;

export function unitVertexId(code: string): string {
  return `${UNIT_PREFIX}${code}`;
}

function worst(a: NodeStatus, b: NodeStatus): NodeStatus {
  return STATUS_SEVERITY[b] > STATUS_SEVERITY[a] ? b : a;
}

/**
 * The tree the graph draws: the city core → each district or zone that has nodes → the nodes by
 * their `parent` links. A node whose parent is not known (a unit's core node) hangs under its unit,
 * a node with no unit under the city core. The city and the units are drawn vertices, not nodes:
 * their status is the worst of what hangs under them. Laid out radially: each subtree gets an arc
 * in proportion to its leaves, each level a ring. Units in protocol order, nodes by id.
 */
export function buildTree(nodes: readonly TopologyNode[]): TreeVertex[] {
  const ids = new Set(nodes.map((n) => n.node));
  const children = new Map<string, string[]>();
  const byId = new Map<string, TreeVertex>();
  const add = (parent: string, child: string) => {
    const list = children.get(parent);
    if (list) list.push(child);
    else children.set(parent, [child]);
  };
  byId.set(CITY_ID, { id: CITY_ID, kind: 'city', parent: null, status: 'unknown', depth: 0, angle: 0, x: 0, y: 0 });
  const unitOrder = new Map(UNITS.map((u, i) => [u.code, i]));
  const units = new Set<string>();
  for (const n of [...nodes].sort((a, b) => a.node.localeCompare(b.node))) {
    let parent: string;
    if (n.parent && ids.has(n.parent) && n.parent !== n.node) parent = n.parent;
    else if (n.unit && findUnit(n.unit)) {
      parent = unitVertexId(n.unit);
      units.add(n.unit);
    } else parent = CITY_ID;
    byId.set(n.node, {
      id: n.node,
      kind: 'node',
      parent,
      status: n.status,
      ...(n.behind ? { behind: n.behind } : {}),
      ...(n.role ? { role: n.role } : {}),
      ...(n.unit ? { unit: n.unit } : {}),
      depth: 0,
      angle: 0,
      x: 0,
      y: 0,
    });
  }
  for (const code of [...units].sort((a, b) => (unitOrder.get(a) ?? 99) - (unitOrder.get(b) ?? 99))) {
    byId.set(unitVertexId(code), { id: unitVertexId(code), kind: 'unit', parent: CITY_ID, status: 'unknown', unit: code, depth: 0, angle: 0, x: 0, y: 0 });
    add(CITY_ID, unitVertexId(code));
  }
  for (const v of byId.values()) if (v.kind === 'node') add(v.parent!, v.id);

  // Leaves under each vertex (a cycle in bad data cannot loop: each vertex is walked once).
  const seen = new Set<string>();
  const leaves = new Map<string, number>();
  const countLeaves = (id: string, depth: number): number => {
    if (seen.has(id)) return 0;
    seen.add(id);
    const v = byId.get(id)!;
    v.depth = depth;
    const kids = children.get(id) ?? [];
    let n = 0;
    let status: NodeStatus = v.kind === 'node' ? v.status : 'up';
    for (const k of kids) {
      n += countLeaves(k, depth + 1);
      if (v.kind !== 'node') status = worst(status, byId.get(k)!.status);
    }
    if (v.kind !== 'node') v.status = kids.length ? status : 'unknown';
    const total = Math.max(1, n);
    leaves.set(id, total);
    return total;
  };
  countLeaves(CITY_ID, 0);

  const place = (id: string, from: number, to: number) => {
    const v = byId.get(id)!;
    v.angle = (from + to) / 2;
    // The first ring a little wider than the rest: fourteen units share it.
    const r = v.depth === 0 ? 0 : (v.depth + 0.5) * RING;
    // y grows downwards on screen: start at the top and go clockwise.
    v.x = r === 0 ? 0 : +(r * Math.sin(v.angle)).toFixed(3);
    v.y = r === 0 ? 0 : +(-r * Math.cos(v.angle)).toFixed(3);
    let start = from;
    for (const k of children.get(id) ?? []) {
      if (byId.get(k)!.depth !== v.depth + 1) continue; // reached another way (bad data)
      const span = ((to - from) * leaves.get(k)!) / leaves.get(id)!;
      place(k, start, start + span);
      start += span;
    }
  };
  place(CITY_ID, 0, 2 * Math.PI);
  return [...seen].map((id) => byId.get(id)!);
}

export interface TopologyOptionInput {
  locale: Locale;
  theme: ThemeName;
  /** Multiplies symbol and label sizes (a wall screen is larger than a laptop). Default 1. */
  scale?: number;
}

/** What every graph data item carries besides ECharts' own fields (clicks, tooltips, tests). */
export interface GraphItemExtra {
  kind: GraphItemKind;
  status: NodeStatus;
  behind?: string;
  unit?: string;
  /** The label as drawn, without rich-text markup (tests and the text list read it). */
  text: string;
  tip: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The topology as an ECharts graph on the radial tree of `buildTree`: the city core a neutral hub
 * (a drawn root, not a measured node), each other vertex coloured and
 * shaped by its status (circle up, triangle degraded, square down, diamond unknown), with the status
 * word in its label when it is not up. A node behind a down ancestor is drawn hollow with a dashed
 * border in the down colour and labelled "unreachable (upstream down)"; the links into it are dashed.
 * Up access nodes carry no label (the tooltip has it) so sixty of them do not cover each other.
 */
export function topologyOption(nodes: readonly TopologyNode[], { locale, theme, scale = 1 }: TopologyOptionInput): TopologyOption {
  const m = MESSAGES[locale];
  const pal = PALETTES[theme];
  const tree = buildTree(nodes);
  const px = (n: number) => Math.round(n * scale);
  const colon = locale === 'zh-CN' ? '：' : ': ';

  const data = tree.map((v) => {
    const unit = v.unit ? findUnit(v.unit) : undefined;
    const name = v.kind === 'city' ? m.topology.city : v.kind === 'unit' ? (unit ? unitShortName(unit, locale) : v.id) : v.id;
    const shape = STATUS_SHAPE[v.status];
    const statusWord = v.behind ? m.topology.behindShort : m.status[v.status];
    const speaks = v.kind !== 'node' || v.status !== 'up' || !!v.behind || v.role === 'core' || v.role === 'aggregation';
    // The city is the drawn root, not a measured node: it carries no status of its own.
    const text = v.kind !== 'city' && (v.status !== 'up' || v.behind) ? `${name} ${statusWord}` : name;
    const size = v.kind === 'city' ? 30 : v.kind === 'unit' ? 20 : v.role === 'core' || v.role === 'aggregation' ? 15 : 11;
    const tipLines = [`<div style="font-weight:600">${escapeHtml(name)}</div>`];
    if (v.kind !== 'city')
      tipLines.push(`<div>${escapeHtml(m.map.status)}${colon}<span style="color:${pal.status[v.status]}">${shape.glyph}</span> ${escapeHtml(m.status[v.status])}</div>`);
    if (v.role) tipLines.push(`<div>${escapeHtml(m.topology.role)}${colon}${escapeHtml((m.topology.roles as Record<string, string>)[v.role] ?? v.role)}</div>`);
    if (v.kind === 'node' && unit) tipLines.push(`<div>${escapeHtml(m.map.district)}${colon}${escapeHtml(unitShortName(unit, locale))}</div>`);
    if (v.behind) tipLines.push(`<div style="color:${pal.status.down}">${escapeHtml(fill(m.topology.behind, { parent: v.behind }))}</div>`);
    const item = {
      id: v.id,
      name,
      x: v.x,
      y: v.y,
      kind: v.kind,
      status: v.status,
      ...(v.behind ? { behind: v.behind } : {}),
      ...(v.unit ? { unit: v.unit } : {}),
      text,
      tip: tipLines.join(''),
      symbol: v.kind === 'city' ? 'circle' : shape.symbol,
      symbolSize: px(size),
      itemStyle:
        v.kind === 'city'
          ? { color: pal.panel, borderColor: pal.selected, borderWidth: 3 }
          : v.behind
            ? { color: pal.background, borderColor: pal.status.down, borderWidth: 2, borderType: 'dashed' as const }
            : { color: pal.status[v.status], borderColor: pal.background, borderWidth: 1 },
      label: {
        show: speaks,
        // Outwards: right on the east half of the circle, left on the west half; the city below.
        position: v.kind === 'city' ? ('bottom' as const) : v.angle <= Math.PI ? ('right' as const) : ('left' as const),
        // A node's status word under its id: long ids and "unreachable (upstream down)" side by
        // side would run off the chart.
        formatter: v.kind === 'node' && text !== name ? `${name}\n${statusWord}` : text,
        color: v.kind === 'city' ? pal.selected : v.behind || v.status === 'down' ? pal.status.down : v.kind === 'node' && v.status === 'up' ? pal.textMuted : pal.text,
        fontSize: px(v.kind === 'node' ? 11 : 13),
        fontWeight: v.kind === 'node' ? ('normal' as const) : ('bold' as const),
        lineHeight: px(v.kind === 'node' ? 14 : 16),
        textBorderColor: pal.background,
        textBorderWidth: 2,
      },
    };
    return item satisfies NonNullable<GraphSeriesOption['data']>[number] & GraphItemExtra;
  });

  const links = tree
    .filter((v) => v.parent !== null)
    .map((v) => {
      // Only links into nodes: a unit or the city is "down" when one node under it is.
      const cut = v.kind === 'node' && (!!v.behind || v.status === 'down');
      return {
        source: v.parent!,
        target: v.id,
        lineStyle: cut
          ? { color: pal.status.down, type: 'dashed' as const, width: 1.5, opacity: 0.9 }
          : { color: pal.border, type: 'solid' as const, width: 1, opacity: 0.9 },
      };
    });

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
        if (one?.dataType !== 'node') return '';
        return (one.data as Partial<GraphItemExtra> | undefined)?.tip ?? '';
      },
    },
    series: [
      {
        id: 'topology',
        type: 'graph',
        layout: 'none',
        roam: true,
        left: 150,
        right: 150,
        top: 24,
        bottom: 24,
        draggable: false,
        emphasis: { focus: 'adjacency', lineStyle: { width: 2 } },
        labelLayout: { hideOverlap: true },
        data,
        links,
      },
    ],
  };
}

/** The drawn vertices as tests and the text list read them (from the option's graph data). */
export function graphItems(option: { series?: unknown }): Array<{ id: string } & GraphItemExtra> {
  const series = (Array.isArray(option.series) ? option.series : [option.series]) as Array<{ type?: string; data?: Array<{ id: string } & GraphItemExtra> }>;
  return series.filter((s) => s?.type === 'graph').flatMap((s) => s.data ?? []);
}
