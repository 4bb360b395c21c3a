import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timeSeriesStoreContract } from '../time-series.store.contract.js';
import { SqliteTimeSeriesStore } from './sqlite.time-series.store.js';

timeSeriesStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zhuyun-tsdb-'));
  return {
    store: new SqliteTimeSeriesStore(join(dir, 'tsdb.sqlite')),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
