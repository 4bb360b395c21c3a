/**
 * InfluxDB 1.x line protocol, as `POST /write` takes it (DESIGN "Line protocol"):
 *
 *     measurement[,tag=value...] field=value[,field2=value2...] [timestamp]
 *
 * Pure: the body and the server's clock come in, points and per-line reasons go out. Two layers:
 * `parseLine` reads one line into measurement, tags, typed fields and timestamp exactly as the
 * line says it; `parseLineProtocol` splits a body into lines and turns each number or boolean
 * field into one Zhuyun point (`net` + `latency_ms` -> `net.latency_ms`). Whether a point is
 * acceptable (metric name, district, time window) is `validatePoint`'s call, not this file's.
 *
 * The grammar and the reasons follow InfluxDB 1.x (`models/points.go`), so a Telegraf operator
 * sees the messages InfluxDB would give. Where this parser differs on purpose, the code says why.
 */
import type { RawPoint } from './ingest.js';

/** The `precision` values of `POST /write`; `n`/`ns` (nanoseconds) is the default. */
export const PRECISIONS = ['n', 'ns', 'u', 'us', 'ms', 's', 'm', 'h'] as const;
export type Precision = (typeof PRECISIONS)[number];

export function isPrecision(value: string): value is Precision {
  return (PRECISIONS as readonly string[]).includes(value);
}

