import { readFile } from 'node:fs/promises';
import { IngestBatchSchema, MAX_POINTS_PER_BATCH, RETIRED_CODES, isUnitCode } from '@zhuyun/protocol';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.js';
import type { ProbeRegistry } from './probe.js';
import { createBuiltinRegistry } from './probes/builtin.js';

/**
 * The agent's configuration, validated and with defaults applied. Durations are milliseconds.
 * The YAML spells keys in snake_case (`flush_interval`); this object in camelCase.
 *
 * The server's in-process fleet builds these with `configFromObject` (same checks, no file).
 */
export interface AgentConfig {
  server: {
    /** Base URL of the Zhuyun server, without a trailing slash; the agent posts to `${url}/api/v1/ingest`. */
    url: string;
    /** Collector token (from `npm run zhuyun -- collector add`), sent as `Authorization: Bearer`. */
    token: string;
    /** Time allowed for one ingest request. */
    timeoutMs: number;
  };
  collector: {
    /** Collector id as registered on the server; the first part of every batch id. */
    id: string;
    /** Unit code (district or zone) the collector stands in; default `district` tag of its points. */
    district: string;
    /** How often buffered points are sealed into a batch and sent. */
    flushIntervalMs: number;
    /** Most points in one batch; a full buffer is sent at once without waiting for the flush. */
    batchSize: number;
    /** How often the agent reports its own health (`collector.*` points), probes or not. */
    heartbeatMs: number;
  };
  spool: {
    /**
     * Directory of the disk spool (DiskBatchQueue): batches survive restarts. Unset: they wait in
     * memory (MemoryBatchQueue) and an agent restart loses them.
     */
    dir?: string;
    /** Batches older than this are dropped unsent: the server keeps raw points 14 days. */
    maxAgeMs: number;
    /**
     * Most points waiting to be sent; beyond it the oldest batches are dropped (and counted).
     * Default 200,000 in memory (about 60 MB of heap), 10,000,000 on disk (72 h of 200 series
     * every 10 s is 5.2 million).
     */
    maxPoints: number;
    /** Most bytes of spool files (gzipped batches); beyond it the oldest go. Disk spool only. */
    maxBytes: number;
  };
  probes: ProbeConfig[];
}

export interface ProbeConfig {
  type: string;
  /** Unique within the agent: used in logs and self-stats. Default `<type>#<index>`. */
  name: string;
  intervalMs: number;
  /** Defaults to the interval: a collection may take its whole interval, never more. */
  timeoutMs: number;
  /** The first collection starts after a random delay in [0, jitter), so a fleet does not tick in step. */
  jitterMs: number;
  /** The probe's own keys, as its `configSchema` returned them (validated, defaults applied). */
  options: unknown;
}

export interface ConfigIssue {
  /** Key path as written in the YAML: `probes[1].interval`; empty for the document itself. */
  path: string;
  /** 1-based line in the file, when known. */
  line?: number;
  message: string;
}

/** All the problems of one config, each as `file:line: path: message`. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
  ) {
    super(issues.map((i) => formatIssue(source, i)).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatIssue(source: string, issue: ConfigIssue): string {
  const where = issue.line ? `${source}:${issue.line}` : source;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

export interface ParseConfigOptions {
  /** Probe types the config may use; default: the built-in ones. */
  registry?: ProbeRegistry;
}

const COMMON_PROBE_KEYS = new Set(['type', 'name', 'interval', 'timeout', 'jitter']);
const MIN_INTERVAL_MS = 100;

