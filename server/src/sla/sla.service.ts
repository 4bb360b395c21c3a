import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { UNITS, addMonths, findUnit, monthRange as beijingMonth } from '@zhuyun/protocol';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../common/clock.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import { LiveBus } from '../common/live-bus.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { CONFIG, type AppConfig } from '../config/config.js';
import { claimOnce } from '../db/claims.js';
import { DATABASE, type Db } from '../db/database.js';
import { ALERT_NODE_ACK, SlaEngine, type Reclassification } from './sla.engine.js';
import { scheduleSpan, windowScopesService, type MaintenanceWindow } from './maintenance.calendar.js';
import { MaintenanceService } from './maintenance.service.js';
import { SLA_SERVICES, findService, type SlaServiceDef } from './sla.catalog.js';
import { AckSchema, ContractInputSchema, ContractPatchSchema, DaysQuerySchema, IncidentQuerySchema, MonthQuerySchema, RangeQuerySchema, parseInput } from './sla.schemas.js';
import {
  MINUTE_STATES,
  SEVERITIES,
  ackCredits,
  applyMinOutage,
  countedPeriod,
  dayFigures,
  errorBudget,
  inHoursMinutes,
  inServiceHours,
  periodFigures,
  severityOfCause,
  type ErrorBudget,
  type MinuteState,
  type PeriodFigures,
  type ServiceHours,
  type Severity,
} from './sla.scoring.js';
import type { SlaContractTable, SlaIncidentTable } from './sla.tables.js';
import { DAY_MS, MINUTE_MS, floorMinute, localParts, monthOf, monthRange } from './sla.time.js';

export interface Contract {
  id: string;
  operator: string;
  name: string;
  services: string[];
  targetPct: number;
  hours: ServiceHours;
  minOutageMinutes: number;
  /** Minutes before this are outside the contract. */
  effectiveFrom: number;
  createdAt: number;
  updatedAt: number;
}

export interface Incident {
  id: string;
  service: string;
  start: number;
  /** End of the last DOWN minute (so far, while open). */
  end: number;
  durationMinutes: number;
  downMinutes: number;
  open: boolean;
  severity: Severity;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  /** Why its first minute was DOWN (e.g. `aggregation node down: 520121-core-1`): its scope. */
  cause: string;
  /** Time to acknowledge, ms (from the first DOWN minute); null until acknowledged. */
  ttaMs: number | null;
  /** Time to repair, ms (first DOWN minute → end of the last); null while open. */
  ttrMs: number | null;
}

export interface ServiceMonth {
  service: string;
  zh: string;
  en: string;
  figures: PeriodFigures;
  targetPct: number;
  /** availability ≥ target; null when nothing was measured. */
  met: boolean | null;
  budget: ErrorBudget;
  incidents: Array<Incident & { counted: boolean }>;
}

export interface ContractMonth {
  contract: Contract;
  month: string;
  /** The counted period: `[from, to)` (month ∩ contract ∩ minutes already final), always inside the month. */
  from: number;
  to: number;
  /** `none`: no minute of the month is under the contract (合同未生效); `partial`: it takes effect in the month. */
  effective: 'none' | 'partial' | 'full';
  /** Minute sums over every service (never an average of percentages). */
  total: PeriodFigures;
  met: boolean | null;
  services: ServiceMonth[];
  reclassifications: Reclassification[];
  /** Approved maintenance windows touching the contract's services in the month. */
  windows: MaintenanceWindow[];
  /** How long after its end a minute waited for points before NO_DATA (ZHUYUN_SLA_GRACE), printed in the method. */
  graceMinutes: number;
  generatedAt: number;
}

/** For the district comparison: one unit's extranet in one month (24x7, every DOWN minute counts). */
export interface UnitSlaMonth {
  unit: string;
  service: string;
  month: string;
  availabilityPct: number | null;
  up: number;
  down: number;
  maint: number;
  noData: number;
  shortOfEvidence: boolean;
  incidents: Record<Severity, number>;
  /** Mean time to repair of the closed incidents that started in the month, minutes; null when none. */
  mttrMinutes: number | null;
}

