/**
 * A parser of the Prometheus text exposition format (0.0.4), as node_exporter and client
 * libraries serve it, tolerant of the OpenMetrics text that some endpoints send instead
 * (`# EOF`, `# UNIT`, exemplars, `_created`). Pure: text in, samples out.
 *
 *   # HELP http_requests_total The total number of HTTP requests.
 *   # TYPE http_requests_total counter
 *   http_requests_total{method="post",code="200"} 1027 1395066363000
 *   msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
 *   {"name.with.dots", "label.with.dots"="v"} 1        (Prometheus 3: quoted UTF-8 names)
 *
 * A malformed line fails the whole parse with its line number, as Prometheus fails the scrape:
 * half a scrape read as a whole one would be partial data passed off as complete.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped' | 'info' | 'stateset' | 'gaugehistogram' | 'unknown';

export interface Sample {
  /** The sample's own name: `http_request_duration_seconds_bucket`. */
  name: string;
  /** Labels in the order written, values unescaped. */
  labels: Record<string, string>;
  /** May be NaN or ±Infinity. */
  value: number;
  /** Epoch ms, when the line carries one. */
  timestampMs?: number;
  /** The family the sample belongs to (its TYPE line): `http_request_duration_seconds`. */
  family: string;
  /** The family's type; `untyped` when no TYPE line covers it. */
  type: MetricType;
}

export interface FamilyInfo {
  type: MetricType;
  help?: string;
}

export interface Exposition {
  samples: Sample[];
  /** Families that had a TYPE or HELP line, by name. */
  families: Map<string, FamilyInfo>;
}

export class ExpositionError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'ExpositionError';
  }
}

const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'info', 'stateset', 'gaugehistogram', 'unknown']);
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Suffixes a sample of a family of that type may carry beyond the family name. */
const SUFFIXES: Array<[string, MetricType[]]> = [
  ['_bucket', ['histogram', 'gaugehistogram']],
  ['_count', ['histogram', 'summary']],
  ['_sum', ['histogram', 'summary']],
  ['_gcount', ['gaugehistogram']],
  ['_gsum', ['gaugehistogram']],
  ['_created', ['counter', 'histogram', 'summary']],
  ['_total', ['counter']],
  ['_info', ['info']],
];

/** Go's strconv.ParseFloat as the format uses it: decimals, exponents, ±Inf, NaN. */
export function parseValue(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** A cursor over one line. */
class Line {
  pos = 0;
  constructor(
    readonly text: string,
    readonly number: number,
  ) {}
  fail(message: string): never {
    throw new ExpositionError(this.number, message);
  }
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  skipBlanks(): number {
    const start = this.pos;
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
    return this.pos - start;
  }
  match(re: RegExp): string | undefined {
    const m = re.exec(this.text.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }
  /** A double-quoted string with the escapes \\ \" \n; the cursor is on the opening quote. */
  quoted(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined) this.fail('unterminated quoted string');
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.text[this.pos++];
        if (e === 'n') out += '\n';
        else if (e === '\\' || e === '"') out += e;
        else this.fail(`invalid escape \\${e ?? ''} in a quoted string`);
      } else {
        out += c;
      }
    }
  }
  token(): string {
    const start = this.pos;
    while (!this.done && this.peek() !== ' ' && this.peek() !== '\t') this.pos++;
    return this.text.slice(start, this.pos);
  }
}

