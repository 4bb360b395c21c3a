import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { claimOnce } from '../db/claims.js';
import { DATABASE, type Db } from '../db/database.js';
import { readFile } from 'node:fs/promises';
import { CLOCK, type Clock } from '../common/clock.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { CONFIG, type AppConfig } from '../config/config.js';
import { parseCsv, writeCsv } from './csv.js';
import { readDay } from './migration.csv.js';
import { MigrationService } from './migration.service.js';
import { addDays, daysBetween, isDay, shanghaiDay } from './working-days.js';

/** The simulated city's inventory, committed beside the server (server/seed/), read from src/ and dist/ alike. */
export const SEED_FILE = new URL('../../seed/migration-inventory.csv', import.meta.url);
/** The day the seed's dates were written for: they move forward by whole weeks to stay recent. */
export const SEED_ANCHOR = '2026-11-20';

/**
 * Moves every day of the seed CSV by whole weeks so that its newest day is within a week of
 * `today` (weekdays stay weekdays; the flags the seed shows — overdue, a verification breach, a
 * premature go-live, stalled systems — stay shown). Never moves a day past today.
 */
export function shiftSeed(text: string, today: string, anchor = SEED_ANCHOR): string {
  const weeks = Math.floor(daysBetween(anchor, today) / 7);
  const { records } = parseCsv(text);
  const rows = records.map((r, i) =>
    i === 0
      ? r.fields
      : r.fields.map((f) => {
          const day = readDay(f);
          return day && isDay(day) && /^\d{4}-\d{2}-\d{2}$/.test(f.trim()) ? addDays(day, weeks * 7) : f;
        }),
  );
  return writeCsv(rows);
}

/** With ZHUYUN_SIMULATE=1 and an empty inventory, loads the seed through the CSV import. */
@Injectable()
export class MigrationSeed implements OnApplicationBootstrap {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(DATABASE) private readonly db: Db,
    private readonly migration: MigrationService,
  ) {}

  async onApplicationBootstrap() {
    if (!this.config.simulate || !(await this.migration.isEmpty())) return;
    // Several instances starting together: one seeds.
    if (!(await claimOnce(this.db, 'seed:migration-inventory', this.config.cluster?.instance ?? 'single', this.clock.now()))) return;
    const text = shiftSeed(await readFile(SEED_FILE, 'utf8'), shanghaiDay(this.clock.now()));
    const report = await this.migration.importCsv(text, 'all-or-nothing', { actor: 'simulation', source: 'seed' });
    this.log.info({ created: report.created, agencies: report.agenciesCreated }, 'migration inventory seeded for the simulated city');
  }
}
