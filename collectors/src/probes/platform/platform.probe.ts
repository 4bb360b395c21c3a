import { readFile } from 'node:fs/promises';
import { METRIC_NAME, type RawPoint } from '@zhuyun/protocol';
import { z } from 'zod';
import { errorMessage, type Logger } from '../../logger.js';
import { defineProbe, type Probe, type ProbeContext } from '../../probe.js';
import { describeFailure, httpRequest, type HttpOutcome, type HttpRequestOptions } from '../http/http.client.js';
import { headersOption } from '../http/http.probe.js';
import { PeriodCounter, lookup } from './field.mapping.js';
import { NODE_ID, districtOption, durationOption } from '../options.js';

export type PlatformName = 'share' | 'open';

/**
 * How a field's value becomes points:
 * - `gauge`: as read (`share.success_pct`, `open.datasets`);
 * - `counter`: a running total, forwarded as read; the server computes rates and treats a drop as
 *   a counter reset;
 * - `delta`: a count that restarts every period (calls today), accumulated here into a counter.
 */
export type FieldMode = 'gauge' | 'counter' | 'delta';

export interface FieldMapping {
  /** Dotted JSON path in the statistics document. */
  path: string;
  metric: string;
  mode: FieldMode;
  /** Multiplies the value read (a ratio 0.998 → 99.8 %: 100; seconds → ms: 1000). Default 1. */
  scale: number;
}

export interface PlatformProbeOptions {
  platform: PlatformName;
  url: string;
  headers?: Record<string, string>;
  fields: readonly FieldMapping[];
  /** Default 10 s. */
  responseTimeoutMs?: number;
  tlsSkipVerify?: boolean;
  caFile?: string;
  /** `node` tag; default `<platform>-platform`. */
  node: string;
  district?: string;
}

/** The probe's I/O seam. */
export interface PlatformIo {
  request(url: string, options: HttpRequestOptions): Promise<HttpOutcome>;
  readFile(path: string): Promise<Buffer>;
}

const MAX_BODY = 8 << 20;

/**
 * Polls a JSON statistics endpoint of the sharing platform (共享平台) or the open platform
 * (开放平台) and maps its fields to our metrics with the configured paths. `<platform>.up` and
 * `<platform>.latency_ms` come from the poll itself unless fields are mapped to them. See README.md.
 * Never throws from `collect`: an endpoint that fails is `<platform>.up` 0.
 */
export class PlatformProbe implements Probe {
  readonly type = 'platform';
  private readonly io: PlatformIo;
  private readonly accumulators = new Map<string, PeriodCounter>();
  private readonly lastCounter = new Map<string, number>();
  private ca: Buffer | undefined;
  private readonly problems = new Map<string, string>();

  constructor(
    private readonly options: PlatformProbeOptions,
    private readonly logger: Logger,
    io: Partial<PlatformIo> = {},
  ) {
    this.io = { request: httpRequest, readFile: (path) => readFile(path), ...io };
    for (const f of options.fields) if (f.mode === 'delta') this.accumulators.set(f.path, new PeriodCounter());
  }

  async collect(ctx: ProbeContext): Promise<RawPoint[]> {
    const o = this.options;
    const p = o.platform;
    if (o.caFile && !this.ca) {
      try {
        this.ca = await this.io.readFile(o.caFile);
      } catch (err) {
        this.problem('ca_file', `cannot read ca_file ${o.caFile}: ${errorMessage(err)}`);
        return [];
      }
    }
    const outcome = await this.io.request(o.url, {
      headers: { accept: 'application/json', ...o.headers },
      timeoutMs: o.responseTimeoutMs ?? 10_000,
      signal: ctx.signal,
      maxRedirects: 3,
      maxBodyBytes: MAX_BODY,
      tls: { ca: this.ca, skipVerify: o.tlsSkipVerify ?? false },
    });
    if (ctx.signal.aborted) return [];

    const tags = { district: o.district ?? ctx.collector.district, node: o.node, platform: p };
    const point = (metric: string, value: number): RawPoint => ({ metric, ts: ctx.now, value: round(value), tags: { ...tags } });

    let doc: unknown;
    let failure: string | undefined;
    if (!outcome.ok) failure = outcome.code === 'timeout' ? outcome.message : describeFailure(outcome);
    else if (outcome.status < 200 || outcome.status > 299) failure = `status ${outcome.status}`;
    else if (outcome.truncated) failure = `the statistics document is larger than ${MAX_BODY} bytes`;
    else {
      try {
        doc = JSON.parse(outcome.body.toString('utf8'));
      } catch (err) {
        failure = `not JSON: ${errorMessage(err)}`;
      }
    }
    if (failure !== undefined) {
      // Stale numbers are worse than none: only `up` 0 when the endpoint fails.
      this.problem('endpoint', failure);
      return [point(`${p}.up`, 0)];
    }
    this.clear('endpoint');

    const points: RawPoint[] = [];
    let up = 1;
    // A mapped latency is the platform's own figure (its calls' p95, say); when it is missing this
    // time there is no latency point, rather than the poll's round trip under the same name.
    const latencyMapped = o.fields.some((f) => f.metric === `${p}.latency_ms`);
    for (const field of o.fields) {
      const found = lookup(doc, field.path);
      if (found.kind !== 'number') {
        const why = found.kind === 'missing' ? 'is missing' : `is not a number (${found.found})`;
        this.problem(`field ${field.path}`, `${field.path} ${why}: no ${field.metric} this time`);
        continue;
      }
      this.clear(`field ${field.path}`);
      const value = found.value * field.scale;
      if (field.metric === `${p}.up`) {
        // The platform's own health flag: up only when the poll worked and the platform says so.
        up = value !== 0 ? 1 : 0;
        continue;
      }
      if (field.mode === 'delta') {
        if (value < 0) {
          this.problem(`field ${field.path}`, `${field.path} is negative (${value}): not a count`);
          continue;
        }
        points.push(point(field.metric, this.accumulators.get(field.path)!.add(value)));
        continue;
      }
      if (field.mode === 'counter') {
        const before = this.lastCounter.get(field.path);
        if (before !== undefined && value < before) {
          this.logger.info({ probe: 'platform', platform: p, field: field.path, before, after: value }, 'counter went back: a reset, the server counts from the new value');
        }
        this.lastCounter.set(field.path, value);
      }
      points.push(point(field.metric, value));
    }
    if (!latencyMapped && outcome.ok) points.unshift(point(`${p}.latency_ms`, outcome.latencyMs));
    points.unshift(point(`${p}.up`, up));
    return points;
  }

