import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { DistrictData, NodeState, OverviewData, Point } from '@zhuyun/protocol';
import { CLOCK, type Clock } from '../common/clock.js';
import { LiveState } from './live-state.js';

export type DirtyListener = (topics: Iterable<string>) => void;

/** How often staleness is re-evaluated without new data. */
const EVALUATE_EVERY_MS = 1_000;

/**
 * The live status of every node, unit and platform. Ingest feeds it accepted points; it re-checks
 * staleness every second; listeners (the live gateway) hear which topics may have changed.
 */
@Injectable()
export class StatusService implements OnModuleInit, OnModuleDestroy {
  private readonly listeners = new Set<DirtyListener>();
  private readonly state = new LiveState((topics) => {
    for (const l of this.listeners) l(topics);
  });
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

  apply(points: readonly Point[]): void {
    this.state.apply(points, this.clock.now());
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
