import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Net-SNMP agent (Debian's `snmpd`) for the snmp probe's tests: loopback only, a free UDP
 * port, a generated config in a temp dir, its persistent state in that dir too. It serves the
 * machine's own IF-MIB, so the loopback interface `lo` is always there.
 */

/** Debian's snmpd lives in /usr/sbin, which is not on every user's PATH; SNMPD_PATH points elsewhere. */
export const SNMPD = process.env.SNMPD_PATH ?? (existsSync('/usr/sbin/snmpd') ? '/usr/sbin/snmpd' : 'snmpd');

/**
 * Whether snmpd tests can run here. Outside CI a missing snmpd is said loudly and the suite skips;
 * under CI=true it is a failure (the suite runs and fails when it starts snmpd).
 */
export function snmpdAvailable(): boolean {
  const r = spawnSync(SNMPD, ['-v'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  if (process.env.CI === 'true') return true;
  console.warn(`\n*** ${SNMPD} not found: SNMP tests need Debian's snmpd (apt-get install -y snmpd) and are skipped ***\n`);
  return false;
}

/** The SNMPv3 user every test agent has (authPriv, SHA + AES). */
export const SNMPD_V3 = { user: 'zhuyun', authKey: 'zhuyun-auth-key', privKey: 'zhuyun-priv-key' } as const;

export interface Snmpd {
  host: '127.0.0.1';
  port: number;
  /** Read-only v2c community. */
  community: string;
  /** Output of snmpd so far (its log goes to stdout), for failure messages. */
  output(): string;
  /** Stops it (SIGTERM, SIGKILL after 5 s) and removes its temp dir. */
  destroy(): Promise<void>;
}

/** A UDP port nobody uses now: bind 0 on loopback, read it, close. */
export async function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}

/**
 * An SNMPv2c GET of sysUpTime.0, BER-encoded by hand so that the readiness check does not depend
 * on the code under test. All lengths are below 128 (short form).
 */
function sysUpTimeGet(community: string, requestId: number): Buffer {
  const tlv = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag, body.length]), body]);
  const int32 = Buffer.alloc(4);
  int32.writeUInt32BE(requestId >>> 0);
  const oid = Buffer.from([0x2b, 6, 1, 2, 1, 1, 3, 0]); // 1.3.6.1.2.1.1.3.0
  const varbind = tlv(0x30, Buffer.concat([tlv(0x06, oid), Buffer.from([0x05, 0x00])]));
  const pdu = tlv(0xa0, Buffer.concat([tlv(0x02, int32), Buffer.from([0x02, 1, 0, 0x02, 1, 0]), tlv(0x30, varbind)]));
  return tlv(0x30, Buffer.concat([Buffer.from([0x02, 1, 1]), tlv(0x04, Buffer.from(community)), pdu]));
}

/** True when the agent answers a GET of sysUpTime.0 with a GetResponse within `ms`. */
export async function answersSnmp(port: number, community: string, ms = 500): Promise<boolean> {
  const sock = createSocket('udp4');
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      sock.once('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
      sock.on('message', (msg) => {
        // SEQUENCE ... GetResponse-PDU (0xa2) somewhere after the community.
        if (msg[0] === 0x30 && msg.includes(0xa2)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      sock.send(sysUpTimeGet(community, Math.floor(Math.random() * 2 ** 31)), port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Starts `snmpd -f -Lo -C -c <conf> -p <pid>` on 127.0.0.1:<free port> and resolves when it
 * answers a GET of sysUpTime. Rejects (with snmpd's output) when it exits or does not answer
 * within 15 s. `-C` keeps it from reading /etc/snmp; the persistent dir (engine boots, the v3 user's
 * localized keys) is in the temp dir, set both in the config and by SNMP_PERSISTENT_DIR.
 */
export async function startSnmpd(options: { community?: string } = {}): Promise<Snmpd> {
  const community = options.community ?? 'public';
  const dir = mkdtempSync(join(tmpdir(), 'zhuyun-snmpd-'));
  const persistent = join(dir, 'persist');
  mkdirSync(persistent);
  const confPath = join(dir, 'snmpd.conf');
  const pidPath = join(dir, 'snmpd.pid');

  let output = '';
  for (let attempt = 0; ; attempt++) {
    const port = await freeUdpPort();
    writeFileSync(
      confPath,
      [
        `[snmp] persistentDir ${persistent}`,
        `agentaddress udp:127.0.0.1:${port}`,
        `rocommunity ${community} 127.0.0.1`,
        `createUser ${SNMPD_V3.user} SHA ${SNMPD_V3.authKey} AES ${SNMPD_V3.privKey}`,
        `rouser ${SNMPD_V3.user} priv`,
        'dontLogTCPWrappersConnects yes',
        '',
      ].join('\n'),
    );
    const c = spawn(SNMPD, ['-f', '-Lo', '-C', '-c', confPath, '-p', pidPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // No MIB files are needed (the probe and the config use numeric OIDs).
      env: { ...process.env, SNMP_PERSISTENT_DIR: persistent, MIBS: '', MIBDIRS: '' },
    });
    const keep = (d: Buffer) => {
      output = (output + d.toString('utf8')).slice(-8000);
    };
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    let spawnError: Error | undefined;
    c.once('error', (err) => (spawnError = err));
    const deadline = Date.now() + 15_000;
    let ready = false;
    while (!ready) {
      if (spawnError) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`${SNMPD} did not start: ${spawnError.message} (apt-get install -y snmpd)`);
      }
      if (exited(c)) break;
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`${SNMPD} did not answer on udp:127.0.0.1:${port} within 15 s:\n${output}`);
      }
      ready = await answersSnmp(port, community, 300);
    }
    if (ready) {
      return {
        host: '127.0.0.1',
        port,
        community,
        output: () => output,
        async destroy() {
          if (!exited(c)) {
            const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
            c.kill('SIGTERM');
            const timer = setTimeout(() => c.kill('SIGKILL'), 5_000);
            await gone;
            clearTimeout(timer);
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    // Exited: most likely the port was taken between our check and its bind. Try another twice.
    if (attempt >= 2 || !/endpoint|bind|in use/i.test(output)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${SNMPD} exited with ${c.exitCode ?? c.signalCode}:\n${output}`);
    }
  }
}
