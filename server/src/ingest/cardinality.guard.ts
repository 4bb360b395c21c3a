import { pointKey, type Point } from '@zhuyun/protocol';

/**
 * Cardinality limits (docs/RELIABILITY.md "Cardinality limits"). One collector inside the rate
 * limit once sent 70,000 new node names in a minute: the live state, the district frames and the
 * series index grew with each, for good. The guard refuses, point by point and with a reason,
 * - a new node in a unit that already has `maxNodesPerUnit` nodes,
 * - a new node from a collector whose points already made `maxNodesPerCollector` nodes known,
 * - a new series from a collector that has used up its new-series allowance (a token bucket of
 *   `maxNewSeriesPerMinute`, refilled at that rate: a whole fleet may appear at once after a
 *   restart, a flood cannot go on).
 * Known nodes are counted from the live state (`NodeCensus`), so a node the live state forgets
 * (ZHUYUN_NODE_FORGET_AFTER) frees its room. Points of known nodes and series always pass: the
 * limits never cost an honest collector a point of what it already reports.
 * Pure: time comes in as arguments; the census is injected.
 */

export interface CardinalityLimits {
  maxNodesPerUnit: number;
  maxNodesPerCollector: number;
  maxNewSeriesPerMinute: number;
  /** A series not seen for this long is new again (the live state forgets its node after as long). */
  forgetAfterMs: number;
}

/** What the live state knows (StatusService.census). */
export interface NodeCensus {
  hasNode(unit: string, node: string): boolean;
  nodesInUnit(unit: string): number;
  nodesOfCollector(collector: string): number;
}

export const CARDINALITY_LIMITS = ['unit_nodes', 'collector_nodes', 'new_series_rate'] as const;
export type CardinalityLimit = (typeof CARDINALITY_LIMITS)[number];

/** Every refusal message starts so (ops/rejection-reason.ts maps it to `cardinality`). */
export const CARDINALITY_PREFIX = 'cardinality limit: ';

/** How long a collector's refusals count for the "cardinality limit hit" alert after the last one. */
export const CARDINALITY_ALERT_WINDOW_MS = 10 * 60_000;

/** How often the memory of seen series is swept of those not seen for `forgetAfterMs`. */
const SWEEP_EVERY_MS = 60_000;

interface Reserved {
  unit: string;
  collector: string;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** One collector's refusals: how many since `since`, the last at `lastAt`. */
export interface CardinalityEpisode {
  collector: string;
  points: number;
  since: number;
  lastAt: number;
}

/** One batch's admission: `admit` each valid point, then `close` once the admitted ones reached the live state (or failed to). */
export interface CardinalityGate {
  /** Undefined when the point may be stored, else why not (a message starting with CARDINALITY_PREFIX). */
  admit(p: Point): string | undefined;
  /** Refusals of this batch by limit. */
  readonly refused: Record<CardinalityLimit, number>;
  /** Releases the batch's reservations of new nodes (they are in the census now, or were never stored). */
  close(): void;
}

export class CardinalityGuard {
  /** New nodes admitted by batches still being stored: counted with the census so concurrent batches cannot overshoot. */
  private readonly pending = new Map<string, Reserved>();
  private readonly pendingPerUnit = new Map<string, number>();
  private readonly pendingPerCollector = new Map<string, number>();
  /** Series key → server time it was last admitted. */
  private readonly series = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly episodes = new Map<string, CardinalityEpisode>();
  private lastSweep = -Infinity;

  constructor(
    readonly limits: CardinalityLimits,
    private readonly census: NodeCensus,
  ) {}

