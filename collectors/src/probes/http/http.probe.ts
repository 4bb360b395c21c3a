import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type RawPoint } from '@zhuyun/protocol';
import { z } from 'zod';
import { errorMessage, type Logger } from '../../logger.js';
import { defineProbe, type Probe, type ProbeContext } from '../../probe.js';
import { certDaysLeft, describeFailure, httpRequest, type HttpOutcome, type HttpRequestOptions } from './http.client.js';
import { NODE_ID, districtOption, durationOption } from '../options.js';

export interface HttpProbeOptions {
  url: string;
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Accepted statuses: exact codes (200) or classes ('2xx'). Default ['2xx']. */
  expectedStatus?: ReadonlyArray<number | string>;
  /** The body must contain this text. */
  bodyContains?: string;
  /** The body must match this regular expression. */
  bodyRegex?: RegExp;
  /** Default 10 s. */
  responseTimeoutMs?: number;
  /** Default 5; 0 takes a redirect as the answer. */
  maxRedirects?: number;
  /** Body bytes read for matching. Default 1 MiB. */
  maxBodyBytes?: number;
  tlsSkipVerify?: boolean;
  /** PEM file of CAs to trust for this URL; read at the first collection. */
  caFile?: string;
  /** `target` tag; default the URL's host. */
  target?: string;
  node: string;
  district?: string;
}

/** The probe's I/O seam. */
export interface HttpIo {
  request(url: string, options: HttpRequestOptions): Promise<HttpOutcome>;
  readFile(path: string): Promise<Buffer>;
}

export const systemHttpIo: HttpIo = { request: httpRequest, readFile: (path) => readFile(path) };

/**
 * Checks one URL: status, latency, an optional body match and the TLS certificate's days left.
 * See README.md for the metrics. Never throws from `collect`: a server that fails is `http.up` 0.
 */
export class HttpProbe implements Probe {
  readonly type = 'http';
  private readonly io: HttpIo;
  private readonly tags: { node: string; target: string; url: string; district?: string };
  private ca: Buffer | undefined;
  private lastProblem: string | undefined = undefined;

  constructor(
    private readonly options: HttpProbeOptions,
    private readonly logger: Logger,
    io: Partial<HttpIo> = {},
  ) {
    this.io = { ...systemHttpIo, ...io };
    const url = new URL(options.url);
    this.tags = { node: options.node, target: options.target ?? url.host, url: urlTag(url) };
  }

  async collect(ctx: ProbeContext): Promise<RawPoint[]> {
    const o = this.options;
    if (o.caFile && !this.ca) {
      try {
        this.ca = await this.io.readFile(o.caFile);
      } catch (err) {
        // Without its CA the probe would report a healthy server as down: measure nothing instead.
        this.problem(`cannot read ca_file ${o.caFile}: ${errorMessage(err)}`, 'error');
        return [];
      }
    }
    const outcome = await this.io.request(o.url, {
      method: o.method ?? 'GET',
      headers: o.headers,
      body: o.body,
      timeoutMs: o.responseTimeoutMs ?? 10_000,
      signal: ctx.signal,
      maxRedirects: o.maxRedirects ?? 5,
      maxBodyBytes: o.maxBodyBytes ?? 1 << 20,
      tls: { ca: this.ca, skipVerify: o.tlsSkipVerify ?? false },
    });
    if (ctx.signal.aborted) return [];

    const tags = { district: o.district ?? ctx.collector.district, ...this.tags };
    const point = (metric: string, value: number): RawPoint => ({ metric, ts: ctx.now, value, tags: { ...tags } });
    const points: RawPoint[] = [];
    const problems: string[] = [];
    if (outcome.ok) {
      points.push(point('http.status_code', outcome.status), point('http.latency_ms', round(outcome.latencyMs, 3)));
      if (!statusAccepted(outcome.status, o.expectedStatus ?? ['2xx'])) {
        problems.push(`status ${outcome.status} is not one of ${(o.expectedStatus ?? ['2xx']).join(', ')}`);
      }
      if (o.bodyContains !== undefined || o.bodyRegex !== undefined) {
        const text = outcome.body.toString('utf8');
        const matched = (o.bodyContains === undefined || text.includes(o.bodyContains)) && (o.bodyRegex === undefined || o.bodyRegex.test(text));
        points.push(point('http.body_match', matched ? 1 : 0));
        if (!matched) problems.push(`body does not match${outcome.truncated ? ' (in its first ' + outcome.body.length + ' bytes)' : ''}`);
      }
    } else {
      problems.push(outcome.code === 'timeout' ? outcome.message : describeFailure(outcome));
    }
    const tls = outcome.tls;
    if (tls) {
      const days = certDaysLeft(tls.chain, ctx.now);
      if (days !== undefined) points.push(point('http.cert_days_left', days));
    }
    points.unshift(point('http.up', problems.length === 0 ? 1 : 0));
    if (problems.length > 0) this.problem(problems.join('; '), 'warn');
    else if (this.lastProblem !== undefined) {
      this.lastProblem = undefined;
      this.logger.info({ probe: 'http', url: this.tags.url }, 'answering as expected again');
    }
    return points;
  }

