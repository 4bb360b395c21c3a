// A PostgreSQL of the test's own (Debian's binaries, a temp data dir, a free port), so that a fault
// test may stop and start it without touching the machine's PostgreSQL that other tests use.
// Not a spec file: jest does not run it.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../e2e/spool-fleet.js';

export const PG_BIN = process.env.ZHUYUN_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Whether the binaries are here. Outside CI a missing set is said loudly and the suite skips; in CI it runs and fails. */
export function privatePostgresAvailable(): boolean {
  if (existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'pg_ctl'))) return true;
  if (process.env.CI === 'true') return true;
  console.warn(`\n*** ${PG_BIN}/initdb not found (apt-get install -y postgresql-15): the PostgreSQL restart fault test is skipped ***\n`);
  return false;
}

export interface PrivatePostgres {
  url: string;
  port: number;
  /** `pg_ctl stop -m fast`: open connections are ended at once. */
  stop(): void;
  start(): void;
  destroy(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'zhuyun-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  // initdb refuses to run as root: run the binaries as `postgres` (Debian's package creates it).
  const asRoot = process.getuid?.() === 0;
  let uid: number | undefined;
  let gid: number | undefined;
  if (asRoot) {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (bin: string, args: string[]) => {
    const r = spawnSync(join(PG_BIN, bin), args, { encoding: 'utf8', uid, gid, cwd: dir, env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout || r.error?.message}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  const start = () => run('pg_ctl', ['start', '-w', '-t', '30', '-D', data, '-l', join(dir, 'log'), '-o', opts]);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => run('pg_ctl', ['stop', '-w', '-m', 'fast', '-D', data]),
    start,
    destroy() {
      spawnSync(join(PG_BIN, 'pg_ctl'), ['stop', '-m', 'immediate', '-D', data], { uid, gid });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
