import { METRIC_NAME, METRIC_NAME_MAX, RETIRED_CODES, isUnitCode, seriesKey, validatePoint, type RawPoint } from '@zhuyun/protocol';
import { z } from 'zod';
import { errorMessage, type Logger } from '../../logger.js';
import { defineProbe, type CollectorIdentity, type Probe, type ProbeContext } from '../../probe.js';
import { counterRate, nextSnapshot, type CounterSnapshot } from './counter.rate.js';
import { parseExposition, type Sample } from './exposition.parser.js';
import { NODE_EXPORTER_DEFAULTS, NodeExporterPreset } from './node-exporter.preset.js';
import { fetchScraper, type Scraper } from './prometheus.scraper.js';
import { parseSelector, type Selector } from './series.selector.js';
import { NODE_ID, TAG_KEY } from '../options.js';

// ---------------------------------------------------------------------------------------------
// Config (the YAML keys of `type: prometheus`; prometheus.sample.yaml documents each)

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Largest exposition read: node_exporter serves ~100 KB, a busy application a few MB. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
const MAX_TAG_VALUE = 128;

const metricName = z
  .string({ error: 'must be a metric name like host.cpu_pct' })
  .max(METRIC_NAME_MAX, `must be at most ${METRIC_NAME_MAX} characters`)
  .regex(METRIC_NAME, 'must be <system>.<quantity>_<unit> in lower case, like host.cpu_pct');

const regexOption = z.string({ error: 'must be a regular expression' }).superRefine((text, ctx) => {
  try {
    new RegExp(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${errorMessage(err)}` });
  }
});

const unitCodeOption = z
  .union([z.string(), z.number().int()], { error: 'must be a unit code such as "520103" or "gy-hitech"' })
  .transform((v) => String(v))
  .superRefine((code, ctx) => {
    if (RETIRED_CODES[code]) ctx.addIssue({ code: 'custom', message: `${code} is a retired code: use ${RETIRED_CODES[code]}` });
    else if (!isUnitCode(code)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(code)} is not a known district or zone` });
  });

/** `{ tag: label }`, or `[label, ...]` for tags named as their labels. */
const tagMapping = z
  .union([z.array(z.string()), z.record(z.string(), z.string())], { error: 'must map tags to labels ({ mount: mountpoint }) or list labels ([cpu, mode])' })
  .transform((v): Record<string, string> => (Array.isArray(v) ? Object.fromEntries(v.map((l) => [l, l])) : v))
  .superRefine((map, ctx) => {
    for (const [tag, label] of Object.entries(map)) {
      if (!TAG_KEY.test(tag)) ctx.addIssue({ code: 'custom', path: [tag], message: `tag ${JSON.stringify(tag)} must be lower-case letters, digits and _ (at most 32)` });
      else if (tag === 'unit') ctx.addIssue({ code: 'custom', path: [tag], message: 'the unit tag is derived from district by the server' });
      if (!LABEL_NAME.test(label)) ctx.addIssue({ code: 'custom', path: [tag], message: `${JSON.stringify(label)} is not a label name` });
    }
  });

const SeriesSchema = z
  .strictObject({
    match: z.string({ error: 'is required: a selector such as node_load1 or node_cpu_seconds_total{mode="idle"}' }).superRefine((text, ctx) => {
      try {
        parseSelector(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: errorMessage(err) });
      }
    }),
    metric: metricName,
    tags: tagMapping.default({}),
    rate: z.boolean({ error: 'must be true or false' }).default(false),
    scale: z
      .number({ error: 'must be a number' })
      .refine((n) => Number.isFinite(n) && n !== 0, 'must be a finite number other than 0')
      .default(1),
    aggregate: z.enum(['sum', 'avg', 'min', 'max']).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.rate && s.metric.endsWith('_total')) {
      ctx.addIssue({ code: 'custom', path: ['metric'], message: 'a rate is not a counter: name it without _total (…_per_s, …_bps)' });
    }
  });

export const PrometheusConfigSchema = z
  .strictObject({
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, e.g. http://127.0.0.1:9100/metrics' }),
    node: z.string().regex(NODE_ID, 'must be a node id of letters, digits and _ . : -').optional(),
    district: unitCodeOption.optional(),
    tags: z
      .record(z.string(), z.string().min(1, 'must not be empty').max(MAX_TAG_VALUE))
      .superRefine((tags, ctx) => {
        for (const key of Object.keys(tags)) {
          if (!TAG_KEY.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'tag keys are lower-case letters, digits and _ (at most 32)' });
          else if (['node', 'district', 'unit'].includes(key)) ctx.addIssue({ code: 'custom', path: [key], message: `use the probe's own ${key}: key` });
        }
      })
      .default({}),
    headers: z.record(z.string(), z.string()).default({}),
    honor_timestamps: z.boolean({ error: 'must be true or false' }).default(false),
    up_metric: metricName.optional(),
    presets: z
      .array(z.enum(['node_exporter']), { error: 'must be a list of presets: [node_exporter]' })
      .refine((l) => new Set(l).size === l.length, 'lists a preset twice')
      .default([]),
    node_exporter: z
      .strictObject({
        exclude_fstypes: regexOption.default(NODE_EXPORTER_DEFAULTS.excludeFsTypes),
        exclude_mounts: regexOption.default(NODE_EXPORTER_DEFAULTS.excludeMounts),
        exclude_devices: regexOption.default(NODE_EXPORTER_DEFAULTS.excludeDevices),
      })
      .optional(),
    series: z.array(SeriesSchema, { error: 'must be a list of { match, metric } mappings' }).default([]),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.series.length === 0 && cfg.presets.length === 0 && !cfg.up_metric) {
      ctx.addIssue({ code: 'custom', path: [], message: 'nothing to forward: give series:, presets: [node_exporter] or up_metric:' });
    }
    if (cfg.node_exporter && !cfg.presets.includes('node_exporter')) {
      ctx.addIssue({ code: 'custom', path: ['node_exporter'], message: 'has no effect without presets: [node_exporter]' });
    }
  });
