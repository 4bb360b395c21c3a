import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DistrictData, DistrictDelta, LiveFrame, OverviewData } from '@zhuyun/protocol';
import { io } from 'socket.io-client';
import { LiveTestClient } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Delta frames over a real socket with the real city simulated (issue 14, docs/ARCHITECTURE.md
// "Live feed"): a client that applies the deltas holds what a fresh snapshot says; a gap resyncs.

const LARGEST = 'district:520181'; // 清镇, the city's largest unit (255 nodes)
const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_FLEET: 'city' });
}, 60_000);
afterAll(() => server.close());

/** The dashboard's live connection (dashboard/src/live/live-connection.ts), the shape this test uses. */
interface LiveSocket {
  readonly connected: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
}
interface DashboardConnection {
  subscribe(topic: string, listener: { data(d: unknown, at: number): void; status(s: unknown): void }): () => void;
}
// Loaded by path: the dashboard's sources resolve as Vite does (no extensions), not as this package's tsc.
const DASHBOARD_CONNECTION = '../../dashboard/src/live/live-connection.js';
async function dashboardConnection(makeSocket: () => LiveSocket): Promise<DashboardConnection> {
  const mod = (await import(DASHBOARD_CONNECTION)) as { LiveConnection: new (make: () => LiveSocket) => DashboardConnection };
  return new mod.LiveConnection(makeSocket);
}

/** A recording client whose whole data per topic and seq is kept (the snapshot and each applied delta). */
function historyOf(client: LiveTestClient, topic: string): Map<number, unknown> {
  const h = new Map<number, unknown>();
  const keep = () => {
    const held = client.held.get(topic);
    if (held) h.set(held.seq, json(held.data));
  };
  client.socket.on('snapshot', keep);
  client.socket.on('frame', keep);
  return h;
}

describe('live delta frames, city fleet', () => {
  it('deltas applied for some seconds equal a fresh snapshot at the same seq', async () => {
    const a = new LiveTestClient(server.url, server.token);
    const b = new LiveTestClient(server.url, server.token);
    try {
      await a.connected();
      const history = { overview: historyOf(a, 'overview'), [LARGEST]: historyOf(a, LARGEST) };
      await a.subscribe(['overview', LARGEST]);
      await sleep(8_000);
      const frames = a.frames.filter((f) => f.topic === LARGEST) as Array<LiveFrame<DistrictData> & { delta?: DistrictDelta }>;
      // The city moves every second: deltas came, each after the one before (no gap), none whole.
      expect(frames.length).toBeGreaterThan(3);
      expect(frames.every((f) => f.delta !== undefined && f.data !== undefined)).toBe(true);
      // A delta carries only the nodes that changed, not the unit's 255.
      expect(Math.min(...frames.map((f) => f.delta!.nodes?.length ?? 0))).toBeLessThan(255);

      await b.connected();
      await b.subscribe(['overview', LARGEST]);
      await sleep(1_500); // a's frames up to b's seq have come
      for (const topic of ['overview', LARGEST] as const) {
        const snap = b.snapshots.find((s) => s.topic === topic)!;
        expect(history[topic].has(snap.seq)).toBe(true);
        expect(history[topic].get(snap.seq)).toEqual(json(snap.data));
      }
      const overview = b.snapshots.find((s) => s.topic === 'overview') as LiveFrame<OverviewData>;
      expect(overview.data.units.length).toBeGreaterThan(10);
    } finally {
      a.close();
      b.close();
    }
  }, 40_000);

  it("the dashboard's connection resyncs after a lost frame and goes on applying deltas", async () => {
    const reference = new LiveTestClient(server.url, server.token);
    // A real socket to /live whose third frame of the topic is lost on the way in.
    let seen = 0;
    const lost: number[] = [];
    const emitted: unknown[] = [];
    let raw: ReturnType<typeof io> | undefined;
    const makeSocket = (): LiveSocket => {
      const s = (raw = io(`${server.url}/live`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: server.token } }));
      return {
        get connected() {
          return s.connected;
        },
        on(event: string, fn: (...args: any[]) => void) {
          if (event !== 'frame') return s.on(event, fn);
          return s.on('frame', (f: LiveFrame) => {
            if (f.topic === LARGEST && ++seen === 3) return void lost.push(f.seq);
            fn(f);
          });
        },
        emit(event: string, ...args: unknown[]) {
          emitted.push([event, ...args]);
          return s.emit(event, ...args);
        },
      };
    };
    const conn = await dashboardConnection(makeSocket);
    const got: DistrictData[] = [];
    try {
      await reference.connected();
      const history = historyOf(reference, LARGEST);
      await reference.subscribe([LARGEST]);
      const off = conn.subscribe(LARGEST, { data: (d) => got.push(json(d) as DistrictData), status: () => undefined });
      await sleep(9_000);
      off();
      expect(lost).toHaveLength(1);
      // The frame after the lost one showed the gap: the topic was subscribed again (a new snapshot).
      expect(emitted.filter((e) => JSON.stringify(e) === JSON.stringify(['subscribe', [LARGEST]]))).toHaveLength(2);
      expect(got.length).toBeGreaterThan(4);
      // Everything the dashboard's client held, before and after the resync, is a state the server sent.
      const states = [...history.values()].map((d) => JSON.stringify(d));
      for (const d of got.slice(1)) expect(states).toContain(JSON.stringify(d));
    } finally {
      reference.close();
      raw?.disconnect();
    }
  }, 40_000);
});
