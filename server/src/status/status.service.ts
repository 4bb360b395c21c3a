import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { DistrictData, NodeState, OverviewData, Point, StatusChange } from '@zhuyun/protocol';
import { CLOCK, type Clock } from '../common/clock.js';
import { CONFIG, DEFAULT_NODE_FORGET_AFTER_MS, DEFAULT_NODE_STALE_AFTER_MS, type AppConfig } from '../config/config.js';
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
  private readonly state: LiveState;
  private timer?: NodeJS.Timeout;

  /** Nodes silent longer than this are forgotten (ZHUYUN_NODE_FORGET_AFTER). */
  private readonly forgetAfterMs: number;

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(CONFIG) config?: AppConfig,
  ) {
    this.forgetAfterMs = config?.nodeForgetAfterMs ?? DEFAULT_NODE_FORGET_AFTER_MS;
    this.state = new LiveState(
      (topics) => {
        for (const l of this.listeners) l(topics);
      },
      (change) => {
        for (const l of this.changeListeners) l(change);
      },
      config?.nodeStaleAfterMs ?? DEFAULT_NODE_STALE_AFTER_MS,
    );
  }

  onModuleInit() {
    this.timer = setInterval(() => {
      const now = this.clock.now();
      this.state.forgetSilent(now, this.forgetAfterMs);
      this.state.tick(now);
    }, EVALUATE_EVERY_MS);
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

  /** `collector`: who sent them, for the cardinality census (undefined: another instance's points). */
  apply(points: readonly Point[], collector?: string): void {
    const now = this.clock.now();
    this.state.apply(points, now, collector);
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

  /** What the cardinality limits count (ingest/cardinality.guard.ts): nodes known per unit and per collector. */
  readonly census = {
    hasNode: (unit: string, node: string) => this.state.hasNode(unit, node),
    nodesInUnit: (unit: string) => this.state.nodesInUnit(unit),
    nodesOfCollector: (collector: string) => this.state.nodesOfCollector(collector),
  };

  /** Nodes known in all (for /metrics). */
  nodeCount(): number {
    return this.state.nodeCount();
  }

  /** Nodes known here only through this collector's points (what revoking it leaves unreported). */
  nodesOnlyOf(collector: string): string[] {
    return this.state.nodesOnlyOf(collector);
  }

  /** The registry's name of a node, when it has one. */
  nodeName(id: string): string | undefined {
    return this.state.nameOf(id);
  }

  /** The registry's names (id → name), carried by the live frames' nodes. */
  setNodeNames(names: ReadonlyMap<string, string>): void {
    this.state.setNames(names);
  }

  /** Drops these nodes from the live state now (retired or refused: docs/NODES.md). */
  forgetNodes(ids: readonly string[]): void {
    this.state.forgetNodes(ids, this.clock.now());
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
