import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validatePoint, type Point } from '@zhuyun/protocol';
import { join } from 'node:path';
import { pino } from 'pino';
import { DomainEvents } from '../../server/src/common/domain-events.js';
import { LiveBus } from '../../server/src/common/live-bus.js';
import type { AppConfig } from '../../server/src/config/config.js';
import { openDatabase, type DatabaseLocation, type Db } from '../../server/src/db/database.js';
import { MaintenanceService } from '../../server/src/sla/maintenance.service.js';
import { SlaEngine } from '../../server/src/sla/sla.engine.js';
import { SlaService } from '../../server/src/sla/sla.service.js';
import { StatusService } from '../../server/src/status/status.service.js';
import { relationalBackends } from '../support/postgres.js';

/**
 * The SLA engine on a real database, SQLite and PostgreSQL: finalisation, NO_DATA, late points
 * re-scoring their minutes, incidents kept by id across merges, maintenance windows,
 * reclassification, acknowledgements, contract figures, restart from the stored watermark.
 */
const backends = await relationalBackends('sla');

const MIN = 60_000;
/** 2026-11-27 10:00 Asia/Shanghai. */
const T0 = Date.UTC(2026, 10, 27, 2, 0);
const at = (m: number) => T0 + m * MIN;
const log = pino({ level: 'silent' });

/** One sample per node per minute for 520103 (core + 3 access points); `coreDown` minutes fail. */
function extranet(fromMin: number, toMin: number, coreDown: (m: number) => boolean, now: number): Point[] {
  const out: Point[] = [];
  for (let m = fromMin; m < toMin; m++) {
    const down = coreDown(m);
    for (const [node, role] of [['520103-core-1', 'core'], ['520103-acc-1', 'access'], ['520103-acc-2', 'access'], ['520103-acc-3', 'access']]) {
      const r = validatePoint({ metric: 'net.up', ts: at(m) + 15_000, value: down ? 0 : 1, tags: { district: '520103', node, role } }, now);
      if (!r.ok) throw new Error(r.error);
      out.push(r.point);
    }
  }
  return out;
}

