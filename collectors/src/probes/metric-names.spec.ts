import { describe, expect, it } from '@jest/globals';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_THRESHOLDS, KNOWN_METRICS, PLATFORMS, UP_METRICS } from '@zhuyun/protocol';
import { SELF_METRICS } from '../agent.js';
import { loadBuiltinProbes } from './builtin.js';
import { parseConfig } from '../config.js';
import { silentLogger } from '../logger.js';
import { createBuiltinRegistry } from './builtin.js';

await loadBuiltinProbes();

/** A probe folder's sample config (it holds `probes:` only) as a whole agent config. */
async function sampleConfig(folder: string, file: string) {
  const sample = await readFile(join(here, folder, file), 'utf8');
  return parseConfig(`server: { url: http://127.0.0.1:8080, token: t }\ncollector: { id: c, district: "520103" }\n${sample}`, file);
}

/**
 * Every metric a built-in probe can emit is in the protocol's KNOWN_METRICS. The names are read
 * from the probes themselves, not copied from KNOWN_METRICS:
 * - from the source of each probe folder (spec files and testdata left out): every quoted literal
 *   `<system>.<name>` of a metric system, and `${p}.<name>` templates expanded over the platforms;
 * - from sample outputs: the simulate probe run on its sample config (it builds some names), and
 *   the field mappings of the platform probe's sample config (there the operator names metrics);
 * - the agent's self-metrics (SELF_METRICS).
 * The prometheus probe forwards series under names its configuration chooses (the protocol accepts
 * any name of the pattern); its fixed names (the node_exporter preset) are in its source.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const SYSTEMS = ['net', 'host', 'http', 'cloud', 'share', 'open', 'collector'];
const LITERAL = new RegExp(`['"\`]((?:${SYSTEMS.join('|')})\\.[a-z][a-z0-9_]*)['"\`]`, 'g');
const PLATFORM_TEMPLATE = /`\$\{[a-zA-Z.]+\}\.([a-z][a-z0-9_]*)`/g;

async function sourceOf(folder: string): Promise<string> {
  const files = (await readdir(join(here, folder))).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
  return (await Promise.all(files.map((f) => readFile(join(here, folder, f), 'utf8')))).join('\n');
}

async function namesInSource(folder: string): Promise<Set<string>> {
  const text = await sourceOf(folder);
  const names = new Set<string>();
  for (const m of text.matchAll(LITERAL)) names.add(m[1]);
  // Only the platform probe builds names from the platform it polls (`${p}.up`).
  if (folder === 'platform') for (const m of text.matchAll(PLATFORM_TEMPLATE)) for (const p of PLATFORMS) if (p !== 'cloud') names.add(`${p}.${m[1]}`);
  return names;
}

const probeFolders = (await readdir(here, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();

describe('metric names of the built-in probes', () => {
  it('has one folder per built-in probe type', () => {
    expect(probeFolders.map((f) => f.replace('-', '_'))).toEqual(createBuiltinRegistry().types());
  });

  it.each(probeFolders)('every metric named in the %s probe is in KNOWN_METRICS', async (folder) => {
    const names = await namesInSource(folder);
    expect(names.size).toBeGreaterThan(0);
    expect([...names].filter((n) => !(KNOWN_METRICS as readonly string[]).includes(n))).toEqual([]);
  });

  it('finds the names each probe documents (the scan still sees them)', async () => {
    expect(await namesInSource('http')).toEqual(new Set(['http.up', 'http.status_code', 'http.latency_ms', 'http.body_match', 'http.cert_days_left']));
    expect(await namesInSource('host')).toEqual(new Set(['host.cpu_pct', 'host.mem_pct', 'host.disk_pct', 'host.net_in_bps', 'host.net_out_bps']));
    expect(await namesInSource('snmp')).toEqual(
      new Set(['net.up', 'net.uptime_s', 'net.if_in_bps', 'net.if_out_bps', 'net.if_util_pct', 'net.if_errors_total', 'net.if_discards_total', 'net.if_up']),
    );
    expect([...(await namesInSource('platform'))]).toEqual(expect.arrayContaining(['share.up', 'share.latency_ms', 'open.up', 'open.latency_ms']));
  });

  it('the simulate probe, run on its sample configuration, emits only known metrics', async () => {
    const config = await sampleConfig('simulate', 'simulate.sample.yaml');
    const registry = createBuiltinRegistry();
    const emitted = new Set<string>();
    for (const p of config.probes) {
      const probe = registry.get(p.type)!.create(p.options, { collector: { id: 'c', district: '520103' }, logger: silentLogger });
      for (let i = 0; i < 3; i++) {
        const points = await probe.collect({ now: Date.UTC(2026, 0, 5, 2) + i * 60_000, signal: new AbortController().signal, collector: { id: 'c', district: '520103' } });
        for (const point of points) emitted.add(point.metric);
      }
    }
    expect(emitted.size).toBeGreaterThan(10);
    expect([...emitted].filter((n) => !(KNOWN_METRICS as readonly string[]).includes(n))).toEqual([]);
  });

  it('the platform sample configuration maps fields to known metrics only', async () => {
    const config = await sampleConfig('platform', 'platform.sample.yaml');
    const mapped = config.probes.flatMap((p) => Object.values((p.options as { fields: Record<string, { metric: string }> }).fields).map((f) => f.metric));
    expect(mapped.length).toBeGreaterThan(0);
    expect(mapped.filter((n) => !(KNOWN_METRICS as readonly string[]).includes(n))).toEqual([]);
  });

  it("the agent's self-metrics are known", () => {
    expect(Object.keys(SELF_METRICS).filter((n) => !(KNOWN_METRICS as readonly string[]).includes(n))).toEqual([]);
  });
});

describe('default thresholds of the probe metrics', () => {
  it('warns on a certificate with 30 days left and is critical at 7 (lower is worse)', () => {
    expect(DEFAULT_THRESHOLDS.find((t) => t.metric === 'http.cert_days_left')).toEqual({ metric: 'http.cert_days_left', warning: 30, critical: 7, direction: 'below' });
  });

  it('uses the probe response time of research/domain.md for http latency: 3 s / 8 s', () => {
    expect(DEFAULT_THRESHOLDS.find((t) => t.metric === 'http.latency_ms')).toEqual({ metric: 'http.latency_ms', warning: 3000, critical: 8000, direction: 'above' });
  });

  it('counts http.up as an up metric, not an interface status', () => {
    expect(UP_METRICS).toContain('http.up');
    expect(UP_METRICS).not.toContain('net.if_up');
  });

  it('has thresholds only for known metrics, each with warning before critical', () => {
    for (const t of DEFAULT_THRESHOLDS) {
      expect(KNOWN_METRICS).toContain(t.metric);
      expect(t.direction === 'above' ? t.warning < t.critical : t.warning > t.critical).toBe(true);
    }
  });
});
