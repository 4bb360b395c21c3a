import type { Point } from '@zhuyun/protocol';

/**
 * InfluxDB 1.x line protocol for our points, and InfluxQL quoting. Pure functions.
 *
 * A point becomes `<metric>,<tag>=<v>,... value=<float> <epoch ms>` (written with precision=ms):
 * the measurement is the metric name, the tags are the point's tags in key order (what InfluxDB
 * recommends for speed), and the one field `value` is always a float (no `i` suffix), so that no
 * field type conflict can arise between our own writes.
 */

/** Measurement names: commas and spaces are escaped. */
export function escapeMeasurement(s: string): string {
  return /[, ]/.test(s) ? s.replace(/[, ]/g, (c) => `\\${c}`) : s;
}

/** Tag keys and values, field keys: commas, equals signs and spaces are escaped. */
export function escapeTag(s: string): string {
  return /[,= ]/.test(s) ? s.replace(/[,= ]/g, (c) => `\\${c}`) : s;
}

/**
 * Why a point cannot be written as InfluxDB 1.x line protocol, or undefined when it can.
 * Line protocol has no escape for a line break, and InfluxDB 1.x reads a backslash as escaping
 * whatever follows it, so a backslash at the end of a tag value or before a comma, equals sign or
 * space cannot round-trip. Such points are left out and counted (see InfluxTimeSeriesStore).
 */
export function unrepresentable(p: Point): string | undefined {
  if (!Number.isFinite(p.value)) return `value ${p.value} is not a finite number`;
  if (!Number.isFinite(p.ts)) return `ts ${p.ts} is not a time`;
  if (BAD_NAME.test(p.metric) || p.metric === '') return `metric ${JSON.stringify(p.metric)} cannot be a measurement name`;
  for (const k in p.tags) {
    const v = p.tags[k];
    if (BAD_NAME.test(k) || k === '') return `tag key ${JSON.stringify(k)} cannot be written as line protocol`;
    if (BAD_NAME.test(v) || v === '') return `tag ${k}=${JSON.stringify(v)} cannot be written as line protocol`;
  }
  return undefined;
}
const BAD_NAME = /[\r\n]|\\$|\\[ ,=]/;

/** One line of line protocol (no trailing newline); the point must be representable. */
export function pointLine(p: Point): string {
  // The hot path of every write (about 1 µs a point): tags sorted by an insertion sort (a handful
  // of keys), escaping only where needed, plain concatenation; `'' + n` is the shortest
  // round-trip form of the float, which Go's ParseFloat reads back exactly (`1e+21` included).
  const tags = p.tags;
  const keys = Object.keys(tags);
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
  let line = MEASUREMENT_SPECIAL.test(p.metric) ? escapeMeasurement(p.metric) : p.metric;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = tags[k];
    line += ',' + (TAG_SPECIAL.test(k) ? escapeTag(k) : k) + '=' + (TAG_SPECIAL.test(v) ? escapeTag(v) : v);
  }
  return line + ' value=' + p.value + ' ' + (Number.isInteger(p.ts) ? p.ts : Math.trunc(p.ts));
}
const MEASUREMENT_SPECIAL = /[, ]/;
const TAG_SPECIAL = /[,= ]/;

/** An InfluxQL identifier, always double-quoted (`"net.latency_ms"`, `"count"`). */
export function quoteIdent(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** An InfluxQL string literal (`'yy-core-1'`). */
export function quoteString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/**
 * A duration in InfluxQL's own notation, the way InfluxDB prints it back in SHOW CONTINUOUS
 * QUERIES (largest unit that divides: `2w`, `14d`, `10m`, `1s`), so definitions can be compared.
 */
export function influxDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`not a positive whole number of ms: ${ms}`);
  const units: Array<[string, number]> = [['w', 604_800_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]];
  for (const [u, n] of units) if (ms % n === 0) return `${ms / n}${u}`;
  return `${ms}ms`;
}

/** Go's time.Duration text (`336h0m0s`, `1h30m0s`, `0s`) as InfluxDB's SHOW RETENTION POLICIES gives it, in ms. */
export function parseGoDuration(s: string): number {
  if (s === '0s' || s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|µs|us|ns)/g;
  const scale: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };
  let total = 0;
  let seen = '';
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * scale[m[2]];
    seen += m[0];
  }
  if (seen !== s) throw new Error(`not a Go duration: ${JSON.stringify(s)}`);
  return Math.round(total);
}