  private problem(key: string, text: string): void {
    if (this.problems.get(key) === text) return;
    this.problems.set(key, text);
    this.logger.warn({ probe: 'platform', platform: this.options.platform, url: this.options.url.split('?')[0] }, text);
  }

  private clear(key: string): void {
    if (this.problems.delete(key)) this.logger.info({ probe: 'platform', platform: this.options.platform, what: key }, 'back to normal');
  }
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

// --- configuration -------------------------------------------------------------------------

const PATH = /^[^.\s]+(\.[^.\s]+)*$/;

const metricName = z.string({ error: 'must be a metric name such as share.api_calls_total' }).regex(METRIC_NAME, 'must be a metric name such as share.api_calls_total');

const fieldTarget = z.union(
  [
    metricName.transform((metric) => ({ metric, mode: undefined as FieldMode | undefined, scale: 1 })),
    z.strictObject({
      metric: metricName,
      mode: z.enum(['gauge', 'counter', 'delta']).optional(),
      scale: z.number({ error: 'must be a number' }).refine((n) => Number.isFinite(n) && n !== 0, 'must be a non-zero number').default(1),
    }),
  ],
  { error: 'must be a metric name, or a map { metric, mode, scale }' },
);

/** The YAML keys of `type: platform` (platform.sample.yaml documents each). */
export const PlatformConfigSchema = z
  .strictObject({
    platform: z.enum(['share', 'open']),
    url: z
      .string({ error: 'must be a URL like https://share.example/api/stats' })
      .refine((text) => {
        try {
          return ['http:', 'https:'].includes(new URL(text).protocol);
        } catch {
          return false;
        }
      }, { error: (i) => `${JSON.stringify(i.input)} is not an http:// or https:// URL` }),
    headers: headersOption.optional(),
    fields: z
      .record(z.string(), fieldTarget, {
        error: (issue) => (issue.code === 'invalid_type' ? 'must map JSON paths to metrics, e.g. { data.calls.total: share.api_calls_total }' : undefined),
      })
      .refine((f) => Object.keys(f).length > 0, 'must map at least one field'),
    response_timeout: durationOption(100, 300_000, 10_000),
    tls_skip_verify: z.boolean({ error: 'must be true or false' }).default(false),
    ca_file: z.string({ error: 'must be a path' }).min(1, 'must not be empty').optional(),
    node: z.string({ error: 'must be a string' }).regex(NODE_ID, 'must be an id of letters, digits and _ . : - (at most 128)').optional(),
    district: districtOption.optional(),
  })
  .superRefine((c, ctx) => {
    const used = new Map<string, string>();
    for (const [path, target] of Object.entries(c.fields)) {
      const at = ['fields', path];
      const { metric, mode } = target;
      if (!PATH.test(path)) ctx.addIssue({ code: 'custom', path: at, message: 'must be a dotted JSON path such as data.calls.total' });
      if (!metric.startsWith(`${c.platform}.`)) {
        ctx.addIssue({ code: 'custom', path: at, message: `${metric} is not a metric of platform ${c.platform} (${c.platform}.<name>)` });
      }
      if (used.has(metric)) ctx.addIssue({ code: 'custom', path: at, message: `${metric} is already mapped from ${used.get(metric)}` });
      used.set(metric, path);
      const isTotal = metric.endsWith('_total');
      if ((mode === 'counter' || mode === 'delta') && !isTotal) {
        ctx.addIssue({ code: 'custom', path: at, message: `a ${mode} must be named *_total (Prometheus naming), not ${metric}` });
      }
      if (mode === 'gauge' && isTotal) ctx.addIssue({ code: 'custom', path: at, message: `${metric} ends in _total, which names a counter: use mode counter or delta` });
    }
    if (c.tls_skip_verify && c.ca_file) ctx.addIssue({ code: 'custom', path: ['ca_file'], message: 'is pointless with tls_skip_verify: true (choose one)' });
  });
export type PlatformConfig = z.output<typeof PlatformConfigSchema>;

export const platformProbeDefinition = defineProbe<PlatformConfig>({
  type: 'platform',
  description: 'a JSON statistics endpoint of the sharing or open platform, mapped to share.* / open.* metrics',
  configSchema: PlatformConfigSchema,
  create(config, deps) {
    return new PlatformProbe(
      {
        platform: config.platform,
        url: config.url,
        headers: config.headers,
        fields: Object.entries(config.fields).map(([path, t]) => ({
          path,
          metric: t.metric,
          mode: t.mode ?? (t.metric.endsWith('_total') ? 'counter' : 'gauge'),
          scale: t.scale,
        })),
        responseTimeoutMs: config.response_timeout,
        tlsSkipVerify: config.tls_skip_verify,
        caFile: config.ca_file,
        node: config.node ?? `${config.platform}-platform`,
        district: config.district,
      },
      deps.logger,
    );
  },
});
