/**
 * What browser tests read from the page, kept tiny: `window.__zhuyun`.
 * - `mapRegions()`: the names of the regions the map drew, from the ECharts instance's map series
 *   data (in the page's language), [] before the map is drawn.
 * - `lastFrameAt`: client time (epoch ms) of the last live snapshot or frame applied, 0 before any.
 */
export interface ZhuyunTestHooks {
  mapRegions(): string[];
  readonly lastFrameAt: number;
}

let mapRegionsSource: () => string[] = () => [];
let lastFrameAtSource: () => number = () => 0;

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
    get lastFrameAt() {
      return lastFrameAtSource();
    },
  };
}
