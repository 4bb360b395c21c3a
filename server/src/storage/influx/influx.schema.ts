import { InfluxDB, ResultError } from 'influx';
import type { Retention } from '../time-series.store.js';
import { InfluxRejectedError, InfluxUnavailableError, type InfluxTarget } from './influx.http.js';
import { influxDuration, parseGoDuration } from './influx.lines.js';
import { continuousQuery, RESOLUTIONS, type CqTiming, type Resolution } from './influx.rollup.js';

/** The retention policies the adapter keeps: raw points (the default RP) and the two rollups. */
export const RAW_RP = 'raw';

export function retentionPolicies(retention: Retention): Array<{ name: string; durationMs: number; isDefault: boolean }> {
  return [
    { name: RAW_RP, durationMs: retention.rawMs, isDefault: true },
    { name: 'm1', durationMs: retention.minuteMs, isDefault: false },
    { name: 'h1', durationMs: retention.hourMs, isDefault: false },
  ];
}

/** InfluxQL as InfluxDB prints it back, for comparing definitions: no quotes, one space, lower case. */
export function normalizeInfluxQl(q: string): string {
  return q.replace(/"/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

export interface SchemaReport {
  createdDatabase: boolean;
  /** Retention policies created or altered. */
  policies: string[];
  /** Continuous queries created or replaced. */
  continuousQueries: string[];
}

/**
 * Creates what the adapter needs, or brings it in line with the configuration (idempotent, so
 * every start and every reconnection may run it):
 * - the database, when missing;
 * - retention policies `raw` (default), `m1`, `h1` with the configured durations (altered when the
 *   configuration changed: InfluxDB then drops expired shards at its next retention check);
 * - continuous queries `zhuyun_m1`, `zhuyun_h1` (replaced when their definition differs).
 * Uses node-influx. Throws InfluxUnavailableError (retry later) or InfluxRejectedError (the
 * configuration is refused, e.g. a retention under InfluxDB's minimum of 1 hour).
 */
export async function ensureSchema(target: InfluxTarget, retention: Retention, cq: Record<Resolution, CqTiming>): Promise<SchemaReport> {
  const u = new URL(target.url);
  const influx = new InfluxDB({
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
    protocol: u.protocol === 'https:' ? 'https' : 'http',
    username: target.username,
    password: target.password,
    database: target.database,
    // No retries and no host back-off inside node-influx: the adapter retries on its own schedule.
    pool: { maxRetries: 0, requestTimeout: 10_000 },
  });
  const db = target.database;
  const report: SchemaReport = { createdDatabase: false, policies: [], continuousQueries: [] };
  try {
    const names = await influx.getDatabaseNames();
    if (!names.includes(db)) {
      await influx.createDatabase(db);
      report.createdDatabase = true;
    }
    const existing = new Map((await influx.showRetentionPolicies(db)).map((p) => [p.name, p]));
    for (const want of retentionPolicies(retention)) {
      const duration = influxDuration(want.durationMs);
      const have = existing.get(want.name);
      const options = { database: db, duration, replication: 1, isDefault: want.isDefault };
      if (!have) {
        await influx.createRetentionPolicy(want.name, options);
        report.policies.push(want.name);
      } else if (parseGoDuration(have.duration) !== want.durationMs || (want.isDefault && !have.default)) {
        await influx.alterRetentionPolicy(want.name, options);
        report.policies.push(want.name);
      }
    }
    const cqs = new Map((await influx.showContinousQueries(db)).map((c) => [c.name, c.query]));
    for (const res of RESOLUTIONS) {
      const def = continuousQuery(db, res, cq[res]);
      const expected = `CREATE CONTINUOUS QUERY ${def.name} ON ${db} ${def.resample} BEGIN ${def.select} END`;
      const have = cqs.get(def.name);
      if (have !== undefined && normalizeInfluxQl(have) === normalizeInfluxQl(expected)) continue;
      if (have !== undefined) await influx.dropContinuousQuery(def.name, db);
      await influx.createContinuousQuery(def.name, def.select, db, def.resample);
      report.continuousQueries.push(def.name);
    }
    return report;
  } catch (err) {
    throw classify(err as Error & { res?: { statusCode?: number } });
  }
}

/** node-influx's errors as the adapter's two kinds. */
function classify(err: Error & { res?: { statusCode?: number } }): Error {
  if (err instanceof InfluxUnavailableError || err instanceof InfluxRejectedError) return err;
  const status = err.res?.statusCode;
  const message = `InfluxDB schema setup: ${err.message}`;
  // A statement InfluxDB refused (inside a 200 answer), such as a retention under 1 hour.
  if (err instanceof ResultError) return new InfluxRejectedError(message, 200);
  if (status === undefined || status >= 500 || status === 408 || status === 429) return new InfluxUnavailableError(message, status);
  if (status === 401 || status === 403) return new InfluxUnavailableError(`${message} (check the credentials in INFLUX_URL)`, status);
  return new InfluxRejectedError(message, status);
}
