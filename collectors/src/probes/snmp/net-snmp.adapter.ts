/// <reference path="./net-snmp.d.ts" />
import snmp from 'net-snmp';
import { counter64FromBuffer, type SecurityLevel, type SnmpSession, type SnmpSessionOptions, type SnmpType, type SnmpVarbind } from './snmp.session.js';

/**
 * The only file that imports net-snmp. snmp.session.ts loads it on a session's first request, so
 * an agent whose configuration has no snmp probe never pays for net-snmp.
 */

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

/** Opens the net-snmp session now; see openNetSnmpSession in snmp.session.ts. */
export function openNetSnmpSessionNow(options: SnmpSessionOptions): SnmpSession {
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
}
