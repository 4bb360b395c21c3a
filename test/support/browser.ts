import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from '@jest/globals';
import { repoRoot, startTestServer, type TestServer } from './server.js';

/** Debian's chromium; never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(repoRoot, 'test-artifacts');

/**
 * Whether browser tests can run here. Outside CI a missing chromium is said loudly and the suite
 * skips; under CI=true it is a failure (the suite runs and fails at launch).
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const msg = `\n*** ${CHROMIUM} not found: browser tests need Debian's chromium (apt-get install -y chromium fonts-wqy-microhei) ***\n`;
  if (process.env.CI === 'true') return true; // let the launch fail: a missing browser is a red run in CI
  console.warn(msg);
  return false;
}

export interface BrowserHandle {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile in a temp dir, headless, with the flags this machine needs (no network). */
export async function launchBrowser(viewport = { width: 1920, height: 1080 }): Promise<BrowserHandle> {
  const profile = mkdtempSync(join(tmpdir(), 'zhuyun-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // The UI language of the browser itself: native date and time inputs follow it, not the page.
      '--lang=zh-CN',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** What the dashboard exposes to tests (dashboard/src/test-hooks.ts). */
declare global {
  interface Window {
    __zhuyun?: {
      mapRegions(): string[];
      mapPoint(code: string): [number, number] | null;
      readonly lastFrameAt: number;
      route(): string;
      topologyItems(): Array<{ id: string; kind: string; status: string; behind?: string; text: string; expandable?: boolean; expanded?: boolean; highlighted?: boolean }>;
      topologyPoint(id: string): [number, number] | null;
      wall(): { unit: string | null; turns: number; reason?: 'cycle' | 'p1' };
      charts(): number;
      liveTopics(): Record<string, number>;
      chartPublishes(): number;
      go(path: string): Promise<void>;
    };
    __zhuyunChartPublishMs?: unknown;
  }
}

/** Signs the browser in as the test server's admin: the session cookie a login would set. */
export async function signIn(context: BrowserContext, server: { url: string; token: string }): Promise<void> {
  await context.addCookies([{ name: 'zhuyun_session', value: server.token, url: server.url, httpOnly: true, sameSite: 'Strict' }]);
}

/**
 * A suite's server serving the built dashboard (dashboard/dist) and a Chromium signed in to it as
 * the admin: started in the suite's beforeAll, closed in its afterAll. Read `server` and `browser`
 * inside the tests (they are set once beforeAll has run).
 */
export function signedInDashboard(env: Record<string, string>, setupMs = 90_000): { readonly server: TestServer; readonly browser: BrowserHandle } {
  let server: TestServer | undefined;
  let browser: BrowserHandle | undefined;
  beforeAll(async () => {
    expect(existsSync(join(repoRoot, 'dashboard/dist/index.html'))).toBe(true);
    server = await startTestServer(env);
    browser = await launchBrowser();
    await signIn(browser.context, server);
  }, setupMs);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('signedInDashboard: the server is read before beforeAll ran');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('signedInDashboard: the browser is read before beforeAll ran');
      return browser;
    },
  };
}

/** Polls `read` in the page's pace until `ok` holds; fails naming `what` and the last value seen. */
export async function waitFor<T>(page: Page, read: () => Promise<T>, ok: (v: T) => boolean, ms: number, what: string, everyMs = 200): Promise<T> {
  const until = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await read();
    if (ok(last)) return last;
    await page.waitForTimeout(everyMs);
  }
  throw new Error(`${what}: not seen within ${ms} ms (last: ${JSON.stringify(last)})`);
}

/** Collects the page's uncaught errors and console errors (a view done has none). */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  return problems;
}
