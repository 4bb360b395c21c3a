import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { validatePoint, type RawPoint } from '@zhuyun/protocol';
import { parseConfig } from '../../config.js';
import { silentLogger } from '../../logger.js';
import { ProbeRegistry } from '../../probe.js';
import { RecordingLogger } from '../../testing/recording.logger.js';
import { PrometheusConfigSchema, PrometheusProbe, defaultNode, prometheusProbeDefinition, resolveOptions } from './prometheus.probe.js';
import type { ScrapeRequest, Scraper } from './prometheus.scraper.js';

const T0 = Date.UTC(2025, 0, 6, 2, 0, 0);
const collector = { id: 'cloud-edge-01', district: '520115' };
const registry = new ProbeRegistry().register(prometheusProbeDefinition);
const HEAD = 'server: { url: http://127.0.0.1:8080, token: t }\ncollector: { id: cloud-edge-01, district: "520115" }\n';
const testdata = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

/** The I/O seam replaced: serves the given texts in turn (the last one again), or fails. */
class FakeScraper {
  texts: string[];
  failure: Error | undefined;
  readonly requests: ScrapeRequest[] = [];
  constructor(...texts: string[]) {
    this.texts = texts;
  }
  readonly scrape: Scraper = async (request) => {
    this.requests.push(request);
    if (this.failure) throw this.failure;
    return this.texts.length > 1 ? this.texts.shift()! : this.texts[0];
  };
}

function make(config: Record<string, unknown>, ...texts: string[]) {
  const scraper = new FakeScraper(...texts);
  const logger = new RecordingLogger();
  const probe = new PrometheusProbe(resolveOptions(PrometheusConfigSchema.parse(config), collector), logger, scraper.scrape);
  const collect = (now: number) => probe.collect({ now, signal: new AbortController().signal, collector });
  return { scraper, logger, probe, collect };
}

const byKey = (points: RawPoint[]) =>
  Object.fromEntries(
    points.map((p) => [[p.metric, ...Object.entries(p.tags).filter(([k]) => k !== 'node' && k !== 'district').map(([k, v]) => `${k}=${v}`)].join(' '), p.value]),
  );

function invalid(points: RawPoint[], now: number) {
  return points.map((p) => ({ p, check: validatePoint({ ...p, tags: { district: collector.district, ...p.tags } }, now) })).filter((x) => !x.check.ok);
}

const APP = `# TYPE share_api_requests_total counter
share_api_requests_total{api="catalog",code="200"} 1000
share_api_requests_total{api="catalog",code="500"} 4
share_api_requests_total{api="catalog",code="503"} 6
share_api_requests_total{api="exchange",code="200"} 500
share_api_requests_total{api="exchange",code="502"} 1
# TYPE share_success_ratio gauge
share_success_ratio 0.9985
# TYPE share_temperature_celsius gauge
share_temperature_celsius{sensor="a"} NaN
share_temperature_celsius{sensor="b"} +Inf
share_temperature_celsius{sensor="c"} 41.5 1736128800000
`;

