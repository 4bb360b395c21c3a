import { z } from 'zod';
import { METRIC_NAME, METRIC_NAME_MAX } from './metrics.js';
import { resolveUnit } from './units.js';

/** Most points one batch may carry; a larger batch is answered 413 and must be split. */
export const MAX_POINTS_PER_BATCH = 10_000;
/** Largest request body the ingest endpoints read (after gzip is undone), in bytes. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** How far ahead of the server's clock a timestamp may be (collector clock skew). */
export const MAX_FUTURE_MS = 5 * 60_000;
/** How far back a point may be; a collector spool replays up to 72 h, raw retention is 14 days. */
export const MAX_PAST_MS = 14 * 24 * 3_600_000;

const TAG_KEY = /^[a-z_][a-z0-9_]{0,31}$/;
const MAX_TAGS = 16;
const MAX_TAG_VALUE = 128;
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** A point as stored and served: tags already normalised (`district`, `unit`, `node` always set). */
export interface Point {
  metric: string;
  /** Epoch milliseconds. */
  ts: number;
  value: number;
  tags: Tags;
  /** Cache of `seriesKey(metric, tags)` (see pointKey); never sent on the wire. */
  key?: string;
}

export interface Tags {
  district: string;
  unit: string;
  node: string;
  [key: string]: string;
}

/**
 * The envelope of `POST /api/v1/ingest`. Points are checked one by one by `validatePoint`, so the
 * envelope takes them as unknown: one bad point must not cost the batch.
 */
export const IngestBatchSchema = z.object({
  collector: z.string().regex(ID, 'collector must be an id of letters, digits and _ . : -'),
  batch: z.string().min(1).max(200),
  // Not z.array(z.unknown()): that copies the array item by item, on the hot path, for nothing.
  points: z.custom<unknown[]>((v) => Array.isArray(v), { message: 'points must be an array of points' }),
});
export type IngestBatch = { collector: string; batch: string; points: RawPoint[] };

/** A point as a collector sends it. */
export interface RawPoint {
  metric: string;
  ts: number;
  value: number;
  tags: Record<string, string>;
}

export interface IngestRejection {
  index: number;
  error: string;
}

/**
 * Something about an accepted batch the collector's operator should hear, though no point was
 * refused for it. `clock_skew`: points more than FRESH_MS away from the server's clock were
 * stored but do not count as live (their nodes stay "unknown"); `skewMs` is the collector clock
 * minus the server's (negative: behind), from the `x-zhuyun-sent-at` header when sent, else from
 * the newest point's timestamp.
 */
export interface IngestWarning {
  code: 'clock_skew';
  message: string;
  skewMs: number;
}

export interface IngestResult {
  accepted: number;
  rejected: IngestRejection[];
  /** True when this batch id was seen before: nothing was stored again. */
  duplicate?: boolean;
  /** Present only when there is something to say (see IngestWarning). */
  warnings?: IngestWarning[];
}

/** Header a collector may send with each batch: its clock at send time, epoch ms (clock skew). */
export const SENT_AT_HEADER = 'x-zhuyun-sent-at';
/**
 * A point further than this from the server's clock at arrival is history (a spool replay): it is
 * stored, not "live". Beyond it a collector's clock is said to be skewed (IngestWarning).
 */
export const FRESH_MS = 2 * 60_000;

export type PointCheck = { ok: true; point: Point } | { ok: false; error: string };

/**
 * Checks one point and normalises its tags. Pure: `now` is the server's clock.
 * The reason names the field, so a collector's operator can find the fault.
 */
