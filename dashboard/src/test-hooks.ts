/**
 * What browser tests read from the page, kept tiny: `window.__zhuyun`.
 * - `mapRegions()`: the names of the regions the map drew, from the ECharts instance's map series
 *   data (in the page's language), [] before the map is drawn.
 * - `lastFrameAt`: client time (epoch ms) of the last live snapshot or frame applied, 0 before any.
 */
export interface ZhuyunTestHooks {
  mapRegions(): string[];
  /** Where a district's label sits on the map, in page pixels (tests click there); null before. */
  mapPoint(code: string): [number, number] | null;
  readonly lastFrameAt: number;
  /** The router's current path and query. */
  route(): string;
  /** The topology graph's vertices as drawn (id, kind, status, behind, label text); [] before. */
  topologyItems(): TopologyItem[];
  /** Where a drawn topology vertex sits, in page pixels (tests click there); null when not drawn. */
  topologyPoint(id: string): [number, number] | null;
  /** The wall's rotating panel: the unit shown, how many times it has turned, why it shows it. */
  wall(): WallState;
  /** Each district's status as the map draws it (code → up/degraded/down/unknown); {} before. */
  mapStatus(): Record<string, string>;
  /** ECharts instances alive now (made and not yet disposed): a leak test counts them. */
  charts(): number;
  /** Live topics held by the page's connection, each with its listener count. */
  liveTopics(): Record<string, number>;
  /** How many times the live chart feeds have published their series (redraws) since load. */
  chartPublishes(): number;
  /** In-page navigation through the router (no reload), resolved when the route is entered. */
  go(path: string): Promise<void>;
}

export interface TopologyItem {
  id: string;
  kind: string;
  status: string;
  behind?: string;
  text: string;
  /** It has children; they are drawn; a search found it. */
  expandable?: boolean;
  expanded?: boolean;
  highlighted?: boolean;
}

let mapRegionsSource: () => string[] = () => [];
let lastFrameAtSource: () => number = () => 0;
let mapPointSource: (code: string) => [number, number] | null = () => null;

/** GuiyangMap points this at its chart; it resets it when it goes away. */
export function setMapPointSource(source: ((code: string) => [number, number] | null) | null): void {
  mapPointSource = source ?? (() => null);
}
let routeSource: () => string = () => location.pathname;
let mapStatusSource: () => Record<string, string> = () => ({});

/** GuiyangMap points this at its chart; it resets it when it goes away. */
export function setMapStatusSource(source: (() => Record<string, string>) | null): void {
  mapStatusSource = source ?? (() => ({}));
}
let topologySource: () => TopologyItem[] = () => [];
/** What the wall's panel shows: `reason` 'p1' when a P1 brought the unit forward. */
export interface WallState {
  unit: string | null;
  turns: number;
  reason?: 'cycle' | 'p1';
}
let wallSource: () => WallState = () => ({ unit: null, turns: 0 });

export function setRouteSource(source: () => string): void {
  routeSource = source;
}

let topologyPointSource: (id: string) => [number, number] | null = () => null;

/** TopologyView points this at its chart; it resets it when it goes away. */
export function setTopologySource(source: (() => TopologyItem[]) | null, point?: (id: string) => [number, number] | null): void {
  topologySource = source ?? (() => []);
  topologyPointSource = point ?? (() => null);
}

/** WallView points this at its rotation; it resets it when it goes away. */
export function setWallSource(source: (() => WallState) | null): void {
  wallSource = source ?? (() => ({ unit: null, turns: 0 }));
}

/** GuiyangMap points this at its chart; it resets it when it goes away. */
export function setMapRegionsSource(source: (() => string[]) | null): void {
  mapRegionsSource = source ?? (() => []);
}

export function setLastFrameAtSource(source: () => number): void {
  lastFrameAtSource = source;
}

let navigate: (path: string) => Promise<unknown> = async () => undefined;
export function setNavigate(fn: (path: string) => Promise<unknown>): void {
  navigate = fn;
}
let liveChartInstances = 0;
let chartPublishCount = 0;
let liveTopicsSource: () => Record<string, number> = () => ({});

/** useEChart calls these when it makes and disposes an instance. */
export function noteChartInit(): void {
  liveChartInstances += 1;
}
export function noteChartDispose(): void {
  liveChartInstances -= 1;
}
/** The live chart feeds call this on each publish. */
export function noteChartPublish(): void {
  chartPublishCount += 1;
}
export function setLiveTopicsSource(source: () => Record<string, number>): void {
  liveTopicsSource = source;
}

/** The production period of the live chart feeds: a chart redraws at most once a second. */
export const CHART_PUBLISH_MS = 1_000;

/**
 * The live chart feeds' publish period: `CHART_PUBLISH_MS`, or a shorter one a browser test set
 * before the page loaded (`window.__zhuyunChartPublishMs`, 10–1000) to compress an hour of live
 * updates into minutes (test/browser/chart-memory.spec.ts). Nothing in the page sets it.
 */
export function chartPublishMs(target: { __zhuyunChartPublishMs?: unknown } | undefined = typeof window === 'undefined' ? undefined : window): number {
  const v = target?.__zhuyunChartPublishMs;
  return typeof v === 'number' && Number.isFinite(v) && v >= 10 && v <= CHART_PUBLISH_MS ? v : CHART_PUBLISH_MS;
}

declare global {
  interface Window {
    __zhuyun?: ZhuyunTestHooks;
    __zhuyunChartPublishMs?: unknown;
  }
}

export function installTestHooks(target: Window = window): void {
  target.__zhuyun = {
    mapRegions: () => mapRegionsSource(),
    mapPoint: (code) => mapPointSource(code),
    get lastFrameAt() {
      return lastFrameAtSource();
    },
    route: () => routeSource(),
    topologyItems: () => topologySource(),
    topologyPoint: (id) => topologyPointSource(id),
    wall: () => wallSource(),
    mapStatus: () => mapStatusSource(),
    charts: () => liveChartInstances,
    liveTopics: () => liveTopicsSource(),
    chartPublishes: () => chartPublishCount,
    go: async (path) => {
      await navigate(path);
    },
  };
}