describe('prometheus probe: config', () => {
  it('accepts its sample configuration, every option set', async () => {
    const sample = await readFile(new URL('./prometheus.sample.yaml', import.meta.url), 'utf8');
    const config = parseConfig(HEAD + sample, 'prometheus.sample.yaml', { registry });
    expect(config.probes[0]).toMatchObject({ type: 'prometheus', name: 'cloud-host-01-node', intervalMs: 15_000, timeoutMs: 10_000, jitterMs: 2_000 });
    const options = resolveOptions(config.probes[0].options as never, collector);
    expect(options).toMatchObject({
      url: 'http://10.30.0.11:9100/metrics', node: 'cloud-host-01', district: '520115', tags: { platform: 'cloud' },
      headers: { Authorization: 'Bearer change-me' }, honorTimestamps: false, upMetric: 'net.up',
    });
    expect(options.nodeExporter?.excludeDevices.test('veth0')).toBe(true);
    expect(options.series.map((s) => [s.match, s.metric, s.tags, s.rate, s.scale, s.aggregate])).toEqual([
      ['node_load1', 'host.load1', {}, false, 1, undefined],
      ['node_cpu_seconds_total{mode="idle"}', 'host.cpu_idle_seconds_total', {}, false, 1, 'sum'],
      ['node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"}', 'host.fs_avail_bytes', { mount: 'mountpoint' }, false, 1, undefined],
      ['node_network_receive_packets_total{device!="lo"}', 'host.net_in_pps', { interface: 'device' }, true, 1, undefined],
      ['share_api_requests_total{code=~"5.."}', 'share.api_errors_total', { api: 'api' }, false, 1, 'sum'],
      ['share_success_ratio', 'share.success_pct', {}, false, 100, undefined],
    ]);
  });

  it('names every mistake with its file, line and key, without touching the network', () => {
    const text = `${HEAD}probes:
  - type: prometheus
    interval: 15s
    url: ftp://x/metrics
    district: "520114"
    tags: { node: x, Bad: y }
    presets: [node_exporter, windows]
    series:
      - { match: 'cpu{mode=idle}', metric: host.cpu }
      - { match: node_load1, metric: Host.Load }
      - { match: node_load1, metric: host.load_total, rate: true, scale: 0 }
      - { match: node_load1, metric: host.load1, tags: { "Mode": mode, unit: x, cpu: "a-b" } }
      - { metric: host.x }
`;
    let message = '';
    try {
      parseConfig(text, 'p.yaml', { registry });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'p.yaml:6: probes[0].url: must be an http:// or https:// URL, e.g. http://127.0.0.1:9100/metrics',
      'p.yaml:7: probes[0].district: 520114 is a retired code: use 520111',
      "p.yaml:8: probes[0].tags.node: use the probe's own node: key",
      'p.yaml:8: probes[0].tags.Bad: tag keys are lower-case letters, digits and _ (at most 32)',
      'p.yaml:9: probes[0].presets[1]: "windows" is not one of "node_exporter"',
      'p.yaml:11: probes[0].series[0].match: expected a quoted value for mode at position 10 of "cpu{mode=idle}"',
      'p.yaml:12: probes[0].series[1].metric: must be <system>.<quantity>_<unit> in lower case, like host.cpu_pct',
      'p.yaml:13: probes[0].series[2].scale: must be a finite number other than 0',
      'p.yaml:13: probes[0].series[2].metric: a rate is not a counter: name it without _total (…_per_s, …_bps)',
      'p.yaml:14: probes[0].series[3].tags.Mode: tag "Mode" must be lower-case letters, digits and _ (at most 32)',
      'p.yaml:14: probes[0].series[3].tags.unit: the unit tag is derived from district by the server',
      'p.yaml:14: probes[0].series[3].tags.cpu: "a-b" is not a label name',
      'p.yaml:15: probes[0].series[4].match: is required: a selector such as node_load1 or node_cpu_seconds_total{mode="idle"}',
    ]);
  });

  it('refuses a rate named as a counter, a config that forwards nothing, and node_exporter keys without the preset', () => {
    const issues = (cfg: unknown) => {
      const r = PrometheusConfigSchema.safeParse(cfg);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues({ url: 'http://h/metrics', series: [{ match: 'x_total', metric: 'a.x_total', rate: true }] })).toEqual([
      'series.0.metric: a rate is not a counter: name it without _total (…_per_s, …_bps)',
    ]);
    expect(issues({ url: 'http://h/metrics' })).toEqual([': nothing to forward: give series:, presets: [node_exporter] or up_metric:']);
    expect(issues({ url: 'http://h/metrics', up_metric: 'net.up', node_exporter: {} })).toEqual(['node_exporter: has no effect without presets: [node_exporter]']);
  });

  it('takes the node from the URL, or the collector id for a loopback URL', () => {
    expect(defaultNode('http://10.30.0.11:9100/metrics', collector)).toBe('10.30.0.11');
    expect(defaultNode('https://share.gy.gov.example/metrics', collector)).toBe('share.gy.gov.example');
    expect(defaultNode('http://127.0.0.1:9100/metrics', collector)).toBe('cloud-edge-01');
    expect(defaultNode('http://localhost:9100/metrics', collector)).toBe('cloud-edge-01');
    expect(defaultNode('http://[::1]:9100/metrics', collector)).toBe('cloud-edge-01');
  });

  it('creates a probe without scraping', () => {
    const scraper = new FakeScraper(APP);
    new PrometheusProbe(resolveOptions(PrometheusConfigSchema.parse({ url: 'http://h/m', up_metric: 'net.up' }), collector), silentLogger, scraper.scrape);
    expect(scraper.requests).toEqual([]);
    expect(prometheusProbeDefinition.create(PrometheusConfigSchema.parse({ url: 'http://h/m', up_metric: 'net.up' }), { collector, logger: silentLogger }).type).toBe('prometheus');
  });
});

