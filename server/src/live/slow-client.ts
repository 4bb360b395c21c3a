/**
 * Socket clients that do not read what they are sent. socket.io keeps every frame for such a client
 * in memory (engine.io's write buffer while the transport is busy, then the WebSocket's own send
 * buffer), with no bound of its own: a client that subscribes to many topics, keeps answering the
 * heartbeat and never reads would grow the server without end. The gateway measures each socket's
 * pending bytes once a second and before every snapshot, and drops the socket past the limit.
 * Pure: reads the two buffers through the shapes below (engine.io 6 Socket, ws WebSocket).
 */

/** Beyond this many bytes waiting to be written to one client, it is dropped (config: ZHUYUN_LIVE_MAX_PENDING_BYTES). */
export const DEFAULT_MAX_PENDING_BYTES = 8 * 1024 * 1024;

/** What the policy reads of an engine.io connection. */
export interface EngineConnLike {
  writeBuffer?: ReadonlyArray<{ data?: unknown }>;
  transport?: { socket?: { bufferedAmount?: unknown } };
}

/** Bytes queued for one client: engine.io packets not yet handed to the transport, plus the WebSocket's send buffer. */
export function pendingBytes(conn: EngineConnLike | undefined): number {
  if (!conn) return 0;
  let bytes = 0;
  for (const p of conn.writeBuffer ?? []) {
    const d = p?.data;
    if (typeof d === 'string') bytes += d.length;
    else if (d instanceof ArrayBuffer || ArrayBuffer.isView(d)) bytes += d.byteLength;
  }
  const ws = conn.transport?.socket?.bufferedAmount;
  if (typeof ws === 'number' && Number.isFinite(ws)) bytes += ws;
  return bytes;
}

/**
 * The pending bytes past which a socket is dropped: the configured limit, but never less than a few
 * of the largest frames a reading client can have in flight, so that a socket is never dropped
 * because a topic grew (docs/RELIABILITY.md "Cardinality limits"), only because it does not read.
 */
export function dropThreshold(limit: number, largestFrameBytes: number): number {
  return Math.max(limit, FRAMES_IN_FLIGHT * largestFrameBytes);
}

/** A client that reads may have this many of the largest frames waiting (a tick's frames, a snapshot, the next tick). */
export const FRAMES_IN_FLIGHT = 4;