export interface SlaLiveData {
  month: string;
  ts: number;
  scoredUntil: number;
  services: Array<{ id: string; zh: string; en: string; availabilityPct: number | null; up: number; down: number; maint: number; noData: number; shortOfEvidence: boolean }>;
  openIncidents: Incident[];
}

const ACK_LOOKBACK_MS = 5 * MINUTE_MS;
/** Changes (finalisation each minute, late data while a spool replays) are pushed at most this often. */
const LIVE_REFRESH_MS = 2_000;
const DEMO_OPERATOR = '中国电信贵阳分公司';

function toContract(r: SlaContractTable): Contract {
  return {
    id: r.id,
    operator: r.operator,
    name: r.name,
    services: JSON.parse(r.services),
    targetPct: Number(r.target_pct),
    hours: JSON.parse(r.hours),
    minOutageMinutes: Number(r.min_outage_minutes),
    effectiveFrom: Number(r.effective_from),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/**
 * SLA read side and contracts: contract CRUD, monthly figures per contract and service, per-day
 * availability, minutes, incidents with time to acknowledge and repair, the `sla` live topic, and
 * the per-unit monthly figures for the district comparison.
 */
@Injectable()
export class SlaService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private live: SlaLiveData;
  /**
   * Minute counts per `service|dayStart` of whole days already final, so the live refresh reads only
   * the days that changed (a month-long GROUP BY blocks SQLite for about a second).
   */
  private readonly dayCounts = new Map<string, Record<MinuteState, number>>();
  private refreshTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly engine: SlaEngine,
    private readonly bus: LiveBus,
    private readonly maintenance: MaintenanceService,
  ) {
    const now = clock.now();
    this.live = { month: monthOf(now), ts: now, scoredUntil: 0, services: [], openIncidents: [] };
  }

  onModuleInit() {
    this.bus.serve('sla', () => this.live);
    // Recomputed when minutes were finalised or re-scored, at most every LIVE_REFRESH_MS.
    this.unsubscribe = this.engine.onChange((change) => {
      for (const [service, range] of change) if (range) this.forgetDays(service, range.from, range.to);
      if (this.refreshTimer) return;
      this.refreshTimer = setTimeout(() => {
        this.refreshTimer = undefined;
        void this.refreshLive().catch((err) => this.log.error({ err }, 'sla: live refresh failed'));
      }, LIVE_REFRESH_MS);
      this.refreshTimer.unref();
    });
  }

  async onApplicationBootstrap() {
    await this.refreshLive().catch((err) => this.log.error({ err }, 'sla: live refresh failed'));
    if (this.config.simulate) await this.seedDemoContract();
  }

  onModuleDestroy() {
    clearTimeout(this.refreshTimer);
    this.unsubscribe?.();
  }

  services(): Array<SlaServiceDef & { unitKind?: 'district' | 'zone' }> {
    return SLA_SERVICES.map((s) => ({ ...s, ...(s.unit ? { unitKind: findUnit(s.unit)!.kind } : {}) }));
  }

  // ------------------------------------------------------------------------------ contracts

  async listContracts(): Promise<Contract[]> {
    return (await this.db.selectFrom('sla_contracts').selectAll().orderBy('created_at').execute()).map(toContract);
  }

  async getContract(id: string): Promise<Contract> {
    const r = await this.db.selectFrom('sla_contracts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new NotFoundError(`no SLA contract ${id}`);
    return toContract(r);
  }

  async createContract(input: unknown): Promise<Contract> {
    const v = parseInput(ContractInputSchema, input, 'contract');
    const now = this.clock.now();
    const c: Contract = {
      id: randomUUID(),
      operator: v.operator,
      name: v.name ?? `${v.operator} 运维服务合同`,
      services: v.services,
      targetPct: v.targetPct,
      hours: v.hours,
      minOutageMinutes: v.minOutageMinutes,
      effectiveFrom: floorMinute(v.effectiveFrom ?? now),
      createdAt: now,
      updatedAt: now,
    };
    await this.db.insertInto('sla_contracts').values(this.row(c)).execute();
    return c;
  }

  async updateContract(id: string, input: unknown): Promise<Contract> {
    const old = await this.getContract(id);
    const v = parseInput(ContractPatchSchema, input, 'contract');
    const c: Contract = {
      ...old,
      ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)),
      effectiveFrom: v.effectiveFrom !== undefined ? floorMinute(v.effectiveFrom) : old.effectiveFrom,
      updatedAt: this.clock.now(),
    } as Contract;
    await this.db.updateTable('sla_contracts').set(this.row(c)).where('id', '=', id).execute();
    return c;
  }

  async deleteContract(id: string): Promise<void> {
    const r = await this.db.deleteFrom('sla_contracts').where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new NotFoundError(`no SLA contract ${id}`);
  }

  private row(c: Contract): SlaContractTable {
    return {
      id: c.id,
      operator: c.operator,
      name: c.name,
      services: JSON.stringify(c.services),
      target_pct: c.targetPct,
      hours: JSON.stringify(c.hours),
      min_outage_minutes: c.minOutageMinutes,
      effective_from: c.effectiveFrom,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
    };
  }

  /** With ZHUYUN_SIMULATE=1: one demo contract (all extranet services at 99.9 %) when there is none. */
  async seedDemoContract(): Promise<void> {
    const any = await this.db.selectFrom('sla_contracts').select('id').limit(1).executeTakeFirst();
    if (any) return;
    // Several instances starting together: one creates it.
    if (!(await claimOnce(this.db, 'seed:sla-demo-contract', this.config.cluster?.instance ?? 'single', this.clock.now()))) return;
    await this.createContract({
      operator: DEMO_OPERATOR,
      name: '贵阳市电子政务外网运维服务合同（演示）',
      services: SLA_SERVICES.filter((s) => s.kind === 'extranet').map((s) => s.id),
      targetPct: 99.9,
      hours: { kind: '24x7' },
      minOutageMinutes: 1,
      // With the simulated history (ZHUYUN_SIMULATE_HISTORY) the contract covers the months it fills:
      // from the start of the last full month (simulation/history.ts historyRange).
      ...(this.config.simulateHistory && { effectiveFrom: beijingMonth(addMonths(monthOf(this.clock.now()), -1)).from }),
    });
    this.log.info({ operator: DEMO_OPERATOR }, 'sla: demo contract created');
  }

  // ------------------------------------------------------------------------------ minutes

  private async storedMinutes(service: string, from: number, to: number): Promise<Array<{ minute: number; state: MinuteState; observed: string; reason: string }>> {
    const rows = await this.db.selectFrom('sla_minutes').select(['minute', 'state', 'observed', 'reason']).where('service', '=', service).where('minute', '>=', from).where('minute', '<', to).orderBy('minute').execute();
    return rows.map((r) => ({ minute: Number(r.minute), state: r.state as MinuteState, observed: r.observed, reason: r.reason }));
  }

  /**
   * The state of every minute of `[from, to)` (NO_DATA where no row). Reading a month as rows costs
   * ~0.2 s per service on SQLite, so where every minute has a row (the usual case) only the rows
   * that are not UP are read and the rest is UP; a range with gaps is halved until its parts are
   * complete, empty, or a day long (read whole).
   */
  async statesOf(service: string, from: number, to: number): Promise<MinuteState[]> {
    if (to <= from) return [];
    const out: MinuteState[] = new Array((to - from) / MINUTE_MS).fill('NO_DATA');
    const fill = async (a: number, b: number): Promise<void> => {
      const n = (b - a) / MINUTE_MS;
      const count = await this.db.selectFrom('sla_minutes').select((eb) => eb.fn.countAll().as('n')).where('service', '=', service).where('minute', '>=', a).where('minute', '<', b).executeTakeFirst();
      const have = Number(count?.n ?? 0);
      if (have === 0) return;
      const complete = have === n;
      if (!complete && n > 1440) {
        const mid = a + Math.floor(n / 2) * MINUTE_MS;
        await fill(a, mid);
        await fill(mid, b);
        return;
      }
      let q = this.db.selectFrom('sla_minutes').select(['minute', 'state']).where('service', '=', service).where('minute', '>=', a).where('minute', '<', b);
      if (complete) {
        out.fill('UP', (a - from) / MINUTE_MS, (b - from) / MINUTE_MS);
        q = q.where('state', '<>', 'UP');
      }
      for (const r of await q.execute()) out[(Number(r.minute) - from) / MINUTE_MS] = r.state as MinuteState;
    };
    await fill(from, to);
    return out;
  }

  private requireService(id: string): SlaServiceDef {
    const s = findService(id);
    if (!s) throw new NotFoundError(`no SLA service ${id} (see GET /api/v1/sla/services)`);
    return s;
  }

  /**
   * The final minutes of a service in `[from, to)`: run-length `runs` always, and each `minutes`
   * entry when the range is at most a day. Minutes with no row are NO_DATA.
   */
  async minutes(serviceId: string, query: unknown) {
    this.requireService(serviceId);
    const q = parseInput(RangeQuerySchema, query, 'query');
    const from = floorMinute(q.from);
    const to = Math.min(Math.ceil(q.to / MINUTE_MS) * MINUTE_MS, this.engine.scoredUntil());
    const stored = to > from ? await this.storedMinutes(serviceId, from, to) : [];
    const byMinute = new Map(stored.map((r) => [r.minute, r]));
    const list = [];
    for (let m = from; m < to; m += MINUTE_MS) list.push(byMinute.get(m) ?? { minute: m, state: 'NO_DATA' as MinuteState, observed: 'NO_DATA', reason: 'no point arrived for this minute' });
    const runs: Array<{ from: number; to: number; state: MinuteState; observed: string }> = [];
    for (const m of list) {
      const last = runs[runs.length - 1];
      if (last && last.state === m.state && last.observed === m.observed && last.to === m.minute) last.to = m.minute + MINUTE_MS;
      else runs.push({ from: m.minute, to: m.minute + MINUTE_MS, state: m.state, observed: m.observed });
    }
    return { service: serviceId, from, to: Math.max(from, to), scoredUntil: this.engine.scoredUntil(), runs, ...(list.length <= 1440 ? { minutes: list } : {}) };
  }

  /**
   * Per-day figures of a service in a month (Asia/Shanghai days). Without a contract: 24x7, every
   * DOWN minute counts, each day from its midnight. With `contract` (its service): under its terms,
   * from its effective date — the days before are `notEffective` — read with the same minutes and
   * the same count as the contract's month figure (`contractStates`, sla.scoring dayFigures), so
   * the days add up to it. Access to the contract is checked by the caller.
   */
  async days(serviceId: string, query: unknown) {
    this.requireService(serviceId);
    const q = parseInput(DaysQuerySchema, query, 'query');
    const month = q.month ?? monthOf(this.clock.now());
    const range = monthRange(month);
    const contract = q.contract ? await this.getContract(q.contract) : null;
    if (contract && !contract.services.includes(serviceId)) throw new NotFoundError(`service ${serviceId} is not in contract ${contract.id}`);
    const effectiveFrom = contract?.effectiveFrom ?? Number.NEGATIVE_INFINITY;
    const terms = contract ? { minOutageMinutes: contract.minOutageMinutes, hours: contract.hours } : { minOutageMinutes: 1, hours: { kind: '24x7' as const } };
    const period = countedPeriod(range, effectiveFrom, this.engine.scoredUntil());
    const { states, loadFrom } = await this.contractStates(serviceId, terms.minOutageMinutes, period);
    const days = dayFigures(states, loadFrom, terms, range, period, effectiveFrom);
    return { service: serviceId, month, ...(contract ? { contract: contract.id, effectiveFrom: contract.effectiveFrom } : {}), scoredUntil: this.engine.scoredUntil(), days };
  }

  /**
   * The minutes a month's figures of a service are counted from: the counted period padded by N
   * minutes each side (runs crossing its edges keep their full length for the N-minute rule).
   * One read for the contract's month figure and for its days.
   */
  private async contractStates(serviceId: string, minOutageMinutes: number, period: { from: number; to: number }): Promise<{ states: MinuteState[]; loadFrom: number }> {
    const pad = minOutageMinutes * MINUTE_MS;
    const loadFrom = period.from - pad;
    const loadTo = Math.min(period.to + pad, this.engine.scoredUntil());
    return { states: await this.statesOf(serviceId, loadFrom, Math.max(loadFrom, loadTo)), loadFrom };
  }

  // ------------------------------------------------------------------------------ incidents

  private async withAcks(rows: SlaIncidentTable[]): Promise<Incident[]> {
    if (!rows.length) return [];
    const services = [...new Set(rows.map((r) => r.service))];
    const earliest = Math.min(...rows.map((r) => Number(r.start_at))) - ACK_LOOKBACK_MS;
    const acks = await this.db.selectFrom('sla_acks').selectAll().where('service', 'in', services).where('at', '>=', earliest).orderBy('at').execute();
    const causes = new Map<string, string>();
    for (let i = 0; i < rows.length; i += 200) {
      const part = rows.slice(i, i + 200);
      const found = await this.db
        .selectFrom('sla_minutes')
        .select(['service', 'minute', 'reason'])
        .where('service', 'in', [...new Set(part.map((r) => r.service))])
        .where('minute', 'in', [...new Set(part.map((r) => Number(r.start_at)))])
        .execute();
      for (const f of found) causes.set(`${f.service}|${Number(f.minute)}`, f.reason);
    }
    return rows.map((r) => {
      const start = Number(r.start_at);
      const end = Number(r.end_at);
      const open = Number(r.open) === 1;
      const cause = causes.get(`${r.service}|${start}`) ?? '';
      // Only the acknowledgement of one of its own alerts: the unit's or service's, or its cause node's.
      const ackNode = (a: { source: string }) => (a.source.startsWith(ALERT_NODE_ACK) ? a.source.slice(ALERT_NODE_ACK.length) : null);
      const ack = acks.find((a) =>
        a.incident_id === r.id ||
        (a.incident_id === null && a.service === r.service && Number(a.at) >= start - ACK_LOOKBACK_MS && (open || Number(a.at) <= end) && ackCredits(ackNode(a), cause)),
      );
      const ackAt = ack ? Number(ack.at) : null;
      return {
        id: r.id,
        service: r.service,
        start,
        end,
        durationMinutes: (end - start) / MINUTE_MS,
        downMinutes: Number(r.down_minutes),
        open,
        // From the cause, so incidents stored under the former length rule read the same way.
        severity: cause ? severityOfCause(cause) : (r.severity as Severity),
        cause,
        acknowledgedAt: ackAt,
        acknowledgedBy: ack?.by ?? null,
        ttaMs: ackAt === null ? null : Math.max(0, ackAt - start),
        ttrMs: open ? null : end - start,
      };
    });
  }

  /** Incidents overlapping `[from, to)`, optionally of some services only, oldest first. */
  async incidentsIn(from: number, to: number, services?: readonly string[]): Promise<Incident[]> {
    let q = this.db.selectFrom('sla_incidents').selectAll().where('start_at', '<', to).where('end_at', '>', from);
    if (services) {
      if (!services.length) return [];
      q = q.where('service', 'in', [...services]);
    }
    return this.withAcks(await q.orderBy('start_at').execute());
  }

  async incidents(query: unknown): Promise<Incident[]> {
    const q = parseInput(IncidentQuerySchema, query, 'query');
    const { start, end } = monthRange(q.month ?? monthOf(this.clock.now()));
    const list = await this.incidentsIn(start, end, q.service ? [q.service] : undefined);
    return q.open === undefined ? list : list.filter((i) => i.open === (q.open === 'true'));
  }

  async incident(id: string): Promise<Incident> {
    const r = await this.db.selectFrom('sla_incidents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new NotFoundError(`no SLA incident ${id}`);
    return (await this.withAcks([r]))[0];
  }

  /** Acknowledges an incident through the SLA API (now, by `by`, the signed-in user). 409 when it already is. */
  async acknowledge(id: string, body: unknown, by: string): Promise<Incident> {
    parseInput(AckSchema, body ?? {}, 'acknowledgement');
    const i = await this.incident(id);
    if (i.acknowledgedAt !== null) throw new ConflictError(`incident ${id} was acknowledged at ${new Date(i.acknowledgedAt).toISOString()} by ${i.acknowledgedBy}`);
    await this.engine.recordIncidentAck(id, i.service, this.clock.now(), by);
    return this.incident(id);
  }

  // ------------------------------------------------------------------------------ monthly figures

  /** The month's figures of a contract: per service and summed, with incidents and reclassifications. */
  async contractMonth(id: string, query: unknown): Promise<ContractMonth> {
    const contract = await this.getContract(id);
    const month = parseInput(MonthQuerySchema, query, 'query').month ?? monthOf(this.clock.now());
    const { start, end } = monthRange(month);
    // Always inside the month; empty (合同未生效) when the contract took effect after it.
    const period = countedPeriod({ start, end }, contract.effectiveFrom, this.engine.scoredUntil());
    const { from, to } = period;
    const terms = { minOutageMinutes: contract.minOutageMinutes, hours: contract.hours };
    const monthInHours = inHoursMinutes(Math.min(end, Math.max(start, contract.effectiveFrom)), end, contract.hours);
    const effectiveNever = contract.effectiveFrom >= end;
    const allIncidents = await this.incidentsIn(from, to, contract.services);
    const services: ServiceMonth[] = [];
    for (const sid of contract.services) {
      const def = findService(sid)!;
      const { states, loadFrom } = await this.contractStates(sid, contract.minOutageMinutes, period);
      const figures = periodFigures(states, loadFrom, terms, period);
      const counted = applyMinOutage(states, contract.minOutageMinutes).states;
      const incidents = allIncidents
        .filter((i) => i.service === sid)
        .map((i) => {
          let isCounted = false;
          for (let t = Math.max(i.start, from); t < Math.min(i.end, to); t += MINUTE_MS) {
            const idx = (t - loadFrom) / MINUTE_MS;
            if (counted[idx] === 'DOWN' && inServiceHours(t, contract.hours)) {
              isCounted = true;
              break;
            }
          }
          return { ...i, counted: isCounted };
        });
      services.push({
        service: sid,
        zh: def.zh,
        en: def.en,
        figures,
        targetPct: contract.targetPct,
        met: figures.availabilityPct === null ? null : figures.availabilityPct >= contract.targetPct,
        // No budget in a month the contract never covered (not "100 % left").
        budget: effectiveNever ? { totalMinutes: 0, usedMinutes: 0, leftMinutes: 0, leftPct: null } : errorBudget(contract.targetPct, monthInHours, figures.maint, figures.down),
        incidents,
      });
    }
    const sum = (k: 'minutes' | 'up' | 'down' | 'maint' | 'noData' | 'forgiven' | 'rawDown') => services.reduce((a, s) => a + s.figures[k], 0);
    const t = { minutes: sum('minutes'), up: sum('up'), down: sum('down'), maint: sum('maint'), noData: sum('noData'), forgiven: sum('forgiven'), rawDown: sum('rawDown') };
    const noDataPct = t.minutes ? (t.noData / t.minutes) * 100 : 0;
    const total: PeriodFigures = { ...t, availabilityPct: t.up + t.down ? (t.up / (t.up + t.down)) * 100 : null, noDataPct, shortOfEvidence: noDataPct > 0.5 };
    const metList = services.map((s) => s.met).filter((m) => m !== null);
    return {
      contract,
      month,
      from,
      to,
      effective: period.effective,
      total,
      met: metList.length ? metList.every(Boolean) : null,
      services,
      reclassifications: this.engine.allReclassifications().filter((r) => contract.services.includes(r.service) && r.from < end && r.to > start),
      windows: this.maintenance.approved().filter((w) => {
        const span = scheduleSpan(w.schedule);
        return span.from < end && span.to > start && contract.services.some((s) => windowScopesService(w, s));
      }),
      graceMinutes: this.engine.graceMinutes(),
      generatedAt: this.clock.now(),
    };
  }

  /**
   * For the district comparison: each unit's extranet in a month — availability (24x7, every DOWN
   * minute counts, MAINT and NO_DATA out of the denominator), minutes, incidents that started in the
   * month by severity, and mean time to repair of the closed ones. `units` defaults to all 14.
   */
  async unitMonths(month: string, units: readonly string[] = UNITS.map((u) => u.code)): Promise<UnitSlaMonth[]> {
    const { start, end } = monthRange(month);
    const until = Math.max(start, Math.min(end, this.engine.scoredUntil()));
    const services = units.map((u) => `extranet:${u}`);
    const incidents = (await this.incidentsIn(start, end, services)).filter((i) => i.start >= start);
    const out: UnitSlaMonth[] = [];
    for (const unit of units) {
      const service = `extranet:${unit}`;
      const f = periodFigures(await this.statesOf(service, start, until), start, { minOutageMinutes: 1, hours: { kind: '24x7' } });
      const mine = incidents.filter((i) => i.service === service);
      const closed = mine.filter((i) => i.ttrMs !== null);
      out.push({
        unit,
        service,
        month,
        availabilityPct: f.availabilityPct,
        up: f.up,
        down: f.down,
        maint: f.maint,
        noData: f.noData,
        shortOfEvidence: f.shortOfEvidence,
        incidents: Object.fromEntries(SEVERITIES.map((s) => [s, mine.filter((i) => i.severity === s).length])) as Record<Severity, number>,
        mttrMinutes: closed.length ? closed.reduce((a, i) => a + i.ttrMs!, 0) / closed.length / MINUTE_MS : null,
      });
    }
    return out;
  }

  // ------------------------------------------------------------------------------ live

  private forgetDays(service: string, from: number, to: number) {
    for (let d = localParts(from).dayStart; d < to; d += DAY_MS) this.dayCounts.delete(`${service}|${d}`);
  }

  /** Stored minute counts per service and state over `[from, to)`, by whole days (cached) and the rest. */
  private async monthCounts(start: number, until: number): Promise<Map<string, Record<MinuteState, number>>> {
    const zero = () => ({ UP: 0, DOWN: 0, MAINT: 0, NO_DATA: 0 }) as Record<MinuteState, number>;
    const total = new Map(SLA_SERVICES.map((s) => [s.id, zero()]));
    for (let d = start; d < until; d += DAY_MS) {
      const dayEnd = Math.min(d + DAY_MS, until);
      const whole = dayEnd === d + DAY_MS;
      if (!whole || SLA_SERVICES.some((s) => !this.dayCounts.has(`${s.id}|${d}`))) {
        const rows = await this.db
          .selectFrom('sla_minutes')
          .select((eb) => ['service', 'state', eb.fn.countAll().as('n')])
          .where('minute', '>=', d)
          .where('minute', '<', dayEnd)
          .groupBy(['service', 'state'])
          .execute();
        const day = new Map(SLA_SERVICES.map((s) => [s.id, zero()]));
        for (const r of rows) {
          const c = day.get(r.service);
          if (c) c[r.state as MinuteState] = Number(r.n);
        }
        for (const [service, c] of day) {
          if (whole) this.dayCounts.set(`${service}|${d}`, c);
          for (const k of MINUTE_STATES) total.get(service)![k] += c[k];
        }
      } else {
        for (const s of SLA_SERVICES) {
          const c = this.dayCounts.get(`${s.id}|${d}`)!;
          for (const k of MINUTE_STATES) total.get(s.id)![k] += c[k];
        }
      }
    }
    return total;
  }

  /** This month's figures per service (24x7, N = 1) and the open incidents, for the `sla` topic. */
  async refreshLive(): Promise<void> {
    const now = this.clock.now();
    const month = monthOf(now);
    const { start } = monthRange(month);
    const until = Math.max(start, this.engine.scoredUntil());
    const counts = await this.monthCounts(start, until);
    const elapsed = (until - start) / MINUTE_MS;
    const services = SLA_SERVICES.map((s) => {
      const c = counts.get(s.id)!;
      const noData = elapsed - c.UP - c.DOWN - c.MAINT;
      const measured = c.UP + c.DOWN;
      return {
        id: s.id,
        zh: s.zh,
        en: s.en,
        availabilityPct: measured ? (c.UP / measured) * 100 : null,
        up: c.UP,
        down: c.DOWN,
        maint: c.MAINT,
        noData,
        shortOfEvidence: elapsed > 0 && (noData / elapsed) * 100 > 0.5,
      };
    });
    const openRows = await this.db.selectFrom('sla_incidents').selectAll().where('open', '=', 1).orderBy('start_at').execute();
    this.live = { month, ts: now, scoredUntil: this.engine.scoredUntil(), services, openIncidents: await this.withAcks(openRows) };
    this.bus.markDirty('sla');
  }

  liveData(): SlaLiveData {
    return this.live;
  }
}
