/// <reference path="./net-snmp.d.ts" />
import snmp from 'net-snmp';

/**
 * The I/O seam of the snmp probe (Netdata's `newProber`): everything that sends a packet sits
 * behind `SnmpSession`, which tests replace with a fake agent serving a recorded walk
 * (testdata/fake-agent.ts). The adapter below is the only file that imports net-snmp.
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

const TYPE_NAMES: Record<number, SnmpType> = {
  2: 'Integer',
  4: 'OctetString',
  65: 'Counter32',
  66: 'Gauge32',
  67: 'TimeTicks',
  70: 'Counter64',
  128: 'NoSuchObject',
  129: 'NoSuchInstance',
  130: 'EndOfMibView',
};

/** A Counter64 arrives as a big-endian Buffer of up to 8 (sometimes 9, sign byte) bytes. */
export function counter64FromBuffer(buf: Uint8Array): bigint {
  let v = 0n;
  for (const byte of buf) v = (v << 8n) | BigInt(byte);
  return v & 0xffff_ffff_ffff_ffffn;
}

function normalise(vb: snmp.Varbind): SnmpVarbind {
  const type = TYPE_NAMES[vb.type] ?? 'Other';
  const raw = vb.value;
  let value: SnmpVarbind['value'] = null;
  switch (type) {
    case 'Counter64':
      value = raw instanceof Uint8Array ? counter64FromBuffer(raw) : typeof raw === 'number' ? BigInt(raw) : null;
      break;
    case 'Integer':
    case 'Counter32':
    case 'Gauge32':
    case 'TimeTicks':
      value = typeof raw === 'number' ? raw : null;
      break;
    case 'OctetString':
      // ifName/ifDescr are DisplayStrings (ASCII); some agents pad them with NULs.
      value = raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8').replace(/\0+$/, '') : typeof raw === 'string' ? raw : null;
      break;
    default:
      value = null;
  }
  return { oid: vb.oid, type, value };
}

const LEVELS: Record<SecurityLevel, number> = {
  no_auth_no_priv: snmp.SecurityLevel.noAuthNoPriv,
  auth_no_priv: snmp.SecurityLevel.authNoPriv,
  auth_priv: snmp.SecurityLevel.authPriv,
};

/** The real session, on net-snmp. One UDP socket per session; the probe opens one per collection. */
export const openNetSnmpSession: SnmpSessionFactory = (options) => {
  const sessionOptions: snmp.SessionOptions = {
    port: options.port,
    retries: options.retries,
    timeout: options.timeoutMs,
    transport: options.host.includes(':') ? 'udp6' : 'udp4',
    version: options.version === '1' ? snmp.Version1 : options.version === '2c' ? snmp.Version2c : snmp.Version3,
  };
  let session: snmp.Session;
  if (options.version === '3') {
    const v3 = options.v3;
    if (!v3) throw new Error('SNMPv3 needs credentials');
    sessionOptions.context = v3.context ?? '';
    const user: snmp.User = { name: v3.user, level: LEVELS[v3.level] };
    if (v3.level !== 'no_auth_no_priv') {
      user.authProtocol = snmp.AuthProtocols[v3.authProtocol];
      user.authKey = v3.authKey;
    }
    if (v3.level === 'auth_priv') {
      user.privProtocol = snmp.PrivProtocols[v3.privProtocol];
      user.privKey = v3.privKey;
    }
    session = snmp.createV3Session(options.host, user, sessionOptions);
  } else {
    session = snmp.createSession(options.host, options.community, sessionOptions);
  }

  // Requests waiting for an answer. net-snmp forgets a request whose socket closes before the
  // packet went out (its callback never comes), so closing rejects them here, not there.
  const pending = new Set<(err: Error) => void>();
  let closed = false;
  // A socket error (EHOSTUNREACH...) fails the requests in flight; without a listener it would
  // be an unhandled 'error' event and take the agent down.
  session.on('error', (err) => session.cancelRequests(err));
  const close = (reason: Error = new Error('session closed')) => {
    if (closed) return;
    closed = true;
    options.signal?.removeEventListener('abort', onAbort);
    for (const fail of [...pending]) fail(reason);
    try {
      session.close();
    } catch {
      // already closed by a socket error: nothing to release
    }
  };
  const onAbort = () => close(new Error('aborted: the probe timeout passed or the agent is stopping'));
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const guard = <T>(run: (resolve: (v: T) => void, reject: (e: Error) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (options.signal?.aborted) return reject(new Error('aborted: the probe timeout passed or the agent is stopping'));
      if (closed) return reject(new Error('session closed'));
      const fail = (err: Error) => {
        pending.delete(fail);
        reject(err);
      };
      pending.add(fail);
      try {
        run(
          (v) => {
            pending.delete(fail);
            resolve(v);
          },
          fail,
        );
      } catch (err) {
        // net-snmp throws synchronously for a request it cannot encode
        fail(err instanceof Error ? err : new Error(String(err)));
      }
    });

  return {
    get: (oids) =>
      guard((resolve, reject) => {
        session.get(oids, (error, varbinds) => (error ? reject(error) : resolve((varbinds ?? []).map(normalise))));
      }),
    getBulk: (oids, maxRepetitions) =>
      guard((resolve, reject) => {
        if (options.version === '1') {
          session.getNext(oids, (error, varbinds) => (error ? reject(error) : resolve((varbinds ?? []).map((vb) => [normalise(vb)]))));
          return;
        }
        session.getBulk(oids, 0, maxRepetitions, (error, groups) => {
          if (error) return reject(error);
          resolve((groups ?? []).map((g) => (Array.isArray(g) ? g.map(normalise) : [normalise(g)])));
        });
      }),
    close: () => close(),
  };
};
