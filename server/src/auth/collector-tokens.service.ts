import { Inject, Injectable, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { findUnit, type CollectorInfo } from '@zhuyun/protocol';
import { CLOCK, type Clock } from '../common/clock.js';
import { ConflictError, NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError } from '../common/errors.js';
import { CONFIG, type AppConfig } from '../config/config.js';
import { TokenBuckets } from '../security/rate-limiter.js';
import { DATABASE, type Db } from '../db/database.js';

export interface CollectorIdentity {
  id: string;
  district: string;
  /** Units whose points it may write: its district plus its registered units, or '*' for all. */
  units: ReadonlySet<string> | '*';
}

/** A collector as the registry lists it (never its token); its health is added by collectorHealth. */
export type CollectorEntry = Omit<CollectorInfo, 'state' | 'silentS'>;

/** The units of `collector add --units`: codes, or '*' for every unit. */
export type CollectorUnits = readonly string[] | '*';

/** Checks and normalises a `--units` list (codes, deduplicated, sorted); ValidationError names a bad one. */
export function parseCollectorUnits(units: CollectorUnits | string): string[] | '*' {
  if (units === '*') return '*';
  const list = typeof units === 'string' ? units.split(',').map((u) => u.trim()).filter((u) => u !== '') : [...units];
  for (const u of list) {
    if (u === '*') throw new ValidationError(`units: '*' stands alone (every unit); do not mix it with codes`);
    if (!findUnit(u)) throw new ValidationError(`units: unknown unit ${JSON.stringify(u)}: use district codes such as 520103 or zone ids such as gy-hitech, or '*'`);
  }
  return [...new Set(list)].sort();
}

function storedUnits(units: string | null): string[] | '*' {
  if (units === null) return [];
  if (units === '*') return '*';
  return JSON.parse(units) as string[];
}

/** How often last-seen times are written to the database (they are kept in memory in between). */
const SEEN_FLUSH_MS = 15_000;

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** A token is shown once; only its SHA-256 is stored, so a copied database does not leak tokens. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Collector tokens: the only credential a collector has, good for ingest and nothing else.
 */
@Injectable()
export class CollectorTokensService implements OnModuleInit, OnApplicationShutdown {
  /** Last seen per collector since the last flush: one UPDATE per collector per interval, not per batch. */
  private seen = new Map<string, { at: number; version: string | null }>();
  /** Clock skew estimated since the last flush, per collector (ms, collector minus server). */
  private skews = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  /** Ingest requests per collector: ZHUYUN_INGEST_RATE per second, bursts of ten times that. */
  private readonly buckets?: TokenBuckets;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(CONFIG) config?: AppConfig,
  ) {
    if (config) this.buckets = new TokenBuckets(config.ingestRatePerCollector, config.ingestRatePerCollector * 10);
  }

  onModuleInit() {
    this.timer = setInterval(() => void this.flushSeen().catch(() => undefined), SEEN_FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown() {
    clearInterval(this.timer);
    await this.flushSeen();
  }

  /** Notes that a collector was just heard from, with what it says it is. */
  recordSeen(id: string, version?: string): void {
    this.seen.set(id, { at: this.clock.now(), version: version ? version.slice(0, 120) : null });
  }

  /** Notes a collector's clock skew as its last batch showed it (ms, its clock minus the server's). */
  recordClockSkew(id: string, skewMs: number): void {
    this.skews.set(id, Math.round(skewMs));
  }

  /** Writes the noted last-seen times and clock skews. */
  async flushSeen(): Promise<void> {
    const batch = this.seen;
    const skews = this.skews;
    this.seen = new Map();
    this.skews = new Map();
    for (const id of new Set([...batch.keys(), ...skews.keys()])) {
      const s = batch.get(id);
      const skew = skews.get(id);
      await this.db
        .updateTable('collectors')
        .set({ ...(s ? { last_seen: s.at } : {}), ...(s?.version ? { version: s.version } : {}), ...(skew !== undefined ? { clock_skew_ms: skew } : {}) })
        .where('id', '=', id)
        .execute();
    }
  }

  /**
   * Registers a collector and returns its new token. With `replace`, an existing collector gets a
   * new token (the old one stops working) — the simulated fleet uses this at each start.
   */
  async add(id: string, district: string, opts: { replace?: boolean; units?: CollectorUnits } = {}): Promise<string> {
    if (!ID.test(id)) throw new ValidationError(`collector id ${JSON.stringify(id)} must be letters, digits and _ . : -`);
    if (!findUnit(district)) throw new ValidationError(`unknown district ${JSON.stringify(district)}: use a code such as 520103 or a zone id such as gy-hitech`);
    const units = parseCollectorUnits(opts.units ?? []);
    const token = `zy_${randomBytes(24).toString('base64url')}`;
    const row = {
      id,
      district,
      token_hash: hashToken(token),
      created_at: this.clock.now(),
      revoked_at: null,
      version: null,
      last_seen: null,
      units: units === '*' ? '*' : units.length ? JSON.stringify(units) : null,
      clock_skew_ms: null,
    };
    const existing = await this.db.selectFrom('collectors').select('id').where('id', '=', id).executeTakeFirst();
    if (existing && !opts.replace) throw new ConflictError(`collector ${id} exists; revoke it first or choose another id`);
    if (existing) {
      await this.db.updateTable('collectors').set(row).where('id', '=', id).execute();
    } else {
      await this.db.insertInto('collectors').values(row).execute();
    }
    return token;
  }

  async revoke(id: string): Promise<void> {
    const r = await this.db
      .updateTable('collectors')
      .set({ revoked_at: this.clock.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new NotFoundError(`no active collector ${id}`);
  }

  /** Every registered collector, with its last-seen time as this process knows it. */
  async list(): Promise<CollectorEntry[]> {
    const rows = await this.db.selectFrom('collectors').selectAll().orderBy('id').execute();
    return rows.map((r) => {
      const fresh = this.seen.get(r.id);
      const lastSeen = fresh?.at ?? (r.last_seen === null ? null : Number(r.last_seen));
      return {
        id: r.id,
        district: r.district,
        createdAt: Number(r.created_at),
        revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
        version: fresh?.version ?? r.version,
        lastSeen,
        units: storedUnits(r.units),
        clockSkewMs: this.skews.get(r.id) ?? (r.clock_skew_ms === null ? null : Number(r.clock_skew_ms)),
      };
    });
  }

  /** The collector a bearer token belongs to; UnauthorizedError when missing, unknown or revoked. */
  async verify(authorization: string | undefined): Promise<CollectorIdentity> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) throw new UnauthorizedError('missing bearer token: send "Authorization: Bearer <collector token>"');
    return this.verifyToken(m[1]);
  }

  async verifyToken(token: string): Promise<CollectorIdentity> {
    const row = await this.db
      .selectFrom('collectors')
      .select(['id', 'district', 'revoked_at', 'units'])
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!row) throw new UnauthorizedError('unknown collector token');
    if (row.revoked_at !== null) throw new UnauthorizedError(`the token of collector ${row.id} was revoked`);
    const wait = this.buckets?.take(row.id, this.clock.now()) ?? 0;
    if (wait > 0) throw new TooManyRequestsError(`collector ${row.id} sends more than its ingest rate allows; retry after ${Math.ceil(wait / 1000)} s`, wait);
    const units = storedUnits(row.units);
    return { id: row.id, district: row.district, units: units === '*' ? '*' : new Set([row.district, ...units]) };
  }
}