export function validatePoint(raw: unknown, now: number): PointCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: 'point must be an object with metric, ts, value and tags' };
  }
  const p = raw as Record<string, unknown>;
  const { metric, ts, value, tags } = p;
  if (typeof metric !== 'string' || metric.length > METRIC_NAME_MAX || !METRIC_NAME.test(metric)) {
    return { ok: false, error: `metric ${JSON.stringify(metric)} is not a metric name like net.latency_ms` };
  }
  if (typeof ts !== 'number' || !Number.isInteger(ts) || ts <= 0) {
    return { ok: false, error: 'ts must be an integer of epoch milliseconds' };
  }
  if (ts > now + MAX_FUTURE_MS) {
    return { ok: false, error: `ts ${isoOrNumber(ts)} is in the future (server time ${new Date(now).toISOString()})` };
  }
  if (ts < now - MAX_PAST_MS) {
    return { ok: false, error: `ts ${isoOrNumber(ts)} is older than the 14-day raw retention` };
  }
  if (typeof value === 'boolean') {
    return { ok: false, error: 'value must be a number, not a boolean (send 1 or 0)' };
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { ok: false, error: `value must be a finite number, got ${value === null ? 'null' : typeof value === 'number' ? String(value) : typeof value}` };
  }
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    return { ok: false, error: 'tags must be an object with at least district and node' };
  }
  // A plain loop over keys and one output object: this runs once per point on the ingest path.
  const given = tags as Record<string, unknown>;
  const keys = Object.keys(given);
  if (keys.length > MAX_TAGS) return { ok: false, error: `at most ${MAX_TAGS} tags` };
  const out: Record<string, string> = {};
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = given[k];
    if (!TAG_KEY.test(k)) return { ok: false, error: `tag key ${JSON.stringify(k)} must be lower-case letters, digits and _` };
    // `out.__proto__ = v` would set no key: the tag would vanish from a point reported accepted.
    if (k === '__proto__') return { ok: false, error: 'tag key "__proto__" is reserved' };
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_TAG_VALUE) {
      return { ok: false, error: `tag ${k} must be a non-empty string of at most ${MAX_TAG_VALUE} characters` };
    }
    out[k] = v;
  }
  if (out.district === undefined) return { ok: false, error: 'tags.district is missing' };
  if (out.node === undefined) return { ok: false, error: 'tags.node is missing' };
  if (!ID.test(out.node)) return { ok: false, error: `tags.node ${JSON.stringify(out.node)} must be an id of letters, digits and _ . : -` };
  const where = resolveUnit(out.district, out.unit);
  if (!where) {
    return {
      ok: false,
      error: out.unit === undefined
        ? `unknown district ${JSON.stringify(out.district)}: use a code such as 520103 or a zone id such as gy-hitech`
        : `unknown district/unit pair ${JSON.stringify(out.district)}/${JSON.stringify(out.unit)}`,
    };
  }
  out.district = where.district;
  out.unit = where.unit;
  return { ok: true, point: { metric, ts, value, tags: out as Tags } };
}

/** An instant for a message; past Date's range (±8.64e15 ms, where toISOString throws) the number itself. */
function isoOrNumber(ts: number): string {
  return Math.abs(ts) <= 8.64e15 ? new Date(ts).toISOString() : String(ts);
}

/**
 * A stable, unambiguous key for a series: its metric and its tags in key order,
 * `metric{k1=v1,k2=v2}`. Metric names and tag keys cannot hold `\ , = { }` (METRIC_NAME, TAG_KEY),
 * but tag values can (line protocol's `\,` `\=`, Telegraf interface descriptions): in a value
 * `\`, `,` and `=` are escaped with a backslash as line protocol does, so that
 * `{target:"x", u2:"y"}` and `{target:"x,u2=y"}` are two keys (before issue 13 they were one).
 * parseSeriesKey reads a key back. Stored keys of the SQLite store were rewritten to this form
 * (tsdb schema version 1, see sqlite.time-series.store.ts).
 */
export function seriesKey(metric: string, tags: Record<string, string>): string {
  // On the ingest hot path (once per point): a plain loop, no intermediate arrays of strings; a
  // value is escaped only when it holds one of the three characters.
  const keys = Object.keys(tags);
  if (keys.length > 1) keys.sort();
  let key = metric + '{';
  for (let i = 0; i < keys.length; i++) {
    const v = tags[keys[i]];
    key += (i ? ',' : '') + keys[i] + '=' + (KEY_SPECIAL.test(v) ? v.replace(KEY_SPECIAL_ALL, '\\$&') : v);
  }
  return key + '}';
}
const KEY_SPECIAL = /[\\,=]/;
const KEY_SPECIAL_ALL = /[\\,=]/g;

/** The metric and tags of a seriesKey, or undefined when the text is not one. */
export function parseSeriesKey(key: string): { metric: string; tags: Record<string, string> } | undefined {
  const open = key.indexOf('{');
  if (open <= 0 || !key.endsWith('}')) return undefined;
  const metric = key.slice(0, open);
  const tags: Record<string, string> = {};
  const body = key.slice(open + 1, -1);
  if (body === '') return { metric, tags };
  let i = 0;
  for (;;) {
    const eq = body.indexOf('=', i);
    if (eq < 0) return undefined;
    const k = body.slice(i, eq);
    if (!TAG_KEY.test(k) || k === '__proto__') return undefined;
    let v = '';
    let j = eq + 1;
    for (; j < body.length && body[j] !== ','; j++) {
      const c = body[j];
      if (c === '=') return undefined; // an unescaped `=` inside a value: not written by seriesKey
      if (c === '\\') {
        if (j + 1 >= body.length) return undefined;
        v += body[++j];
      } else {
        v += c;
      }
    }
    tags[k] = v;
    if (j >= body.length) break;
    i = j + 1;
  }
  return { metric, tags };
}

/** The point's series key, computed once per point and kept on it (several stages need it). */
export function pointKey(p: Point): string {
  return (p.key ??= seriesKey(p.metric, p.tags));
}