export type PrometheusConfig = z.output<typeof PrometheusConfigSchema>;

// ---------------------------------------------------------------------------------------------
// The probe

export interface SeriesMapping {
  /** The selector as written, for messages. */
  match: string;
  selector: Selector;
  metric: string;
  /** tag → label */
  tags: Record<string, string>;
  rate: boolean;
  scale: number;
  aggregate?: 'sum' | 'avg' | 'min' | 'max';
}

export interface PrometheusProbeOptions {
  url: string;
  node: string;
  district?: string;
  tags: Record<string, string>;
  headers: Record<string, string>;
  honorTimestamps: boolean;
  upMetric?: string;
  series: SeriesMapping[];
  nodeExporter?: { excludeFsTypes: RegExp; excludeMounts: RegExp; excludeDevices: RegExp };
  maxBytes?: number;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** The `node` tag: configured, else the URL's host, else (loopback) the collector's id. */
export function defaultNode(url: string, collector: CollectorIdentity): string {
  const host = new URL(url).hostname;
  return LOOPBACK.test(host) || !NODE_ID.test(host) ? collector.id : host;
}

export function resolveOptions(config: PrometheusConfig, collector: CollectorIdentity): PrometheusProbeOptions {
  const ne = config.node_exporter ?? {
    exclude_fstypes: NODE_EXPORTER_DEFAULTS.excludeFsTypes,
    exclude_mounts: NODE_EXPORTER_DEFAULTS.excludeMounts,
    exclude_devices: NODE_EXPORTER_DEFAULTS.excludeDevices,
  };
  return {
    url: config.url,
    node: config.node ?? defaultNode(config.url, collector),
    district: config.district,
    tags: config.tags,
    headers: config.headers,
    honorTimestamps: config.honor_timestamps,
    upMetric: config.up_metric,
    series: config.series.map((s) => ({
      match: s.match,
      selector: parseSelector(s.match),
      metric: s.metric,
      tags: s.tags,
      rate: s.rate,
      scale: s.scale,
      aggregate: s.aggregate,
    })),
    nodeExporter: config.presets.includes('node_exporter')
      ? { excludeFsTypes: new RegExp(ne.exclude_fstypes), excludeMounts: new RegExp(ne.exclude_mounts), excludeDevices: new RegExp(ne.exclude_devices) }
      : undefined,
  };
}

const reduce = {
  sum: (v: number[]) => v.reduce((a, b) => a + b, 0),
  avg: (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length,
  min: (v: number[]) => Math.min(...v),
  max: (v: number[]) => Math.max(...v),
};

/**
 * Scrapes one Prometheus text endpoint and forwards chosen series under Zhuyun metric names
 * (`series:`), plus the host metrics computed by presets (`node_exporter`). See README.md.
 *
 * State: counter baselines for `rate: true` series and the preset's previous counters. Problems
 * an operator must fix (a selector that matches nothing, two series landing on one tag set, a
 * counter forwarded under a name without `_total`, points the server would refuse) are logged once
 * each, not every interval. A scrape that fails gives only `up_metric` 0. `collect` never rejects.
 */
export class PrometheusProbe implements Probe {
  readonly type = 'prometheus';
  private readonly rates = new Map<string, CounterSnapshot | undefined>();
  private readonly preset: NodeExporterPreset | undefined;
  private readonly warned = new Set<string>();
  private failing: string | undefined;

  constructor(
    private readonly options: PrometheusProbeOptions,
    private readonly logger: Logger,
    private readonly scrape: Scraper = fetchScraper,
  ) {
    this.preset = options.nodeExporter ? new NodeExporterPreset(options.nodeExporter) : undefined;
  }

  async collect(ctx: ProbeContext): Promise<RawPoint[]> {
    const base: Record<string, string> = { ...this.options.tags, node: this.options.node };
    if (this.options.district) base.district = this.options.district;
    const up = (value: number): RawPoint[] => (this.options.upMetric ? [{ metric: this.options.upMetric, ts: ctx.now, value, tags: base }] : []);

    let samples: Sample[];
    try {
      const text = await this.scrape({ url: this.options.url, headers: this.options.headers, signal: ctx.signal, maxBytes: this.options.maxBytes ?? MAX_BODY_BYTES });
      samples = parseExposition(text).samples;
    } catch (err) {
      // An abort (probe timeout, agent stopping) is the scheduler's business: not logged here.
      const message = errorMessage(err);
      if (!ctx.signal.aborted) {
        if (this.failing !== message) this.logger.warn({ probe: 'prometheus', url: this.options.url, err: message }, 'scrape failed');
        this.failing = message;
      }
      return up(0);
    }
    if (this.failing !== undefined) {
      this.logger.info({ probe: 'prometheus', url: this.options.url }, 'scrape works again');
      this.failing = undefined;
    }

    const points: RawPoint[] = up(1);
    const seenRates = new Set<string>();
    this.options.series.forEach((mapping, index) => points.push(...this.mapSeries(mapping, index, samples, ctx.now, base, seenRates)));
    for (const key of this.rates.keys()) if (!seenRates.has(key)) this.rates.delete(key);
    if (this.preset) {
      for (const d of this.preset.derive(samples, ctx.now)) points.push({ metric: d.metric, ts: ctx.now, value: d.value, tags: { ...base, ...d.tags } });
    }
    return this.keepValid(points, ctx);
  }

  private mapSeries(m: SeriesMapping, index: number, samples: Sample[], now: number, base: Record<string, string>, seenRates: Set<string>): RawPoint[] {
    const matched = samples.filter((s) => m.selector.test(s));
    if (matched.length === 0) {
      this.warnOnce(`empty:${index}`, { probe: 'prometheus', url: this.options.url, match: m.match }, 'a series selector matched nothing in the scrape');
      return [];
    }
    this.warned.delete(`empty:${index}`);
    if (!m.rate && !m.metric.endsWith('_total') && matched.some((s) => s.type === 'counter')) {
      this.warnOnce(`counter:${index}`, { probe: 'prometheus', match: m.match, metric: m.metric }, 'a counter is forwarded under a name without _total: name it …_total, or set rate: true');
    }

    const groups = new Map<string, { tags: Record<string, string>; values: number[]; ts: number }>();
    for (const s of matched) {
      let value = s.value;
      if (m.rate) {
        const key = `${index}\u0000${seriesKey(s.name, s.labels)}`;
        seenRates.add(key);
        const cur = { value: s.value, at: now };
        const prev = this.rates.get(key);
        const outcome = counterRate(prev, cur);
        this.rates.set(key, nextSnapshot(prev, cur, outcome));
        if (outcome.kind !== 'rate') continue;
        value = outcome.perSecond;
      }
      if (!Number.isFinite(value)) continue; // NaN/Inf gauges: the server takes finite numbers only
      const tags = { ...base };
      for (const [tag, label] of Object.entries(m.tags)) {
        const v = s.labels[label];
        if (v) tags[tag] = v.length > MAX_TAG_VALUE ? v.slice(0, MAX_TAG_VALUE) : v;
      }
      const key = seriesKey(m.metric, tags);
      const ts = this.options.honorTimestamps && s.timestampMs !== undefined ? Math.round(s.timestampMs) : now;
      const group = groups.get(key);
      if (group) group.values.push(value * m.scale);
      else groups.set(key, { tags, values: [value * m.scale], ts });
    }

    const out: RawPoint[] = [];
    for (const g of groups.values()) {
      if (g.values.length > 1 && !m.aggregate) {
        this.warnOnce(
          `collide:${index}`,
          { probe: 'prometheus', match: m.match, metric: m.metric, series: g.values.length },
          'several series map to one tag set: the first is kept; add the label that tells them apart to tags, or set aggregate',
        );
      }
      out.push({ metric: m.metric, ts: g.ts, value: m.aggregate ? reduce[m.aggregate](g.values) : g.values[0], tags: g.tags });
    }
    return out;
  }

  /** Drops what the server would refuse (a label value that is no node id...), saying so once per reason. */
  private keepValid(points: RawPoint[], ctx: ProbeContext): RawPoint[] {
    return points.filter((p) => {
      const check = validatePoint(p.tags.district ? p : { ...p, tags: { district: ctx.collector.district, ...p.tags } }, ctx.now);
      if (!check.ok) this.warnOnce(`invalid:${p.metric}:${check.error}`, { probe: 'prometheus', metric: p.metric, err: check.error }, 'point dropped: the server would refuse it');
      return check.ok;
    });
  }

  private warnOnce(key: string, obj: object, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(obj, msg);
  }
}

export const prometheusProbeDefinition = defineProbe<PrometheusConfig>({
  type: 'prometheus',
  description: 'scrape a Prometheus text endpoint and forward chosen series (and node_exporter host metrics)',
  configSchema: PrometheusConfigSchema,
  create(config, deps) {
    return new PrometheusProbe(resolveOptions(config, deps.collector), deps.logger);
  },
});
