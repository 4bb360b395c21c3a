import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';

/** The outcome of one TCP connection attempt. */
export type TcpAttempt = { ok: true; rttMs: number } | { ok: false; error: string };

/**
 * Opens one TCP connection to `address:port` (an IP address: resolve names first, so that DNS time
 * is not counted as round trip) and closes it at once. Resolves, never rejects:
 * `{ ok: true, rttMs }` with the time from `connect()` to the handshake's completion, which is one
 * round trip plus the peer's accept; `{ ok: false, error }` on refusal, timeout or abort.
 */
export function tcpConnectOnce(address: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<TcpAttempt> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve({ ok: false, error: 'aborted' });
      return;
    }
    const started = process.hrtime.bigint();
    const socket = connect({ host: address, port });
    let settled = false;
    const finish = (result: TcpAttempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      // destroy(), not end(): no FIN handshake to wait for, and nothing was sent.
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ ok: false, error: 'aborted' });
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ ok: true, rttMs: Number(process.hrtime.bigint() - started) / 1e6 }));
    socket.once('error', (err: NodeJS.ErrnoException) => finish({ ok: false, error: err.code ?? err.message }));
  });
}

/** Resolves a host name to one address (as the system resolver orders them); IP literals pass through. */
export async function resolveHost(host: string): Promise<string> {
  return (await lookup(host)).address;
}
