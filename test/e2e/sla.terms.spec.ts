import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validatePoint, type Point } from '@zhuyun/protocol';
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
 * The SLA figures operators trust (issue 15, items 8–11), on a real database: a 4-minute total outage
 * of Kaiyang (its core 520121-core-1 down) is a P1 incident as its alerts are; an acknowledgement of
 * another node's alert (520121-acc-9) is not its acknowledgement, the core's is; a contract that took
 * effect mid-day counts nothing before it, and its calendar days add up to its month figure, gaps
 * (NO_DATA) included; a month before it says so and has no budget.
 */
const backends = await relationalBackends('slaterms');

const MIN = 60_000;
/** 2026-12-03 10:00 Asia/Shanghai. */
const T0 = Date.UTC(2026, 11, 3, 2, 0);
const at = (m: number) => T0 + m * MIN;
const log = pino({ level: 'silent' });
const NODES: Array<[string, string]> = [['520121-core-1', 'core'], ['520121-acc-1', 'access'], ['520121-acc-9', 'access']];

/** One probe per node and minute for 520121; the core down in `coreDown` minutes; nothing in `gap` minutes. */
function kaiyang(fromMin: number, toMin: number, coreDown: (m: number) => boolean, gap: (m: number) => boolean, now: number): Point[] {
  const out: Point[] = [];
  for (let m = fromMin; m < toMin; m++) {
    if (gap(m)) continue;
    for (const [node, role] of NODES) {
      const r = validatePoint({ metric: 'net.up', ts: at(m) + 15_000, value: role === 'core' && coreDown(m) ? 0 : 1, tags: { district: '520121', node, role } }, now);
      if (!r.ok) throw new Error(r.error);
      out.push(r.point);
    }
  }
  return out;
}

describe.each(backends)('SLA terms on %s', (_name, makeBackend) => {
  let backend: { location: DatabaseLocation; cleanup(): Promise<void> };
  let db: Db;
  const clock = { t: T0, now() { return this.t; } };
  let status: StatusService;
  let events: DomainEvents;
  let engine: SlaEngine;
  let sla: SlaService;

  beforeAll(async () => {
    backend = await makeBackend();
    db = await openDatabase(backend.location);
    status = new StatusService(clock);
    const maintenance = new MaintenanceService(db, clock, status);
    await maintenance.onModuleInit();
    events = new DomainEvents();
    engine = new SlaEngine(db, clock, log, status, maintenance, events, { flushEveryMs: 1e9, finaliseEveryMs: 1e9 });
    await engine.onModuleInit();
    sla = new SlaService(db, clock, log, { simulate: false } as AppConfig, engine, new LiveBus(), maintenance);
    // Minutes 0..39: the core down 10..13 (4 minutes), no point at all 20..24.
    clock.t = at(40);
    status.apply(kaiyang(0, 40, (m) => m >= 10 && m <= 13, (m) => m >= 20 && m <= 24, clock.t));
    clock.t = at(43);
    await engine.flush();
    await engine.finalise();
    expect(engine.scoredUntil()).toBe(at(41));
  });
  afterAll(async () => {
    await engine?.onModuleDestroy();
    await db?.destroy();
    await backend?.cleanup();
  });

  it('item 11: a 4-minute total outage is a P1 incident, as its P1 node-down alerts are', async () => {
    const [i] = await sla.incidents({ service: 'extranet:520121', month: '2026-12' });
    expect(i).toMatchObject({ start: at(10), end: at(14), durationMinutes: 4, severity: 'P1', cause: 'aggregation node down: 520121-core-1' });
    const [u] = await sla.unitMonths('2026-12', ['520121']);
    expect(u.incidents).toEqual({ P1: 1, P2: 0, P3: 0 });
    expect(u.mttrMinutes).toBe(4);
  });

  it('item 10: another node’s alert acknowledgement is not the incident’s; its cause’s is', async () => {
    const scope = (node: string) => ({ district: '520121', node, service: 'extranet:520121' });
    events.emit('alert.acknowledged', { alertId: 'a-acc-9', scope: scope('520121-acc-9'), at: at(11), by: 'ops-li' });
    await engine.flush(); // the engine's queue: the acknowledgement is stored
    await new Promise((r) => setTimeout(r, 100));
    let [i] = await sla.incidents({ service: 'extranet:520121', month: '2026-12' });
    expect(i).toMatchObject({ acknowledgedAt: null, acknowledgedBy: null, ttaMs: null });
    events.emit('alert.acknowledged', { alertId: 'a-core-1', scope: scope('520121-core-1'), at: at(12), by: 'ops-wang' });
    await new Promise((r) => setTimeout(r, 100));
    [i] = await sla.incidents({ service: 'extranet:520121', month: '2026-12' });
    expect(i).toMatchObject({ acknowledgedAt: at(12), acknowledgedBy: 'ops-wang', ttaMs: 2 * MIN });
  });

  it('items 8 and 9: a contract effective mid-day — the calendar days add up to the month, gaps included', async () => {
    const c = await sla.createContract({ operator: '中国电信贵阳分公司', services: ['extranet:520121'], targetPct: 99.9, effectiveFrom: at(5) });
    const month = await sla.contractMonth(c.id, { month: '2026-12' });
    expect(month).toMatchObject({ from: at(5), to: at(41), effective: 'partial' });
    const f = month.services[0].figures;
    // Minutes 5..40: 4 DOWN, 6 NO_DATA (the gap 20..24 and minute 40, which had no point), 26 UP.
    expect(f).toMatchObject({ minutes: 36, down: 4, noData: 6, up: 26 });
    const { days } = await sla.days('extranet:520121', { month: '2026-12', contract: c.id });
    expect(days.slice(0, 3).map((d) => d.state)).toEqual(['notEffective', 'notEffective', 'counted']);
    expect(days.slice(3).every((d) => d.state === 'future')).toBe(true);
    const sum = (k: 'minutes' | 'up' | 'down' | 'maint' | 'noData') => days.reduce((a, d) => a + (d.figures?.[k] ?? 0), 0);
    expect({ minutes: sum('minutes'), up: sum('up'), down: sum('down'), maint: sum('maint'), noData: sum('noData') }).toEqual({ minutes: f.minutes, up: f.up, down: f.down, maint: f.maint, noData: f.noData });
    // The same service without a contract: the 3rd from its midnight (the minutes before the data are NO_DATA).
    const plain = await sla.days('extranet:520121', { month: '2026-12' });
    expect(plain.days[2].figures!.noData).toBeGreaterThan(600);
    await expect(sla.days('extranet:520103', { month: '2026-12', contract: c.id })).rejects.toThrow(/not in contract/);
  });

  it('item 8: a month before the effective date is not in effect: empty period inside it, no budget', async () => {
    const c = await sla.createContract({ operator: 'x', services: ['extranet:520121'], targetPct: 99.9, effectiveFrom: at(5) });
    const nov = await sla.contractMonth(c.id, { month: '2026-11' });
    const end = Date.UTC(2026, 10, 30, 16);
    expect(nov).toMatchObject({ from: end, to: end, effective: 'none', met: null });
    expect(nov.services[0].budget).toEqual({ totalMinutes: 0, usedMinutes: 0, leftMinutes: 0, leftPct: null });
    const { days } = await sla.days('extranet:520121', { month: '2026-11', contract: c.id });
    expect(days.every((d) => d.state === 'notEffective' && d.figures === null)).toBe(true);
  });
});
