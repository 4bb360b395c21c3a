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
  /** The wall's rotating panel: the unit shown and how many times it has turned. */
  wall(): { unit: string | null; turns: number };
  /** Each district's status as the map draws it (code → up/degraded/down/unknown); {} before. */
  mapStatus(): Record<string, string>;
}

export interface TopologyItem {
  id: string;
  kind: string;
  status: string;
  behind?: string;
  text: string;
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
let wallSource: () => { unit: string | null; turns: number } = () => ({ unit: null, turns: 0 });

export function setRouteSource(source: () => string): void {
  routeSource = source;
}

/** TopologyView points this at its chart; it resets it when it goes away. */
export function setTopologySource(source: (() => TopologyItem[]) | null): void {
  topologySource = source ?? (() => []);
}

/** WallView points this at its rotation; it resets it when it goes away. */
export function setWallSource(source: (() => { unit: string | null; turns: number }) | null): void {
  wallSource = source ?? (() => ({ unit: null, turns: 0 }));
}

/** GuiyangMap points this at its chart; it resets it when it goes away. */
export function setMapRegionsSource(source: (() => string[]) | null): void {
  mapRegionsSource = source ?? (() => []);
}

export function setLastFrameAtSource(source: () => number): void {
  lastFrameAtSource = source;
}

declare global {
  interface Window {
    __zhuyun?: ZhuyunTestHooks;
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
    wall: () => wallSource(),
    mapStatus: () => mapStatusSource(),
  };
}
