/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

// GeoJSON is typed where it is read (map/guiyang-geo.ts), not by TypeScript's inference over ~170 kB.
declare module '*.geo.json' {
  const value: unknown;
  export default value;
}
