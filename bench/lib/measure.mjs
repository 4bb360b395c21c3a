// Shared by the live benches: socket.io load processes (live-load.mjs), the server process's CPU
// and RSS from /proc, a paced collector, percentiles, the machine's load.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const TICKS = 100; // USER_HZ on Linux

/** RSS (MB) and CPU time (s, user + system) of a process, from /proc. */
export function procStat(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  // Fields after the command name (which may hold spaces): utime is the 14th field, stime the 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rssMb, cpuS: (Number(f[11]) + Number(f[12])) / TICKS };
}

/** Samples a process every `everyMs`: RSS series and CPU % between start and `stop()`. */
export function sampleProcess(pid, everyMs = 1000) {
  const t0 = Date.now();
  const s0 = procStat(pid);
  const rss = [{ t: 0, mb: s0.rssMb }];
  const timer = setInterval(() => {
    try {
      rss.push({ t: (Date.now() - t0) / 1000, mb: procStat(pid).rssMb });
    } catch {
      /* gone */
    }
  }, everyMs);
  return {
    rss,
    stop() {
      clearInterval(timer);
      const s1 = procStat(pid);
      const seconds = (Date.now() - t0) / 1000;
      const mbs = rss.map((r) => r.mb);
      return { seconds, cpuPct: (100 * (s1.cpuS - s0.cpuS)) / seconds, rssStartMb: s0.rssMb, rssEndMb: s1.rssMb, rssMaxMb: Math.max(...mbs, s1.rssMb) };
    },
  };
}

/** q-quantile of a merged {ms → count} histogram. */
export function quantileOf(hist, q) {
  const keys = [...hist.keys()].sort((a, b) => a - b);
  const total = keys.reduce((n, k) => n + hist.get(k), 0);
  const want = Math.ceil(total * q);
  let n = 0;
  for (const k of keys) if ((n += hist.get(k)) >= want && want > 0) return k;
  return null;
}

/** Percentile of an array of numbers (nearest rank). */
export function pct(values, q) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * q) - 1))];
}

/**
 * `clients` socket.io clients on /live split over `procs` load processes, each subscribed to
 * `topics`. Resolves once all have their subscription acknowledged.
 */
export async function startLoad({ url, token, clients, topics, procs = 2 }) {
  const children = Array.from({ length: procs }, () => fork(new URL('./live-load.mjs', import.meta.url).pathname, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const ask = (child, msg, ev) =>
    new Promise((resolve, reject) => {
      const on = (m) => m.ev === ev && (child.off('message', on), resolve(m));
      child.on('message', on);
      child.once('exit', (code) => reject(new Error(`load process exited with ${code}`)));
      child.send(msg);
    });
  const per = children.map((_, i) => Math.floor(clients / procs) + (i < clients % procs ? 1 : 0));
  const ready = await Promise.all(children.map((c, i) => ask(c, { cmd: 'start', url, token, clients: per[i], topics }, 'ready')));
  const connected = ready.reduce((n, r) => n + r.connected, 0);
  const failed = ready.reduce((n, r) => n + r.failed, 0);
  return {
    connected,
    failed,
    errors: ready.flatMap((r) => r.errors),
    pids: children.map((c) => c.pid),
    reset: () => children.forEach((c) => c.send({ cmd: 'reset' })),
    async report() {
      const parts = await Promise.all(children.map((c) => ask(c, { cmd: 'report' }, 'report')));
      const hist = new Map();
      for (const p of parts) for (const [ms, n] of p.hist) hist.set(ms, (hist.get(ms) ?? 0) + n);
      const sum = (k) => parts.reduce((n, p) => n + p[k], 0);
      return {
        seconds: Math.max(...parts.map((p) => p.seconds)),
        frames: sum('frames'),
        bytes: sum('bytes'),
        bytesByTopic: parts.reduce((by, p) => {
          for (const [t, n] of Object.entries(p.bytesByTopic ?? {})) by[t] = (by[t] ?? 0) + n;
          return by;
        }, {}),
        p50: quantileOf(hist, 0.5),
        p99: quantileOf(hist, 0.99),
        max: hist.size ? Math.max(...hist.keys()) : null,
        clients: sum('clients'),
        open: sum('open'),
        minFrames: Math.min(...parts.map((p) => p.minFrames)),
        withoutFrames: sum('withoutFrames'),
        gaps: sum('gaps'),
        lost: sum('lost'),
        totalGaps: sum('totalGaps'),
        totalLost: sum('totalLost'),
      };
    },
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise((resolve) => {
              if (c.exitCode !== null) return resolve();
              c.once('exit', resolve);
              c.send({ cmd: 'stop' });
              setTimeout(() => c.kill('SIGKILL'), 5000).unref();
            }),
        ),
      );
    },
  };
}

/** `uptime`'s three load averages, formatted. */
export function machineLoad() {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
