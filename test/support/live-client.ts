import { io, type Socket } from 'socket.io-client';
import { LIVE_NAMESPACE, applyTopicDelta, type LiveDeltaFrame, type LiveFrame } from '@zhuyun/protocol';

/**
 * A socket.io client on /live that records what it receives, for tests. A delta frame (overview,
 * district:<code>) that follows the seq held gets `data`: the topic's whole data with the delta
 * applied, as the dashboard's client computes it (its `delta` stays beside it); one that does not
 * follow (a gap) keeps no `data`.
 */
export class LiveTestClient {
  readonly socket: Socket;
  readonly snapshots: LiveFrame[] = [];
  readonly frames: LiveFrame[] = [];
  readonly errors: unknown[] = [];
  /** Per topic the seq and whole data last applied. */
  readonly held = new Map<string, { seq: number; data: unknown }>();

  /** `token`: a session token (the server refuses a socket without one). */
  constructor(url: string, token?: string) {
    this.socket = io(`${url}${LIVE_NAMESPACE}`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: token ? { token } : {} });
    this.socket.on('snapshot', (f: LiveFrame) => {
      this.held.set(f.topic, { seq: f.seq, data: f.data });
      this.snapshots.push(f);
    });
    this.socket.on('frame', (f: LiveFrame & Partial<LiveDeltaFrame>) => {
      const held = this.held.get(f.topic);
      if (f.delta !== undefined) {
        if (held && held.seq === f.seq - 1) f.data = applyTopicDelta(f.topic, held.data, f.delta);
      }
      if (f.data !== undefined) this.held.set(f.topic, { seq: f.seq, data: f.data });
      this.frames.push(f);
    });
    this.socket.on('subscribe_error', (e: unknown) => this.errors.push(e));
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.connected) return resolve();
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  subscribe(topics: unknown): Promise<{ subscribed: string[]; rejected: Array<{ topic: unknown; error: string }> }> {
    return this.socket.timeout(5000).emitWithAck('subscribe', topics);
  }

  /** Resolves with the first frame (past or future) that satisfies `pred`, or rejects after `ms`. */
  waitForFrame<T>(pred: (f: LiveFrame<T>) => boolean, ms = 10_000): Promise<LiveFrame<T>> {
    const found = (this.frames as LiveFrame<T>[]).find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off('frame', on);
        reject(new Error(`no matching frame within ${ms} ms; got ${this.frames.length} frames`));
      }, ms);
      const on = (f: LiveFrame<T>) => {
        if (!pred(f)) return;
        clearTimeout(timer);
        this.socket.off('frame', on);
        resolve(f);
      };
      this.socket.on('frame', on);
    });
  }

  close() {
    this.socket.close();
  }
}
