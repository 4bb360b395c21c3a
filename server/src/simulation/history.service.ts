import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { ProbeContext, SimulatedNode } from '@zhuyun/collectors';
import type { HistoryFillStatus } from '@zhuyun/protocol';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../common/clock.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { CONFIG, type AppConfig } from '../config/config.js';
import { claimOnce } from '../db/claims.js';
import { DATABASE, type Db } from '../db/database.js';
import { SLA_SERVICES } from '../sla/sla.catalog.js';
import { SlaEngine } from '../sla/sla.engine.js';
import { deriveIncidents, type MinuteState } from '../sla/sla.scoring.js';
import { TIME_SERIES_STORE, type TimeSeriesStore } from '../storage/time-series.store.js';
import { HISTORY_STEP_MS, HistorySampler, downMinutes, gapPoints, historyRange, pastAlerts, serviceFleets, type HistoryRange, type PastFault } from './history.js';
import { fleetSpecs } from './simulation.service.js';

const CLAIM = 'seed:simulated-history';
const DONE = 'seed:simulated-history:done';
/** Rows per statement. */
const ROWS = 400;
const DAY_MS = 86_400_000;
/** Share of the progress each phase takes (the rollups are most of the work). */
const PHASES = { rollups: [0, 85], sla: [85, 97], alerts: [97, 100] } as const;
const MINUTE_MS = 60_000;

/** The event loop is given back this often while the model steps (the dashboard is served meanwhile). */
const SLICE_MS = 40;
const breathe = () => new Promise<void>((r) => setImmediate(r));

/**
 * The demo's history (issue 14): on the first start of ZHUYUN_SIMULATE=1 (unless
 * ZHUYUN_SIMULATE_HISTORY=0), fills the last full month and this month up to the start from the
 * same simulation the live fleet runs — hourly rollups, SLA minutes and incidents, node-down and
 * platform-down alerts — so the SLA, comparison, league and trend views show figures, with month
 * over month, at once. Runs once (a claim and a done mark in `claims`), in the background while the
 * server serves; live data takes over at the start (`to`): the rollups end at the hour before it,
 * the SLA minutes at the engine's watermark (the minutes after, up to `to`, go to the engine as
 * points), the fleet's first points come after. docs/SLA.md "The demo's history".
 */