describe('prometheus probe: forwarding series', () => {
  const series = [
    { match: 'share_api_requests_total{code=~"5.."}', metric: 'share.api_errors_total', tags: ['api'], aggregate: 'sum' },
    { match: 'share_success_ratio', metric: 'share.success_pct', scale: 100 },
    { match: 'share_temperature_celsius', metric: 'share.temperature_celsius', tags: { sensor: 'sensor' } },
    { match: 'share_api_requests_total', metric: 'share.api_requests_per_s', tags: ['api', 'code'], rate: true },
  ];

  it('maps, tags, scales and aggregates; drops NaN/Inf; rates from the second scrape', async () => {
    const later = APP.replace('{api="catalog",code="200"} 1000', '{api="catalog",code="200"} 1300').replace('{api="catalog",code="500"} 4', '{api="catalog",code="500"} 10');
    const { collect, scraper } = make({ url: 'http://10.30.0.21:8080/metrics', node: 'share-platform', district: '520115', tags: { platform: 'share' }, series }, APP, later);
    const first = await collect(T0);
    expect(byKey(first)).toEqual({
      'share.api_errors_total platform=share api=catalog': 10,
      'share.api_errors_total platform=share api=exchange': 1,
      'share.success_pct platform=share': expect.closeTo(99.85, 10),
      'share.temperature_celsius platform=share sensor=c': 41.5,
    });
    expect(first[0]).toEqual({
      metric: 'share.api_errors_total', ts: T0, value: 10, tags: { platform: 'share', node: 'share-platform', district: '520115', api: 'catalog' },
    });
    const second = await collect(T0 + 30_000);
    expect(byKey(second)).toMatchObject({
      'share.api_errors_total platform=share api=catalog': 16,
      'share.api_requests_per_s platform=share api=catalog code=200': 10,
      'share.api_requests_per_s platform=share api=catalog code=500': 0.2,
      'share.api_requests_per_s platform=share api=catalog code=503': 0,
      'share.api_requests_per_s platform=share api=exchange code=200': 0,
    });
    expect(invalid([...first, ...second], T0 + 30_000)).toEqual([]);
    expect(scraper.requests[0]).toMatchObject({ url: 'http://10.30.0.21:8080/metrics', headers: {}, maxBytes: 32 * 1024 * 1024 });
  });

  it('uses the exposition timestamps only with honor_timestamps', async () => {
    const cfg = { url: 'http://h/m', series: [{ match: 'share_temperature_celsius', metric: 'share.temperature_celsius' }] };
    const now = Date.UTC(2025, 0, 6, 2, 0, 30);
    expect((await make(cfg, APP).collect(now))[0].ts).toBe(now);
    expect((await make({ ...cfg, honor_timestamps: true }, APP).collect(now))[0].ts).toBe(1_736_128_800_000);
  });

  it('says once when a selector matches nothing, when series collide and when a counter loses _total', async () => {
    const { collect, logger } = make(
      {
        url: 'http://h/m',
        series: [
          { match: 'share_api_requests_totl', metric: 'share.typo_total' },
          { match: 'share_api_requests_total', metric: 'share.api_calls_total' },
          { match: 'share_success_ratio', metric: 'share.success_ratio_count' },
        ],
      },
      APP,
    );
    const points = await collect(T0);
    await collect(T0 + 15_000);
    expect(byKey(points)).toEqual({ 'share.api_calls_total': 1000, 'share.success_ratio_count': 0.9985 });
    expect(logger.messages('warn')).toEqual([
      'a series selector matched nothing in the scrape',
      'several series map to one tag set: the first is kept; add the label that tells them apart to tags, or set aggregate',
    ]);
    const counter = make({ url: 'http://h/m', series: [{ match: 'share_api_requests_total{code="200"}', metric: 'share.api_calls', tags: ['api'] }] }, APP);
    await counter.collect(T0);
    expect(counter.logger.messages('warn')).toEqual(['a counter is forwarded under a name without _total: name it …_total, or set rate: true']);
  });

  it('drops points the server would refuse (a label that is no node id) and says so once', async () => {
    const text = 'up_by_instance{instance="10.0.0.1:9100"} 1\nup_by_instance{instance="bad node id"} 0\n';
    const { collect, logger } = make({ url: 'http://h/m', series: [{ match: 'up_by_instance', metric: 'net.up', tags: { node: 'instance' } }] }, text);
    const points = await collect(T0);
    await collect(T0 + 1);
    expect(points).toEqual([{ metric: 'net.up', ts: T0, value: 1, tags: { node: '10.0.0.1:9100' } }]);
    expect(logger.entries.filter((e) => e.level === 'warn')).toEqual([
      { level: 'warn', obj: { probe: 'prometheus', metric: 'net.up', err: 'tags.node "bad node id" must be an id of letters, digits and _ . : -' }, msg: 'point dropped: the server would refuse it' },
    ]);
  });

  it('a failed or unreadable scrape gives up_metric 0 and one warning; success gives 1', async () => {
    const { collect, scraper, logger } = make({ url: 'http://h/m', up_metric: 'share.up', series: [{ match: 'share_success_ratio', metric: 'share.success_pct' }] }, APP);
    scraper.failure = new Error('HTTP 503 Service Unavailable from http://h/m');
    expect(await collect(T0)).toEqual([{ metric: 'share.up', ts: T0, value: 0, tags: { node: 'h' } }]);
    expect(await collect(T0 + 15_000)).toHaveLength(1);
    scraper.failure = undefined;
    scraper.texts = ['ok 1\nbroken{ 2\n'];
    expect(await collect(T0 + 30_000)).toEqual([{ metric: 'share.up', ts: T0 + 30_000, value: 0, tags: { node: 'h' } }]);
    scraper.texts = [APP];
    expect(byKey(await collect(T0 + 45_000))).toEqual({ 'share.up': 1, 'share.success_pct': 0.9985 });
    expect(logger.entries.filter((e) => e.level !== 'debug').map((e) => [e.level, e.msg, (e.obj as { err?: string }).err])).toEqual([
      ['warn', 'scrape failed', 'HTTP 503 Service Unavailable from http://h/m'],
      ['warn', 'scrape failed', expect.stringMatching(/^line 2: /)],
      ['info', 'scrape works again', undefined],
    ]);
  });
});

describe('prometheus probe: node_exporter preset on real scrapes (testdata/)', () => {
  it('computes host metrics from two node_exporter 1.5.0 scrapes; every point valid', async () => {
    const { collect } = make(
      { url: 'http://127.0.0.1:9100/metrics', presets: ['node_exporter'], up_metric: 'net.up', tags: { platform: 'cloud' } },
      testdata('node-exporter-1.5.0.prom'),
      testdata('node-exporter-1.5.0.t1.prom'),
    );
    const first = await collect(T0);
    expect(Object.keys(byKey(first)).sort()).toEqual(['host.disk_pct platform=cloud mount=/', 'host.mem_pct platform=cloud', 'net.up platform=cloud']);
    const second = await collect(T0 + 10_000);
    const v = byKey(second);
    expect(v['host.cpu_pct platform=cloud']).toBeCloseTo(68.40696, 3);
    expect(v['host.mem_pct platform=cloud']).toBeCloseTo(2.83313, 4);
    expect(v['host.net_in_bps platform=cloud interface=eth0']).toBe(0);
    expect(second.every((p) => p.tags.node === 'cloud-edge-01')).toBe(true);
    expect(invalid([...first, ...second], T0 + 10_000)).toEqual([]);
  });
});