const NS_PER_UNIT: Record<Precision, bigint> = {
  n: 1n,
  ns: 1n,
  u: 1_000n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MS_PER_UNIT: Record<Precision, number> = { n: 1, ns: 1, u: 1, us: 1, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

// InfluxDB's time range (models.MinNanoTime / MaxNanoTime): int64 minus the two sentinel values.
const MIN_NANO_TIME = -9_223_372_036_854_775_806n;
const MAX_NANO_TIME = 9_223_372_036_854_775_806n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** A field as the line typed it. Integers beyond 2^53 lose precision: Zhuyun stores doubles. */
export type FieldValue =
  | { type: 'float' | 'integer' | 'unsigned'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'string'; value: string };
export type LineField = { key: string } & FieldValue;

/** One parsed line, unescaped, before it becomes points. */
export interface LinePoint {
  measurement: string;
  tags: Record<string, string>;
  /** In line order; a key given twice keeps its last value, as InfluxDB does. */
  fields: LineField[];
  /** Epoch milliseconds, rounded down from finer precisions; null when the line has none. */
  ts: number | null;
}

export type LineParse = { ok: true; point: LinePoint } | { ok: false; error: string };

/** A point made from one field of a line; `field` names it in messages. */
export interface FieldPoint {
  field: string;
  point: RawPoint;
}

/** A field of a parsed line that does not become a point (a string), with the reason. */
export interface FieldRefusal {
  field: string;
  error: string;
}

/**
 * What one line of a body became: points (one per number or boolean field, and the refused
 * string fields beside them), or an error when the line cannot be parsed at all.
 * `line` is the 1-based number of the line's first physical line in the body; `text` is the line
 * as sent, without leading whitespace and line end (InfluxDB quotes it so in its errors).
 */
export type LineResult =
  | { ok: true; line: number; text: string; points: FieldPoint[]; refused: FieldRefusal[] }
  | { ok: false; line: number; text: string; error: string };

export interface LineProtocolOptions {
  /** Unit of the timestamps in the body; default `ns`. */
  precision?: Precision;
  /** The server's clock (epoch ms): the time of lines without a timestamp. */
  now: number;
}

/**
 * Parses a whole body. Blank lines and comments (`#` first) are skipped and not reported; every
 * other line gives one LineResult, in body order. Never throws.
 */
export function parseLineProtocol(body: string, opts: LineProtocolOptions): LineResult[] {
  const precision = opts.precision ?? 'ns';
  // InfluxDB gives a line without timestamp the server's time truncated to the precision.
  const unit = MS_PER_UNIT[precision];
  const now = Math.floor(opts.now / unit) * unit;
  const out: LineResult[] = [];
  for (const { line, text } of splitLines(body)) {
    const parsed = parseLine(text, precision);
    if (!parsed.ok) {
      out.push({ ok: false, line, text, error: parsed.error });
      continue;
    }
    const { measurement, tags, fields, ts } = parsed.point;
    const pointTags = { ...tags };
    // Telegraf tags every metric with `host`; that is the node unless the line names one.
    if (pointTags.node === undefined && pointTags.host !== undefined) pointTags.node = pointTags.host;
    const points: FieldPoint[] = [];
    const refused: FieldRefusal[] = [];
    for (const f of fields) {
      if (f.type === 'string') {
        refused.push({
          field: f.key,
          error: `input field "${f.key}" on measurement "${measurement}" is type string: only numbers and booleans are stored`,
        });
        continue;
      }
      const value = f.type === 'boolean' ? (f.value ? 1 : 0) : f.value;
      points.push({ field: f.key, point: { metric: `${measurement}.${f.key}`, ts: ts ?? now, value, tags: { ...pointTags } } });
    }
    out.push({ ok: true, line, text, points, refused });
  }
  return out;
}

/**
 * Splits a body into logical lines. As in InfluxDB, a newline inside a quoted string field does
 * not end the line. Two deliberate differences: a comment is always one physical line, and a
 * quote left open to the end of the body does not swallow the lines after it: the line stops at
 * its own newline (and fails with "unbalanced quotes") and the next lines are read on their own.
 * A `\r` before the newline is dropped, so CRLF files work.
 */
export function splitLines(body: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let pos = 0;
  let lineNo = 1;
  while (pos < body.length) {
    const start = skipWhitespace(body, pos);
    const nl = body.indexOf('\n', pos);
    const physicalEnd = nl === -1 ? body.length : nl;
    let end = physicalEnd;
    if (start < physicalEnd && body[start] !== '#') {
      const scanned = scanLogicalLine(body, start);
      if (!scanned.openQuote) end = scanned.end;
    }
    let text = body.slice(start, end);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.length > 0 && text[0] !== '#' && skipWhitespace(text, 0) < text.length) out.push({ line: lineNo, text });
    for (let i = pos; i < end; i++) if (body.charCodeAt(i) === 10) lineNo++;
    lineNo++;
    pos = end + 1;
  }
  return out;
}

/** InfluxDB's scanLine: quotes count only in field values (after the first unescaped space). */
function scanLogicalLine(buf: string, i: number): { end: number; openQuote: boolean } {
  let quoted = false;
  let inFields = false;
  let equals = 0;
  let commas = 0;
  while (i < buf.length) {
    const c = buf[i];
    // An escape never hides a newline: a stray backslash at a line end must not join two lines.
    if (c === '\\' && i + 1 < buf.length && buf[i + 1] !== '\n') {
      i += 2;
      continue;
    }
    if (c === ' ') inFields = true;
    if (inFields) {
      if (!quoted && c === '=') equals++;
      else if (!quoted && c === ',') commas++;
      else if (c === '"' && equals > commas) quoted = !quoted;
    }
    if (c === '\n' && !quoted) break;
    i++;
  }
  return { end: i, openQuote: quoted };
}

function skipWhitespace(buf: string, i: number): number {
  while (i < buf.length && (buf[i] === ' ' || buf[i] === '\t' || buf[i] === '\0')) i++;
  return i;
}

/** Removes the escapes of `chars` (a backslash before another character stays, as in InfluxDB). */
function unescape(s: string, chars: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length && chars.includes(s[i + 1])) {
      out += s[i + 1];
      i++;
    } else {
      out += s[i];
    }
  }
  return out;
}

const MEASUREMENT_ESCAPES = ', ';
const KEY_ESCAPES = ', =';

