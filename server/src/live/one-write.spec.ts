import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import WebSocket from 'ws';
import { oneWritePerSocket, type HoldableConn } from './one-write.js';

/**
 * A real socket.io server and a bare WebSocket client: a socket in two rooms gets the tick's two
 * frames in one write to its TCP socket (counted on the server's socket; engine.io alone makes two),
 * in order, and works on normally afterwards (the transport is writable again: a later emit arrives).
 */
let http: HttpServer;
let io: Server;
let url: string;
beforeAll(async () => {
  http = createServer();
  io = new Server(http, { transports: ['websocket'] });
  io.of('/live').on('connection', (s) => {
    void s.join('a');
    void s.join('b');
    s.emit('ready');
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/socket.io/?EIO=4&transport=websocket`;
});
afterAll(async () => {
  await io.close();
});

/** Connects to /live; resolves once the server said `ready`, with the messages and raw reads seen after. */
function client(): Promise<{ ws: WebSocket; messages: string[]; reads: () => number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: string[] = [];
    let reads = 0;
    let ready = false;
    ws.on('open', () => (ws as unknown as { _socket: NodeJS.EventEmitter })._socket.on('data', () => ready && reads++));
    ws.on('message', (buf) => {
      const m = buf.toString();
      if (m === '2') return ws.send('3');
      if (m.startsWith('0')) return ws.send('40/live,');
      if (m.startsWith('42/live,["ready"')) {
        // from the next read on (this one's own `data` listener runs after this)
        return setImmediate(() => ((ready = true), resolve({ ws, messages, reads: () => reads })));
      }
      if (ready) messages.push(m);
    });
    ws.on('error', reject);
  });
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('oneWritePerSocket', () => {
  it('sends the frames of one tick to a socket in one write, in order, and leaves the transport writable', async () => {
    const c = await client();
    const nsp = io.of('/live');
    const conns = () => Array.from(nsp.sockets.values(), (s) => s.conn as unknown as HoldableConn);
    // Count the server's writes to the TCP socket (each one a write/writev system call).
    let writes = 0;
    const raw = (conns()[0].transport!.socket as unknown as { _socket: Record<'_write' | '_writev', (...a: unknown[]) => unknown> })._socket;
    for (const k of ['_write', '_writev'] as const) {
      const orig = raw[k].bind(raw);
      raw[k] = (...a: unknown[]) => (writes++, orig(...a));
    }
    oneWritePerSocket(conns(), () => {
      nsp.to('a').emit('frame', { topic: 'a', seq: 1 });
      nsp.to('b').emit('frame', { topic: 'b', seq: 1 });
    });
    await until(() => c.messages.length >= 2);
    expect(c.messages).toEqual(['42/live,["frame",{"topic":"a","seq":1}]', '42/live,["frame",{"topic":"b","seq":1}]']);
    expect(writes).toBe(1);
    expect(c.reads()).toBe(1);
    for (const conn of conns()) expect(conn.transport?.writable).toBe(true);

    // The next tick goes through as well (nothing left held or corked).
    nsp.to('a').emit('frame', { topic: 'a', seq: 2 });
    await until(() => c.messages.length >= 3);
    expect(c.messages[2]).toBe('42/live,["frame",{"topic":"a","seq":2}]');
    expect(writes).toBe(2);
    c.ws.close();
  });

  it('leaves a connection it cannot hold to engine.io (another transport, a write in progress)', () => {
    let flushed = 0;
    const busy: HoldableConn = { readyState: 'open', flush: () => flushed++, transport: { name: 'websocket', writable: false, socket: { _socket: { cork: () => undefined, uncork: () => undefined } } } };
    const polling: HoldableConn = { readyState: 'open', flush: () => flushed++, transport: { name: 'polling', writable: true } };
    let emitted = 0;
    oneWritePerSocket([busy, polling], () => emitted++);
    expect(emitted).toBe(1);
    expect(flushed).toBe(0);
    expect(busy.transport?.writable).toBe(false);
    expect(polling.transport?.writable).toBe(true);
  });
});