  /** Opens one batch of `collector`'s points at server time `now`. */
  open(collector: string, now: number): CardinalityGate {
    this.sweep(now);
    const reserved: string[] = [];
    const refused: Record<CardinalityLimit, number> = { unit_nodes: 0, collector_nodes: 0, new_series_rate: 0 };
    const refuse = (limit: CardinalityLimit, message: string) => {
      refused[limit]++;
      const e = this.episodes.get(collector);
      if (e && e.lastAt >= now - CARDINALITY_ALERT_WINDOW_MS) {
        e.points++;
        e.lastAt = now;
      } else this.episodes.set(collector, { collector, points: 1, since: now, lastAt: now });
      return CARDINALITY_PREFIX + message;
    };
    const admit = (p: Point): string | undefined => {
      const { unit, node } = p.tags;
      // On the ingest path once per point: the known node's lookup first, the key only for a new one.
      // A collector's own heartbeat (`collector.*`) names no network node (LiveState ignores it).
      let nodeKey: string | undefined;
      const newNode = !this.census.hasNode(unit, node) && !p.metric.startsWith('collector.') && !this.pending.has((nodeKey = `${unit}|${node}`));
      if (newNode) {
        const inUnit = this.census.nodesInUnit(unit) + (this.pendingPerUnit.get(unit) ?? 0);
        if (inUnit >= this.limits.maxNodesPerUnit) {
          return refuse('unit_nodes', `unit ${unit} already has ${inUnit} nodes, the most allowed (ZHUYUN_MAX_NODES_PER_UNIT=${this.limits.maxNodesPerUnit}): new node ${JSON.stringify(node)} refused`);
        }
        const ofCollector = this.census.nodesOfCollector(collector) + (this.pendingPerCollector.get(collector) ?? 0);
        if (ofCollector >= this.limits.maxNodesPerCollector) {
          return refuse('collector_nodes', `collector ${collector} already reports ${ofCollector} nodes, the most allowed (ZHUYUN_MAX_NODES_PER_COLLECTOR=${this.limits.maxNodesPerCollector}): new node ${JSON.stringify(node)} refused`);
        }
      }
      const key = pointKey(p);
      const seen = this.series.get(key);
      if (seen !== undefined) {
        if (seen !== now) this.series.set(key, now);
      } else {
        const b = this.bucket(collector, now);
        if (b.tokens < 1) {
          return refuse('new_series_rate', `collector ${collector} made more new series than allowed per minute (ZHUYUN_MAX_NEW_SERIES_PER_MINUTE=${this.limits.maxNewSeriesPerMinute}): series ${key} refused, known series go on`);
        }
        b.tokens -= 1;
        this.series.set(key, now);
      }
      if (newNode && nodeKey !== undefined) {
        this.pending.set(nodeKey, { unit, collector });
        bump(this.pendingPerUnit, unit, 1);
        bump(this.pendingPerCollector, collector, 1);
        reserved.push(nodeKey);
      }
      return undefined;
    };
    const close = () => {
      for (const k of reserved.splice(0)) {
        const r = this.pending.get(k);
        if (!r) continue;
        this.pending.delete(k);
        bump(this.pendingPerUnit, r.unit, -1);
        bump(this.pendingPerCollector, r.collector, -1);
      }
    };
    return { admit, refused, close };
  }

  /**
   * Each collector refused anything within CARDINALITY_ALERT_WINDOW_MS: how many points since its
   * episode began. A collector quiet for longer has none (its alert resolves).
   */
  recentRefusals(collector: string, now: number): number {
    const e = this.episodes.get(collector);
    if (!e) return 0;
    if (e.lastAt < now - CARDINALITY_ALERT_WINDOW_MS) {
      this.episodes.delete(collector);
      return 0;
    }
    return e.points;
  }

  /** Series the guard remembers (for /metrics and tests). */
  knownSeries(): number {
    return this.series.size;
  }

  private bucket(collector: string, now: number): Bucket {
    const rate = this.limits.maxNewSeriesPerMinute;
    let b = this.buckets.get(collector);
    if (!b) {
      b = { tokens: rate, at: now };
      this.buckets.set(collector, b);
    } else if (now > b.at) {
      b.tokens = Math.min(rate, b.tokens + ((now - b.at) * rate) / 60_000);
      b.at = now;
    }
    return b;
  }

  /** Forgets series not seen for `forgetAfterMs`, and full buckets (a collector at rest). */
  private sweep(now: number): void {
    if (now - this.lastSweep < Math.min(SWEEP_EVERY_MS, this.limits.forgetAfterMs)) return;
    this.lastSweep = now;
    const before = now - this.limits.forgetAfterMs;
    for (const [k, at] of this.series) if (at < before) this.series.delete(k);
    for (const [c, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * this.limits.maxNewSeriesPerMinute) / 60_000 >= this.limits.maxNewSeriesPerMinute) this.buckets.delete(c);
    }
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