/** A duration key (`10s`); refuses bare numbers, see parseDuration. */
function duration(opts: { min?: number; max?: number } = {}) {
  return z.unknown().transform((value, ctx): number => {
    if (value === undefined || value === null) {
      ctx.addIssue({ code: 'custom', message: 'is required (a duration like 10s)' });
      return z.NEVER;
    }
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined) {
      const hint = typeof value === 'number' ? ` (add a unit: ${value}s or ${value}ms)` : '';
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a duration like 10s${hint}` });
      return z.NEVER;
    }
    if (opts.min !== undefined && ms < opts.min) {
      ctx.addIssue({ code: 'custom', message: `${value} is too short: at least ${formatDuration(opts.min)}` });
      return z.NEVER;
    }
    if (opts.max !== undefined && ms > opts.max) {
      ctx.addIssue({ code: 'custom', message: `${value} is too long: at most ${formatDuration(opts.max)}` });
      return z.NEVER;
    }
    return ms;
  });
}

export const DEFAULT_SPOOL_MAX_BYTES = 512 * 1024 * 1024;
const BYTE_UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3 };

/**
 * Reads a size as written in the YAML: `512MiB`, `1GB`, `200MB`, `65536B` (KB/MB/GB are powers of
 * 1000, KiB/MiB/GiB of 1024). Like durations, a bare number is refused: bytes or megabytes?
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMG]i?B|B)\s*$/i.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * BYTE_UNITS[m[2].toUpperCase()]);
}

function byteSize(opts: { min: number }) {
  return z.unknown().transform((value, ctx): number => {
    const bytes = typeof value === 'string' ? parseByteSize(value) : undefined;
    if (bytes === undefined) {
      const hint = typeof value === 'number' ? ` (add a unit: ${value}MB or ${value}MiB)` : '';
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a size like 512MiB or 1GB${hint}` });
      return z.NEVER;
    }
    if (bytes < opts.min) {
      ctx.addIssue({ code: 'custom', message: `${value} is too small: at least 1MiB` });
      return z.NEVER;
    }
    return bytes;
  });
}

/** YAML reads `district: 520103` as a number; accept it, the code is what matters. */
const unitCode = z
  .union([z.string(), z.number().int()], { error: 'must be a unit code such as "520103" or "gy-hitech"' })
  .transform((v) => String(v))
  .superRefine((code, ctx) => {
    if (RETIRED_CODES[code]) {
      ctx.addIssue({ code: 'custom', message: `${code} is a retired code: use ${RETIRED_CODES[code]}` });
    } else if (!isUnitCode(code)) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(code)} is not a known district or zone (a code such as 520103, or a zone id such as gy-hitech)`,
      });
    }
  });

const serverUrl = z
  .string({ error: 'must be the server URL, e.g. http://127.0.0.1:8080' })
  .superRefine((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a URL like http://127.0.0.1:8080` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} must start with http:// or https://` });
    } else if (/\/api\/v1\/ingest\/?$/.test(url.pathname)) {
      // The agent appends the ingest path itself; doubling it gives a 404 that looks like a server fault.
      ctx.addIssue({ code: 'custom', message: 'give the server base URL, without /api/v1/ingest' });
    } else if (url.search || url.hash) {
      ctx.addIssue({ code: 'custom', message: 'must not carry a query or fragment' });
    }
  })
  .transform((text) => text.replace(/\/+$/, ''));

const AgentFileSchema = z.strictObject({
  server: z.strictObject({
    url: serverUrl,
    token: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') }).min(1, 'must not be empty'),
    timeout: duration({ min: 100 }).default(10_000),
  }),
  collector: z.strictObject({
    id: IngestBatchSchema.shape.collector,
    district: unitCode,
    flush_interval: duration({ min: 100 }).default(1_000),
    batch_size: z
      .number({ error: 'must be a whole number of points' })
      .int('must be a whole number of points')
      .min(1, 'must be at least 1')
      .max(MAX_POINTS_PER_BATCH, `must be at most ${MAX_POINTS_PER_BATCH} (the server's limit per batch)`)
      .default(5_000),
    heartbeat: duration({ min: 1_000, max: 300_000 }).default(10_000),
  }),
  spool: z
    .strictObject({
      dir: z.string().min(1, 'must not be empty').optional(),
      max_age: duration({ min: 60_000 }).default(72 * 3_600_000),
      // Its default depends on dir (memory or disk): applied in validate().
      max_points: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(1_000, 'must be at least 1000').optional(),
      max_bytes: byteSize({ min: 1024 * 1024 }).default(DEFAULT_SPOOL_MAX_BYTES),
    })
    .default({ max_age: 72 * 3_600_000, max_bytes: DEFAULT_SPOOL_MAX_BYTES }),
  probes: z.array(z.unknown(), { error: 'must be a list of probes (- type: ...)' }).default([]),
});

