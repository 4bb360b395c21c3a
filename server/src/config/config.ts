import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { DatabaseLocation } from '../db/database.js';
import { DEFAULT_MAX_PENDING_BYTES } from '../live/slow-client.js';

/**
 * The server's configuration, read once from the environment at start (STYLE rule 4).
 * Nothing else reads process.env; everything receives this object by injection (token CONFIG).
 */
export const CONFIG = Symbol('CONFIG');

const flag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes' || v === 'on');

const DURATION_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };

/** `14d`, `180d`, `5y`, `36h`: a retention span. */
const duration = z
  .string()
  .regex(/^\d+(s|m|h|d|w|y)$/, 'must be a duration such as 14d, 180d, 36h or 5y')
  .transform((v) => Number(v.slice(0, -1)) * DURATION_UNITS[v.slice(-1)]);

/**
 * Cardinality limits (docs/RELIABILITY.md "Cardinality limits"). The real city has about 1,800
 * nodes over 14 units, the largest a few hundred; the product holds 10,000. A unit or a collector
 * of 2,000 nodes is several times the largest real one; a collector's whole fleet (2,000 nodes of
 * about ten series each) fits in one minute's new series after a restart.
 */
export const DEFAULT_MAX_NODES_PER_UNIT = 2_000;
export const DEFAULT_MAX_NODES_PER_COLLECTOR = 2_000;
export const DEFAULT_MAX_NEW_SERIES_PER_MINUTE = 20_000;
/** Longer than a collector's spool (72 h) and a long weekend of a node switched off. */
export const DEFAULT_NODE_FORGET_AFTER_MS = 7 * 86_400_000;
/** A node silent this long is stale: shown apart, out of its unit's status (docs/NODES.md). */
export const DEFAULT_NODE_STALE_AFTER_MS = 15 * 60_000;

const count = (what: string) => z.coerce.number().int(`must be a whole number of ${what}`).min(1, `must be at least 1 ${what.replace(/s$/, '')}`);

