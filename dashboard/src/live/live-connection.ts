import { liveRefusal, messageOf } from '../api/http';
import { LIVE_EVENTS, type LiveDeltaFrame, type LiveFrame } from '@zhuyun/protocol';
import { frameData } from './live-state';
import { applyFrame, applySnapshot, initialSeqState, type TopicSeqState } from './live-state';

/** The part of a socket.io-client `Socket` the connection uses; tests pass a fake. */
export interface LiveSocket {
  readonly connected: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  /** socket.io's manual (re)connect; absent in fakes. */
  connect?(): unknown;
}

export interface TopicStatus {
  /** A (re)subscription was sent and its snapshot has not come yet: the data held may be old. */
  awaitingSnapshot: boolean;
  /** The server refused the topic (`subscribe_error`), until the next snapshot. */
  error: string | null;
}

export interface TopicListener {
  /** New data of the topic; `at` is the client time it arrived (epoch ms). */
  data(data: unknown, at: number): void;
  status(status: TopicStatus): void;
}

export interface ConnectionStatus {
  connected: boolean;
  /** Whether the socket ever connected: tells "connecting…" from "reconnecting…". */
  everConnected: boolean;
}

interface TopicEntry {
  listeners: Set<TopicListener>;
  seq: TopicSeqState;
  status: TopicStatus;
  /** The data of `seq` (a delta frame applies to it) and the client time it arrived. */
  last?: { data: unknown; at: number };
}

/**
 * One socket to `/live` shared by every topic the page shows, with subscriptions counted per topic:
 * the first listener of a topic subscribes it, the last one to leave unsubscribes it. On every
 * (re)connect all held topics are subscribed again and their snapshots awaited; a frame that shows
 * a gap in `seq` (or comes before the topic's snapshot) re-subscribes that topic, which answers
 * with a fresh snapshot. A frame of `overview` or `district:<code>` carries a delta (what changed
 * since seq - 1, protocol/src/live-delta.ts): it is applied here to the data held, so listeners
 * always get the topic's whole data. The socket is created at the first subscription.
 */
export class LiveConnection {
  private socket?: LiveSocket;
  private readonly topics = new Map<string, TopicEntry>();
  private readonly connectionListeners = new Set<(s: ConnectionStatus) => void>();
  private status: ConnectionStatus = { connected: false, everConnected: false };
  /** Client time of the last snapshot or frame applied, any topic (browser tests read it). */
  lastMessageAt = 0;

  constructor(
    private readonly makeSocket: () => LiveSocket,
    private readonly clock: () => number = Date.now,
  ) {}

  connection(): ConnectionStatus {
    return this.status;
  }

  /** Calls `listener` with the connection status now and on each change; returns the removal. */
  onConnection(listener: (s: ConnectionStatus) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.status);
    return () => this.connectionListeners.delete(listener);
  }

  /**
   * Adds a listener to a topic. It hears the topic's current data at once when some other listener
   * already holds it. Returns the removal; removing twice is harmless.
   */
  subscribe(topic: string, listener: TopicListener): () => void {
    this.ensureSocket();
    let entry = this.topics.get(topic);
    if (!entry) {
      entry = { listeners: new Set(), seq: initialSeqState(), status: { awaitingSnapshot: true, error: null } };
      this.topics.set(topic, entry);
      if (this.socket!.connected) this.socket!.emit(LIVE_EVENTS.subscribe, [topic]);
    }
    entry.listeners.add(listener);
    listener.status(entry.status);
    if (entry.last) listener.data(entry.last.data, entry.last.at);
    const held = entry;
    return () => {
      if (!held.listeners.delete(listener) || held.listeners.size > 0) return;
      if (this.topics.get(topic) === held) this.topics.delete(topic);
      if (this.socket?.connected) this.socket.emit(LIVE_EVENTS.unsubscribe, [topic]);
    };
  }

  /**
   * Connects again when not connected: a socket the server refused (no session yet) does not retry
   * by itself, so sign-in calls this.
   */
  reconnect(): void {
    if (this.socket && !this.socket.connected) this.socket.connect?.();
  }

  /** Topics held now (tests, diagnostics). */
  heldTopics(): string[] {
    return [...this.topics.keys()];
  }

  /** Topics held now with their listener counts (browser tests: no subscription outlives its view). */
  listenerCounts(): Record<string, number> {
    return Object.fromEntries([...this.topics].map(([t, e]) => [t, e.listeners.size]));
  }

  private ensureSocket(): void {
    if (this.socket) return;
    const s = this.makeSocket();
    this.socket = s;
    s.on('connect', () => {
      this.setConnection({ connected: true, everConnected: true });
      // A new connection holds no rooms: subscribe everything again and wait for fresh snapshots.
      const topics = [...this.topics.keys()];
      for (const t of topics) {
        const e = this.topics.get(t)!;
        e.seq = initialSeqState();
        this.setStatus(e, { awaitingSnapshot: true, error: null });
      }
      if (topics.length) s.emit(LIVE_EVENTS.subscribe, topics);
    });
    s.on('disconnect', () => this.setConnection({ connected: false, everConnected: this.status.everConnected }));
    s.on(LIVE_EVENTS.snapshot, (f: LiveFrame) => this.onSnapshot(f));
    s.on(LIVE_EVENTS.frame, (f: LiveFrame | LiveDeltaFrame) => this.onFrame(f));
    s.on(LIVE_EVENTS.subscribeError, (e: { topic?: unknown; error?: unknown }) => {
      const entry = typeof e?.topic === 'string' ? this.topics.get(e.topic) : undefined;
      if (entry) this.setStatus(entry, { awaitingSnapshot: false, error: messageOf(liveRefusal(String(e.error ?? 'subscribe failed'))) });
    });
  }

  private onSnapshot(f: LiveFrame): void {
    const entry = this.topics.get(f?.topic);
    if (!entry) return; // unsubscribed meanwhile
    entry.seq = applySnapshot(entry.seq, f).state;
    this.setStatus(entry, { awaitingSnapshot: false, error: null });
    this.deliver(entry, f.data);
  }

  private onFrame(f: LiveFrame | LiveDeltaFrame): void {
    const entry = this.topics.get(f?.topic);
    if (!entry) return;
    const { state, verdict } = applyFrame(entry.seq, f);
    if (verdict === 'apply') {
      entry.seq = state;
      this.deliver(entry, frameData(f, entry.last?.data));
    } else if (verdict === 'resync' && !entry.status.awaitingSnapshot) {
      this.setStatus(entry, { awaitingSnapshot: true, error: null });
      this.socket!.emit(LIVE_EVENTS.subscribe, [f.topic]);
    }
    // 'resync' while a snapshot is already on its way, and 'ignore': nothing to do.
  }

  private deliver(entry: TopicEntry, data: unknown): void {
    const at = this.clock();
    entry.last = { data, at };
    this.lastMessageAt = at;
    for (const l of entry.listeners) l.data(data, at);
  }

  private setStatus(entry: TopicEntry, status: TopicStatus): void {
    entry.status = status;
    for (const l of entry.listeners) l.status(status);
  }

  private setConnection(s: ConnectionStatus): void {
    this.status = s;
    for (const l of this.connectionListeners) l(s);
  }
}
