import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RawPoint } from '@zhuyun/protocol';
import { z } from 'zod';
import { errorMessage, type Logger } from '../../logger.js';
import { defineProbe, type Probe, type ProbeContext } from '../../probe.js';
import { classifyPingFailure, parsePingOutput, pingStats, statsFromPing, type PingStats } from './ping.parser.js';
import { resolveHost, tcpConnectOnce, type TcpAttempt } from './tcp.connect.js';
import { NODE_ID, districtOption, durationOption } from '../options.js';

export interface PingTarget {
  /** Address or name given to ping (or connected to over TCP). */
  host: string;
  /** The `target` tag: the configured name, else the host. */
  name: string;
  /** TCP port for this target's fallback; else the probe's `port`. */
  port?: number;
}

export type PingMethod = 'auto' | 'icmp' | 'tcp';

export interface PingProbeOptions {
  targets: readonly PingTarget[];
  /** `auto`: ICMP through the system ping, TCP connect where ICMP is not allowed. Default `auto`. */
  method?: PingMethod;
  /** Echo requests (or TCP connections) per target and collection. Default 5. */
  count?: number;
  /** Gap between requests to one target, ms. Default 1000. */
  intervalMs?: number;
  /** How long to wait for each reply, ms. Default 1000. */
  timeoutMs?: number;
  /** Default TCP port for the fallback. */
  port?: number;
  /** Targets measured at once. Default 8. */
  concurrency?: number;
  /** Which average of the replies' round-trip times `net.latency_ms` reports. Default `mean`. */
  latency?: 'mean' | 'median';
  /** `node` tag; default the collector id. */
  node: string;
  /** `district` tag; default the collector's district (filled in at collection). */
  district?: string;
  /** The ping executable. Default `ping` (found on PATH). */
  binary?: string;
}

/** What running a command gave: its exit code and output, or the reason it could not start. */
export interface CommandResult {
  /** Exit code; null when killed by a signal or not started. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started (ENOENT, EACCES) or was killed (ABORT_ERR). */
  error?: { code?: string; message: string };
}

/**
 * The probe's I/O seam: everything that touches the system. Tests replace it with fakes that
 * replay testdata; the defaults run the real `ping` and real sockets.
 */