describe.each(backends)('SLA engine on %s', (_name, makeBackend) => {
  let backend: { location: DatabaseLocation; cleanup(): Promise<void> };
  let db: Db;
  const clock = { t: T0, now() { return this.t; } };
  let status: StatusService;
  let maintenance: MaintenanceService;
  let events: DomainEvents;
  let engine: SlaEngine;
  let sla: SlaService;
  const timings = { flushEveryMs: 1_000_000_000, finaliseEveryMs: 1_000_000_000 };

  async function makeEngine() {
    engine = new SlaEngine(db, clock, log, status, maintenance, events, timings);
    await engine.onModuleInit();
    sla = new SlaService(db, clock, log, { simulate: false } as AppConfig, engine, new LiveBus(), maintenance);
  }
  async function settle() {
    await engine.flush();
    await engine.finalise();
  }
  const states = async (from: number, to: number) => {
    const r = await sla.minutes('extranet:520103', { from: at(from), to: at(to) });
    return r.minutes!.map((m) => m.state[0] === 'N' ? '.' : m.state[0]).join('');
  };

  beforeAll(async () => {
    backend = await makeBackend();
    db = await openDatabase(backend.location);
    status = new StatusService(clock);
    maintenance = new MaintenanceService(db, clock, status);
    await maintenance.onModuleInit();
    events = new DomainEvents();
    await makeEngine();
  });
  afterAll(async () => {
    await engine?.onModuleDestroy();
    await db?.destroy();
    await backend?.cleanup();
  });

  it('finalises minutes after the grace period; a minute without points is NO_DATA', async () => {
    // Watermark at start: T0 − 3 min. Data for minutes 0..9, the core down in minutes 3..5.
    clock.t = at(10);
    status.apply(extranet(0, 10, (m) => m >= 3 && m <= 5, clock.t));
    clock.t = at(13);
    await settle();
    expect(engine.scoredUntil()).toBe(at(11));
    expect(await states(-3, 11)).toBe('...UUUDDDUUUU.');
    const minutes = (await sla.minutes('extranet:520103', { from: at(3), to: at(4) })).minutes!;
    expect(minutes[0]).toMatchObject({ state: 'DOWN', observed: 'DOWN', reason: 'aggregation node down: 520103-core-1' });
    const [i] = await sla.incidents({ service: 'extranet:520103', month: '2026-11' });
    // A 3-minute outage of the unit's aggregation node is P1, as its node-down alert (issue 15, item 11).
    expect(i).toMatchObject({ start: at(3), end: at(6), downMinutes: 3, severity: 'P1', open: false, ttrMs: 3 * MIN, ttaMs: null });
  });

  it('re-scores finalised minutes when late points arrive, and keeps the incident id across a merge', async () => {
    const [before] = await sla.incidents({ service: 'extranet:520103', month: '2026-11' });
    await sla.acknowledge(before.id, {}, 'duty-ops');
    // A spool replays minutes −3..−1: the core was down then too; 3 UP minutes separate the runs.
    clock.t = at(14);
    status.apply(extranet(-3, 0, () => true, clock.t));
    await engine.flush();
    expect(await states(-3, 11)).toBe('DDDUUUDDDUUUU.');
    const list = await sla.incidents({ service: 'extranet:520103', month: '2026-11' });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: before.id, start: at(-3), end: at(6), downMinutes: 6, severity: 'P1', acknowledgedBy: 'duty-ops' });
    expect(list[0].ttaMs).toBe(at(13) - at(-3)); // acknowledged at 13 through the API
  });

  it('ignores points older than the 72 h late limit', async () => {
    const before = engine.lateIgnored;
    status.apply(extranet(-74 * 60, -74 * 60 + 1, () => true, clock.t));
    expect(engine.lateIgnored).toBe(before + 4);
  });

  it('an approved window makes its minutes MAINT; one registered after the fact does not', async () => {
    const w = await maintenance.request({ title: '核心路由器升级', districts: ['520103'], schedule: { kind: 'once', start: at(20), end: at(30) } }, 'operator-a');
    expect(maintenance.inMaintenance({ district: '520103' }, at(22))).toBe(false); // requested only
    await maintenance.decide(w.id, 'approved', {}, 'ops-lead');
    expect(maintenance.inMaintenance({ district: '520103' }, at(22))).toBe(true);
    expect(maintenance.inMaintenance({ service: 'extranet:520103' }, at(30))).toBe(false);
    // A window for minutes 0..2, registered now (after them): changes nothing.
    const late = await maintenance.request({ title: 'late', services: ['extranet:520103'], schedule: { kind: 'once', start: at(0), end: at(3) } }, 'ops-lead');
    await maintenance.decide(late.id, 'approved', {}, 'ops-lead');
    clock.t = at(38);
    status.apply(extranet(11, 36, (m) => m >= 22 && m <= 25, clock.t));
    await settle();
    await engine.reapply(['extranet:520103'], at(-10), at(40)); // what the approval listener queued; idempotent
    // Minute 10 never had a point: NO_DATA.
    expect(await states(-3, 36)).toBe('DDDUUUDDDUUUU.UUUUUUUUUMMMMMMMMMMUUUUUU');
    expect((await sla.incidents({ service: 'extranet:520103', month: '2026-11' })).length).toBe(1);
  });

  it('a reclassification changes what minutes count as, keeps the observed state and who/when/why', async () => {
    clock.t = at(40);
    const r = await engine.reclassify({ service: 'extranet:520103', from: at(3), to: at(6), state: 'UP', reason: '用户侧线路故障，非运维方责任 (customer line)' }, 'ops-lead');
    expect(r).toMatchObject({ from: at(3), to: at(6), by: 'ops-lead', at: at(40) });
    const m = (await sla.minutes('extranet:520103', { from: at(3), to: at(4) })).minutes![0];
    expect(m).toMatchObject({ state: 'UP', observed: 'DOWN' });
    const [i] = await sla.incidents({ service: 'extranet:520103', month: '2026-11' });
    expect(i).toMatchObject({ start: at(-3), end: at(0), downMinutes: 3, severity: 'P1' });
    expect(engine.allReclassifications()).toHaveLength(1);
    await expect(engine.reclassify({ service: 'extranet:520103', from: at(3), to: at(2), state: 'UP', reason: 'x' }, 'ops-lead')).rejects.toThrow(/to: to must be after from|reason/);
  });

  it('an alert acknowledgement in scope gives an open incident its time to acknowledge', async () => {
    // Core down from minute 40 on, still down at the end of what is final.
    clock.t = at(46);
    status.apply(extranet(36, 45, (m) => m >= 40, clock.t));
    await settle();
    events.emit('alert.acknowledged', { alertId: 'a1', scope: { district: '520103' }, at: at(41) + 30_000, by: 'ops-wang' });
    await new Promise((r) => setTimeout(r, 200));
    const open = (await sla.incidents({ service: 'extranet:520103', month: '2026-11', open: 'true' }));
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ start: at(40), open: true, acknowledgedBy: 'ops-wang', ttaMs: 90_000, ttrMs: null });
  });

  it('contract figures: N-minute rule, NO_DATA beside, error budget, short of evidence', async () => {
    const c5 = await sla.createContract({ operator: '中国电信贵阳分公司', services: ['extranet:520103'], targetPct: 99.9, minOutageMinutes: 5, effectiveFrom: at(-3) });
    const c1 = await sla.createContract({ operator: 'x', services: ['extranet:520103'], targetPct: 99.9, effectiveFrom: at(-3) });
    const m5 = await sla.contractMonth(c5.id, { month: '2026-11' });
    const m1 = await sla.contractMonth(c1.id, { month: '2026-11' });
    // Final minutes −3..43: DDD, 3..5 UP by reclassification, minute 10 NO_DATA, MAINT 20..29, DOWN 40..43.
    expect(m1.to).toBe(at(44));
    expect(m1.services[0].figures).toMatchObject({ minutes: 47, down: 7, maint: 10, noData: 1, up: 29 });
    expect(m1.services[0].figures.availabilityPct).toBeCloseTo((29 / 36) * 100, 9);
    expect(m1.services[0].figures.noDataPct).toBeCloseTo((1 / 47) * 100, 9);
    // N = 5: the 3-minute run and the 4-minute run so far are both short: counted as UP.
    expect(m5.services[0].figures).toMatchObject({ minutes: 47, down: 0, rawDown: 7, forgiven: 7, up: 36 });
    expect(m5.met).toBe(true);
    expect(m5.services[0].incidents.map((i) => i.counted)).toEqual([false, false]);
    expect(m1.services[0].incidents.map((i) => i.counted)).toEqual([true, true]);
    // A change touches only the fields given.
    const patched = await sla.updateContract(c5.id, { targetPct: 99.5 });
    expect(patched).toMatchObject({ targetPct: 99.5, minOutageMinutes: 5, hours: { kind: '24x7' }, effectiveFrom: at(-3), operator: '中国电信贵阳分公司' });
    await sla.updateContract(c5.id, { targetPct: 99.9 });
    await expect(sla.updateContract(c5.id, { minOutageMinutes: 0 })).rejects.toThrow(/minOutageMinutes: must be 1 or more/);
    const budget = m1.services[0].budget;
    expect(budget.totalMinutes).toBeCloseTo(0.001 * (30 * 1440 - (T0 - 3 * MIN - Date.UTC(2026, 9, 31, 16)) / MIN - 10), 6);
    expect(budget.leftMinutes).toBeCloseTo(budget.totalMinutes - 7, 6);
    expect(m1.met).toBe(false);
    expect(m1.windows.map((w) => w.title)).toEqual(['核心路由器升级', 'late']);
    // 1 NO_DATA minute of 47 is over 0.5 %.
    expect(m1.services[0].figures.shortOfEvidence).toBe(true);
  });

  it('per-unit month figures for the district comparison', async () => {
    const [u] = await sla.unitMonths('2026-11', ['520103']);
    expect(u).toMatchObject({ unit: '520103', service: 'extranet:520103', down: 7, maint: 10, incidents: { P1: 2, P2: 0, P3: 0 }, mttrMinutes: 3 });
    // The open incident (40.., 4 minutes so far) has no time to repair yet: the mean is of the closed one.
    // Everything before the first data minute of November is NO_DATA: the month is short of evidence.
    expect(u.shortOfEvidence).toBe(true);
  });

  it('statesOf (the fast read of a month) agrees with the stored rows, gaps included', async () => {
    // 1,500 minutes before the first row (no rows at all), then the scored minutes.
    const from = at(-1500);
    const to = engine.scoredUntil();
    const fast = await sla.statesOf('extranet:520103', from, to);
    const rows = await db.selectFrom('sla_minutes').select(['minute', 'state']).where('service', '=', 'extranet:520103').execute();
    const byMinute = new Map(rows.map((r) => [Number(r.minute), r.state]));
    const slow = fast.map((_, i) => byMinute.get(from + i * MIN) ?? 'NO_DATA');
    expect(fast).toEqual(slow);
    expect(fast.filter((x) => x === 'DOWN')).toHaveLength(7);
  });

  it('a restarted engine continues from the stored watermark and state', async () => {
    await engine.onModuleDestroy();
    clock.t = at(50);
    await makeEngine();
    expect(engine.scoredUntil()).toBe(at(44));
    await settle();
    expect(engine.scoredUntil()).toBe(at(48));
    // Minute 44 had points before the restart (stored facts); 45..47 none.
    expect(await states(44, 48)).toBe('D...');
    expect(engine.allReclassifications()).toHaveLength(1);
  });
});
