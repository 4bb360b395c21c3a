import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { validatePoint, type RawPoint } from '@zhuyun/protocol';
import { parseConfig } from '../../config.js';
import { silentLogger } from '../../logger.js';
import { RecordingLogger } from '../../testing/recording.logger.js';
import { PeriodCounter, lookup } from './field.mapping.js';
import { PlatformProbe, platformProbeDefinition, type PlatformConfig } from './platform.probe.js';
import { loadBuiltinProbes } from '../builtin.js';

// The built-in probe modules load lazily; the synchronous parseConfig/configFromObject need them loaded.
await loadBuiltinProbes();

const collector = { id: 'share-probe-01', district: '520115' };
const testdata = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const ctx = (now = Date.now(), signal = new AbortController().signal) => ({ now, signal, collector });
const invalid = (points: RawPoint[], now = Date.now()) => points.map((p) => validatePoint(p, now)).flatMap((c) => (c.ok ? [] : [c.error]));
const values = (points: RawPoint[]) => Object.fromEntries(points.map((p) => [p.metric, p.value]));

/** A local statistics endpoint: each GET /stats answers the next queued reply (the last one repeats). */
class StatsServer {
  readonly server: Server;
  replies: Array<{ status?: number; body: string; hang?: boolean }> = [];
  requests: Array<{ url?: string; headers: Record<string, unknown> }> = [];
  constructor() {
    this.server = createServer((req, res) => {
      this.requests.push({ url: req.url, headers: req.headers });
      const reply = this.replies.length > 1 ? this.replies.shift()! : this.replies[0];
      if (!reply || reply.hang) return;
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=utf-8' }).end(reply.body);
    });
  }
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Builds a probe the way the agent does: from YAML-shaped options through the schema. */
function make(options: Record<string, unknown>, logger = new RecordingLogger()): PlatformProbe {
  const config: PlatformConfig = platformProbeDefinition.configSchema.parse(options);
  return platformProbeDefinition.create(config, { collector, logger }) as PlatformProbe;
}

const SHARE_FIELDS = {
  'data.status.healthy': 'share.up',
  'data.calls.total': 'share.api_calls_total',
  'data.records.today': { metric: 'share.records_total', mode: 'delta' },
  'data.success_rate': { metric: 'share.success_pct', scale: 100 },
  'data.latency.p95_s': { metric: 'share.latency_ms', scale: 1000 },
  'data.catalog.resources': 'share.catalog_resources',
};

describe('PlatformProbe against a local statistics endpoint', () => {
  const stats = new StatsServer();
  let base = '';
  beforeAll(async () => {
    base = await stats.start();
  });
  afterAll(() => stats.stop());

  it('maps the sharing platform\'s fields; counters forwarded, a daily count accumulated across a reset, a missing field skipped', async () => {
    stats.replies = ['share-1.json', 'share-2.json', 'share-3-reset.json', 'share-4.json'].map((f) => ({ body: testdata(f) }));
    const logger = new RecordingLogger();
    const probe = make({ platform: 'share', url: `${base}/stats?scope=city`, headers: { authorization: 'Bearer s3cret' }, fields: SHARE_FIELDS }, logger);
    const ticks: RawPoint[][] = [];
    const now = Date.now();
    for (let i = 0; i < 4; i++) ticks.push(await probe.collect(ctx(now + i * 30_000)));

    expect(values(ticks[0])).toEqual({
      'share.up': 1, 'share.api_calls_total': 30_539_100, 'share.records_total': 0,
      'share.success_pct': 99.8, 'share.latency_ms': 350, 'share.catalog_resources': 18_725,
    });
    expect(values(ticks[1])).toEqual({
      'share.up': 1, 'share.api_calls_total': 30_539_700, 'share.records_total': 300,
      'share.success_pct': 99, 'share.latency_ms': 400, 'share.catalog_resources': 18_726,
    });
    // The platform restarted (calls 100: forwarded, the server sees a reset) and a new day began
    // (records 5300 → 50: 50 more, the counter goes on from 300); catalog is null: no point.
    expect(values(ticks[2])).toEqual({
      'share.up': 1, 'share.api_calls_total': 100, 'share.records_total': 350, 'share.success_pct': 99.5, 'share.latency_ms': 300,
    });
    // The platform calls itself unhealthy: up 0, the numbers still come.
    expect(values(ticks[3])).toEqual({
      'share.up': 0, 'share.api_calls_total': 400, 'share.records_total': 380,
      'share.success_pct': 50, 'share.latency_ms': 2500, 'share.catalog_resources': 18_726,
    });

    const records = ticks.map((t) => values(t)['share.records_total']);
    expect(records).toEqual([...records].sort((a, b) => a - b)); // monotonic
    expect(ticks[0][0].tags).toEqual({ district: '520115', node: 'share-platform', platform: 'share' });
    expect(ticks.every((t, i) => t.every((p) => p.ts === now + i * 30_000))).toBe(true);
    expect(invalid(ticks.flat(), now + 90_000)).toEqual([]);

    expect(stats.requests[0].url).toBe('/stats?scope=city');
    expect(stats.requests[0].headers).toMatchObject({ authorization: 'Bearer s3cret', accept: 'application/json' });
    expect(logger.messages('warn')).toEqual(['data.catalog.resources is missing: no share.catalog_resources this time']);
    expect(logger.messages('info')).toEqual(['counter went back: a reset, the server counts from the new value', 'back to normal']);
  });

  it('maps the open platform, using the poll\'s own round trip as latency and an array index in a path', async () => {
    stats.replies = [{ body: testdata('open-1.json') }];
    const probe = make({
      platform: 'open', url: `${base}/open/stats`, district: 520115,
      fields: { 'result.datasets': 'open.datasets', 'result.downloads.total': 'open.downloads_total', 'result.api.0.calls': 'open.api_calls_total' },
    });
    const points = await probe.collect(ctx());
    const v = values(points);
    expect(v).toMatchObject({ 'open.up': 1, 'open.datasets': 4213, 'open.downloads_total': 1_284_551, 'open.api_calls_total': 99_120 });
    expect(v['open.latency_ms']).toBeGreaterThan(0);
    expect(points.map((p) => p.metric)).toEqual(['open.up', 'open.latency_ms', 'open.datasets', 'open.downloads_total', 'open.api_calls_total']);
    expect(points[0].tags).toEqual({ district: '520115', node: 'open-platform', platform: 'open' });
    expect(invalid(points)).toEqual([]);
  });

  it.each([
    ['a 500', { status: 500, body: '{"code":500}' }, 'status 500'],
    ['a body that is not JSON', { body: '<html>维护中</html>' }, /^not JSON: /],
    ['no answer in time', { body: '', hang: true }, 'no complete answer within 300 ms'],
  ])('reports %s as down, with no stale numbers', async (_what, reply, reason) => {
    stats.replies = [reply];
    const logger = new RecordingLogger();
    const points = await make({ platform: 'share', url: `${base}/stats`, response_timeout: '300ms', fields: SHARE_FIELDS }, logger).collect(ctx());
    expect(points.map((p) => [p.metric, p.value])).toEqual([['share.up', 0]]);
    expect(logger.messages('warn')[0]).toMatch(reason);
    expect(invalid(points)).toEqual([]);
  });

  it('logs a field that is not a number and leaves it out', async () => {
    stats.replies = [{ body: '{"data":{"catalog":{"resources":"很多"}}}' }];
    const logger = new RecordingLogger();
    const points = await make({ platform: 'share', url: `${base}/stats`, fields: { 'data.catalog.resources': 'share.catalog_resources' } }, logger).collect(ctx());
    expect(points.map((p) => p.metric)).toEqual(['share.up', 'share.latency_ms']);
    expect(logger.messages('warn')).toEqual(['data.catalog.resources is not a number ("很多"): no share.catalog_resources this time']);
  });
});

describe('field mapping (pure)', () => {
  const doc = { data: { n: 3, s: '18725', f: '0.5', b: true, nil: null, list: [{ x: 7 }], text: 'ok', obj: {} } };
  it('reads numbers, numeric strings and booleans at dotted paths', () => {
    expect(lookup(doc, 'data.n')).toEqual({ kind: 'number', value: 3 });
    expect(lookup(doc, 'data.s')).toEqual({ kind: 'number', value: 18725 });
    expect(lookup(doc, 'data.f')).toEqual({ kind: 'number', value: 0.5 });
    expect(lookup(doc, 'data.b')).toEqual({ kind: 'number', value: 1 });
    expect(lookup(doc, 'data.list.0.x')).toEqual({ kind: 'number', value: 7 });
  });
  it('tells missing from not a number', () => {
    expect(lookup(doc, 'data.nil')).toEqual({ kind: 'missing' });
    expect(lookup(doc, 'data.absent.deeper')).toEqual({ kind: 'missing' });
    expect(lookup(doc, 'data.list.3.x')).toEqual({ kind: 'missing' });
    expect(lookup(doc, 'data.text')).toEqual({ kind: 'not_a_number', found: '"ok"' });
    expect(lookup(doc, 'data.obj')).toEqual({ kind: 'not_a_number', found: 'an object' });
    expect(lookup(doc, 'data.n.toFixed')).toEqual({ kind: 'missing' });
    expect(lookup({}, 'constructor')).toEqual({ kind: 'missing' });
  });
  it('accumulates a count that restarts every period into a counter that only grows', () => {
    const c = new PeriodCounter();
    // first reading is the baseline; then +100, +0, a new day at 30 (adds 30), +20, another reset to 0
    expect([5000, 5100, 5100, 30, 50, 0, 10].map((r) => c.add(r))).toEqual([0, 100, 100, 130, 150, 150, 160]);
  });
});

describe('platform probe config', () => {
  const head = 'server: { url: http://127.0.0.1:8080, token: t }\ncollector: { id: share-probe-01, district: "520115" }\n';

  it('accepts its sample configuration, every option set', async () => {
    const sample = await readFile(new URL('./platform.sample.yaml', import.meta.url), 'utf8');
    const config = parseConfig(head + sample, 'platform.sample.yaml');
    expect(config.probes[0]).toMatchObject({
      type: 'platform', name: 'sharing-platform', intervalMs: 60_000,
      options: {
        platform: 'share', url: 'https://share.gy.gov.example/api/v1/statistics', headers: { authorization: 'Bearer <platform read-only token>' },
        fields: {
          'data.status.healthy': { metric: 'share.up', scale: 1 },
          'data.calls.total': { metric: 'share.api_calls_total', scale: 1 },
          'data.records.today': { metric: 'share.records_total', mode: 'delta', scale: 1 },
          'data.success_rate': { metric: 'share.success_pct', scale: 100 },
          'data.latency.p95_s': { metric: 'share.latency_ms', scale: 1000 },
          'data.catalog.resources': { metric: 'share.catalog_resources', mode: 'gauge', scale: 1 },
        },
        response_timeout: 15_000, tls_skip_verify: false, ca_file: '/etc/zhuyun/gov-ca.pem', node: 'share-platform', district: '520115',
      },
    });
    expect(config.probes[1]).toMatchObject({ type: 'platform', options: { platform: 'open' } });
  });

  it('refuses metrics of another platform, counters not named _total, duplicates and bad paths', () => {
    const text = `${head}probes:
  - type: platform
    interval: 1m
    platform: open
    url: https://open.example/stats
    fields:
      data.calls: share.api_calls_total
      data.sets: { metric: open.datasets, mode: delta }
      data.downloads: { metric: open.downloads_total, mode: gauge }
      data.dl2: open.downloads_total
      "data..x": open.datasets_x
`;
    let message = '';
    try {
      parseConfig(text, 'p.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('probes[0].fields.data.calls: share.api_calls_total is not a metric of platform open (open.<name>)');
    expect(message).toContain('probes[0].fields.data.sets: a delta must be named *_total (Prometheus naming), not open.datasets');
    expect(message).toContain('probes[0].fields.data.downloads: open.downloads_total ends in _total, which names a counter: use mode counter or delta');
    expect(message).toContain('probes[0].fields.data.dl2: open.downloads_total is already mapped from data.downloads');
    expect(message).toContain('probes[0].fields.data..x: must be a dotted JSON path such as data.calls.total');
  });

  it('defaults: node <platform>-platform, counters by their _total name', async () => {
    const config = platformProbeDefinition.configSchema.parse({ platform: 'open', url: 'http://127.0.0.1:1/', fields: { a: 'open.api_calls_total', b: 'open.datasets' } });
    const probe = platformProbeDefinition.create(config, { collector, logger: silentLogger }) as unknown as { options: { node: string; fields: unknown } };
    expect(probe.options.node).toBe('open-platform');
    expect(probe.options.fields).toEqual([
      { path: 'a', metric: 'open.api_calls_total', mode: 'counter', scale: 1 },
      { path: 'b', metric: 'open.datasets', mode: 'gauge', scale: 1 },
    ]);
  });
});
