import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock } from '../common/clock.js';
import type { MaintenanceCalendar, Scope } from '../common/domain-events.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import { DATABASE, type Db } from '../db/database.js';
import { StatusService } from '../status/status.service.js';
import { extranetService } from './sla.catalog.js';
import { maintenanceCovers, scheduleCovers, windowMatchesScope, type MaintenanceWindow, type WindowState } from './maintenance.calendar.js';
import type { SlaMaintenanceTable } from './sla.tables.js';
import { DecisionSchema, WindowInputSchema, parseInput } from './sla.schemas.js';

export type WindowChange = (w: MaintenanceWindow) => void;

function toWindow(r: SlaMaintenanceTable): MaintenanceWindow {
  return {
    id: r.id,
    title: r.title,
    services: JSON.parse(r.services),
    districts: JSON.parse(r.districts),
    schedule: JSON.parse(r.schedule),
    state: r.state as WindowState,
    requestedBy: r.requested_by,
    requestedAt: Number(r.requested_at),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at === null ? null : Number(r.decided_at),
    note: r.note,
  };
}

/**
 * Maintenance windows: requested, then approved or rejected; approved ones make their minutes
 * MAINT (from the time they were registered) and pause alert escalation. Also the
 * MaintenanceCalendar port other modules inject. Keeps every window in memory (they are few) so the
 * calendar answers synchronously.
 */
@Injectable()
export class MaintenanceService implements MaintenanceCalendar, OnModuleInit {
  private windows: MaintenanceWindow[] = [];
  private readonly listeners = new Set<WindowChange>();

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly status: StatusService,
  ) {}

  async onModuleInit() {
    await this.reload();
  }

  async reload(): Promise<void> {
    const rows = await this.db.selectFrom('sla_maintenance').selectAll().orderBy('requested_at').execute();
    this.windows = rows.map(toWindow);
  }

  /** Hears every approval, rejection, change or removal (the SLA re-applies MAINT to stored minutes). */
  onChange(listener: WindowChange): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Approved windows (for scoring). */
  approved(): MaintenanceWindow[] {
    return this.windows.filter((w) => w.state === 'approved');
  }

  list(): MaintenanceWindow[] {
    return [...this.windows];
  }

  get(id: string): MaintenanceWindow {
    const w = this.windows.find((x) => x.id === id);
    if (!w) throw new NotFoundError(`no maintenance window ${id}`);
    return w;
  }

  /** MaintenanceCalendar: an approved window covers the scope at `t`. */
  inMaintenance(scope: Scope, t: number): boolean {
    const serviceOfNode = (node: string) => {
      const n = this.status.node(node);
      if (!n) return undefined;
      return n.platform ?? extranetService(n.unit);
    };
    return this.approved().some((w) => w.requestedAt <= t && scheduleCovers(w.schedule, t) && windowMatchesScope(w, scope, serviceOfNode));
  }

  /** Whether the minute of `service` is MAINT by an approved window. */
  covers(service: string, minute: number): boolean {
    return maintenanceCovers(this.windows, service, minute);
  }

  /** A window requested by `actor` (the signed-in user). */
  async request(input: unknown, actor: string): Promise<MaintenanceWindow> {
    const v = parseInput(WindowInputSchema, input, 'maintenance window');
    const w: MaintenanceWindow = {
      id: randomUUID(),
      title: v.title,
      services: v.services,
      districts: v.districts,
      schedule: v.schedule,
      state: 'requested',
      requestedBy: actor,
      requestedAt: this.clock.now(),
      decidedBy: null,
      decidedAt: null,
      note: v.note ?? null,
    };
    await this.db.insertInto('sla_maintenance').values(this.row(w)).execute();
    this.windows.push(w);
    return w;
  }

  /** Replaces a window's content; an approved window goes back to `requested` (it must be approved again). */
  async update(id: string, input: unknown): Promise<MaintenanceWindow> {
    const old = this.get(id);
    const v = parseInput(WindowInputSchema, input, 'maintenance window');
    const w: MaintenanceWindow = { ...old, title: v.title, services: v.services, districts: v.districts, schedule: v.schedule, note: v.note ?? old.note, state: 'requested', decidedAt: null, decidedBy: null };
    await this.db.updateTable('sla_maintenance').set(this.row(w)).where('id', '=', id).execute();
    this.replace(w);
    if (old.state === 'approved') this.emit(old);
    return w;
  }

  async decide(id: string, decision: 'approved' | 'rejected', input: unknown, actor: string): Promise<MaintenanceWindow> {
    const old = this.get(id);
    const d = parseInput(DecisionSchema, input ?? {}, 'decision');
    if (old.state !== 'requested') throw new ConflictError(`maintenance window ${id} is ${old.state}, not requested`);
    const w: MaintenanceWindow = { ...old, state: decision, decidedBy: actor, decidedAt: this.clock.now(), note: d.note ?? old.note };
    await this.db.updateTable('sla_maintenance').set({ state: w.state, decided_by: w.decidedBy, decided_at: w.decidedAt, note: w.note }).where('id', '=', id).execute();
    this.replace(w);
    if (decision === 'approved') this.emit(w);
    return w;
  }

  /**
   * Withdraws a window still `requested` (the requester's or ops' call): state `cancelled`, kept for
   * the record with who and when. A decided window cannot be cancelled (409): ops delete or edit it.
   */
  async cancel(id: string, actor: string): Promise<MaintenanceWindow> {
    const old = this.get(id);
    if (old.state !== 'requested') throw new ConflictError(`maintenance window ${id} is ${old.state}; only a requested window can be cancelled`);
    const w: MaintenanceWindow = { ...old, state: 'cancelled', decidedBy: actor, decidedAt: this.clock.now() };
    await this.db.updateTable('sla_maintenance').set({ state: w.state, decided_by: w.decidedBy, decided_at: w.decidedAt }).where('id', '=', id).execute();
    this.replace(w);
    return w;
  }

  async remove(id: string): Promise<void> {
    const old = this.get(id);
    await this.db.deleteFrom('sla_maintenance').where('id', '=', id).execute();
    this.windows = this.windows.filter((w) => w.id !== id);
    if (old.state === 'approved') this.emit(old);
  }

  private replace(w: MaintenanceWindow) {
    this.windows = this.windows.map((x) => (x.id === w.id ? w : x));
  }

  private emit(w: MaintenanceWindow) {
    for (const l of this.listeners) l(w);
  }

  private row(w: MaintenanceWindow): SlaMaintenanceTable {
    return {
      id: w.id,
      title: w.title,
      services: JSON.stringify(w.services),
      districts: JSON.stringify(w.districts),
      schedule: JSON.stringify(w.schedule),
      state: w.state,
      requested_by: w.requestedBy,
      requested_at: w.requestedAt,
      decided_by: w.decidedBy,
      decided_at: w.decidedAt,
      note: w.note,
    };
  }
}