  private problem(text: string, level: 'warn' | 'error'): void {
    if (this.lastProblem === text) return;
    this.lastProblem = text;
    this.logger[level]({ probe: 'http', url: this.tags.url }, text);
  }
}

/** `200` matches 200; `'2xx'` matches 200–299. */
export function statusAccepted(status: number, accepted: ReadonlyArray<number | string>): boolean {
  return accepted.some((a) => (typeof a === 'number' ? a === status : Math.floor(status / 100) === Number(a[0])));
}

/**
 * The `url` tag: the URL without credentials, query or fragment (which may hold tokens and would
 * make every distinct query its own series), at most 128 characters: a longer one keeps its start
 * and ends in `~` and 8 hex digits of its hash, so two long URLs never share a series.
 */
export function urlTag(url: URL): string {
  const clean = `${url.protocol}//${url.host}${url.pathname}`;
  if (clean.length <= 128) return clean;
  return `${clean.slice(0, 119)}~${createHash('sha256').update(clean).digest('hex').slice(0, 8)}`;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// --- configuration -------------------------------------------------------------------------

/** Request headers: names are HTTP tokens (RFC 9110), values strings. Shared with the platform and cloud_inventory probes. */
export const headersOption = z
  .record(z.string(), z.string({ error: 'must be a string' }), { error: 'must be a map of header names to values' })
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is not a valid header name' });
      // eslint-disable-next-line no-control-regex
      else if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(headers[name])) ctx.addIssue({ code: 'custom', path: [name], message: 'must not contain control characters (line breaks)' });
    }
  });

const statusOption = z.union(
  [
    z.number().int('must be a status code (200) or a class (2xx)').min(100, 'must be a status code 100 to 599').max(599, 'must be a status code 100 to 599'),
    z.string().regex(/^[1-5]xx$/, 'must be a status code (200) or a class (2xx)'),
  ],
  { error: 'must be a status code (200) or a class (2xx)' },
);

/** The YAML keys of `type: http` (http.sample.yaml documents each). */
export const HttpConfigSchema = z
  .strictObject({
    url: z
      .string({ error: 'must be a URL like https://open.example/api/health' })
      .refine((text) => {
        try {
          const u = new URL(text);
          return u.protocol === 'http:' || u.protocol === 'https:';
        } catch {
          return false;
        }
      }, { error: (i) => `${JSON.stringify(i.input)} is not an http:// or https:// URL` }),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    headers: headersOption.optional(),
    body: z.string({ error: 'must be a string' }).optional(),
    expected_status: z.array(statusOption, { error: 'must be a list such as [200, 3xx]' }).min(1, 'must not be empty').default(['2xx']),
    body_contains: z.string({ error: 'must be a string' }).min(1, 'must not be empty').optional(),
    body_regex: z
      .string({ error: 'must be a regular expression' })
      .transform((source, ctx) => {
        try {
          // `/pattern/flags` for flags (`/ok|up/i`); anything else is the pattern itself.
          const literal = /^\/(.+)\/([imsu]*)$/s.exec(source);
          return literal ? new RegExp(literal[1], literal[2]) : new RegExp(source);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${errorMessage(err)}` });
          return z.NEVER;
        }
      })
      .optional(),
    response_timeout: durationOption(100, 300_000, 10_000),
    max_redirects: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 or more').max(20, 'must be at most 20').default(5),
    max_body_bytes: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(64 << 20, 'must be at most 64 MiB').default(1 << 20),
    tls_skip_verify: z.boolean({ error: 'must be true or false' }).default(false),
    ca_file: z.string({ error: 'must be a path' }).min(1, 'must not be empty').optional(),
    target: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(128, 'must be at most 128 characters').optional(),
    node: z.string({ error: 'must be a string' }).regex(NODE_ID, 'must be an id of letters, digits and _ . : - (at most 128)').optional(),
    district: districtOption.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.body !== undefined && c.method !== 'POST') ctx.addIssue({ code: 'custom', path: ['body'], message: 'is only sent with method POST' });
    if (c.method === 'HEAD' && (c.body_contains !== undefined || c.body_regex !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['method'], message: 'HEAD has no body to match: use GET with body_contains or body_regex' });
    }
    if (c.tls_skip_verify && c.ca_file) ctx.addIssue({ code: 'custom', path: ['ca_file'], message: 'is pointless with tls_skip_verify: true (choose one)' });
  });
export type HttpConfig = z.output<typeof HttpConfigSchema>;

export const httpProbeDefinition = defineProbe<HttpConfig>({
  type: 'http',
  description: 'an HTTP(S) URL: status, latency, body match and TLS certificate days left',
  configSchema: HttpConfigSchema,
  create(config, deps) {
    return new HttpProbe(
      {
        url: config.url,
        method: config.method,
        headers: config.headers,
        body: config.body,
        expectedStatus: config.expected_status,
        bodyContains: config.body_contains,
        bodyRegex: config.body_regex,
        responseTimeoutMs: config.response_timeout,
        maxRedirects: config.max_redirects,
        maxBodyBytes: config.max_body_bytes,
        tlsSkipVerify: config.tls_skip_verify,
        caFile: config.ca_file,
        target: config.target,
        node: config.node ?? deps.collector.id,
        district: config.district,
      },
      deps.logger,
    );
  },
});
