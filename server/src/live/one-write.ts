/**
 * One write per socket per tick. engine.io hands a packet to the WebSocket as soon as the transport
 * is writable and the next one only after that write's callback, so a socket holding two topics
 * (`overview` and a district, as the dashboard does) costs two `writev` system calls a tick, the
 * second one after every socket's first. With 2,000 sockets the tick's system calls were most of the
 * server's fan-out time (CPU profile, docs/BENCHMARKS.md "Fan-out"). `oneWritePerSocket` runs
 * `emit` with each idle WebSocket transport held (not writable) and its TCP socket corked, then lets
 * each one write all of its packets at once: one `writev` per socket per tick.
 *
 * Reads engine.io 6 / ws 8 internals through the shapes below; a socket that does not have them
 * (another transport, a write still in progress) is left to engine.io's own path, unchanged.
 */
export interface HoldableConn {
  readyState?: string;
  flush?: () => void;
  transport?: {
    name?: string;
    writable?: boolean;
    socket?: { _socket?: { cork?: () => void; uncork?: () => void } };
  };
}

export function oneWritePerSocket(conns: Iterable<HoldableConn>, emit: () => void): void {
  const held: HoldableConn[] = [];
  try {
    for (const conn of conns) {
      const t = conn.transport;
      const raw = t?.socket?._socket;
      if (conn.readyState !== 'open' || t?.name !== 'websocket' || t.writable !== true || typeof conn.flush !== 'function' || typeof raw?.cork !== 'function' || typeof raw.uncork !== 'function') continue;
      t.writable = false;
      raw.cork();
      held.push(conn);
    }
    emit();
  } finally {
    for (const conn of held) {
      const t = conn.transport!;
      t.writable = true;
      try {
        conn.flush!(); // every packet of this tick into the corked socket
      } finally {
        t.socket!._socket!.uncork!(); // one writev
      }
    }
  }
}
