/**
 * The I/O seam of the snmp probe (Netdata's `newProber`): everything that sends a packet sits
 * behind `SnmpSession`, which tests replace with a fake agent serving a recorded walk
 * (testdata/fake-agent.ts). net-snmp.adapter.ts is the only file that imports net-snmp, and it is
 * loaded on the first request (see openNetSnmpSession), so an agent without an snmp probe never
 * loads net-snmp (about 12 MB of RSS).
 */

/** Varbind types the probe distinguishes; anything else is `Other`. */
export type SnmpType =
  | 'Integer'
  | 'OctetString'
  | 'Counter32'
  | 'Gauge32'
  | 'TimeTicks'
  | 'Counter64'
  | 'Other'
  | 'NoSuchObject'
  | 'NoSuchInstance'
  | 'EndOfMibView';

/** One varbind, normalised: Counter64 as bigint, integer types as numbers, OctetString as text. */
export interface SnmpVarbind {
  /** Dotted decimal without a leading dot: `1.3.6.1.2.1.1.3.0`. */
  oid: string;
  type: SnmpType;
  /** `null` for the three exception types and for types the probe does not read. */
  value: bigint | number | string | null;
}

export interface SnmpSession {
  /**
   * GET of exactly these OIDs; the answer has one varbind per OID in the same order. An OID the
   * agent does not have comes back as NoSuchObject/NoSuchInstance, not as a rejection. Rejects on
   * a timeout after all retries, an authentication failure, a socket error or an abort.
   */
  get(oids: string[]): Promise<SnmpVarbind[]>;
  /**
   * GETBULK (GETNEXT on SNMPv1, one varbind per OID): for each OID, up to `maxRepetitions`
   * varbinds that follow it, grouped per requested OID in request order. The agent may answer
   * with fewer; past the end of its MIB it answers EndOfMibView. Rejects as `get` does.
   */
  getBulk(oids: string[], maxRepetitions: number): Promise<SnmpVarbind[][]>;
  /** Closes the socket; requests still waiting reject. Idempotent, never throws. */
  close(): void;
}

export type SnmpVersion = '1' | '2c' | '3';
export type SecurityLevel = 'no_auth_no_priv' | 'auth_no_priv' | 'auth_priv';
export type AuthProtocol = 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
export type PrivProtocol = 'des' | 'aes' | 'aes256b' | 'aes256r';

export interface SnmpV3Credentials {
  user: string;
  level: SecurityLevel;
  authProtocol: AuthProtocol;
  authKey?: string;
  privProtocol: PrivProtocol;
  privKey?: string;
  context?: string;
}

export interface SnmpSessionOptions {
  host: string;
  port: number;
  version: SnmpVersion;
  /** v1/v2c only. A secret: never logged. */
  community: string;
  /** v3 only. */
  v3?: SnmpV3Credentials;
  /** Wait for one answer this long before a retry. */
  timeoutMs: number;
  /** Re-sends after the first try. */
  retries: number;
  /** Aborting it fails the requests in flight at once and closes the session. */
  signal?: AbortSignal;
}

/** Opens a session: no packet is sent until the first request. Must not throw for a reachable-or-not host. */
export type SnmpSessionFactory = (options: SnmpSessionOptions) => SnmpSession;

/** A Counter64 arrives as a big-endian Buffer of up to 8 (sometimes 9, sign byte) bytes. */
export function counter64FromBuffer(buf: Uint8Array): bigint {
  let v = 0n;
  for (const byte of buf) v = (v << 8n) | BigInt(byte);
  return v & 0xffff_ffff_ffff_ffffn;
}

/**
 * The real session, on net-snmp. One UDP socket per session; the probe opens one per collection.
 * net-snmp is imported on the first request, not when this module loads (docs/COLLECTORS.md
 * "Memory"); a configuration error found then (v3 without credentials) rejects that request.
 */
export const openNetSnmpSession: SnmpSessionFactory = (options) => {
  let real: Promise<SnmpSession> | undefined;
  let closed = false;
  const session = (): Promise<SnmpSession> => {
    if (closed) return Promise.reject(new Error('session closed'));
    real ??= import('./net-snmp.adapter.js').then((adapter) => {
      const opened = adapter.openNetSnmpSessionNow(options);
      if (closed) opened.close();
      return opened;
    });
    return real;
  };
  return {
    get: async (oids) => (await session()).get(oids),
    getBulk: async (oids, maxRepetitions) => (await session()).getBulk(oids, maxRepetitions),
    close: () => {
      if (closed) return;
      closed = true;
      real?.then((s) => s.close(), () => {});
    },
  };
};