const EnvSchema = z.object({
  PORT: z.coerce.number().int('must be an integer').min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  ZHUYUN_DATA_DIR: z.string().min(1).default('./data'),
  ZHUYUN_TSDB: z.enum(['sqlite', 'influx']).default('sqlite'),
  // Checked by parseInfluxUrl (which keeps a password out of the message).
  INFLUX_URL: z.string().min(1).optional(),
  DATABASE_URL: z.string().min(1).optional(),
  REDIS_URL: z.url({ message: 'must be a URL such as redis://127.0.0.1:6379' }).optional(),
  ZHUYUN_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only (at most 64)').default('zhuyun'),
  ZHUYUN_INSTANCE: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only (at most 64)').optional(),
  ZHUYUN_SHUTDOWN_GRACE: duration.prefault('10s'),
  ZHUYUN_SIMULATE: flag.default(false),
  // Unset: on whenever the simulation runs; 0 skips the first start's history fill.
  ZHUYUN_SIMULATE_HISTORY: flag.optional(),
  ZHUYUN_SIMULATE_FLEET: z
    .enum(['city', 'city-10k', 'small'], { error: 'must be city (the real city, ~1,800 nodes), city-10k (the city grown to ~10,000 nodes, for measuring) or small (4 nodes per unit, for tests)' })
    .default('city'),
  ZHUYUN_RETENTION_RAW: duration.prefault('14d'),
  ZHUYUN_RETENTION_1M: duration.prefault('180d'),
  ZHUYUN_RETENTION_1H: duration.prefault('5y'),
  ZHUYUN_DASHBOARD_DIR: z.string().min(1).optional(),
  ZHUYUN_TOPOLOGY: z.string().min(1).optional(),
  ZHUYUN_SESSION_TTL: duration.prefault('12h'),
  ZHUYUN_SLA_GRACE: duration.prefault('2m'),
  ZHUYUN_CORS_ORIGINS: z.string().min(1).optional(),
  // Express's `trust proxy`: a hop count, `loopback`, or addresses/subnets, comma separated.
  ZHUYUN_TRUST_PROXY: z
    .string()
    .regex(/^(\d{1,2}|loopback|linklocal|uniquelocal|[0-9a-fA-F:.\/]+)(,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F:.\/]+))*$/, 'must be a hop count (1), loopback, or addresses/subnets such as 10.0.0.0/8, comma separated')
    .optional(),
  // /metrics: open by default (Prometheus on the internal network); with a token, only `Authorization: Bearer <token>`.
  ZHUYUN_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (a random token)').max(512).optional(),
  ZHUYUN_INGEST_RATE: z.coerce.number().positive('must be a positive number of requests per second').default(20),
  ZHUYUN_LIVE_WHOLE_FRAMES: flag.default(false),
  ZHUYUN_LIVE_MAX_PENDING_BYTES: z.coerce.number().int('must be an integer number of bytes').min(65_536, 'must be at least 65536 (64 KiB)').default(DEFAULT_MAX_PENDING_BYTES),
  ZHUYUN_MAX_NODES_PER_UNIT: count('nodes').default(DEFAULT_MAX_NODES_PER_UNIT),
  ZHUYUN_MAX_NODES_PER_COLLECTOR: count('nodes').default(DEFAULT_MAX_NODES_PER_COLLECTOR),
  ZHUYUN_MAX_NEW_SERIES_PER_MINUTE: count('series').default(DEFAULT_MAX_NEW_SERIES_PER_MINUTE),
  ZHUYUN_NODE_FORGET_AFTER: duration.prefault('7d'),
  ZHUYUN_NODE_STALE_AFTER: duration.prefault('15m'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  tsdb: 'sqlite' | 'influx';
  /** Where InfluxDB is, when `tsdb` is `influx` (from INFLUX_URL). */
  influx?: InfluxConnection;
  /** The relational state: a SQLite file (default, in the data dir) or PostgreSQL. */
  database: DatabaseLocation;
  /** Several instances (docs/SCALE.md): Redis, the key prefix they share, this instance's name. */
  cluster?: ClusterConfig;
  /** REDIS_URL as given (the same as cluster.redisUrl), for health checks. */
  redisUrl?: string;
  /** How long a SIGTERM waits for requests in flight before closing anyway. */
  shutdownGraceMs: number;
  simulate: boolean;
  /**
   * ZHUYUN_SIMULATE_HISTORY: on the first start of a simulation, fill the last full month and this
   * month (hourly rollups, SLA minutes and incidents, alert history) from the same model. Default:
   * on when simulating; `0` skips it.
   */
  simulateHistory: boolean;
  /** Which fleet the simulation runs: the real city's four levels, the city grown to 10,000 nodes (measuring), or 4 nodes per unit (tests). */
  simulateFleet: 'city' | 'city-10k' | 'small';
  /** How long raw points, 1-minute and 1-hour rollups are kept, in ms. */
  retention: { rawMs: number; minuteMs: number; hourMs: number };
  /** Built dashboard served on `/`; undefined serves none. */
  dashboardDir?: string;
  /** How long after its end an SLA minute waits for late points before it is final. */
  slaGraceMs: number;
  /** How long a login session lasts. */
  sessionTtlMs: number;
  /** Express `trust proxy` (number of hops or addresses), undefined: trust no proxy header. */
  trustProxy?: number | string;
  /** Origins allowed to call the API from a browser (CORS); empty: same origin only. */
  corsOrigins: string[];
  /** When set, GET /metrics needs `Authorization: Bearer <metricsToken>` (else 401). */
  metricsToken?: string;
  /** Ingest requests per second per collector (burst ten times that), else 429. */
  ingestRatePerCollector: number;
  /** A live socket with more than this many bytes waiting to be written to it is dropped (live/slow-client.ts). */
  liveMaxPendingBytes: number;
  /** Frames of `overview` and `district:<code>` carry whole data, not deltas (the frames before issue 14; benches). */
  liveWholeFrames: boolean;
  /** A JSON file of topology links loaded at start (docs/TOPOLOGY.md). */
  topologyFile?: string;
  /** Cardinality limits: new nodes beyond these, and new series beyond this rate, are refused (ingest/cardinality.guard.ts). */
  cardinality: { maxNodesPerUnit: number; maxNodesPerCollector: number; maxNewSeriesPerMinute: number };
  /** A node not heard from for this long leaves the live state (and frees room under the limits). */
  nodeForgetAfterMs: number;
  /** A node silent this long is stale: shown apart, not counted in its unit's status. */
  nodeStaleAfterMs: number;
  logLevel: string;
}