@Injectable()
export class HistoryService implements BeforeApplicationShutdown {
  private state: HistoryFillStatus;
  private running?: Promise<void>;
  private stopping = false;
  private lastLogged = -10;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(DATABASE) private readonly db: Db,
    @Inject(TIME_SERIES_STORE) private readonly store: TimeSeriesStore,
    private readonly engine: SlaEngine,
  ) {
    this.state = config.simulateHistory ? { state: 'waiting', percent: 0 } : { state: 'off', percent: 0 };
  }

  status(): HistoryFillStatus {
    return { ...this.state };
  }

  /**
   * Starts the fill in the background for the range up to `now` (call it before the live fleet
   * starts). Resolves at once; `whenDone` waits for the fill.
   */
  begin(now: number): void {
    if (!this.config.simulateHistory || this.running) return;
    this.running = this.fill(historyRange(now)).catch((err) => {
      this.state = { ...this.state, state: 'failed', reason: err instanceof Error ? err.message : String(err) };
      this.log.error({ err }, 'simulated history: the fill failed');
    });
  }

  /** Resolves once a fill begun is over (done, skipped or failed). */
  async whenDone(): Promise<void> {
    await this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private progress(phase: keyof typeof PHASES, share: number): void {
    const [a, b] = PHASES[phase];
    const percent = Math.min(100, Math.floor(a + (b - a) * share));
    this.state = { ...this.state, state: 'running', phase, percent };
    if (percent >= this.lastLogged + 10) {
      this.lastLogged = percent - (percent % 10);
      this.log.info({ percent, phase }, `simulated history: ${percent} %`);
    }
  }

  private checkStop(): void {
    if (this.stopping) throw new Error('the server stopped during the fill: the history is partial (start on an empty data dir to fill it again)');
  }

  private async fill(range: HistoryRange): Promise<void> {
    const started = Date.now();
    this.state = { state: 'running', percent: 0, phase: 'rollups', from: range.from, to: range.to };
    const holder = this.config.cluster?.instance ?? 'single';
    const done = await this.db.selectFrom('claims').select(['key', 'at']).where('key', '=', DONE).executeTakeFirst();
    if (done) return this.skip(`filled at the first start (${new Date(Number(done.at)).toISOString()})`);
    // A database that already has SLA minutes from before this start ran without the fill (or a
    // fill was interrupted): writing a past now would lie over what it measured.
    const before = await this.db.selectFrom('sla_minutes').select('minute').where('minute', '<', range.to - 15 * MINUTE_MS).limit(1).executeTakeFirst();
    if (before) return this.skip('the database already holds SLA minutes from before this start');
    if (!(await claimOnce(this.db, CLAIM, holder, this.clock.now()))) return this.skip('another start or instance claimed the fill');
    this.log.info({ from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), fleet: this.config.simulateFleet }, 'simulated history: filling the last full month and this month');

    // 1. Each collector's model stepped from `from` to `to`: hourly rollups, faults.
    const specs = fleetSpecs(this.config.simulateFleet);
    const nodes: SimulatedNode[] = [];
    const faults: PastFault[] = [];
    const evidence = new Map<string, { metric: string; tags: import('@zhuyun/protocol').Tags }>();
    const weights = specs.map((s) => s.probe.nodes().length + 10);
    const total = weights.reduce((a, b) => a + b, 0);
    let doneWeight = 0;
    let rollupRows = 0;
    const steps = Math.ceil((range.to - range.from) / HISTORY_STEP_MS);
    const ctx = { signal: new AbortController().signal } as Omit<ProbeContext, 'now'>;
    for (const [i, spec] of specs.entries()) {
      const specNodes = spec.probe.nodes();
      nodes.push(...specNodes);
      const sampler = new HistorySampler(range, spec.nodes ?? specNodes);
      let slice = Date.now();
      let k = 0;
      for (let ts = range.from; ts < range.to; ts += HISTORY_STEP_MS, k++) {
        const points = await spec.probe.collect({ ...ctx, now: ts, collector: { id: spec.id, district: spec.district } } as ProbeContext);
        sampler.faults(spec.probe.activeFaults());
        sampler.add(points, ts);
        if (Date.now() - slice > SLICE_MS) {
          await breathe();
          this.checkStop();
          this.progress('rollups', (doneWeight + (weights[i] * k) / steps / 2) / total);
          slice = Date.now();
        }
      }
      faults.push(...sampler.pastFaults());
      for (const [key, v] of sampler.evidence()) evidence.set(key, v);
      const rollups = sampler.rollups();
      for (const r of rollups) rollupRows += r.buckets.length;
      if (this.store.writeRollups) {
        // Written a few series at a time so that the progress moves.
        for (let j = 0; j < rollups.length; j += 50) {
          await this.store.writeRollups(rollups.slice(j, j + 50));
          this.checkStop();
          this.progress('rollups', (doneWeight + weights[i] / 2 + (weights[i] * Math.min(1, (j + 50) / rollups.length)) / 2) / total);
        }
      }
      doneWeight += weights[i];
      this.progress('rollups', doneWeight / total);
    }
    if (!this.store.writeRollups) this.log.warn({ store: this.store.name }, 'simulated history: this time-series store takes no rollups without points: no trend history');

    const rollupsMs = Date.now() - started;
    // 2. SLA minutes: scored rows up to the engine's watermark, points for the minutes after it.
    const fleets = serviceFleets(nodes);
    const down = downMinutes(fleets, faults, range.from, range.to);
    const watermark = Math.min(range.to, this.engine.scoredUntil());
    // Same tick as reading the watermark: the engine scores these minutes from the points itself.
    const gap = gapPoints(evidence, fleets, faults, Math.max(range.from, watermark), range.to);
    this.engine.take(gap, this.clock.now());
    const until = Math.max(range.from, watermark);
    const scoredAt = this.clock.now();
    let written = 0;
    const days = Math.ceil((until - range.from) / DAY_MS);
    const reason = { UP: 'simulated history: all reporting nodes up', DOWN: 'simulated history: a fault took the service down' };
    let incidents = 0;
    for (const [si, service] of SLA_SERVICES.entries()) {
      // Every minute UP, a day per statement (the minutes made by the database), then the DOWN ones.
      for (let d = 0; d < days; d++) {
        const a = range.from + d * DAY_MS;
        const b = Math.min(until, a + DAY_MS);
        await sql`
          WITH RECURSIVE m(minute) AS (SELECT ${a} UNION ALL SELECT minute + ${MINUTE_MS} FROM m WHERE minute + ${MINUTE_MS} < ${b})
          INSERT INTO sla_minutes (service, minute, observed, state, reason, scored_at)
          SELECT ${service.id}, minute, 'UP', 'UP', ${reason.UP}, ${scoredAt} FROM m WHERE true
          ON CONFLICT (service, minute) DO UPDATE SET observed = excluded.observed, state = excluded.state, reason = excluded.reason, scored_at = excluded.scored_at`.execute(this.db);
        written += (b - a) / MINUTE_MS;
        this.checkStop();
        this.progress('sla', (si + (d + 1) / days) / SLA_SERVICES.length);
        await breathe();
      }
      const downList = (down.get(service.id) ?? []).filter((m) => m < until);
      for (let j = 0; j < downList.length; j += ROWS) {
        await this.db.updateTable('sla_minutes').set({ observed: 'DOWN', state: 'DOWN', reason: reason.DOWN }).where('service', '=', service.id).where('minute', 'in', downList.slice(j, j + ROWS)).execute();
      }
      // The incidents of these minutes, as the engine derives them (it reconciles the last ones with live minutes).
      const states: MinuteState[] = new Array((until - range.from) / MINUTE_MS).fill('UP');
      for (const m of downList) states[(m - range.from) / MINUTE_MS] = 'DOWN';
      const derived = deriveIncidents(states, range.from);
      for (let j = 0; j < derived.length; j += ROWS) {
        await this.db
          .insertInto('sla_incidents')
          .values(derived.slice(j, j + ROWS).map((i) => ({ id: randomUUID(), service: service.id, start_at: i.start, end_at: i.end, down_minutes: i.downMinutes, open: i.open ? 1 : 0, severity: i.severity, updated_at: scoredAt })))
          .execute();
      }
      incidents += derived.length;
    }
    this.engine.written(SLA_SERVICES.map((s) => s.id), range.from, until);

    const slaMs = Date.now() - started - rollupsMs;
    // 3. The alerts the default down rules raised and closed.
    const alerts = pastAlerts(faults, evidence, range.to);
    for (let j = 0; j < alerts.length; j += 200) {
      const part = alerts.slice(j, j + 200).map((a) => ({ ...a, id: randomUUID() }));
      await this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('alerts')
          .values(part.map((a) => ({
            id: a.id, rule_id: a.ruleId, series: a.series, metric: a.metric, district: a.tags.district, unit: a.tags.unit, node: a.tags.node,
            tags: JSON.stringify(a.tags), severity: 'P1', state: 'resolved', value: 1, active_at: a.activeAt, fired_at: a.firedAt, resolved_at: a.resolvedAt,
            updated_at: a.resolvedAt, acked_by: null, acked_at: null, ack_comment: null, escalated_at: null, suppressed: null,
            memo: JSON.stringify({ lastSampleAt: a.resolvedAt, lastBreachAt: a.resolvedAt - 60_000, escalationElapsedMs: 0, escalationClockAt: null, notified: true }),
          })))
          .execute();
        await trx
          .insertInto('alert_transitions')
          .values(part.flatMap((a) => [
            { id: randomUUID(), alert_id: a.id, rule_id: a.ruleId, kind: 'state', from_state: 'inactive', to_state: 'pending', at: a.activeAt, seq: 0, value: 0, note: null },
            { id: randomUUID(), alert_id: a.id, rule_id: a.ruleId, kind: 'state', from_state: 'pending', to_state: 'firing', at: a.firedAt, seq: 0, value: 0, note: null },
            { id: randomUUID(), alert_id: a.id, rule_id: a.ruleId, kind: 'state', from_state: 'firing', to_state: 'resolved', at: a.resolvedAt, seq: 0, value: 1, note: 'simulated history' },
          ]))
          .execute();
      });
      this.checkStop();
      this.progress('alerts', (j + 200) / alerts.length);
      await breathe();
    }

    await claimOnce(this.db, DONE, holder, this.clock.now());
    const tookMs = Date.now() - started;
    this.state = { state: 'done', percent: 100, from: range.from, to: range.to, tookMs };
    this.log.info(
      { tookMs, rollupsMs, slaMs, alertsMs: tookMs - rollupsMs - slaMs, rollupBuckets: rollupRows, slaMinutes: written, incidents, gapPoints: gap.length, downMinutes: [...down.values()].reduce((a, l) => a + l.length, 0), alerts: alerts.length, faults: faults.length },
      `simulated history: done in ${(tookMs / 1000).toFixed(1)} s`,
    );
  }

  private skip(reason: string): void {
    this.state = { ...this.state, state: 'skipped', percent: 100, reason };
    this.log.info({ reason }, 'simulated history: not filled');
  }
}
