#!/usr/bin/env node
import { access, constants, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent } from './agent.js';
import { ConfigError, loadConfigFile } from './config.js';
import { formatDuration } from './duration.js';
import { createDefaultLogger } from './logger.js';
import { BUILTIN_PROBE_TYPES } from './probes/builtin.js';
import { DiskBatchQueue, SpoolError } from './queue/disk.batch-queue.js';

/**
 * `zhuyun-collector --config agent.yaml`: runs one agent until SIGINT/SIGTERM.
 * Exit codes: 0 after a clean stop (or a passing --check), 2 for a bad command line or config,
 * 1 for anything unexpected.
 */
const USAGE = `Usage: zhuyun-collector --config <file.yaml> [--check] [--log-level <level>] [--stats-file <file.json>]
       npm run collector -- --config <file.yaml>        (from the repository root)

Runs a Zhuyun (筑云) collector agent: probes on their intervals, points batched and sent to
POST <server.url>/api/v1/ingest. Stops on SIGINT or SIGTERM after sending what it holds.

Options:
  -c, --config <file>     agent configuration (YAML), required
      --check             validate the configuration, print a summary and exit (no network)
      --log-level <level> trace, debug, info (default), warn, error
      --stats-file <file> on exit, write the agent's counters and the points gathered per
                          series as JSON (for tests and post-mortems)
  -h, --help              this text

Configuration keys (see collectors/README.md and collectors/examples/agent.sample.yaml):
  server:    url, token, timeout (10s)
  collector: id, district, flush_interval (1s), batch_size (5000), heartbeat (10s)
  spool:     dir (unset: in memory), max_age (72h), max_points (200000 in memory,
             10000000 on disk), max_bytes (512MiB)
  probes:    - type, interval, timeout (= interval), jitter (0), name, and the probe's own keys
Probe types: ${BUILTIN_PROBE_TYPES.join(', ')}
`;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        check: { type: 'boolean' },
        'log-level': { type: 'string' },
        'stats-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!args.config) {
    process.stderr.write(`--config is required\n\n${USAGE}`);
    return 2;
  }
  const level = args['log-level'] ?? 'info';
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(level)) {
    process.stderr.write(`--log-level: ${JSON.stringify(level)} is not one of trace, debug, info, warn, error\n`);
    return 2;
  }

  let config;
  try {
    config = await loadConfigFile(args.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n${err.issues.length} problem${err.issues.length === 1 ? '' : 's'} in the configuration; the agent did not start.\n`);
      return 2;
    }
    throw err;
  }

  if (args.check) {
    // Offline, and without taking the spool's lock (the agent may be running): can it write there?
    const spoolProblem = config.spool.dir ? await unwritable(config.spool.dir) : undefined;
    process.stdout.write(
      `${args.config}: ${spoolProblem ? 'NOT OK' : 'OK'}\n` +
        `  collector ${config.collector.id} (district ${config.collector.district}) -> ${config.server.url}\n` +
        (config.spool.dir
          ? `  spool ${config.spool.dir}: max_age ${formatDuration(config.spool.maxAgeMs)}, max_points ${config.spool.maxPoints}, max_bytes ${Math.round(config.spool.maxBytes / 1024 / 1024)}MiB${spoolProblem ? ` -- ${spoolProblem}` : ''}\n`
          : `  spool in memory (no spool.dir): batches waiting for the server are lost if the agent stops\n`) +
        config.probes.map((p) => `  probe ${p.name}: every ${formatDuration(p.intervalMs)}, timeout ${formatDuration(p.timeoutMs)}\n`).join(''),
    );
    return spoolProblem ? 2 : 0;
  }

  const logger = createDefaultLogger(level);
  if (config.probes.length === 0) logger.warn({ config: args.config }, 'no probes configured: only the heartbeat will be sent');
  let queue: DiskBatchQueue | undefined;
  if (config.spool.dir) {
    // Open it now: a directory the agent cannot use is a configuration error, not a runtime one.
    queue = new DiskBatchQueue({ dir: config.spool.dir, maxPoints: config.spool.maxPoints, maxBytes: config.spool.maxBytes, logger });
    try {
      await queue.open();
    } catch (err) {
      if (!(err instanceof SpoolError)) throw err;
      process.stderr.write(`${args.config}: ${err.message}\nthe agent did not start.\n`);
      return 2;
    }
  }
  const statsFile = args['stats-file'];
  const agent = new Agent({ config, logger, queue, countSeries: statsFile !== undefined });

  const done = new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A second Ctrl-C: the operator does not want to wait for the last flush.
        logger.warn({ signal }, 'second signal: exiting without waiting');
        resolve(130);
        return;
      }
      stopping = true;
      logger.info({ signal }, 'stopping: sending what is buffered');
      agent.stop().then(
        async (stats) => {
          if (statsFile) {
            try {
              await writeJsonAtomically(statsFile, { ...stats, series: agent.seriesCounts() });
            } catch (err) {
              logger.error({ file: statsFile, err: String(err) }, 'cannot write the stats file');
              resolve(1);
              return;
            }
          }
          resolve(0);
        },
        (err) => {
          logger.error({ err: String(err) }, 'stop failed');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  agent.start();
  return done;
}

/** Why the agent could not write in `dir` (or create it), or undefined when it can. */
async function unwritable(dir: string): Promise<string | undefined> {
  let at = dir;
  for (;;) {
    try {
      await access(at, constants.W_OK | constants.X_OK);
      return undefined;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || dirname(at) === at) return `${at}: ${code ?? String(err)}: the agent needs write access to it`;
      at = dirname(at); // it will be created: can its parent take it?
    }
  }
}

async function writeJsonAtomically(path: string, data: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, `${JSON.stringify(data, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`zhuyun-collector: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