export interface ClusterConfig {
  redisUrl: string;
  /** Prefix of every Redis key and channel (instances of one deployment share it). */
  prefix: string;
  /** This instance's name in the lease and logs (ZHUYUN_INSTANCE, else host-pid-random). */
  instance: string;
}

/** InfluxDB 1.x as INFLUX_URL gives it: `http://[user:password@]host:port[/database]`. */
export interface InfluxConnection {
  /** `http://host:port`, without path or credentials. */
  url: string;
  /** From the URL's path; `zhuyun` when the path is empty. */
  database: string;
  username?: string;
  password?: string;
}

const INFLUX_DB_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** Reads INFLUX_URL; returns a problem text instead when it is not usable. */
export function parseInfluxUrl(raw: string): InfluxConnection | string {
  const bad = (why: string) => `INFLUX_URL=${JSON.stringify(raw.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@'))}: ${why}`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return bad('must be a URL such as http://127.0.0.1:8086/zhuyun');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return bad('must start with http:// or https://');
  if (u.search || u.hash) return bad('takes no query or fragment: http://[user:password@]host:8086/<database>');
  const path = u.pathname.replace(/^\/+|\/+$/g, '');
  let database = 'zhuyun';
  if (path !== '') {
    try {
      database = decodeURIComponent(path);
    } catch {
      return bad('the path must be the database name');
    }
    if (!INFLUX_DB_NAME.test(database)) {
      return bad(`the path must be just the database name (letters, digits, _ . -), got ${JSON.stringify(path)}`);
    }
  }
  const conn: InfluxConnection = { url: `${u.protocol}//${u.host}`, database };
  if (u.username !== '') {
    conn.username = decodeURIComponent(u.username);
    conn.password = decodeURIComponent(u.password);
  }
  return conn;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment. Throws ConfigError listing every bad variable with what it expects.
 * `defaults.dashboardDir` is where the built dashboard lives when ZHUYUN_DASHBOARD_DIR is unset.
 */
export function loadConfig(env: Record<string, string | undefined>, defaults: { dashboardDir?: string } = {}): AppConfig {
  // An empty variable counts as unset, as shells and compose files often leave them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0]);
        // A password in a URL (DATABASE_URL, REDIS_URL) stays out of the message.
        return `${name}=${JSON.stringify(env[name]?.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@'))}: ${i.message}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (!(e.ZHUYUN_RETENTION_RAW <= e.ZHUYUN_RETENTION_1M && e.ZHUYUN_RETENTION_1M <= e.ZHUYUN_RETENTION_1H)) {
    problems.push('ZHUYUN_RETENTION_RAW <= ZHUYUN_RETENTION_1M <= ZHUYUN_RETENTION_1H must hold: a coarser resolution is kept at least as long');
  }
  let influx: InfluxConnection | undefined;
  if (e.ZHUYUN_TSDB === 'influx') {
    if (e.INFLUX_URL === undefined) {
      problems.push('ZHUYUN_TSDB=influx needs INFLUX_URL, e.g. http://127.0.0.1:8086/zhuyun (the path names the database)');
    } else {
      const parsed = parseInfluxUrl(e.INFLUX_URL);
      if (typeof parsed === 'string') problems.push(parsed);
      else influx = parsed;
    }
    // InfluxDB refuses a retention policy shorter than an hour.
    for (const [name, ms] of [['ZHUYUN_RETENTION_RAW', e.ZHUYUN_RETENTION_RAW], ['ZHUYUN_RETENTION_1M', e.ZHUYUN_RETENTION_1M], ['ZHUYUN_RETENTION_1H', e.ZHUYUN_RETENTION_1H]] as const) {
      if (ms < 3_600_000) problems.push(`${name}: with ZHUYUN_TSDB=influx a retention is at least 1h (InfluxDB's shortest retention policy)`);
    }
  }
  let database: DatabaseLocation = { kind: 'sqlite', path: resolve(e.ZHUYUN_DATA_DIR, 'zhuyun.sqlite') };
  if (e.DATABASE_URL !== undefined) {
    if (/^postgres(ql)?:\/\/./.test(e.DATABASE_URL)) {
      database = { kind: 'postgres', url: e.DATABASE_URL };
    } else if (e.DATABASE_URL.startsWith('sqlite:')) {
      database = { kind: 'sqlite', path: resolve(e.DATABASE_URL.slice('sqlite:'.length).replace(/^\/\//, '')) };
    } else {
      problems.push(`DATABASE_URL=${JSON.stringify(e.DATABASE_URL)}: expected postgres://user@host:5432/db or sqlite:<path>`);
    }
  }
  let cluster: ClusterConfig | undefined;
  if (e.REDIS_URL !== undefined) {
    if (!/^rediss?:$/.test(new URL(e.REDIS_URL).protocol)) problems.push(`REDIS_URL: must start with redis:// or rediss://`);
    // Each instance would keep its own points and its own relational state: nothing to share.
    if (e.ZHUYUN_TSDB !== 'influx') {
      problems.push('REDIS_URL (several instances) needs ZHUYUN_TSDB=influx: the SQLite time-series store belongs to one instance');
    }
    if (database.kind !== 'postgres') {
      problems.push('REDIS_URL (several instances) needs DATABASE_URL=postgres://...: the SQLite database belongs to one instance');
    }
    cluster = {
      redisUrl: e.REDIS_URL,
      prefix: e.ZHUYUN_REDIS_PREFIX,
      instance: e.ZHUYUN_INSTANCE ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    };
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.ZHUYUN_DATA_DIR),
    tsdb: e.ZHUYUN_TSDB,
    influx,
    database,
    cluster,
    redisUrl: cluster?.redisUrl,
    shutdownGraceMs: e.ZHUYUN_SHUTDOWN_GRACE,
    simulate: e.ZHUYUN_SIMULATE,
    simulateFleet: e.ZHUYUN_SIMULATE_FLEET,
    simulateHistory: e.ZHUYUN_SIMULATE && (e.ZHUYUN_SIMULATE_HISTORY ?? true),
    retention: { rawMs: e.ZHUYUN_RETENTION_RAW, minuteMs: e.ZHUYUN_RETENTION_1M, hourMs: e.ZHUYUN_RETENTION_1H },
    dashboardDir: e.ZHUYUN_DASHBOARD_DIR !== undefined ? resolve(e.ZHUYUN_DASHBOARD_DIR) : defaults.dashboardDir,
    sessionTtlMs: e.ZHUYUN_SESSION_TTL,
    slaGraceMs: e.ZHUYUN_SLA_GRACE,
    trustProxy: e.ZHUYUN_TRUST_PROXY === undefined ? undefined : /^\d+$/.test(e.ZHUYUN_TRUST_PROXY) ? Number(e.ZHUYUN_TRUST_PROXY) : e.ZHUYUN_TRUST_PROXY,
    corsOrigins: e.ZHUYUN_CORS_ORIGINS ? e.ZHUYUN_CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean) : [],
    metricsToken: e.ZHUYUN_METRICS_TOKEN,
    ingestRatePerCollector: e.ZHUYUN_INGEST_RATE,
    liveMaxPendingBytes: e.ZHUYUN_LIVE_MAX_PENDING_BYTES,
    liveWholeFrames: e.ZHUYUN_LIVE_WHOLE_FRAMES,
    topologyFile: e.ZHUYUN_TOPOLOGY !== undefined ? resolve(e.ZHUYUN_TOPOLOGY) : undefined,
    cardinality: {
      maxNodesPerUnit: e.ZHUYUN_MAX_NODES_PER_UNIT,
      maxNodesPerCollector: e.ZHUYUN_MAX_NODES_PER_COLLECTOR,
      maxNewSeriesPerMinute: e.ZHUYUN_MAX_NEW_SERIES_PER_MINUTE,
    },
    nodeForgetAfterMs: e.ZHUYUN_NODE_FORGET_AFTER,
    nodeStaleAfterMs: e.ZHUYUN_NODE_STALE_AFTER,
    logLevel: e.LOG_LEVEL,
  };
}