class LineError extends Error {}
const fail = (reason: string): never => {
  throw new LineError(reason);
};

/**
 * Parses one line (without its line end). `precision` is the unit of its timestamp.
 * The reasons are InfluxDB's ("missing fields", "invalid number", "unbalanced quotes", ...),
 * sometimes with the offending token after a colon.
 */
export function parseLine(text: string, precision: Precision = 'ns'): LineParse {
  try {
    return { ok: true, point: readLine(text, precision) };
  } catch (err) {
    if (err instanceof LineError) return { ok: false, error: err.message };
    throw err;
  }
}

function readLine(buf: string, precision: Precision): LinePoint {
  const n = buf.length;
  let i = skipWhitespace(buf, 0);

  // Measurement: up to the first unescaped comma (tags follow) or space (fields follow).
  if (i >= n || buf[i] === ',') fail('missing measurement');
  let start = i;
  while (i < n && buf[i] !== ',' && buf[i] !== ' ') i += buf[i] === '\\' && i + 1 < n ? 2 : 1;
  if (i >= n) fail('missing fields');
  const measurement = unescape(buf.slice(start, i), MEASUREMENT_ESCAPES);

  // Tags: ,key=value pairs up to the first unescaped space.
  const tags: Record<string, string> = {};
  while (buf[i] === ',') {
    i++;
    start = i;
    if (i >= n || buf[i] === ' ' || buf[i] === ',' || buf[i] === '=') fail('missing tag key');
    while (i < n && buf[i] !== '=') {
      if (buf[i] === ' ' || buf[i] === ',') fail('missing tag value');
      i += buf[i] === '\\' && i + 1 < n ? 2 : 1;
    }
    if (i >= n) fail('missing tag value');
    const key = unescape(buf.slice(start, i), KEY_ESCAPES);
    i++;
    start = i;
    if (i >= n || buf[i] === ',' || buf[i] === ' ') fail('missing tag value');
    while (i < n && buf[i] !== ',' && buf[i] !== ' ') {
      if (buf[i] === '=') fail('invalid tag format');
      i += buf[i] === '\\' && i + 1 < n ? 2 : 1;
    }
    if (i >= n) fail('missing fields');
    if (Object.hasOwn(tags, key)) fail('duplicate tags');
    const value = unescape(buf.slice(start, i), KEY_ESCAPES);
    // A plain assignment to `__proto__` sets no key: the tag would vanish unchecked. As an own key,
    // validatePoint sees it (and refuses it).
    if (key === '__proto__') Object.defineProperty(tags, key, { value, enumerable: true, writable: true, configurable: true });
    else tags[key] = value;
  }

  // Fields: key=value pairs separated by commas, up to an unescaped space outside quotes.
  i = skipWhitespace(buf, i);
  if (i >= n) fail('missing fields');
  const fields: LineField[] = [];
  for (;;) {
    start = i;
    if (buf[i] === '=') fail('missing field key');
    while (i < n && buf[i] !== '=') {
      if (buf[i] === ' ' || buf[i] === ',') fail('invalid field format');
      i += buf[i] === '\\' && i + 1 < n ? 2 : 1;
    }
    if (i >= n) fail('invalid field format');
    const key = unescape(buf.slice(start, i), KEY_ESCAPES);
    i++;
    if (i >= n || buf[i] === ',' || buf[i] === ' ') fail('missing field value');
    let value: FieldValue;
    if (buf[i] === '"') {
      [value, i] = readString(buf, i);
      if (i < n && buf[i] !== ',' && buf[i] !== ' ') fail(`invalid field format: text after the closing quote of field "${key}"`);
    } else {
      start = i;
      while (i < n && buf[i] !== ',' && buf[i] !== ' ') i++;
      value = readScalar(buf.slice(start, i), key);
    }
    const same = fields.findIndex((f) => f.key === key);
    if (same >= 0) fields.splice(same, 1);
    fields.push({ key, ...value });
    if (buf[i] !== ',') break;
    i++;
    // `a=1,` and `a=1, b=2`: InfluxDB's words for a field list that stops after a comma.
    if (i >= n || buf[i] === ' ') fail('invalid field format');
  }

  // Timestamp: optional, an integer in the request's precision, then nothing but spaces.
  i = skipWhitespace(buf, i);
  if (i >= n) return { measurement, tags, fields, ts: null };
  start = i;
  while (i < n && buf[i] !== ' ') i++;
  const token = buf.slice(start, i);
  if (!/^-?\d+$/.test(token)) fail(`bad timestamp: ${token}`);
  while (i < n && buf[i] === ' ') i++;
  if (i < n) fail(`point is invalid: unexpected ${JSON.stringify(buf.slice(i, i + 40))} after the timestamp`);
  const raw = BigInt(token);
  if (raw < INT64_MIN || raw > INT64_MAX) fail(`bad timestamp: ${token} is out of range`);
  const ns = raw * NS_PER_UNIT[precision];
  if (ns < MIN_NANO_TIME || ns > MAX_NANO_TIME) fail(`time outside range ${MIN_NANO_TIME} - ${MAX_NANO_TIME}`);
  return { measurement, tags, fields, ts: Number(floorDiv(ns, 1_000_000n)) };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** A quoted string starting at `i` (the opening quote); `\"` and `\\` are its escapes. */
function readString(buf: string, i: number): [FieldValue, number] {
  let out = '';
  for (i++; i < buf.length; i++) {
    const c = buf[i];
    if (c === '\\' && (buf[i + 1] === '"' || buf[i + 1] === '\\')) {
      out += buf[++i];
    } else if (c === '"') {
      return [{ type: 'string', value: out }, i + 1];
    } else {
      out += c;
    }
  }
  return fail('unbalanced quotes');
}

const INTEGER = /^-?\d+i$/;
const UNSIGNED = /^\d+u$/;
const FLOAT = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEANS: Record<string, boolean> = {
  t: true, T: true, true: true, True: true, TRUE: true,
  f: false, F: false, false: false, False: false, FALSE: false,
};

/** An unquoted field value: integer (`12i`), unsigned (`12u`), float or boolean. */
function readScalar(token: string, key: string): FieldValue {
  const c = token[0];
  if ((c >= '0' && c <= '9') || c === '-' || c === '.' || c === '+') {
    if (INTEGER.test(token)) {
      const v = BigInt(token.slice(0, -1));
      if (v < INT64_MIN || v > INT64_MAX) fail(`unable to parse integer ${token.slice(0, -1)}: value out of range`);
      return { type: 'integer', value: Number(v) };
    }
    if (UNSIGNED.test(token)) {
      const v = BigInt(token.slice(0, -1));
      if (v > UINT64_MAX) fail(`unable to parse unsigned ${token.slice(0, -1)}: value out of range`);
      return { type: 'unsigned', value: Number(v) };
    }
    if (FLOAT.test(token)) {
      const v = Number(token);
      if (!Number.isFinite(v)) fail(`invalid float: ${token} (field "${key}")`);
      return { type: 'float', value: v };
    }
    return fail(`invalid number: ${token} (field "${key}")`);
  }
  if (c === 't' || c === 'T' || c === 'f' || c === 'F') {
    const v = BOOLEANS[token];
    if (v === undefined) fail(`invalid boolean: ${token} (field "${key}")`);
    return { type: 'boolean', value: v };
  }
  // NaN and Inf land here: InfluxDB refuses them as numbers, and so does Zhuyun's store.
  if (/^[+-]?(nan|inf(inity)?)$/i.test(token)) fail(`invalid number: ${token} (field "${key}")`);
  return fail(`invalid field value: ${token} (field "${key}"): use a number (1.5, 2i, 3u), a boolean or a "string"`);
}