export interface PingIo {
  /** Runs `file args`, never rejects; the child is killed when `signal` aborts. */
  run(file: string, args: readonly string[], signal: AbortSignal): Promise<CommandResult>;
  /** One TCP connection attempt to an address; never rejects. */
  tcpConnect(address: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<TcpAttempt>;
  /** Name to address; rejects when the name does not resolve. */
  resolve(host: string): Promise<string>;
  /** Waits `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemPingIo: PingIo = {
  run(file, args, signal) {
    return new Promise((resolve) => {
      // LC_ALL=C: the parser reads English; a localised ping would print other words.
      execFile(
        file,
        [...args],
        { signal, encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } },
        (err, stdout, stderr) => {
          if (!err) return resolve({ code: 0, stdout, stderr });
          const e = err as NodeJS.ErrnoException & { code?: string | number };
          // A non-zero exit arrives as an error whose `code` is the number; a spawn failure has a string code.
          if (typeof e.code === 'number') return resolve({ code: e.code, stdout, stderr });
          resolve({ code: null, stdout: stdout ?? '', stderr: stderr ?? '', error: { code: e.code ?? e.name, message: e.message } });
        },
      );
    });
  },
  tcpConnect: tcpConnectOnce,
  resolve: resolveHost,
  sleep: (ms, signal) => sleep(ms, undefined, { signal }),
};

/** What measuring one target came to, before it becomes points. */
type Outcome =
  | { kind: 'stats'; stats: PingStats }
  /** The target could not be measured because of where it is (no such name, no route): down. */
  | { kind: 'unreachable'; why: string }
  /** This agent could not measure it (no ping, no port, an odd failure): no data, never "down". */
  | { kind: 'none' };

/**
 * Round-trip time, loss and jitter to a list of targets through the system `ping`, with TCP-connect
 * timing where ICMP is not allowed (`ping` missing, no raw-socket permission) or where
 * `method: tcp` asks for it. See README.md for the metrics and their tags.
 *
 * Never throws from `collect`: a target that does not answer is data (`net.up` 0), and a target
 * this agent cannot measure is logged and left without points (it turns `unknown` on the server,
 * never falsely `down`).
 */
export class PingProbe implements Probe {
  readonly type = 'ping';
  private readonly io: PingIo;
  private readonly method: PingMethod;
  private readonly count: number;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  /** In `auto`, set once ping turned out not to work here; from then on TCP is used. */
  private icmpUnavailable: string | undefined;
  /** The last problem logged per target (and for the agent as a whole), so each is logged once. */
  private readonly problems = new Map<string, string>();

  constructor(
    private readonly options: PingProbeOptions,
    private readonly logger: Logger,
    io: Partial<PingIo> = {},
  ) {
    this.io = { ...systemPingIo, ...io };
    this.method = options.method ?? 'auto';
    this.count = options.count ?? 5;
    this.intervalMs = options.intervalMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 1_000;
  }

  /** The method in use now: `tcp` after `auto` fell back. */
  currentMethod(): 'icmp' | 'tcp' {
    return this.method === 'tcp' || (this.method === 'auto' && this.icmpUnavailable) ? 'tcp' : 'icmp';
  }

  async collect(ctx: ProbeContext): Promise<RawPoint[]> {
    const district = this.options.district ?? ctx.collector.district;
    const points: RawPoint[] = [];
    const targets = [...this.options.targets];
    const limit = Math.max(1, this.options.concurrency ?? 8);
    const results = new Array<Outcome>(targets.length);
    let next = 0;
    const worker = async () => {
      while (next < targets.length && !ctx.signal.aborted) {
        const i = next++;
        results[i] = await this.measure(targets[i], ctx.signal).catch((err: unknown) => {
          // Only a bug lands here (the I/O seam never rejects): log it, keep the other targets.
          this.report(targets[i].name, `unexpected failure: ${errorMessage(err)}`);
          return { kind: 'none' } as const;
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, targets.length) }, worker));
    if (ctx.signal.aborted) return [];
    targets.forEach((target, i) => {
      const tags = { district, node: this.options.node, target: target.name };
      const outcome = results[i];
      if (!outcome || outcome.kind === 'none') return;
      if (outcome.kind === 'unreachable') {
        points.push({ metric: 'net.up', ts: ctx.now, value: 0, tags });
        return;
      }
      const s = outcome.stats;
      points.push({ metric: 'net.up', ts: ctx.now, value: s.received > 0 ? 1 : 0, tags });
      points.push({ metric: 'net.loss_pct', ts: ctx.now, value: s.lossPct, tags: { ...tags } });
      const latency = this.options.latency === 'median' ? s.medianMs : s.meanMs;
      if (latency !== undefined) points.push({ metric: 'net.latency_ms', ts: ctx.now, value: latency, tags: { ...tags } });
      if (s.jitterMs !== undefined) points.push({ metric: 'net.jitter_ms', ts: ctx.now, value: s.jitterMs, tags: { ...tags } });
    });
    return points;
  }

  private async measure(target: PingTarget, signal: AbortSignal): Promise<Outcome> {
    if (this.currentMethod() === 'icmp') {
      const outcome = await this.measureIcmp(target, signal);
      if (outcome !== 'icmp_unavailable') return outcome;
      if (this.method === 'icmp') return { kind: 'none' };
    }
    return this.measureTcp(target, signal);
  }

  private async measureIcmp(target: PingTarget, signal: AbortSignal): Promise<Outcome | 'icmp_unavailable'> {
    const args = ['-n', '-c', String(this.count), '-i', seconds(this.intervalMs), '-W', seconds(this.timeoutMs), target.host];
    const binary = this.options.binary ?? 'ping';
    const r = await this.io.run(binary, args, signal);
    if (signal.aborted) return { kind: 'none' };
    if (r.error) {
      const why = r.error.code === 'ENOENT' ? `${binary} not found` : `${binary} could not run: ${r.error.message}`;
      return this.icmpNotAllowed(why);
    }
    const failure = classifyPingFailure(r.stdout, r.stderr);
    if (failure === undefined) {
      this.clear(target.name);
      return { kind: 'stats', stats: statsFromPing(parsePingOutput(r.stdout), this.count) };
    }
    const said = firstLine(r.stderr || r.stdout) || `exit code ${r.code}`;
    if (failure === 'not_permitted') return this.icmpNotAllowed(`ICMP not permitted (${said})`);
    if (failure === 'unknown_host') {
      this.report(target.name, `cannot resolve ${target.host}: ${said}`);
      return { kind: 'unreachable', why: said };
    }
    if (/network is unreachable|no route to host/i.test(said)) {
      // The kernel has no route to it: as unreachable as a target gets, from here.
      this.report(target.name, `${target.host}: ${said}`);
      return { kind: 'unreachable', why: said };
    }
    this.report(target.name, `ping ${target.host} failed: ${said}`);
    return { kind: 'none' };
  }

  /** ICMP does not work on this machine; in `auto` every later collection uses TCP. */
  private icmpNotAllowed(why: string): 'icmp_unavailable' {
    if (this.method === 'auto') {
      if (!this.icmpUnavailable) {
        this.icmpUnavailable = why;
        this.logger.warn({ probe: 'ping', reason: why }, 'ICMP is not available: measuring targets by TCP connect instead');
      }
    } else {
      this.report('*', `${why}; method is icmp, so nothing is measured (use method: auto or tcp)`);
    }
    return 'icmp_unavailable';
  }

  private async measureTcp(target: PingTarget, signal: AbortSignal): Promise<Outcome> {
    const port = target.port ?? this.options.port;
    if (port === undefined) {
      this.report(target.name, `no port for TCP connect to ${target.host}: set port on the probe or the target`);
      return { kind: 'none' };
    }
    let address: string;
    try {
      address = await this.io.resolve(target.host);
    } catch (err) {
      if (signal.aborted) return { kind: 'none' };
      this.report(target.name, `cannot resolve ${target.host}: ${errorMessage(err)}`);
      return { kind: 'unreachable', why: 'unknown host' };
    }
    const rtts: number[] = [];
    let sent = 0;
    for (let i = 0; i < this.count; i++) {
      if (i > 0) {
        try {
          await this.io.sleep(this.intervalMs, signal);
        } catch {
          return { kind: 'none' };
        }
      }
      const attempt = await this.io.tcpConnect(address, port, this.timeoutMs, signal);
      if (signal.aborted) return { kind: 'none' };
      sent++;
      // A refused connection (RST) proves the host alive, but this probe was told to time a port it
      // expects open: counting a refusal as an answer would keep a dead service green.
      if (attempt.ok) rtts.push(attempt.rttMs);
    }
    this.clear(target.name);
    return { kind: 'stats', stats: pingStats(rtts, sent) };
  }

  private report(key: string, problem: string): void {
    if (this.problems.get(key) === problem) return;
    this.problems.set(key, problem);
    this.logger.warn({ probe: 'ping', target: key }, problem);
  }

  private clear(key: string): void {
    if (this.problems.delete(key)) this.logger.info({ probe: 'ping', target: key }, 'target measured again');
  }
}

/** ping reads -i and -W in seconds; a dot is the decimal separator whatever the locale (LC_ALL=C). */
function seconds(ms: number): string {
  return String(+(ms / 1000).toFixed(3));
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
}

// --- configuration -------------------------------------------------------------------------

/** Host names, IPv4 and IPv6 literals; never a leading `-`, which ping would read as an option. */
const HOST = /^[A-Za-z0-9:][A-Za-z0-9._:%-]{0,252}$/;

const portOption = z.number({ error: 'must be a TCP port number' }).int('must be a TCP port number').min(1, 'must be 1 to 65535').max(65535, 'must be 1 to 65535');

const hostOption = z
  .string({ error: 'must be a host name or address' })
  .regex(HOST, 'must be a host name or an IPv4/IPv6 address (letters, digits, . : - %)');

const targetOption = z.union(
  [
    hostOption.transform((host) => ({ host, name: host, port: undefined as number | undefined })),
    z
      .strictObject({
        host: hostOption,
        name: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(128, 'must be at most 128 characters').optional(),
        port: portOption.optional(),
      })
      .transform((t) => ({ host: t.host, name: t.name ?? t.host, port: t.port })),
  ],
  { error: 'must be a host (10.1.0.1, core.gov.example) or a map { host, name, port }' },
);

/** The YAML keys of `type: ping` (ping.sample.yaml documents each). */
export const PingConfigSchema = z
  .strictObject({
    targets: z
      .array(targetOption, { error: 'must be a list of hosts, e.g. [10.1.0.1, core.gov.example]' })
      .min(1, 'must list at least one target'),
    method: z.enum(['auto', 'icmp', 'tcp']).default('auto'),
    count: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(5),
    // At least 200 ms: below that iputils refuses to run for an unprivileged user ("cannot flood").
    ping_interval: durationOption(200, 60_000, 1_000, '1s or 500ms'),
    ping_timeout: durationOption(100, 60_000, 1_000, '1s or 500ms'),
    port: portOption.optional(),
    concurrency: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(64, 'must be at most 64').default(8),
    latency: z.enum(['mean', 'median']).default('mean'),
    node: z.string({ error: 'must be a string' }).regex(NODE_ID, 'must be an id of letters, digits and _ . : - (at most 128)').optional(),
    district: districtOption.optional(),
    binary: z.string({ error: 'must be a path' }).min(1, 'must not be empty').regex(/^[^-]/, 'must not start with -').default('ping'),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.targets.forEach((t, i) => {
      if (t.name.length > 128) ctx.addIssue({ code: 'custom', path: ['targets', i], message: 'host is longer than 128 characters: give it a shorter name' });
      if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: ['targets', i], message: `${JSON.stringify(t.name)} is listed twice` });
      seen.add(t.name);
      if (c.method === 'tcp' && t.port === undefined && c.port === undefined) {
        ctx.addIssue({ code: 'custom', path: ['targets', i], message: 'method tcp needs a port: set port on the probe or on this target' });
      }
    });
  });
export type PingConfig = z.output<typeof PingConfigSchema>;

export const pingProbeDefinition = defineProbe<PingConfig>({
  type: 'ping',
  description: 'round-trip time, loss and jitter through the system ping, TCP connect where ICMP is not allowed',
  configSchema: PingConfigSchema,
  create(config, deps) {
    return new PingProbe(
      {
        targets: config.targets,
        method: config.method,
        count: config.count,
        intervalMs: config.ping_interval,
        timeoutMs: config.ping_timeout,
        port: config.port,
        concurrency: config.concurrency,
        latency: config.latency,
        node: config.node ?? deps.collector.id,
        district: config.district,
        binary: config.binary,
      },
      deps.logger,
    );
  },
});
