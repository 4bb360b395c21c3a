import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A real node_exporter (Debian's `prometheus-node-exporter`) for the prometheus probe's tests, on
 * a free port of 127.0.0.1. Only the collectors the probe's preset reads (and a few cheap ones) run:
 * nothing that needs root, D-Bus or a slow device scan, and no textfile directory.
 */

/** Debian's binary name; NODE_EXPORTER_PATH points elsewhere (an upstream `node_exporter`). */
export const NODE_EXPORTER = process.env.NODE_EXPORTER_PATH ?? 'prometheus-node-exporter';

/** The collectors turned on (after --collector.disable-defaults). */
export const NODE_EXPORTER_COLLECTORS = ['cpu', 'meminfo', 'filesystem', 'netdev', 'loadavg', 'stat', 'time', 'uname'] as const;

/**
 * Whether node_exporter tests can run here. Outside CI a missing binary is said loudly and the
 * suite skips; under CI=true it is a failure (the suite runs and fails when it starts).
 */
export function nodeExporterAvailable(): boolean {
  const r = spawnSync(NODE_EXPORTER, ['--version'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  if (process.env.CI === 'true') return true;
  console.warn(
    `\n*** ${NODE_EXPORTER} not found: the prometheus probe's tests need Debian's prometheus-node-exporter (apt-get install -y prometheus-node-exporter) and are skipped ***\n`,
  );
  return false;
}

export interface NodeExporter {
  /** `http://127.0.0.1:<port>/metrics` */
  url: string;
  port: number;
  /** Its log so far, for failure messages. */
  output(): string;
  /** SIGTERM, SIGKILL after 5 s. */
  destroy(): Promise<void>;
}

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

/** Starts node_exporter on 127.0.0.1:<free port>; resolves when /metrics answers 200. */
export async function startNodeExporter(): Promise<NodeExporter> {
  let output = '';
  for (let attempt = 0; ; attempt++) {
    const port = await freeTcpPort();
    const args = [
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      '--collector.disable-defaults',
      ...NODE_EXPORTER_COLLECTORS.map((c) => `--collector.${c}`),
    ];
    const c = spawn(NODE_EXPORTER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      output = (output + d.toString('utf8')).slice(-8000);
    };
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    let spawnError: Error | undefined;
    c.once('error', (err) => (spawnError = err));
    const url = `http://127.0.0.1:${port}/metrics`;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (spawnError) throw new Error(`${NODE_EXPORTER} did not start: ${spawnError.message} (apt-get install -y prometheus-node-exporter)`);
      if (exited(c)) break;
      if (await answers(url)) {
        return {
          url,
          port,
          output: () => output,
          async destroy() {
            if (exited(c)) return;
            const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
            c.kill('SIGTERM');
            const timer = setTimeout(() => c.kill('SIGKILL'), 5_000);
            await gone;
            clearTimeout(timer);
          },
        };
      }
      if (Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new Error(`${NODE_EXPORTER} did not answer ${url} within 15 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    // Exited before answering: most likely the port was taken in between. Try another, twice.
    if (attempt >= 2 || !/address already in use|bind/i.test(output)) {
      throw new Error(`${NODE_EXPORTER} exited with ${c.exitCode ?? c.signalCode}:\n${output}`);
    }
  }
}
