import { RETIRED_CODES, isUnitCode, type RawPoint } from '@zhuyun/protocol';
import { z } from 'zod';
import { formatDuration, parseDuration } from '../../duration.js';
import { errorMessage, type Logger } from '../../logger.js';
import { defineProbe, type Probe, type ProbeContext } from '../../probe.js';
import { readIfMib, type DeviceReading, type InterfaceRow } from './if-mib.reader.js';
import {
  TICKS_PER_SECOND,
  interfaceRate,
  nextBaseline,
  utilisationPct,
  type CounterReading,
  type RateOutcome,
} from './interface-rate.calculator.js';
import {
  openNetSnmpSession,
  type SnmpSession,
  type SnmpSessionFactory,
  type SnmpV3Credentials,
  type SnmpVersion,
} from './snmp.session.js';
import { NODE_ID, TAG_KEY } from '../options.js';

// ---------------------------------------------------------------------------------------------
// Config (the YAML keys of `type: snmp`; snmp.sample.yaml documents each)

/** Tags the probe sets itself; `tags:` may not override them. */
const RESERVED_TAGS = new Set(['district', 'unit', 'node', 'target', 'interface', 'direction', 'if_index']);

function durationOption(defaultMs: number, min: number, max: number) {
  return z
    .string({ error: 'must be a duration like 2s' })
    .transform((text, ctx): number => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a duration like 2s` });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${formatDuration(min)} and ${formatDuration(max)}` });
        return z.NEVER;
      }
      return ms;
    })
    .default(defaultMs);
}

const unitCodeOption = z
  .union([z.string(), z.number().int()], { error: 'must be a unit code such as "520103" or "gy-hitech"' })
  .transform((v) => String(v))
  .superRefine((code, ctx) => {
    if (RETIRED_CODES[code]) ctx.addIssue({ code: 'custom', message: `${code} is a retired code: use ${RETIRED_CODES[code]}` });
    else if (!isUnitCode(code)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(code)} is not a known district or zone` });
  });

/** `/regex/flags` or an exact interface name. */
const interfacePattern = z.string({ error: 'must be an interface name or /regex/' }).min(1, 'must not be empty').superRefine((text, ctx) => {
  const m = /^\/(.*)\/([imsu]*)$/.exec(text);
  if (!m) return;
  try {
    new RegExp(m[1], m[2]);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `${text} is not a valid regular expression: ${errorMessage(err)}` });
  }
});

const versionOption = z
  .union([z.literal('1'), z.literal('2c'), z.literal('3'), z.literal(1), z.literal(2), z.literal(3)], {
    error: 'must be 1, 2c or 3',
  })
  .transform((v): SnmpVersion => (v === 1 || v === '1' ? '1' : v === 3 || v === '3' ? '3' : '2c'));

const V3Schema = z
  .strictObject({
    user: z.string({ error: 'is required (the USM user name)' }).min(1, 'must not be empty'),
    level: z.enum(['no_auth_no_priv', 'auth_no_priv', 'auth_priv']).default('auth_priv'),
    auth_protocol: z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).default('sha'),
    auth_key: z.string().min(8, 'must be at least 8 characters (RFC 3414)').optional(),
    priv_protocol: z.enum(['des', 'aes', 'aes256b', 'aes256r']).default('aes'),
    priv_key: z.string().min(8, 'must be at least 8 characters (RFC 3414)').optional(),
    context: z.string().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.level !== 'no_auth_no_priv' && !v.auth_key) ctx.addIssue({ code: 'custom', path: ['auth_key'], message: `is required for level ${v.level}` });
    if (v.level === 'auth_priv' && !v.priv_key) ctx.addIssue({ code: 'custom', path: ['priv_key'], message: 'is required for level auth_priv' });
  });

const tagsOption = z.record(z.string(), z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters')).superRefine((tags, ctx) => {
  for (const key of Object.keys(tags)) {
    if (!TAG_KEY.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'tag keys are lower-case letters, digits and _ (at most 32)' });
    else if (RESERVED_TAGS.has(key)) ctx.addIssue({ code: 'custom', path: [key], message: `${key} is set by the probe (use the target's own key where there is one)` });
  }
});

/** What a target may set for itself; the probe-level key of the same name is the default. */
const TargetOverrides = {
  port: z.number({ error: 'must be a UDP port' }).int().min(1).max(65535).optional(),
  version: versionOption.optional(),
  community: z.string({ error: 'must be a string' }).min(1, 'must not be empty').optional(),
  v3: V3Schema.optional(),
  interfaces: z.array(interfacePattern, { error: 'must be a list of names or /regex/' }).optional(),
  exclude: z.array(interfacePattern, { error: 'must be a list of names or /regex/' }).optional(),
  include_admin_down: z.boolean({ error: 'must be true or false' }).optional(),
  tags: tagsOption.optional(),
};

