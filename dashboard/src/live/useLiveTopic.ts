import { LIVE_NAMESPACE } from '@zhuyun/protocol';
import { io } from 'socket.io-client';
import { computed, onScopeDispose, readonly, ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref, type ShallowRef } from 'vue';
import { onSignedIn } from '../auth/session';
import { setLastFrameAtSource, setLiveTopicsSource } from '../test-hooks';
import { LiveConnection, type ConnectionStatus, type LiveSocket, type TopicStatus } from './live-connection';

let shared: LiveConnection | undefined;
const connectionState = ref<ConnectionStatus>({ connected: false, everConnected: false });
let makeSocket: () => LiveSocket = () => io(LIVE_NAMESPACE, { transports: ['websocket', 'polling'], tryAllTransports: true });

/**
 * Replaces how the shared connection makes its socket, and drops the current connection (tests
 * pass a fake socket; the page never calls this).
 */
export function setLiveSocketFactory(factory: () => LiveSocket): void {
  makeSocket = factory;
  shared = undefined;
  connectionState.value = { connected: false, everConnected: false };
}

/**
 * The page's one connection to `/live`, created at first use. Same origin: the server serves the
 * dashboard, and the Vite dev server proxies /socket.io to it. WebSocket first (no sticky sessions
 * needed behind several instances), long-polling only when WebSocket cannot get through.
 */
function connection(): LiveConnection {
  if (!shared) {
    const conn = new LiveConnection(makeSocket);
    conn.onConnection((s) => (connectionState.value = s));
    setLastFrameAtSource(() => conn.lastMessageAt);
    setLiveTopicsSource(() => conn.listenerCounts());
    // A socket refused for want of a session does not retry by itself: after sign-in it does.
    onSignedIn(() => conn.reconnect());
    shared = conn;
  }
  return shared;
}

/** The shared connection's state (the connection badge). Does not open the socket by itself. */
export function useLiveConnection(): Readonly<Ref<ConnectionStatus>> {
  return readonly(connectionState) as Readonly<Ref<ConnectionStatus>>;
}

export interface LiveTopic<T> {
  /** The topic's latest data; null before its first snapshot (and after the topic changes). */
  data: Readonly<ShallowRef<T | null>>;
  connected: Readonly<Ref<boolean>>;
  /** Client time (epoch ms) the data arrived; null before any. */
  lastUpdate: Readonly<Ref<number | null>>;
  /** The data may be out of date: connection lost, or a resync is under way. */
  stale: Readonly<Ref<boolean>>;
  /** The server refused the topic. */
  error: Readonly<Ref<string | null>>;
}

/**
 * Holds a live topic for as long as the calling component (effect scope) lives: subscribes on
 * first use, follows the topic when it changes (null: none), releases it on dispose. Components
 * read the returned refs and never see the socket (STYLE rule 8).
 */
export function useLiveTopic<T>(topic: MaybeRefOrGetter<string | null>): LiveTopic<T> {
  const data = shallowRef<T | null>(null);
  const lastUpdate = ref<number | null>(null);
  const status = ref<TopicStatus>({ awaitingSnapshot: true, error: null });
  let release: (() => void) | undefined;

  watch(
    () => toValue(topic),
    (name) => {
      release?.();
      release = undefined;
      data.value = null;
      lastUpdate.value = null;
      status.value = { awaitingSnapshot: true, error: null };
      if (!name) return;
      release = connection().subscribe(name, {
        data(d, at) {
          data.value = d as T;
          lastUpdate.value = at;
        },
        status(s) {
          status.value = s;
        },
      });
    },
    { immediate: true },
  );
  onScopeDispose(() => release?.());

  const connected = computed(() => connectionState.value.connected);
  return {
    data,
    connected,
    lastUpdate,
    stale: computed(() => !connectionState.value.connected || status.value.awaitingSnapshot),
    error: computed(() => status.value.error),
  };
}
