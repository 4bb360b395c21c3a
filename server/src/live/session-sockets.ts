import type { Namespace, Socket } from 'socket.io';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { ClusterService } from '../cluster/cluster.service.js';
import type { MetricsService } from '../ops/metrics.service.js';
import type { AccountsService, EndedSessions, LiveSession } from '../security/accounts.service.js';

/** What a live socket keeps of its session (socket.data.session). */
export interface SocketSession {
  key: string;
  userId: string;
  expiresAt: number;
}

/** Longest setTimeout Node takes (about 24.8 days); a longer session is re-armed on expiry of it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How often every socket's session is checked against the database (the backstop). */
export const SESSION_SWEEP_MS = 10_000;

/**
 * Sockets follow their session (issue 13). A socket is disconnected when its session ends:
 * - logout, password change, a user changed or disabled through this server: at once here, and on
 *   every other instance through the cluster signal `sessions.ended` (Redis pub/sub);
 * - expiry: by a timer armed at the handshake for the session's expiresAt;
 * - anything else (a user disabled with the CLI in another process, a lost Redis message): by a
 *   sweep every SESSION_SWEEP_MS that asks the database which of this instance's sessions still live.
 */
export class SessionSockets {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stops: Array<() => void> = [];
  private sweepTimer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly server: Namespace,
    private readonly accounts: AccountsService,
    private readonly cluster: ClusterService,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly metrics: MetricsService,
  ) {}

  start(): void {
    this.stops = [
      this.accounts.onSessionsEnded((ended) => {
        this.end(ended);
        this.cluster.signal('sessions.ended', ended);
      }),
      this.cluster.onSignal('sessions.ended', (data) => this.end(data as EndedSessions)),
    ];
    this.server.on('connection', (socket: Socket) => {
      this.arm(socket);
      socket.on('disconnect', () => {
        clearTimeout(this.timers.get(socket.id));
        this.timers.delete(socket.id);
      });
    });
    this.sweepTimer = setInterval(() => void this.sweep(), SESSION_SWEEP_MS);
    this.sweepTimer.unref();
  }

  stop(): void {
    for (const s of this.stops) s();
    clearInterval(this.sweepTimer);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** What the handshake keeps of a session. */
  static keep(socket: Socket, s: LiveSession): void {
    socket.data.session = { key: s.key, userId: s.userId, expiresAt: s.expiresAt } satisfies SocketSession;
  }

  /** True (and the socket dropped) when its session has expired: a subscribe checks this first. */
  droppedIfExpired(socket: Socket): boolean {
    const s = socket.data.session as SocketSession | undefined;
    if (!s || s.expiresAt > this.clock.now()) return false;
    this.drop(socket, 'expired');
    return true;
  }

  private arm(socket: Socket): void {
    const s = socket.data.session as SocketSession | undefined;
    if (!s) return;
    const ms = Math.min(Math.max(0, s.expiresAt - this.clock.now()), MAX_TIMER_MS);
    const timer = setTimeout(() => (this.droppedIfExpired(socket) ? undefined : this.arm(socket)), ms);
    timer.unref();
    this.timers.set(socket.id, timer);
  }

  /** Disconnects this instance's sockets of the ended sessions. */
  private end(ended: EndedSessions): void {
    const keys = new Set(Array.isArray(ended?.keys) ? ended.keys : []);
    for (const socket of this.server.sockets.values()) {
      const s = socket.data.session as SocketSession | undefined;
      if (!s) continue;
      if (keys.has(s.key) || (ended.userId !== undefined && s.userId === ended.userId && s.key !== ended.exceptKey)) this.drop(socket, ended.reason ?? 'ended');
    }
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const sockets = [...this.server.sockets.values()].filter((s) => s.data.session);
      if (!sockets.length) return;
      const live = await this.accounts.liveKeys([...new Set(sockets.map((s) => (s.data.session as SocketSession).key))]);
      for (const socket of sockets) if (!live.has((socket.data.session as SocketSession).key)) this.drop(socket, 'swept');
    } catch (err) {
      this.log.warn({ err }, 'live: the session sweep failed (retried at the next one)');
    } finally {
      this.sweeping = false;
    }
  }

  private drop(socket: Socket, reason: string): void {
    if (socket.disconnected) return;
    this.metrics.liveSessionEnded.inc({ reason });
    this.log.info({ socket: socket.id, reason }, 'live socket ended with its session');
    socket.disconnect(true);
  }
}