const FullTargetSchema = z.strictObject({
  host: z.string({ error: 'is required (address or DNS name of the device)' }).min(1, 'must not be empty'),
  name: z.string().min(1).max(128).optional(),
  node: z.string().regex(NODE_ID, 'must be a node id of letters, digits and _ . : -').optional(),
  district: unitCodeOption.optional(),
  up_from: z.string().min(1).optional(),
  ...TargetOverrides,
});

/** A device: a map, or just its address (`- 10.1.0.1`) when the probe-level keys fit it. */
const TargetSchema = z.union([
  z
    .string()
    .min(1)
    .transform((host): z.output<typeof FullTargetSchema> => ({ host })),
  FullTargetSchema,
]);

export const SnmpConfigSchema = z
  .strictObject({
    targets: z.array(TargetSchema, { error: 'must be a list of devices (- host: 10.1.0.1)' }).min(1, 'must list at least one device'),
    version: versionOption.default('2c'),
    community: z.string({ error: 'must be a string' }).min(1, 'must not be empty').default('public'),
    port: z.number({ error: 'must be a UDP port' }).int().min(1).max(65535).default(161),
    v3: V3Schema.optional(),
    request_timeout: durationOption(2_000, 100, 60_000),
    retries: z.number({ error: 'must be a whole number' }).int().min(0).max(10).default(1),
    max_repetitions: z.number({ error: 'must be a whole number' }).int().min(1).max(100).default(20),
    interfaces: z.array(interfacePattern, { error: 'must be a list of names or /regex/' }).optional(),
    exclude: z.array(interfacePattern, { error: 'must be a list of names or /regex/' }).default([]),
    include_admin_down: z.boolean({ error: 'must be true or false' }).default(false),
    tags: tagsOption.default({}),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.targets.forEach((t, i) => {
      const version = t.version ?? cfg.version;
      if (version === '3' && !t.v3 && !cfg.v3) {
        ctx.addIssue({ code: 'custom', path: ['targets', i], message: 'version 3 needs a v3: block (user, keys) here or at the probe level' });
      }
      const node = t.node ?? t.name ?? t.host;
      if (!NODE_ID.test(node)) {
        ctx.addIssue({ code: 'custom', path: ['targets', i], message: `${JSON.stringify(node)} is not a node id: give node: (letters, digits and _ . : -)` });
      }
      const key = `${t.host}:${t.port ?? cfg.port}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'host'], message: `${key} is already targets[${seen.get(key)}]` });
      seen.set(key, i);
    });
  });
export type SnmpConfig = z.output<typeof SnmpConfigSchema>;

// ---------------------------------------------------------------------------------------------
// The probe

/** One device, with every default resolved. */
export interface SnmpTarget {
  host: string;
  port: number;
  /** `target` tag. */
  name: string;
  node: string;
  /** Absent: the agent fills in the collector's district. */
  district?: string;
  version: SnmpVersion;
  community: string;
  v3?: SnmpV3Credentials;
  include: InterfaceMatcher[] | undefined;
  exclude: InterfaceMatcher[];
  includeAdminDown: boolean;
  /** `agent`: net.up is whether the device answers; an interface name: that interface's oper status. */
  upFrom?: string;
  tags: Record<string, string>;
}

export interface SnmpProbeOptions {
  targets: SnmpTarget[];
  requestTimeoutMs: number;
  retries: number;
  maxRepetitions: number;
}

export type InterfaceMatcher = (name: string) => boolean;

/** `/re/flags` matches by regular expression, anything else by exact name. */
export function interfaceMatcher(pattern: string): InterfaceMatcher {
  const m = /^\/(.*)\/([imsu]*)$/.exec(pattern);
  if (!m) return (name) => name === pattern;
  const re = new RegExp(m[1], m[2]);
  return (name) => re.test(name);
}

/** Builds the probe's targets from a validated config: probe-level keys are the defaults. */
export function resolveTargets(config: SnmpConfig): SnmpTarget[] {
  return config.targets.map((o) => {
    const v3 = o.v3 ?? config.v3;
    const name = o.name ?? o.host;
    return {
      host: o.host,
      port: o.port ?? config.port,
      name,
      node: o.node ?? name,
      district: o.district,
      version: o.version ?? config.version,
      community: o.community ?? config.community,
      v3: v3
        ? {
            user: v3.user,
            level: v3.level,
            authProtocol: v3.auth_protocol,
            authKey: v3.auth_key,
            privProtocol: v3.priv_protocol,
            privKey: v3.priv_key,
            context: v3.context,
          }
        : undefined,
      include: (o.interfaces ?? config.interfaces)?.map(interfaceMatcher),
      exclude: (o.exclude ?? config.exclude).map(interfaceMatcher),
      includeAdminDown: o.include_admin_down ?? config.include_admin_down,
      upFrom: o.up_from,
      tags: { ...config.tags, ...(o.tags ?? {}) },
    };
  });
}

interface InterfaceState {
  name: string;
  baseline: CounterReading;
}

interface TargetState {
  interfaces: Map<number, InterfaceState>;
  /** Last collection failed with this message; used to log a change once, not every interval. */
  failing?: string;
}

const MAX_TAG_VALUE = 128;

/**
 * Polls routers and switches over SNMP (v1, v2c, v3) for IF-MIB interface traffic, utilisation,
 * errors, discards and status, and the device uptime. See README.md in this folder.
 *
 * State: the previous octet counters per device and ifIndex (the rate baselines). A collection
 * opens one session per device, polls the devices in parallel and closes the sessions; a device
 * that does not answer is logged (once per change) and, with `up_from`, reported as net.up 0.
 * `collect` never rejects.
 */
export class SnmpProbe implements Probe {
  readonly type = 'snmp';
  private readonly state = new Map<string, TargetState>();

  constructor(
    private readonly options: SnmpProbeOptions,
    private readonly logger: Logger,
    private readonly openSession: SnmpSessionFactory = openNetSnmpSession,
  ) {}

  async collect(ctx: ProbeContext): Promise<RawPoint[]> {
    const perTarget = await Promise.all(this.options.targets.map((t) => this.collectTarget(t, ctx)));
    return perTarget.flat();
  }

  private stateOf(target: SnmpTarget): TargetState {
    const key = `${target.host}:${target.port}`;
    let s = this.state.get(key);
    if (!s) this.state.set(key, (s = { interfaces: new Map() }));
    return s;
  }

  private async collectTarget(target: SnmpTarget, ctx: ProbeContext): Promise<RawPoint[]> {
    const state = this.stateOf(target);
    const base: Record<string, string> = { ...target.tags, node: target.node, target: target.name };
    if (target.district) base.district = target.district;
    let reading: DeviceReading;
    let session: SnmpSession | undefined;
    try {
      session = this.openSession({
        host: target.host,
        port: target.port,
        version: target.version,
        community: target.community,
        v3: target.v3,
        timeoutMs: this.options.requestTimeoutMs,
        retries: this.options.retries,
        signal: ctx.signal,
      });
      reading = await readIfMib(session, { maxRepetitions: this.options.maxRepetitions });
    } catch (err) {
      // An abort (probe timeout, agent stopping) says nothing about the device: not logged.
      const message = errorMessage(err);
      if (!ctx.signal.aborted) {
        if (state.failing !== message) {
          this.logger.warn({ probe: 'snmp', target: target.name, host: target.host, port: target.port, err: message }, 'SNMP device does not answer');
        }
        state.failing = message;
      }
      return target.upFrom ? [{ metric: 'net.up', ts: ctx.now, value: 0, tags: base }] : [];
    } finally {
      session?.close();
    }
    if (state.failing !== undefined) {
      this.logger.info({ probe: 'snmp', target: target.name }, 'SNMP device answers again');
      state.failing = undefined;
    }
    return this.pointsOf(target, state, reading, ctx.now, base);
  }

  private pointsOf(target: SnmpTarget, state: TargetState, reading: DeviceReading, now: number, base: Record<string, string>): RawPoint[] {
    const points: RawPoint[] = [];
    const point = (metric: string, value: number, tags: Record<string, string>) => {
      if (Number.isFinite(value)) points.push({ metric, ts: now, value, tags });
    };
    point('net.uptime_s', reading.uptimeTicks / TICKS_PER_SECOND, base);

    const selected = reading.interfaces.filter((row) => this.selected(target, row));
    const names = selected.map(interfaceName);
    const duplicated = new Set(names.filter((n, i) => names.indexOf(n) !== i));
    const seen = new Set<number>();
    const restarts: string[] = [];

    selected.forEach((row, i) => {
      seen.add(row.ifIndex);
      const name = names[i];
      const tags: Record<string, string> = { ...base, interface: name };
      // Two interfaces with one name (some agents repeat ifDescr): keep them apart by index.
      if (duplicated.has(name)) tags.if_index = String(row.ifIndex);

      if (row.operStatus !== undefined) point('net.if_up', row.operStatus === 1 ? 1 : 0, tags);

      const counters = counterReading(row, reading.uptimeTicks, now);
      if (counters) {
        const prev = state.interfaces.get(row.ifIndex);
        // Same ifIndex, another interface (re-indexed after a reload): start over.
        const baseline = prev && prev.name === name ? prev.baseline : undefined;
        const outcome: RateOutcome = interfaceRate(baseline, counters);
        state.interfaces.set(row.ifIndex, { name, baseline: nextBaseline(baseline, counters, outcome) });
        if (outcome.kind === 'rate') {
          point('net.if_in_bps', outcome.inBps, tags);
          point('net.if_out_bps', outcome.outBps, tags);
          const util = utilisationPct(outcome.inBps, outcome.outBps, counters.speedBps);
          if (util !== undefined) point('net.if_util_pct', util, tags);
        } else if (outcome.kind === 'baseline' && outcome.reason !== 'first') {
          restarts.push(`${name} (${outcome.reason})`);
        }
      }
      // Error and discard counters go out as counters; the server and the charts take rates.
      if (row.inErrors !== undefined) point('net.if_errors_total', row.inErrors, { ...tags, direction: 'in' });
      if (row.outErrors !== undefined) point('net.if_errors_total', row.outErrors, { ...tags, direction: 'out' });
      if (row.inDiscards !== undefined) point('net.if_discards_total', row.inDiscards, { ...tags, direction: 'in' });
      if (row.outDiscards !== undefined) point('net.if_discards_total', row.outDiscards, { ...tags, direction: 'out' });
    });
    // Interfaces gone from the device (or from the selection) lose their baselines.
    for (const index of state.interfaces.keys()) if (!seen.has(index)) state.interfaces.delete(index);
    if (restarts.length > 0) {
      this.logger.info({ probe: 'snmp', target: target.name, interfaces: restarts.slice(0, 10), count: restarts.length }, 'counters restarted: no rate this round');
    }

    if (target.upFrom) {
      if (target.upFrom === 'agent') {
        point('net.up', 1, base);
      } else {
        const uplink = reading.interfaces.find((row) => interfaceName(row) === target.upFrom || row.ifDescr === target.upFrom);
        point('net.up', uplink?.operStatus === 1 ? 1 : 0, base);
      }
    }
    return points;
  }

  private selected(target: SnmpTarget, row: InterfaceRow): boolean {
    if (!target.includeAdminDown && row.adminStatus !== undefined && row.adminStatus !== 1) return false;
    const candidates = [row.ifName, row.ifDescr].filter((n): n is string => !!n);
    if (candidates.length === 0) candidates.push(interfaceName(row));
    if (target.include && !candidates.some((n) => target.include!.some((m) => m(n)))) return false;
    return !candidates.some((n) => target.exclude.some((m) => m(n)));
  }
}

/** The `interface` tag: ifName, else ifDescr, else `if<ifIndex>`. */
export function interfaceName(row: InterfaceRow): string {
  const name = row.ifName?.trim() || row.ifDescr?.trim() || `if${row.ifIndex}`;
  return name.length > MAX_TAG_VALUE ? name.slice(0, MAX_TAG_VALUE) : name;
}

/** The octet counters of a row: the 64-bit pair when the agent has both, else the 32-bit pair. */
export function counterReading(row: InterfaceRow, uptimeTicks: number, at: number): CounterReading | undefined {
  // ifSpeed is exact below 4.29 Gbit/s (an E1 is 2048000, its ifHighSpeed a rounded 2); above it
  // saturates and ifHighSpeed (Mbit/s) takes over (RFC 2863).
  const speedBps =
    row.speed && row.speed > 0 && row.speed < 4_294_967_295 ? row.speed : row.highSpeed && row.highSpeed > 0 ? row.highSpeed * 1e6 : undefined;
  const common = { uptimeTicks, at, speedBps, discontinuityTime: row.discontinuityTime };
  if (row.hcInOctets !== undefined && row.hcOutOctets !== undefined) {
    return { ...common, inOctets: row.hcInOctets, outOctets: row.hcOutOctets, bits: 64 };
  }
  if (row.inOctets !== undefined && row.outOctets !== undefined) {
    return { ...common, inOctets: row.inOctets, outOctets: row.outOctets, bits: 32 };
  }
  return undefined;
}

export const snmpProbeDefinition = defineProbe<SnmpConfig>({
  type: 'snmp',
  description: 'SNMP (v1/v2c/v3) interface traffic, utilisation, errors, status and uptime from IF-MIB',
  configSchema: SnmpConfigSchema,
  create(config, deps) {
    return new SnmpProbe(
      {
        targets: resolveTargets(config),
        requestTimeoutMs: config.request_timeout,
        retries: config.retries,
        maxRepetitions: config.max_repetitions,
      },
      deps.logger,
    );
  },
});
