// /metrics through promtool, the live picture with bounded labels, alert and notification counts,
// /readyz with registered checks, request ids in responses and log lines.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UNITS } from '@zhuyun/protocol';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { NotifierService } from '../../server/src/alerts/notifier.service.js';
import { createLogger } from '../../server/src/common/logger.js';
import { HealthRegistry } from '../../server/src/ops/health.registry.js';
import { repoRoot, startTestServer, type TestServer } from '../support/server.js';

/** promtool from Debian's `prometheus` package; null when absent (CI installs it: then absence fails). */
function promtool(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  if (process.env.CI === 'true') throw new Error('promtool is missing: .ci/run installs Debian package `prometheus`');
  console.warn('\n*** SKIPPED: promtool not found (apt-get install prometheus) — /metrics NOT checked by promtool ***\n');
  return null;
}

async function until(what: string, fn: () => Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The value of one sample line, e.g. sample(text, 'zhuyun_collectors{state="ok"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const lines: Array<Record<string, unknown>> = [];
const logSink = new Writable({
  write(chunk, _enc, done) {
    for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
    done();
  },
});

let server: TestServer;
let hook: Server;
let hookStatus = 200;

beforeAll(async () => {
  hook = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(hookStatus).end('{}'));
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  server = await startTestServer({ ZHUYUN_SIMULATE: '1', LOG_LEVEL: 'info' }, { logger: createLogger('info', logSink) });
  // The simulated fleet (15 collectors) reports within a few seconds.
  await until('the simulated fleet to report', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return (sample(text, 'zhuyun_collectors{state="ok"}') ?? 0) > 0 && (sample(text, 'zhuyun_nodes{status="up"}') ?? 0) > 0;
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await new Promise((r) => hook?.close(r));
});

describe('/metrics', () => {
  it('passes `promtool check metrics` with ingested data and the simulated fleet', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('zhuyun_unit_nodes{');
    const bin = promtool();
    if (!bin) return;
    const r = spawnSync(bin, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: r.status, problems: `${r.stdout}${r.stderr}`.trim() }).toEqual({ status: 0, problems: '' });
  });

  it('the suggested alert rules (deploy/prometheus) pass `promtool check rules` and use metrics /metrics has', async () => {
    const file = join(repoRoot, 'deploy/prometheus/zhuyun.rules.yml');
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const families = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
      type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name]));
    const used = new Set([...readFileSync(file, 'utf8').matchAll(/\b(zhuyun_[a-z0-9_]+)/g)].map((m) => m[1]));
    expect([...used].filter((n) => !families.has(n))).toEqual([]);
    const bin = promtool();
    if (!bin) return;
    const r = spawnSync(bin, ['check', 'rules', file], { encoding: 'utf8' });
    expect({ status: r.status, out: r.status === 0 ? '' : `${r.stdout}${r.stderr}` }).toEqual({ status: 0, out: '' });
  });

  it('counts ingest, store latency, alert evaluations and collectors; the live picture has bounded labels', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'zhuyun_ingest_batches_total{outcome="stored"}')).toBeGreaterThan(0);
    expect(sample(text, 'zhuyun_ingest_points_total{result="accepted"}')).toBeGreaterThan(0);
    expect(sample(text, 'zhuyun_ingest_request_duration_seconds_count{protocol="json",status="2xx"}')).toBeGreaterThan(0);
    expect(sample(text, 'zhuyun_store_operation_duration_seconds_count{operation="write",outcome="ok"}')).toBeGreaterThan(0);
    expect(sample(text, 'zhuyun_alert_evaluations_total{trigger="points"}')).toBeGreaterThan(0);
    expect(sample(text, 'zhuyun_collectors{state="ok"}')).toBe(15);
    expect(sample(text, 'zhuyun_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE zhuyun_sla_availability_ratio gauge');

    // Bounded labels: units only from the fixed list, four statuses, a state set summing to 1.
    const known = new Set(UNITS.map((u) => u.code));
    const unitSamples = [...text.matchAll(/^zhuyun_unit_(nodes|status)\{unit="([^"]+)",status="([^"]+)"\} (\S+)$/gm)];
    expect(unitSamples.length).toBeGreaterThan(0);
    for (const [, , unit, status] of unitSamples) {
      expect(known.has(unit)).toBe(true);
      expect(['up', 'degraded', 'down', 'unknown']).toContain(status);
    }
    const stateSums = new Map<string, number>();
    for (const [, kind, unit, , v] of unitSamples) if (kind === 'status') stateSums.set(unit, (stateSums.get(unit) ?? 0) + Number(v));
    expect([...stateSums.values()].every((s) => s === 1)).toBe(true);
    // Node counts per unit add up to the extranet total.
    const perUnit = unitSamples.filter(([, kind]) => kind === 'nodes').reduce((n, [, , , , v]) => n + Number(v), 0);
    const total = ['up', 'degraded', 'down', 'unknown'].reduce((n, s) => n + (sample(text, `zhuyun_nodes{status="${s}"}`) ?? 0), 0);
    expect(perUnit).toBe(total);
    expect(text).not.toMatch(/\{[^}]*node="/);
  });

  it('counts refused points by a bounded reason (JSON ingest and line protocol)', async () => {
    const token = await server.addCollector('ops-rejects', '520103');
    const now = Date.now();
    const good = { metric: 'net.latency_ms', ts: now, value: 1, tags: { district: '520103', node: 'ops-n1' } };
    const before = await (await fetch(`${server.url}/metrics`)).text();
    const count = (text: string, reason: string) => sample(text, `zhuyun_ingest_rejected_points_total{reason="${reason}"}`) ?? 0;
    const res = await fetch(`${server.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        collector: 'ops-rejects',
        batch: `ops-${now}`,
        points: [good, { ...good, value: 'x' }, { ...good, ts: now + 3_600_000 }, { ...good, tags: { district: '999999', node: 'n' } }],
      }),
    });
    expect(res.status).toBe(202);
    const line = await fetch(`${server.url}/write?db=zhuyun&precision=ms`, {
      method: 'POST',
      headers: { authorization: `Token ${token}` },
      body: `app,district=520103,node=ops-n2 status="ok",latency_ms=7 ${now}\nbroken line without fields`,
    });
    expect(line.status).toBeLessThan(500);
    const after = await (await fetch(`${server.url}/metrics`)).text();
    for (const [reason, n] of [['value', 1], ['ts_future', 1], ['district', 1], ['field_type', 1], ['parse', 1]] as const) {
      expect({ reason, added: count(after, reason) - count(before, reason) }).toEqual({ reason, added: n });
    }
  });

  it('counts notification attempts by channel kind and outcome', async () => {
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    const create = await server.api('/api/v1/notification-channels', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ops test', kind: 'webhook', url, events: ['firing'] }),
    });
    expect(create.status).toBeLessThan(300);
    const notifier = server.app.get(NotifierService);
    notifier.retryPolicy = { maxAttempts: 2, baseMs: 10, maxMs: 10, timeoutMs: 2_000 };
    const notice = {
      event: 'firing' as const, alertId: 'al-ops', ruleId: 'r', ruleName: 'ops', metric: 'net.loss_pct', severity: 'P2',
      comparison: '>', threshold: 5, value: 50, district: '520102', unit: '520102', node: 'n1',
      activeAt: Date.now(), firedAt: Date.now(), resolvedAt: null, at: Date.now(), suppressed: null,
    };
    hookStatus = 200;
    notifier.notify(notice);
    await notifier.idle();
    hookStatus = 500;
    notifier.notify(notice);
    await notifier.idle();
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(sample(text, 'zhuyun_alert_notifications_total{channel_kind="webhook",outcome="ok"}')).toBe(1);
    expect(sample(text, 'zhuyun_alert_notifications_total{channel_kind="webhook",outcome="retrying"}')).toBe(1);
    expect(sample(text, 'zhuyun_alert_notifications_total{channel_kind="webhook",outcome="failed"}')).toBe(1);
  });
});

describe('/healthz and /readyz', () => {
  it('are public; /readyz covers the store, the database and registered checks, each with a timeout', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ok = await fetch(`${server.url}/readyz`);
    expect(ok.status).toBe(200);
    expect((await ok.json()).checks).toEqual({ 'tsdb:sqlite': { ok: true }, database: { ok: true }, shutdown: { ok: true }, 'tsdb-write': { ok: true } });

    const registry = server.app.get(HealthRegistry);
    const removeBroken = registry.register('redis', async () => { throw new Error('ECONNREFUSED 127.0.0.1:6379'); });
    const removeHung = registry.register('hung', () => new Promise<void>(() => {}));
    const started = Date.now();
    const bad = await fetch(`${server.url}/readyz`);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(bad.status).toBe(503);
    const body = await bad.json();
    expect(body.status).toBe('not_ready');
    expect(body.checks.redis).toEqual({ ok: false, error: 'ECONNREFUSED 127.0.0.1:6379' });
    expect(body.checks.hung).toEqual({ ok: false, error: 'no answer within 2000 ms' });
    removeBroken();
    removeHung();
    registry.register('redis', async () => {});
    const again = await (await fetch(`${server.url}/readyz`)).json();
    expect(again.checks.redis).toEqual({ ok: true });
    expect(again.status).toBe('ready');
  }, 15_000);
});

describe('request ids', () => {
  it('honours a plain X-Request-Id, replaces a bad one, returns it and logs it with the request', async () => {
    const given = await fetch(`${server.url}/api/v1/no-such-route`, { headers: { 'x-request-id': 'edge-7f3a.42' } });
    expect(given.headers.get('x-request-id')).toBe('edge-7f3a.42');
    const bad = await fetch(`${server.url}/readyz`, { headers: { 'x-request-id': 'a b <script>' } });
    const replaced = bad.headers.get('x-request-id')!;
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    const none = await server.api('/api/v1/auth/me');
    const generated = none.headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated).not.toBe(replaced);
    await until('the request lines', async () => lines.some((l) => l.reqId === generated));
    expect(lines.find((l) => l.reqId === 'edge-7f3a.42')).toMatchObject({ msg: 'request', method: 'GET', path: '/api/v1/no-such-route', status: 404 });
    expect(lines.find((l) => l.reqId === generated)).toMatchObject({ msg: 'request', path: '/api/v1/auth/me', status: 200 });
    // Nothing of the session token reaches the log.
    expect(JSON.stringify(lines)).not.toContain(server.token);
  });
});