const ProbeCommonSchema = z.looseObject({
  type: z.string({ error: (i) => (i.input === undefined ? 'is required (the probe type)' : 'must be a string') }),
  name: z
    .string({ error: 'must be a string' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:#-]{0,63}$/, 'must be letters, digits and _ . : # - (at most 64)')
    .optional(),
  interval: duration({ min: MIN_INTERVAL_MS }),
  timeout: duration({ min: 1 }).optional(),
  jitter: duration().optional(),
});

type IssuePath = Array<string | number>;
interface RawIssue {
  path: IssuePath;
  message: string;
}

/** Turns zod issues into one line each, in words an operator reads without knowing zod. */
function fromZod(issues: readonly z.core.$ZodIssue[], prefix: IssuePath = []): RawIssue[] {
  const out: RawIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as IssuePath)];
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push({ path: [...path, key], message: 'unknown key' });
        break;
      case 'invalid_type':
        out.push({
          path,
          // Zod's own wording ("Invalid input: expected string, received undefined") is replaced;
          // a message written in a schema is kept.
          message: !issue.message.startsWith('Invalid input')
            ? issue.message
            : input === undefined
              ? 'is required'
              : `expected ${issue.expected}, got ${describe(input)}`,
        });
        break;
      case 'invalid_value':
        out.push({
          path,
          message: `${JSON.stringify(input)} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
        });
        break;
      default:
        out.push({ path, message: issue.message });
    }
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

export function formatPath(path: IssuePath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

/**
 * The line where a key path sits in the YAML: the line of the deepest key that exists, so a
 * missing key points at its parent and a bad value at its own key.
 */
function lineOf(doc: Document, counter: LineCounter, path: IssuePath): number | undefined {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as { range?: [number, number, number] } | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

/**
 * Validates a config in its YAML shape (snake_case keys) given as a plain object. Throws
 * ConfigError with every problem found, each located by `locate` when given.
 */
function validate(
  data: unknown,
  source: string,
  registry: ProbeRegistry,
  locate: (path: IssuePath) => number | undefined,
): AgentConfig {
  const issues: RawIssue[] = [];
  if (data === null || data === undefined) {
    throw new ConfigError(source, [{ path: '', line: 1, message: 'the config is empty: expected keys server, collector and probes' }]);
  }
  const top = AgentFileSchema.safeParse(data, { reportInput: true });
  if (!top.success) issues.push(...fromZod(top.error.issues));

  const probes: ProbeConfig[] = [];
  const rawProbes = top.success ? top.data.probes : Array.isArray((data as { probes?: unknown }).probes) ? ((data as { probes: unknown[] }).probes) : [];
  const names = new Map<string, number>();
  rawProbes.forEach((raw, index) => {
    const at: IssuePath = ['probes', index];
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      issues.push({ path: at, message: 'must be a map with at least type and interval' });
      return;
    }
    const common = ProbeCommonSchema.safeParse(raw, { reportInput: true });
    const type = (raw as { type?: unknown }).type;
    const definition = typeof type === 'string' ? registry.get(type) : undefined;
    if (!common.success) issues.push(...fromZod(common.error.issues, at));
    if (typeof type === 'string' && !definition) {
      issues.push({
        path: [...at, 'type'],
        message: registry.has(type)
          ? `probe type ${JSON.stringify(type)} is not loaded yet: use loadConfigFile, or await registry.load() (loadBuiltinProbes()) before validating`
          : `unknown probe type ${JSON.stringify(type)} (known: ${registry.types().join(', ')})`,
      });
    }
    // The probe's own keys are checked even when the common ones are wrong: all errors at once.
    let options: unknown;
    let optionsOk = false;
    if (definition) {
      const own = Object.fromEntries(Object.entries(raw).filter(([k]) => !COMMON_PROBE_KEYS.has(k)));
      const parsed = definition.configSchema.safeParse(own, { reportInput: true });
      if (parsed.success) {
        options = parsed.data;
        optionsOk = true;
      } else {
        for (const issue of fromZod(parsed.error.issues, at)) {
          issues.push(issue.message === 'unknown key' ? { ...issue, message: `unknown key for probe type ${definition.type}` } : issue);
        }
      }
    }
    if (!common.success || !definition || !optionsOk) return;
    const { interval, timeout, jitter, name: explicitName } = common.data;
    if (timeout !== undefined && timeout > interval) {
      // A longer timeout would only ever make ticks be skipped; say so instead of surprising later.
      issues.push({ path: [...at, 'timeout'], message: `${formatDuration(timeout)} is longer than the interval ${formatDuration(interval)}` });
      return;
    }
    if (jitter !== undefined && jitter > interval) {
      issues.push({ path: [...at, 'jitter'], message: `${formatDuration(jitter)} is longer than the interval ${formatDuration(interval)}` });
      return;
    }
    const name = explicitName ?? `${definition.type}#${index}`;
    if (names.has(name)) {
      issues.push({ path: [...at, 'name'], message: `${JSON.stringify(name)} is already used by probes[${names.get(name)}]` });
      return;
    }
    names.set(name, index);
    probes.push({ type: definition.type, name, intervalMs: interval, timeoutMs: timeout ?? interval, jitterMs: jitter ?? 0, options });
  });

  if (issues.length > 0 || !top.success) {
    const located = issues.map((i) => ({ path: formatPath(i.path), line: locate(i.path), message: i.message }));
    located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new ConfigError(source, located);
  }
  const d = top.data;
  return {
    server: { url: d.server.url, token: d.server.token, timeoutMs: d.server.timeout },
    collector: {
      id: d.collector.id,
      district: d.collector.district,
      flushIntervalMs: d.collector.flush_interval,
      batchSize: d.collector.batch_size,
      heartbeatMs: d.collector.heartbeat,
    },
    spool: {
      dir: d.spool.dir,
      maxAgeMs: d.spool.max_age,
      maxPoints: d.spool.max_points ?? (d.spool.dir ? 10_000_000 : 200_000),
      maxBytes: d.spool.max_bytes,
    },
    probes,
  };
}

