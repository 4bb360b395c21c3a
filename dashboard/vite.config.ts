import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const protocolSrc = fileURLToPath(new URL('../protocol/src/', import.meta.url));
/** Where `npm start` serves the API and the live feed; the dev server and `vite preview` proxy to it. */
const backend = process.env.ZHUYUN_BACKEND ?? 'http://127.0.0.1:8080';
// The server refuses changes and live sockets from another origin (docs/SECURITY.md "Same origin"):
// through this proxy the browser's origin is the dev server's, so the proxy speaks as the backend's.
const proxy = {
  '/api': { target: backend, changeOrigin: true, headers: { origin: backend } },
  '/socket.io': { target: backend, ws: true, changeOrigin: true, headers: { origin: backend } },
};

/**
 * The ECharts series only a later view draws (src/charts/echarts-tree.ts: topology;
 * echarts-bar.ts: leadership; echarts-zoom.ts: the node page's data zoom): they stay in that view's chunk, not in the echarts or vendor chunk
 * the first view loads.
 */
const laterSeries = /[\\/]echarts[\\/]lib[\\/](chart[\\/](tree|bar)|component[\\/]dataZoom)([\\/]|\.js)/;

export default defineConfig({
  plugins: [vue()],
  resolve: {
    // The protocol workspace is read from its TypeScript sources (as tsc does through the
    // `zhuyun-source` condition), so the dashboard never needs protocol/dist to be built.
    alias: [{ find: /^@zhuyun\/protocol$/, replacement: `${protocolSrc}index.ts` }],
  },
  define: {
    // vue-i18n: Composition API only, no devtools hooks in production (smaller bundle).
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: { proxy },
  preview: { proxy },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // dist/.vite/manifest.json: which chunks each view loads (bench/bundle-size.mjs reads it).
    manifest: true,
    // The ECharts chunk (tree-shaken core + the parts in src/charts/echarts.ts) is ~600 kB before
    // gzip, ~200 kB after; most of it is the core every chart needs.
    chunkSizeWarningLimit: 650,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across deploys.
        codeSplitting: {
          groups: [
            { name: 'echarts', test: (id) => /node_modules[\\/](echarts|zrender|tslib)[\\/]/.test(id) && !laterSeries.test(id), priority: 2 },
            { name: 'vendor', test: (id) => /node_modules[\\/]/.test(id) && !laterSeries.test(id), priority: 1 },
          ],
        },
      },
      treeshake: {
        // The protocol's modules have no side effects at import: its zod schemas (ingest, series
        // queries) are not used here and must not drag zod into the bundle.
        moduleSideEffects: [{ test: /[\\/]protocol[\\/]src[\\/]/, sideEffects: false }],
        // The dashboard takes constants and helpers from protocol modules that also declare zod
        // schemas (ingest.ts: FRESH_MS; series.ts: STEPS, pickStep); a module kept for one constant
        // keeps its top-level calls, and `z.object(…)` would keep zod (~22 kB gzip). Building a
        // schema has no effect but the schema: calls on `z` are pure here.
        manualPureFunctions: ['z'],
      },
    },
  },
});
