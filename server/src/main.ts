import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './app.factory.js';
import { ShutdownService } from './cluster/shutdown.service.js';
import { createLogger } from './common/logger.js';
import { SimulationService } from './simulation/simulation.service.js';
import { ConfigError, loadConfig } from './config/config.js';

/** `node server/dist/main.js`: validate the environment, then serve. */
async function main() {
  let config;
  try {
    config = loadConfig(process.env, { dashboardDir: fileURLToPath(new URL('../../dashboard/dist', import.meta.url)) });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`zhuyun: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const { app, url, demo } = await startServer(config, { logger: log });
  // Not app.enableShutdownHooks(): its SIGTERM closes the application at once, while requests are
  // still coming in. Ours drains first, then closes (ShutdownService, docs/SCALE.md "Shutdown").
  const shutdown = app.get(ShutdownService);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      // The simulated fleet (ZHUYUN_SIMULATE) sends its last batches while ingest is still open.
      const simulation = app.get(SimulationService);
      shutdown.run(app, signal, () => simulation.beforeApplicationShutdown()).then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  const shown = config.host === '0.0.0.0' || config.host === '::' ? url.replace('127.0.0.1', 'localhost') : url;
  if (demo) {
    // Shown once, on the console, and kept (owner-readable only) in the data dir for the demo.
    const file = join(config.dataDir, 'demo-account.txt');
    writeFileSync(file, `user: ${demo.username}\npassword: ${demo.password}\n`, { mode: 0o600 });
    console.log(`\n  筑云 demo account — user: ${demo.username}  password: ${demo.password}\n  (also in ${file})\n`);
  }
  log.info({ url: shown, dataDir: config.dataDir, tsdb: config.tsdb, simulate: config.simulate, instance: config.cluster?.instance }, `筑云 Zhuyun listening on ${shown}`);
}

main().catch((err) => {
  console.error('zhuyun: failed to start:', err);
  process.exit(1);
});
