import { isUnitCode } from '@zhuyun/protocol';
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { checkSession, homeOf } from './auth/session';

/**
 * The ops views. History mode: the server answers every GET that is not an API path with
 * index.html (server/src/app.factory.ts), and so does the Vite dev server. Every view is its own
 * chunk, loaded when first opened (after the session check: a visitor who is not signed in and
 * lands on the sign-in page never fetches the overview's map and ECharts; docs/DASHBOARD.md "What
 * loads when").
 */
const overview = () => import('./views/OverviewView.vue');

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'overview', component: overview },
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { chrome: false, public: true } },
  {
    path: '/district/:code',
    name: 'district',
    component: () => import('./views/DistrictView.vue'),
    props: true,
  },
  // One node (issue 14): every place that names a node links here (node/node-page.ts nodeHref).
  { path: '/node/:id', name: 'node', component: () => import('./views/NodeView.vue'), props: true },
  { path: '/topology', name: 'topology', component: () => import('./views/TopologyView.vue') },
  // The wall screen draws its own header: no navigation bar on the ops-room screen.
  { path: '/wall', name: 'wall', component: () => import('./views/WallView.vue'), meta: { chrome: false } },
  { path: '/alerts', name: 'alerts', component: () => import('./views/AlertsView.vue') },
  { path: '/sla', name: 'sla', component: () => import('./views/SlaView.vue') },
  // Leadership: the district comparison and its printable monthly page (A4, no navigation bar).
  { path: '/leader', name: 'leader', component: () => import('./views/LeaderView.vue') },
  { path: '/leader/print', name: 'leader-print', component: () => import('./views/LeaderPrintView.vue'), meta: { chrome: false } },
  // Administration (role admin; the view itself refuses others, the server refuses their requests).
  { path: '/admin', name: 'admin', component: () => import('./views/AdminView.vue') },
  { path: '/migration', name: 'migration', component: () => import('./views/MigrationView.vue') },
  { path: '/:rest(.*)*', redirect: '/' },
];

export function createAppRouter() {
  const router = createRouter({ history: createWebHistory(import.meta.env.BASE_URL), routes });
  // Every view but the sign-in page needs a session; without one, sign in and come back.
  router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    const user = await checkSession();
    if (!user) return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
    // The overview is the city's: an operator starts at its SLA, a district user at its district.
    if (to.name === 'overview' && homeOf(user) !== '/') return homeOf(user);
    return true;
  });
  return router;
}

/** The district route's code when it names a district or zone; null otherwise (the view says so). */
export function routeUnit(code: unknown): string | null {
  return typeof code === 'string' && isUnitCode(code) ? code : null;
}

declare module 'vue-router' {
  interface RouteMeta {
    /** false: the view draws its own header (the wall). */
    chrome?: boolean;
    /** true: reachable without a session (the sign-in page). */
    public?: boolean;
  }
}