/** Parses `{a="b",c="d"}` (cursor on `{`); a quoted first item without `=` is the metric name. */
function parseLabels(line: Line, sampleName: string | undefined): { name: string | undefined; labels: Record<string, string> } {
  line.pos++; // {
  const labels: Record<string, string> = {};
  let name = sampleName;
  let first = true;
  for (;;) {
    line.skipBlanks();
    if (line.peek() === '}') {
      line.pos++;
      return { name, labels };
    }
    let label: string;
    if (line.peek() === '"') {
      label = line.quoted();
      line.skipBlanks();
      if (first && name === undefined && (line.peek() === ',' || line.peek() === '}')) {
        name = label; // {"metric.name", ...}
        if (line.peek() === ',') line.pos++;
        first = false;
        continue;
      }
    } else {
      label = line.match(LABEL_NAME) ?? line.fail(`expected a label name at column ${line.pos + 1}`);
      line.skipBlanks();
    }
    first = false;
    if (line.peek() !== '=') line.fail(`expected = after label ${label}`);
    line.pos++;
    line.skipBlanks();
    if (line.peek() !== '"') line.fail(`expected a quoted value for label ${label}`);
    if (Object.hasOwn(labels, label)) line.fail(`label ${label} appears twice`);
    labels[label] = line.quoted();
    line.skipBlanks();
    if (line.peek() === ',') line.pos++;
    else if (line.peek() !== '}') line.fail(`expected , or } after the value of label ${label}`);
  }
}

/** The family a sample belongs to, by its name and the TYPE lines seen. */
function familyOf(name: string, families: Map<string, FamilyInfo>): [string, MetricType] {
  const own = families.get(name);
  if (own && own.type !== 'untyped' && own.type !== 'unknown') return [name, own.type];
  for (const [suffix, types] of SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const info = families.get(base);
    if (info && types.includes(info.type)) return [base, info.type];
  }
  return [name, own?.type ?? 'untyped'];
}

/** Parses a whole exposition. Throws ExpositionError (with the line number) on a malformed line. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const families = new Map<string, FamilyInfo>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    const line: Line = new Line(raw, i + 1); // typed, so that line.fail() narrows (never)
    line.skipBlanks();
    if (line.done) continue;

    if (line.peek() === '#') {
      line.pos++;
      line.skipBlanks();
      const keyword = line.match(/^(HELP|TYPE|EOF|UNIT)\b/);
      if (keyword === 'EOF') break;
      if (keyword === 'HELP' || keyword === 'TYPE') {
        if (line.skipBlanks() === 0) line.fail(`expected a metric name after # ${keyword}`);
        const name = line.peek() === '"' ? line.quoted() : (line.match(NAME) ?? line.fail(`expected a metric name after # ${keyword}`));
        const info = families.get(name) ?? { type: 'untyped' as MetricType };
        if (keyword === 'TYPE') {
          line.skipBlanks();
          const type = line.token().toLowerCase() as MetricType;
          if (!TYPES.has(type)) line.fail(`unknown metric type ${JSON.stringify(type)} for ${name}`);
          info.type = type;
        } else {
          if (!line.done && line.skipBlanks() === 0) line.fail(`expected a blank after the name in # HELP ${name}`);
          info.help = unescapeHelp(line.text.slice(line.pos));
        }
        families.set(name, info);
      }
      continue; // any other comment
    }

    let name: string | undefined = line.peek() === '{' ? undefined : line.match(NAME);
    if (name === undefined && line.peek() !== '{') line.fail(`expected a metric name at column ${line.pos + 1}`);
    let labels: Record<string, string> = {};
    if (line.peek() === '{') ({ name, labels } = parseLabels(line, name));
    if (name === undefined) line.fail('a sample without a metric name');
    if (line.skipBlanks() === 0) line.fail(`expected a blank before the value of ${name}`);
    const valueText = line.token();
    const value = parseValue(valueText);
    if (value === undefined) line.fail(`${JSON.stringify(valueText)} is not a sample value`);
    line.skipBlanks();
    let timestampMs: number | undefined;
    if (!line.done && line.peek() !== '#') {
      const ts = line.token();
      if (!/^-?\d+$/.test(ts)) line.fail(`${JSON.stringify(ts)} is not a timestamp in milliseconds`);
      timestampMs = Number(ts);
      line.skipBlanks();
    }
    // OpenMetrics exemplar (`# {trace_id="..."} 1`): not ours to keep.
    if (!line.done && line.peek() !== '#') line.fail(`unexpected ${JSON.stringify(line.text.slice(line.pos))} after the value`);
    const [family, type] = familyOf(name, families);
    const sample: Sample = { name, labels, value, family, type };
    if (timestampMs !== undefined) sample.timestampMs = timestampMs;
    samples.push(sample);
  }
  return { samples, families };
}
