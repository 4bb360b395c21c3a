import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { summarise } from './migration.flags.js';
import { planImport } from './migration.import.js';
import { SEED_FILE, shiftSeed } from './migration.seed.js';
import { daysBetween } from './working-days.js';

const seed = readFileSync(SEED_FILE, 'utf8');

describe('the simulated city seed', () => {
  it.each(['2026-11-20', '2026-11-27', '2027-02-10', '2028-10-03'])('imports without an error and shows every flag on %s', (today) => {
    let n = 0;
    const plan = planImport(shiftSeed(seed, today), { systems: [], agencies: [], today, now: 0, newId: (k) => `${k}-${++n}` });
    expect(plan.errors).toEqual([]);
    const records = plan.rows.map((r) => r.after);
    expect(records.length).toBeGreaterThanOrEqual(80);
    expect(new Set(records.map((r) => r.district)).size).toBe(14);
    const days = records.flatMap((r) => Object.values(r.stateDates).filter((d): d is string => !!d));
    expect(days.every((d) => daysBetween(d, today) >= 0)).toBe(true);
    expect(days.some((d) => daysBetween(d, today) <= 14)).toBe(true);
    const s = summarise('all', records, today);
    expect(s.overdue).toBeGreaterThan(0);
    expect(s.stalled).toBeGreaterThan(0);
    expect(s.verificationBreach).toBeGreaterThanOrEqual(2);
    expect(s.prematureGoLive).toBeGreaterThanOrEqual(1);
    expect(s.counts.exempt).toBe(2);
    expect(s.migrated).toBeGreaterThan(0);
  });

  it('moves days by whole weeks only', () => {
    const shifted = shiftSeed('目标日期,状态\n2026-11-20,assessed\n', '2026-12-03');
    expect(shifted).toBe('\uFEFF目标日期,状态\r\n2026-11-27,assessed\r\n');
  });
});
