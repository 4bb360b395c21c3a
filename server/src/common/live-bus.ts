import { Injectable } from '@nestjs/common';

export type DirtyListener = (topics: Iterable<string>) => void;

/** Which records of a topic one audience may see (a district user's unit, an operator's contracts; issue 15). */
export type LiveKeep = (item: { unit: string; node: string }) => boolean;

/**
 * How domain modules (alerts, SLA, migration) put data on the live feed without knowing the
 * gateway: a module `serve`s a topic with a function computing its current data and calls
 * `markDirty` when it changed; the gateway snapshots and coalesces frames as for status topics.
 * Global (CoreModule), so no module imports the live module.
 */
@Injectable()
export class LiveBus {
  private readonly sources = new Map<string, (keep?: LiveKeep) => unknown>();
  private readonly listeners = new Set<DirtyListener>();

  /**
   * Registers the data of a topic (`alerts`, `sla`, `migration`). One source per topic. A source that
   * takes `keep` serves a scoped audience its part of the topic (the `alerts` of a district user).
   */
  serve(topic: string, compute: (keep?: LiveKeep) => unknown): void {
    if (this.sources.has(topic)) throw new Error(`live topic ${topic} is already served`);
    this.sources.set(topic, compute);
  }

  serves(topic: string): boolean {
    return this.sources.has(topic);
  }

  /** The current data of a served topic (only what `keep` accepts, when given); undefined when nobody serves it. */
  compute(topic: string, keep?: LiveKeep): unknown {
    return this.sources.get(topic)?.(keep);
  }

  markDirty(...topics: string[]): void {
    for (const l of this.listeners) l(topics);
  }

  onDirty(listener: DirtyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
