import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import { ShutdownService } from '../../server/src/cluster/shutdown.service.js';
import { LiveTestClient } from '../support/live-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Graceful shutdown in one process (server/src/cluster/shutdown.service.ts): what happens to a
 * request in flight, a request that arrives while draining, a new connection, a live socket.
 * Raw HTTP/1.1 over one TCP connection, so a second request can arrive on a connection in use.
 */
describe('graceful shutdown', () => {
  let server: TestServer;
  let collectorToken: string;

  beforeAll(async () => {
    server = await startTestServer({ ZHUYUN_SHUTDOWN_GRACE: '5s' });
    collectorToken = await server.addCollector('qz-edge-01', '520181');
  });
  afterAll(async () => {
    await server.close().catch(() => undefined);
  });

  function batch(n: number): string {
    return JSON.stringify({
      collector: 'qz-edge-01',
      batch: `b-${n}`,
      points: [{ metric: 'net.up', ts: Date.now(), value: 1, tags: { district: '520181', node: `qz-node-${n}` } }],
    });
  }

  function head(body: string): string {
    const port = new URL(server.url).port;
    return `POST /api/v1/ingest HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${collectorToken}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  }

  it('finishes the request in flight, answers the next one 503 with Retry-After, refuses new connections, disconnects live sockets', async () => {
    const live = new LiveTestClient(server.url, server.token);
    await live.connected();
    await live.subscribe(['overview']);
    const liveGone = new Promise<string>((r) => live.socket.once('disconnect', (reason) => r(reason)));

    const port = Number(new URL(server.url).port);
    const sock: Socket = connect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    let received = '';
    sock.on('data', (d) => (received += d.toString()));
    // Request 1: the head and half the body, then the shutdown starts.
    const body1 = batch(1);
    sock.write(head(body1) + body1.slice(0, 20));
    await new Promise((r) => setTimeout(r, 200));

    const shutdown = server.app.get(ShutdownService);
    const done = shutdown.run(server.app);
    await new Promise((r) => setTimeout(r, 200));
    expect(shutdown.draining).toBe(true);
    // A new connection is refused: the listener is closed.
    const refused = await fetch(`${server.url}/api/v1/ingest`, { method: 'POST' }).then(
      () => 'answered',
      (err: Error) => (err.cause as { code?: string } | undefined)?.code ?? err.message,
    );
    expect(refused).toBe('ECONNREFUSED');
    // The rest of request 1, and request 2 right behind it on the same connection.
    const body2 = batch(2);
    sock.write(body1.slice(20) + head(body2) + body2);
    await done;
    await new Promise((r) => setTimeout(r, 100));
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 202/);
    expect(answers[0]).toMatch(/"accepted":1/);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 503/);
    expect(answers[1]).toMatch(/Retry-After: 2/i);
    expect(answers[1]).toMatch(/"code":"draining"/);
    expect(await liveGone).toBe('io server disconnect');
    sock.destroy();
    live.close();

    // After a restart on the same data dir: request 1's point is there, request 2's is not.
    const again = await startTestServer({ ZHUYUN_DATA_DIR: server.dataDir });
    server = again;
    const count = async (node: string) => {
      const res = await again.api(`/api/v1/series?metric=net.up&node=${node}&from=${new Date(Date.now() - 3_600_000).toISOString()}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { series: Array<{ points: unknown[] }> };
      return body.series.reduce((n, x) => n + x.points.length, 0);
    };
    expect(await count('qz-node-1')).toBe(1);
    expect(await count('qz-node-2')).toBe(0);
  });
});
