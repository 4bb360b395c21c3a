import { STATUS_SEVERITY, type NodeState, type NodeStatus } from '@zhuyun/protocol';

/**
 * The drill-down's node list as pure functions: problems first, then by level and name in natural
 * order; search by name, id or code; filters by level and status; pages. A unit of the real city
 * has up to a few hundred nodes (清镇 255) and a frame up to MAX_DISTRICT_FRAME_NODES: the table
 * renders one page of them, never all.
 */

export const LEVELS = ['city', 'unit', 'township', 'village', 'department', 'other'] as const;
export type NodeLevel = (typeof LEVELS)[number];
export const STATUSES: readonly NodeStatus[] = ['down', 'degraded', 'unknown', 'up'];
export const PAGE_SIZE = 50;

/** Natural order (村2 before 村10, t5201811 before t52018110) in Chinese collation. */
const collator = new Intl.Collator('zh-CN', { numeric: true, sensitivity: 'base' });

/**
 * The node's level: the `level` the server read from its points' tags; else guessed from the id
 * scheme of the city (`gy-core`, `<unit>-core-1`, `t<9 digits>`, `v<12 digits>`, `<unit>-dept-*`)
 * or its role, so a node without tags still sorts sensibly.
 */
export function levelOf(n: Pick<NodeState, 'id' | 'level' | 'role'>): NodeLevel {
  if (n.level && (LEVELS as readonly string[]).includes(n.level)) return n.level as NodeLevel;
  if (n.id === 'gy-core') return 'city';
  if (/-core(-\d+)?$/.test(n.id) || n.role === 'core') return 'unit';
  if (/^t\d{9}$/.test(n.id)) return 'township';
  if (/^v\d{12}$/.test(n.id)) return 'village';
  if (/-dept-/.test(n.id)) return 'department';
  return 'other';
}

/** The administrative division code in a township's or village's id (`t520181100` → 520181100). */
export function codeOf(id: string): string | null {
  const m = /^[tv](\d{9}|\d{12})$/.exec(id);
  return m ? m[1] : null;
}

/** What a view shows first: the node's name when known, else its id. */
export function displayName(n: Pick<NodeState, 'id' | 'name'>): string {
  return n.name?.trim() ? n.name : n.id;
}

/** A chart legend's label: name first, id second; the id alone when there is no name. */
export function nodeLabel(n: Pick<NodeState, 'id' | 'name'>): string {
  return n.name?.trim() ? `${n.name} · ${n.id}` : n.id;
}

/** Problems first (down, degraded, unknown, up), then level (core, township, village, department), then name, naturally. */
export function compareNodes(a: NodeState, b: NodeState): number {
  return (
    STATUS_SEVERITY[b.status] - STATUS_SEVERITY[a.status] ||
    LEVELS.indexOf(levelOf(a)) - LEVELS.indexOf(levelOf(b)) ||
    collator.compare(displayName(a), displayName(b)) ||
    collator.compare(a.id, b.id)
  );
}

export interface ListQuery {
  /** Free text: part of a name, an id or a division code. */
  q: string;
  level: NodeLevel | null;
  status: NodeStatus | null;
  /** 1-based. */
  page: number;
}

export const EMPTY_QUERY: ListQuery = { q: '', level: null, status: null, page: 1 };

/** Whether the node matches the search text (case-insensitive, in its name, id or code). */
export function matchesText(n: NodeState, q: string): boolean {
  const s = q.trim().toLowerCase();
  if (!s) return true;
  return n.id.toLowerCase().includes(s) || (n.name ?? '').toLowerCase().includes(s) || (codeOf(n.id) ?? '').includes(s);
}

/** The nodes the search and filters keep, in list order. */
export function filterNodes(nodes: readonly NodeState[], q: Pick<ListQuery, 'q' | 'level' | 'status'>): NodeState[] {
  // Keys computed once a node, not once a comparison: this runs on every frame (once a second).
  return nodes
    .map((n) => ({ n, level: levelOf(n) }))
    .filter(({ n, level }) => (q.status === null || n.status === q.status) && (q.level === null || level === q.level) && matchesText(n, q.q))
    .map(({ n, level }) => ({ n, sev: STATUS_SEVERITY[n.status], lvl: LEVELS.indexOf(level), name: displayName(n) }))
    .sort((a, b) => b.sev - a.sev || a.lvl - b.lvl || collator.compare(a.name, b.name) || collator.compare(a.n.id, b.n.id))
    .map((x) => x.n);
}

export interface Page<T> {
  rows: T[];
  /** The page shown (clamped into 1..pages). */
  page: number;
  pages: number;
  total: number;
  /** 0-based index of the first row shown. */
  first: number;
}

export function pageOf<T>(rows: readonly T[], page: number, size = PAGE_SIZE): Page<T> {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const p = Math.min(pages, Math.max(1, Number.isFinite(page) ? Math.trunc(page) : 1));
  const first = (p - 1) * size;
  return { rows: rows.slice(first, first + size), page: p, pages, total: rows.length, first };
}

const one = (v: unknown): string | undefined => (Array.isArray(v) ? (v[0] as unknown) : v) as string | undefined;

/** The list's state from the route's query (`?q=&level=&status=&page=`); anything unknown is dropped. */
export function queryFromRoute(query: Record<string, unknown>): ListQuery {
  const q = one(query.q);
  const level = one(query.level);
  const status = one(query.status);
  const page = Number(one(query.page));
  return {
    q: typeof q === 'string' ? q.slice(0, 100) : '',
    level: typeof level === 'string' && (LEVELS as readonly string[]).includes(level) ? (level as NodeLevel) : null,
    status: typeof status === 'string' && (STATUSES as readonly string[]).includes(status) ? (status as NodeStatus) : null,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
}

/** The route query for a list state: defaults left out, so a plain URL is the plain list. */
export function routeQuery(s: ListQuery): Record<string, string> {
  const out: Record<string, string> = {};
  if (s.q.trim()) out.q = s.q.trim();
  if (s.level) out.level = s.level;
  if (s.status) out.status = s.status;
  if (s.page > 1) out.page = String(s.page);
  return out;
}
