import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { DistrictData, NodeState, OverviewData, Point, StatusChange } from '@zhuyun/protocol';
import { CLOCK, type Clock } from '../common/clock.js';
import { LiveState } from './live-state.js';
import type { TopologyLink } from './topology.js';

export type DirtyListener = (topics: Iterable<string>) => void;
export type PointsListener = (points: readonly Point[], now: number) => void;
export type ChangeListener = (change: StatusChange) => void;

/** How often staleness is re-evaluated without new data. */
const EVALUATE_EVERY_MS = 1_000;

/**
 * The live status of every node, unit and platform. Ingest feeds it accepted points; it re-checks
 * staleness every second; listeners (the live gateway) hear which topics may have changed.
 */
@Injectable()
export class StatusService implements OnModuleInit, OnModuleDestroy {
  private readonly listeners = new Set<DirtyListener>();
  private readonly pointListeners = new Set<PointsListener>();
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly state = new LiveState(
    (topics) => {
      for (const l of this.listeners) l(topics);
    },
    (change) => {
      for (const l of this.changeListeners) l(change);
    },
  );
  private timer?: NodeJS.Timeout;

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  onModuleInit() {
    this.timer = setInterval(() => this.state.tick(this.clock.now()), EVALUATE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy() {
    clearInterval(this.timer);
  }

  /** Registers a listener for topics that may have changed; returns its removal. */
  onDirty(listener: DirtyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Hears every batch of accepted (durably stored) points after the status took them: how the
   * alert engine and SLA scoring see data. A listener that throws does not stop the others.
   */
  onPoints(listener: PointsListener): () => void {
    this.pointListeners.add(listener);
    return () => this.pointListeners.delete(listener);
  }

  /** Hears every status change of a node, unit or platform (the change feed's entries). */
  onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  apply(points: readonly Point[]): void {
    const now = this.clock.now();
    this.state.apply(points, now);
    for (const l of this.pointListeners) {
      try {
        l(points, now);
      } catch {
        // Listeners log their own failures; ingest must not fail because of one.
      }
    }
  }

  /** Sets the configured topology (parents win over the points' `parent` tags). */
  setTopology(links: readonly TopologyLink[]): void {
    this.state.setTopology(links);
  }

  /** Every node the topology knows, configured or seen in data, with parent and status. */
  topology() {
    return this.state.topology();
  }

  /** Every node known to the live state (for engines that sweep all of them). */
  nodes(): NodeState[] {
    return this.state.allNodes();
  }

  overview(): OverviewData {
    return this.state.overview();
  }

  district(code: string): DistrictData {
    return this.state.district(code);
  }

  node(id: string): NodeState | null {
    return this.state.node(id);
  }
}
