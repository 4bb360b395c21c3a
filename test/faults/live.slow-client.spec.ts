import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { LiveTestClient } from '../support/live-client.js';
import { adminToken, killHard, spawnServer } from '../support/server-process.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Issue 9: "Socket clients that never read: server memory stays bounded, they are dropped." A raw
 * WebSocket client (no socket.io library: it must be able to NOT read) connects to /live, keeps the
 * heartbeat alive by sending pongs, asks for the snapshots of every district over and over, and
 * never reads a byte. The server (the simulated city, its own process) must drop it once more than
 * ZHUYUN_LIVE_MAX_PENDING_BYTES wait for it, keep its RSS bounded, and go on serving a normal client.
 */
const DISTRICTS = ['520102', '520103', '520111', '520112', '520113', '520115', '520121', '520122', '520123', '520181'];
const TOPICS = ['overview', ...DISTRICTS.map((d) => `district:${d}`), 'alerts', 'sla'];
const work = mkdtempSync(join(tmpdir(), 'zhuyun-fault-slow-'));
let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
const sockets: Socket[] = [];
let normal: LiveTestClient | undefined;
afterAll(async () => {
  for (const s of sockets) s.destroy();
  normal?.socket.close();
  if (server) await killHard(server.child);
  rmSync(work, { recursive: true, force: true });
});

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** One masked client-to-server WebSocket text frame (RFC 6455 5.2). */
function wsFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  return Buffer.concat([head, mask, body]);
}

/** Upgrades, joins /live with the token, and from then on only writes. Resolves once the server has cut it. */
function neverReader(url: string, token: string): { socket: Socket; closed: Promise<string>; writes: () => number } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.pause(); // never read: not the 101, not a frame
  let writes = 0;
  const closed = new Promise<string>((resolve) => {
    socket.once('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
    socket.once('close', () => resolve('close'));
  });
  socket.on('connect', () => {
    socket.write(
      `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    // A client that does not read cannot see the open packet: it waits a moment instead (frames
    // that come before engine.io has finished the upgrade are not read by it).
    let timer: NodeJS.Timeout | undefined;
    const start = setTimeout(() => {
      socket.write(wsFrame(`40/live,${JSON.stringify({ token })}`));
      timer = setInterval(tick, 20);
    }, 300);
    socket.once('close', () => (clearTimeout(start), clearInterval(timer)));
    const tick = () => {
      if (socket.destroyed) return clearInterval(timer);
      // Heartbeat kept alive without reading (engine.io takes a pong at any time), then more snapshots.
      socket.write(wsFrame('3'));
      socket.write(wsFrame(`42/live,${JSON.stringify(['subscribe', TOPICS])}`));
      writes++;
    };
  });
  return { socket, closed, writes: () => writes };
}

async function metric(url: string, name: string): Promise<number> {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${url}/metrics`)).text());
  return m ? Number(m[1]) : NaN;
}

describe('socket clients that never read', () => {
  it('are dropped past the pending-bytes limit; server RSS stays bounded; a normal client keeps its frames', async () => {
    const env = { ZHUYUN_DATA_DIR: join(work, 'data'), ZHUYUN_SIMULATE: '1', ...(process.env.ZHUYUN_LIVE_MAX_PENDING_BYTES ? { ZHUYUN_LIVE_MAX_PENDING_BYTES: process.env.ZHUYUN_LIVE_MAX_PENDING_BYTES } : {}) };
    server = await spawnServer(env);
    const token = await adminToken(server.url, env);
    const pid = server.child.pid!;

    normal = new LiveTestClient(server.url, token);
    await normal.connected();
    await normal.subscribe(['overview']);
    await normal.waitForFrame(() => true, 15_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const baseline = rssMb(pid);

    const slow = [neverReader(server.url, token), neverReader(server.url, token)];
    sockets.push(...slow.map((s) => s.socket));
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);
    const t0 = Date.now();
    const outcome = await Promise.race([Promise.all(slow.map((s) => s.closed)), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 40_000))]);
    const droppedAfterMs = Date.now() - t0;
    clearInterval(sampler);
    const context = `outcome ${JSON.stringify(outcome)} after ${droppedAfterMs} ms, RSS peak ${peak.toFixed(0)} MB from ${baseline.toFixed(0)}\n${server.output().split('\n').slice(-6).join('\n')}`;
    if (outcome === 'timeout' || !/does not read its frames/.test(server.output())) console.log(context);
    expect(outcome).not.toBe('timeout');
    expect(await metric(server.url, 'zhuyun_live_slow_clients_dropped_total')).toBe(2);
    expect(server.output()).toMatch(/live client does not read its frames: dropped/);

    // The normal client was served throughout and still is.
    const before = normal.frames.length;
    await normal.waitForFrame(() => normal!.frames.length > before, 10_000);
    expect(normal.socket.connected).toBe(true);
    expect(await metric(server.url, 'zhuyun_live_sockets')).toBe(1);

    await new Promise((r) => setTimeout(r, 3_000));
    const after = rssMb(pid);
    console.log(
      `slow clients: dropped after ${droppedAfterMs} ms (${slow.map((s) => s.writes()).join('/')} subscribe requests written, ${outcome}); ` +
        `server RSS ${baseline.toFixed(0)} MB before, ${peak.toFixed(0)} MB peak, ${after.toFixed(0)} MB 3 s after`,
    );
    expect(peak - baseline).toBeLessThan(150);
    expect(server.child.exitCode).toBeNull();
  }, 90_000);
});
