import { Inject, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { LIVE_EVENTS, LIVE_NAMESPACE, MAX_TOPICS_PER_SOCKET } from '@zhuyun/protocol';
import { Namespace, Socket } from 'socket.io';
import { ClusterService } from '../cluster/cluster.service.js';
import { ShutdownService } from '../cluster/shutdown.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { CONFIG, type AppConfig } from '../config/config.js';
import { LiveBus } from '../common/live-bus.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { MetricsService } from '../ops/metrics.service.js';
import { AccountsService } from '../security/accounts.service.js';
import { handshakeOriginProblem } from '../security/origin-policy.js';
import { tokenFrom, type Principal } from '../security/principal.js';
import { StatusService } from '../status/status.service.js';
import { FrameCoalescer } from './frame.coalescer.js';
import { LiveTopicsService, publicTopic } from './live-topics.service.js';
import { oneWritePerSocket, type HoldableConn } from './one-write.js';
import { SessionSockets } from './session-sockets.js';
import { dropThreshold, pendingBytes, type EngineConnLike } from './slow-client.js';

/** One frame per topic per second at most (DESIGN "Live"). */
const FLUSH_EVERY_MS = 1_000;

export interface SubscribeAck {
  subscribed: string[];
  rejected: Array<{ topic: unknown; error: string }>;
}

/**
 * The `/live` namespace: a socket joins one room per topic; each subscription is answered with a
 * snapshot; a one-second tick sends coalesced frames to the rooms.
 */
@WebSocketGateway({ namespace: LIVE_NAMESPACE })
export class LiveGateway implements OnGatewayInit, OnModuleDestroy {
  @WebSocketServer() private server!: Namespace;
  private coalescer = new FrameCoalescer();
  private timer?: NodeJS.Timeout;
  private stopListening: Array<() => void> = [];
  private sessions?: SessionSockets;

  constructor(
    private readonly topics: LiveTopicsService,
    private readonly status: StatusService,
    private readonly bus: LiveBus,
    private readonly metrics: MetricsService,
    private readonly accounts: AccountsService,
    private readonly shutdown: ShutdownService,
    private readonly cluster: ClusterService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(CONFIG) private readonly config: AppConfig,
  ) {}

  afterInit() {
    this.coalescer = new FrameCoalescer({ wholeFrames: this.config.liveWholeFrames });
    this.shutdown.attachIo(this.server);
    // A page of another origin (another port of this host included) opens no live feed (issue 13).
    this.server.use((socket, next) => {
      const problem = handshakeOriginProblem(socket.handshake, this.config.corsOrigins, this.config.trustProxy !== undefined);
      next(problem ? new Error(`forbidden: ${problem}`) : undefined);
    });
    // Only signed-in users connect: socket.io `auth: {token}` or the session cookie.
    this.server.use((socket, next) => {
      const token = principalToken(socket);
      if (!token) return next(new Error('unauthorized: sign in first (auth: {token} or the session cookie)'));
      this.accounts.session(token).then(
        (s) => {
          if (!s) return next(new Error('unauthorized: the session has expired or was ended'));
          socket.data.principal = s.principal;
          SessionSockets.keep(socket, s);
          next();
        },
        (err: unknown) => next(new Error(`unauthorized: ${(err as Error).message}`)),
      );
    });
    this.stopListening = [
      this.status.onDirty((t) => this.coalescer.markDirty(t)),
      // A domain topic's scoped rooms (a district's part of `alerts`) change with it.
      this.bus.onDirty((t) => this.coalescer.markDirty(this.topics.withScopedRooms(t, this.server.adapter.rooms.keys()))),
    ];
    // Sockets follow their session: logout, password change, account change, expiry (issue 13).
    this.sessions = new SessionSockets(this.server, this.accounts, this.cluster, this.clock, this.log, this.metrics);
    this.sessions.start();
    this.timer = setInterval(() => this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
    this.server.on('connection', () => this.metrics.liveSockets.inc());
    this.server.on('connection', (s: Socket) => s.on('disconnect', () => this.metrics.liveSockets.dec()));
  }

  onModuleDestroy() {
    clearInterval(this.timer);
    this.sessions?.stop();
    for (const stop of this.stopListening) stop();
  }

  private watched = (topic: string) => (this.server.adapter.rooms.get(topic)?.size ?? 0) > 0;

  /** Sends the frames of everything that changed since the last tick. */
  flush(): void {
    try {
      const frames = this.coalescer.flush(this.clock.now(), (t) => this.topics.compute(t), this.watched);
      // Each instance computes frames from its own (shared, docs/SCALE.md) live state for its own
      // sockets: `local`, or with the Redis adapter every instance's frame would reach every room.
      const emit = () => {
        for (const f of frames) {
          // A scoped room's frame goes out under its topic's name (`alerts@d:520103|` → `alerts`).
          const topic = publicTopic(f.topic);
          this.server.local.to(f.topic).emit(LIVE_EVENTS.frame, topic === f.topic ? f : { ...f, topic });
        }
      };
      // One writev per socket for all of this tick's frames (live/one-write.ts, docs/BENCHMARKS.md "Fan-out").
      if (frames.length > 1) oneWritePerSocket(Array.from(this.server.sockets.values(), (s) => s.conn as unknown as HoldableConn), emit);
      else emit();
      this.metrics.liveFrames.inc(frames.length);
      for (const socket of this.server.sockets.values()) this.dropIfSlow(socket);
    } catch (err) {
      // A failing topic must not stop the tick for all the others.
      this.log.error({ err }, 'live flush failed');
    }
  }

  @SubscribeMessage(LIVE_EVENTS.subscribe)
  async subscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<SubscribeAck> {
    const wanted = Array.isArray(body) ? body : [body];
    const ack: SubscribeAck = { subscribed: [], rejected: [] };
    if (this.sessions?.droppedIfExpired(socket)) return ack;
    // The room each topic of this socket joined (a scoped audience's `alerts` is a room of its own).
    const joined: Map<string, string> = (socket.data.rooms ??= new Map<string, string>());
    for (const topic of wanted) {
      // Topics held now: the socket's rooms (joined ones included) but its own id room.
      const held = socket.rooms.size - (socket.rooms.has(socket.id) ? 1 : 0);
      let error =
        held >= MAX_TOPICS_PER_SOCKET && !joined.has(topic as string) && !socket.rooms.has(topic as string)
          ? `at most ${MAX_TOPICS_PER_SOCKET} topics per connection`
          : this.topics.check(topic);
      let room = topic as string;
      if (!error) {
        const admitted = await this.topics.admit(socket.data.principal as Principal, topic as string);
        if ('error' in admitted) error = admitted.error;
        else room = admitted.room;
      }
      if (error) {
        ack.rejected.push({ topic, error });
        socket.emit(LIVE_EVENTS.subscribeError, { topic, error });
        continue;
      }
      const name = topic as string;
      if (this.dropIfSlow(socket)) return ack; // no more snapshots into a buffer nobody reads
      await socket.join(room);
      joined.set(name, room);
      const snap = this.coalescer.snapshot(room, () => this.topics.compute(room), this.clock.now());
      socket.emit(LIVE_EVENTS.snapshot, room === name ? snap : { ...snap, topic: name });
      ack.subscribed.push(name);
    }
    return ack;
  }

  /**
   * Drops a socket whose client does not read: more than `liveMaxPendingBytes` waiting to be
   * written to it (live/slow-client.ts). The TCP connection is cut at once, which frees the buffers
   * (a WebSocket close would wait for the client to read the close frame). True when dropped.
   */
  private dropIfSlow(socket: Socket): boolean {
    const conn = socket.conn as unknown as EngineConnLike & { transport?: { socket?: { terminate?: () => void } } };
    const bytes = pendingBytes(conn);
    const limit = dropThreshold(this.config.liveMaxPendingBytes, this.coalescer.largestFrameBytes());
    if (bytes <= limit || socket.disconnected) return false;
    const p = socket.data.principal as Principal | undefined;
    this.log.warn({ socket: socket.id, user: p?.username, pendingBytes: bytes, limit }, 'live client does not read its frames: dropped');
    this.metrics.liveSlowDropped.inc();
    socket.disconnect(true);
    conn.transport?.socket?.terminate?.();
    return true;
  }

  @SubscribeMessage(LIVE_EVENTS.unsubscribe)
  async unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<{ unsubscribed: string[] }> {
    // Never its own id room: that is socket.io's address of this socket, not a topic.
    const topics = (Array.isArray(body) ? body : [body]).filter((t): t is string => typeof t === 'string' && t !== socket.id);
    const joined = socket.data.rooms as Map<string, string> | undefined;
    for (const t of topics) {
      const room = joined?.get(t) ?? t;
      joined?.delete(t);
      await socket.leave(room);
      if (!this.watched(room)) this.coalescer.release(room);
    }
    return { unsubscribed: topics };
  }
}

/** The session token of a socket: its handshake `auth.token`, else the session cookie. */
function principalToken(socket: Socket): string | undefined {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (typeof auth?.token === 'string' && auth.token) return auth.token;
  return tokenFrom({ cookie: socket.handshake.headers.cookie });
}