/**
 * Parses and validates the agent's YAML. `fileName` is used in messages only. Throws ConfigError
 * listing every problem (YAML syntax first; when the syntax is broken nothing else is checked).
 * Never touches the network.
 */
export function parseConfig(text: string, fileName: string, options: ParseConfigOptions = {}): AgentConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      fileName,
      doc.errors.map((e) => ({ path: '', line: counter.linePos(e.pos[0]).line, message: `YAML: ${e.message.split('\n')[0]}` })),
    );
  }
  // toJS resolves aliases: an alias to no anchor, or too many (a "billion laughs" file), throws.
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    throw new ConfigError(fileName, [{ path: '', message: `YAML: ${(err as Error).message.split('\n')[0]}` }]);
  }
  const registry = options.registry ?? createBuiltinRegistry();
  return validate(data, fileName, registry, (path) => lineOf(doc, counter, path));
}

/** Reads and validates a config file; see parseConfig. A file that cannot be read is a ConfigError too. */
export async function loadConfigFile(path: string, options: ParseConfigOptions = {}): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [{ path: '', message: code === 'ENOENT' ? 'no such file' : `cannot read: ${code ?? String(err)}` }]);
  }
  // Built-in probe modules are imported only for the types the file names (probes/builtin.ts).
  const registry = options.registry ?? createBuiltinRegistry();
  await registry.load(probeTypesIn(text));
  return parseConfig(text, path, { ...options, registry });
}

/** The `type:` of each entry under `probes:`, read leniently: parseConfig reports what is wrong. */
function probeTypesIn(text: string): string[] {
  try {
    const data = parseDocument(text).toJS() as { probes?: unknown } | null;
    if (!data || !Array.isArray(data.probes)) return [];
    return data.probes.map((p: unknown) => (p && typeof p === 'object' ? (p as { type?: unknown }).type : undefined)).filter((t): t is string => typeof t === 'string');
  } catch {
    return [];
  }
}

/**
 * Validates a config given as an object in the YAML's shape (snake_case keys, durations as
 * strings), for callers that build configs in code, such as the server's simulated fleet:
 *
 *   configFromObject({ server: { url, token }, collector: { id: 'sim-520103', district: '520103' } }, 'simulation')
 */
export function configFromObject(data: unknown, source = 'config', options: ParseConfigOptions = {}): AgentConfig {
  return validate(data, source, options.registry ?? createBuiltinRegistry(), () => undefined);
}
