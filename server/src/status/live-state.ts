import {
  DEFAULT_THRESHOLDS,
  FRESH_MS,
  MAX_DISTRICT_FRAME_NODES,
  PLATFORMS,
  OVERVIEW_CHANGES,
  compareNodeStates,
  UNITS,
  UP_METRICS,
  pointKey,
  type DistrictData,
  type NodeState,
  type NodeStatus,
  type OverviewData,
  type Platform,
  type PlatformSummary,
  type Point,
  type StatusCause,
  type StatusChange,
  type UnitSummary,
} from '@zhuyun/protocol';
import {
  DEFAULT_INTERVAL_MS,
  MIN_INTERVAL_MS,
  STALE_INTERVALS,
  countStatuses,
  countByLevel,
  counterRate,
  evaluateNode,
  median,
  nextInterval,
  worstOf,
  type HeldThresholds,
} from './status.rules.js';
import { nearestDownAncestor, type TopologyLink } from './topology.js';

/** How many status changes the overview keeps. */
export const MAX_CHANGES = 100;
/** A point older than this at arrival is history (a spool replay): it is stored, not "live". */
export { FRESH_MS };

interface SeriesLatest {
  metric: string;
  ts: number;
  value: number;
  rate?: number;
}

interface NodeRecord {
  id: string;
  district: string;
  unit: string;
  platform?: Platform;
  series: Map<string, SeriesLatest>;
  /** Server time of the last fresh point. */
  lastSeen: number;
  /** Server time of the last point of any age (a spool replay too): what forgetting goes by. */
  heardAt: number;
  /** The collector whose points made this node known here (cardinality limits count per collector). */
  collector?: string;
  /** Every collector whose points came for it here (what revoking one of them leaves: nodesOnlyOf). */
  reporters: Set<string>;
  /** Newest point timestamp (collector clock), for the interval estimate. */
  newestTs: number;
  intervalMs?: number;
  /** False until first evaluated: a node's first status is not a change (no feed entry). */
  evaluated: boolean;
  status: NodeStatus;
  reasons: string[];
  causes: StatusCause[];
  /** Thresholds crossed at the last evaluation: what status hysteresis holds (evaluateNode). */
  held: HeldThresholds;
  /** Parent named by the points' `parent` tag (simulation, agents that know their uplink). */
  tagParent?: string;
  role?: string;
  /** Level in the city's tree, from the points' `level` tag. */
  level?: string;
  /** Nearest down ancestor, when there is one (unreachable behind it). */
  behind?: string;
  /** Silent (no point of any age) past the stale time: shown apart, out of its unit's rollup. */
  stale?: boolean;
  /** The newest point that arrived too old to be live (its ts, and server time it came): a slow clock or a replay. */
  late?: { ts: number; at: number };
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

const lowerIsWorse = new Set<string>([...UP_METRICS, ...DEFAULT_THRESHOLDS.filter((t) => t.direction === 'below').map((t) => t.metric)]);

/**
 * The latest value of every series and the status of every node, unit and platform. A plain class
 * with time passed in, so the whole status engine is tested without Nest or timers; StatusService
 * wraps it. Topics whose data may have changed are reported to `onDirty`.
 */
export class LiveState {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly unitStatus = new Map<string, NodeStatus>();
  private readonly platformStatus = new Map<Platform, NodeStatus>();
  private readonly changes: StatusChange[] = [];
  /** Node id → record (node ids are unique citywide; the topology speaks in them). */
  private readonly byId = new Map<string, NodeRecord>();
  /** Parents set by configuration or the admin API; they win over the `parent` tag. */
  private explicitParents = new Map<string, string | null>();
  /** Nodes per unit and per collector (the cardinality census: ingest/cardinality.guard.ts). */
  private readonly perUnit = new Map<string, number>();
  private names = new Map<string, string>();
  private readonly perCollector = new Map<string, number>();

  constructor(
    private readonly onDirty: (topics: Iterable<string>) => void = () => {},
    /** Hears every recorded status change (node, unit, platform), in order. */
    private readonly onChange: (change: StatusChange) => void = () => {},
    /** A node silent this long is stale (ZHUYUN_NODE_STALE_AFTER); Infinity: never. */
    private readonly staleAfterMs = Infinity,
  ) {}

  /**
   * Takes accepted points (any order; older than what is held does not replace it). `collector`
   * names who sent them (undefined for points another instance ingested), for the census.
   */
  apply(points: readonly Point[], now: number, collector?: string): void {
    const touched = new Set<NodeRecord>();
    const movedFrom = new Set<string>();
    let topologyMoved = false;
    for (const p of points) {
      // A collector's own heartbeat (`collector.*`) is about the collector, not a network node: it
      // goes to the collector registry, never into a district's status.
      if (p.metric.startsWith('collector.')) continue;
      const key = `${p.tags.unit}|${p.tags.node}`;
      let rec = this.nodes.get(key);
      if (!rec) {
        const platform = (PLATFORMS as readonly string[]).includes(p.tags.platform) ? (p.tags.platform as Platform) : undefined;
        rec = { id: p.tags.node, district: p.tags.district, unit: p.tags.unit, platform, series: new Map(), lastSeen: 0, heardAt: now, newestTs: 0, evaluated: false, status: 'unknown', reasons: [], causes: [], held: {}, collector, reporters: new Set() };
        // Ingest lets a node change units only after an admin moved it: it leaves its old unit.
        // (A platform node reports per unit it serves, under one id: those records all stay.)
        const moved = this.byId.get(rec.id);
        if (moved && !moved.platform && !platform) {
          this.drop(moved);
          movedFrom.add(moved.unit);
        }
        this.nodes.set(key, rec);
        this.byId.set(rec.id, rec);
        bump(this.perUnit, rec.unit, 1);
        if (collector !== undefined) bump(this.perCollector, collector, 1);
        topologyMoved = true;
      }
      rec.heardAt = now;
      if (collector !== undefined) rec.reporters.add(collector);
      const tagParent = p.tags.parent;
      if (tagParent !== undefined && tagParent !== rec.tagParent && tagParent !== rec.id) {
        rec.tagParent = tagParent;
        topologyMoved = true;
      }
      if (p.tags.role !== undefined) rec.role = p.tags.role;
      if (p.tags.level !== undefined) rec.level = p.tags.level;
      if (p.ts < now - FRESH_MS) {
        if (!rec.late || p.ts >= rec.late.ts) rec.late = { ts: p.ts, at: now };
        continue;
      }
      const sk = pointKey(p);
      const cur = rec.series.get(sk);
      if (cur && p.ts <= cur.ts) continue;
      const rate = p.metric.endsWith('_total') ? counterRate(cur, p) : undefined;
      rec.series.set(sk, { metric: p.metric, ts: p.ts, value: p.value, rate: rate ?? cur?.rate });
      if (p.ts > rec.newestTs) {
        if (rec.newestTs > 0) rec.intervalMs = nextInterval(rec.intervalMs, p.ts - rec.newestTs);
        rec.newestTs = p.ts;
      }
      rec.lastSeen = now;
      touched.add(rec);
    }
    if (touched.size === 0 && movedFrom.size === 0) return;
    const dirty = new Set<string>(['overview', ...[...movedFrom].map((u) => `district:${u}`)]);
    for (const rec of touched) {
      dirty.add(`district:${rec.unit}`);
      dirty.add(`node:${rec.id}`);
      if (this.evaluate(rec, now)) topologyMoved = true;
    }
    if (topologyMoved) this.refreshBehind(dirty);
    this.rollUp(now, dirty);
    this.onDirty(dirty);
  }

  /** Re-evaluates every node against the clock (staleness), reporting what changed. */
  tick(now: number): void {
    const dirty = new Set<string>();
    let changed = false;
    for (const rec of this.nodes.values()) {
      if (this.evaluate(rec, now)) {
        changed = true;
        dirty.add('overview');
        dirty.add(`district:${rec.unit}`);
        dirty.add(`node:${rec.id}`);
      }
    }
    if (changed) this.refreshBehind(dirty);
    this.rollUp(now, dirty);
    if (dirty.size) this.onDirty(dirty);
  }

  /** Whether the node is known (the cardinality census). */
  hasNode(unit: string, node: string): boolean {
    return this.nodes.has(`${unit}|${node}`);
  }

  /** Nodes known in a unit (platform nodes included). */
  nodesInUnit(unit: string): number {
    return this.perUnit.get(unit) ?? 0;
  }

  /** Nodes this collector's points made known (on this instance). */
  nodesOfCollector(collector: string): number {
    return this.perCollector.get(collector) ?? 0;
  }

  /** Nodes known in all. */
  nodeCount(): number {
    return this.nodes.size;
  }

  /**
   * Forgets every node not heard from (no point of any age) for longer than `afterMs`: it leaves
   * its district, the overview and the census, so it frees room under the cardinality limits.
   * Configured topology links stay. Returns how many were forgotten.
   */
  forgetSilent(now: number, afterMs: number): number {
    return this.forgetWhere((rec) => rec.heardAt < now - afterMs, now);
  }

  /**
   * Forgets these nodes at once (retired or refused in the registry: their points are refused from
   * now on, so they would only grey their unit until stale). Returns how many records went.
   */
  forgetNodes(ids: Iterable<string>, now: number): number {
    const gone = new Set(ids);
    return this.forgetWhere((rec) => gone.has(rec.id), now);
  }

  /** Forgets the records `which` picks, then recomputes and reports what they touched. */
  private forgetWhere(which: (rec: NodeRecord) => boolean, now: number): number {
    const dirty = new Set<string>();
    let forgotten = 0;
    for (const rec of this.nodes.values()) {
      if (!which(rec)) continue;
      this.drop(rec);
      dirty.add('overview');
      dirty.add(`district:${rec.unit}`);
      dirty.add(`node:${rec.id}`);
      forgotten++;
    }
    if (forgotten === 0) return 0;
    this.refreshBehind(dirty);
    this.rollUp(now, dirty);
    this.onDirty(dirty);
    return forgotten;
  }

  /** Takes one record out of the state and out of the cardinality census. */
  private drop(rec: NodeRecord): void {
    this.nodes.delete(`${rec.unit}|${rec.id}`);
    if (this.byId.get(rec.id) === rec) this.byId.delete(rec.id);
    bump(this.perUnit, rec.unit, -1);
    if (rec.collector !== undefined) bump(this.perCollector, rec.collector, -1);
  }

  /**
   * Sets the configured topology (config file or admin API): these parents win over the points'
   * `parent` tags; a link with parent null makes a root. Recomputes who is behind a down parent.
   */
  setTopology(links: readonly TopologyLink[]): void {
    this.explicitParents = new Map(links.map((l) => [l.node, l.parent]));
    const dirty = new Set<string>();
    this.refreshBehind(dirty);
    if (dirty.size) this.onDirty(dirty);
  }

  /** The parent of a node: configured first, else its tag. */
  parentOf(id: string): string | undefined {
    if (this.explicitParents.has(id)) return this.explicitParents.get(id) ?? undefined;
    return this.byId.get(id)?.tagParent;
  }

  /** Every node the topology knows (configured or seen in data), with parent, role and status. */
  topology(): Array<{ node: string; parent?: string; role?: string; unit?: string; status: NodeStatus; behind?: string; configured: boolean }> {
    const ids = new Set<string>([...this.byId.keys(), ...this.explicitParents.keys()]);
    return [...ids].sort().map((id) => {
      const rec = this.byId.get(id);
      const parent = this.parentOf(id);
      return {
        node: id,
        ...(parent !== undefined ? { parent } : {}),
        ...(rec?.role !== undefined ? { role: rec.role } : {}),
        ...(rec ? { unit: rec.unit } : {}),
        status: rec?.status ?? 'unknown',
        ...(rec?.behind !== undefined ? { behind: rec.behind } : {}),
        configured: this.explicitParents.has(id),
      };
    });
  }

  /** Recomputes `behind` for every node; the topics of nodes whose value moved go to `dirty`. */
  private refreshBehind(dirty: Set<string>): void {
    const statusOf = (id: string) => this.byId.get(id)?.status;
    const parentOf = (id: string) => this.parentOf(id);
    for (const rec of this.byId.values()) {
      const behind = nearestDownAncestor(rec.id, parentOf, statusOf);
      if (behind !== rec.behind) {
        rec.behind = behind;
        dirty.add('overview');
        dirty.add(`district:${rec.unit}`);
        dirty.add(`node:${rec.id}`);
      }
    }
  }

  /** Node-level value of each metric: the worst of its series (a node may probe several targets). */
  private metricsOf(rec: NodeRecord): Record<string, number> {
    const out: Record<string, number> = {};
    const horizon = rec.newestTs - STALE_INTERVALS * Math.max(rec.intervalMs ?? DEFAULT_INTERVAL_MS, MIN_INTERVAL_MS);
    for (const s of rec.series.values()) {
      if (s.ts < horizon) continue; // a series that stopped (target removed) no longer speaks for the node
      const prev = out[s.metric];
      if (s.metric.endsWith('_total')) {
        out[s.metric] = (prev ?? 0) + s.value;
        if (s.rate !== undefined) out[`${s.metric}:rate`] = (out[`${s.metric}:rate`] ?? 0) + s.rate;
      } else if (prev === undefined) out[s.metric] = s.value;
      else out[s.metric] = lowerIsWorse.has(s.metric) ? Math.min(prev, s.value) : Math.max(prev, s.value);
    }
    return out;
  }

  /** Returns true when the node's status changed. */
  private evaluate(rec: NodeRecord, now: number): boolean {
    let { status, reasons, causes, held } = evaluateNode(this.metricsOf(rec), rec.lastSeen, rec.intervalMs ?? DEFAULT_INTERVAL_MS, now, undefined, rec.held);
    // Unknown though its points keep coming, too old to be live: say so, not "no data".
    if (status === 'unknown' && rec.late && rec.late.at >= rec.lastSeen) {
      const min = Math.round((rec.late.at - rec.late.ts) / 60_000);
      reasons = [`points arrive ${min} min old (collector clock behind, or a spool replay): stored, not live`];
      causes = [{ code: 'late-points', params: { min } }];
    }
    rec.held = held;
    // Stale goes by any point, late ones too: a node whose points arrive old is not silent.
    const stale = now - rec.heardAt > this.staleAfterMs;
    const staleMoved = stale !== (rec.stale ?? false);
    rec.stale = stale;
    const changed = status !== rec.status;
    if (changed && rec.evaluated) this.record({ ts: now, kind: 'node', id: rec.id, unit: rec.unit, from: rec.status, to: status, reason: reasons[0], ...(causes[0] ? { cause: causes[0] } : {}) });
    rec.status = status;
    rec.reasons = reasons;
    rec.causes = causes;
    rec.evaluated = true;
    return changed || staleMoved;
  }

  /**
   * Units and platforms take the worst of their nodes; their changes are recorded too, except the
   * first status of one that had no nodes (a server start is not a wave of recoveries).
   */
  private rollUp(now: number, dirty: Set<string>): void {
    for (const u of UNITS) {
      const nodes = this.extranetNodes(u.code).filter((n) => !n.stale);
      const s = worstOf(nodes.map((n) => n.status));
      const before = this.unitStatus.get(u.code);
      if (before !== undefined && s !== before) {
        this.record({ ts: now, kind: 'unit', id: u.code, unit: u.code, from: before, to: s });
        dirty.add('overview');
        dirty.add(`district:${u.code}`);
      }
      if (nodes.length) this.unitStatus.set(u.code, s);
    }
    for (const p of PLATFORMS) {
      const nodes = [...this.nodes.values()].filter((n) => n.platform === p);
      if (nodes.length === 0) continue;
      const s = worstOf(nodes.map((n) => n.status));
      const before = this.platformStatus.get(p);
      if (before !== undefined && s !== before) {
        this.record({ ts: now, kind: 'platform', id: p, from: before, to: s });
        dirty.add('overview');
      }
      this.platformStatus.set(p, s);
    }
  }

  private record(change: StatusChange): void {
    this.onChange(change);
    this.changes.unshift(change);
    if (this.changes.length > MAX_CHANGES) this.changes.length = MAX_CHANGES;
  }

  private extranetNodes(unit: string): NodeRecord[] {
    return [...this.nodes.values()].filter((n) => n.unit === unit && !n.platform);
  }

  /**
   * The registry's names (docs/NODES.md), id → name: frames carry a node's name so every view shows
   * the name first and the id second. Replaced whole; the districts whose names changed are marked dirty.
   */
  setNames(names: ReadonlyMap<string, string>): void {
    const dirty = new Set<string>();
    for (const rec of this.nodes.values()) {
      if (this.names.get(rec.id) !== names.get(rec.id)) {
        dirty.add(`district:${rec.unit}`);
        dirty.add(`node:${rec.id}`);
      }
    }
    // The overview's changes carry the current names too, and so do the `alerts` topic's alerts
    // (AlertsService names them from here as it serves them): any name changed, it is served again.
    if (this.changes.slice(0, OVERVIEW_CHANGES).some((c) => c.kind === 'node' && this.names.get(c.id) !== names.get(c.id))) dirty.add('overview');
    if (names.size !== this.names.size || [...names].some(([id, name]) => this.names.get(id) !== name)) dirty.add('alerts');
    this.names = new Map(names);
    if (dirty.size) this.onDirty(dirty);
  }

  /** The registry's name of a node, when it has one. */
  nameOf(id: string): string | undefined {
    return this.names.get(id);
  }

  private nodeState(rec: NodeRecord): NodeState {
    const name = this.names.get(rec.id);
    return {
      id: rec.id,
      ...(name !== undefined ? { name } : {}),
      district: rec.district,
      unit: rec.unit,
      ...(rec.platform ? { platform: rec.platform } : {}),
      status: rec.status,
      ...(this.parentOf(rec.id) !== undefined ? { parent: this.parentOf(rec.id) } : {}),
      ...(rec.behind !== undefined ? { behind: rec.behind } : {}),
      ...(rec.level !== undefined ? { level: rec.level } : {}),
      ...(rec.role !== undefined ? { role: rec.role } : {}),
      ...(rec.stale ? { stale: true as const } : {}),
      reasons: rec.reasons,
      causes: rec.causes,
      lastSeen: rec.lastSeen,
      metrics: this.metricsOf(rec),
    };
  }

  /** A stale node is not in its unit's status, counts or medians: it is counted apart (`stale`). */
  unitSummary(code: string): UnitSummary {
    const all = this.extranetNodes(code);
    const nodes = all.filter((n) => !n.stale);
    const levels = countByLevel(nodes);
    const stale = all.length - nodes.length;
    const live = nodes.filter((n) => n.status !== 'unknown').map((n) => this.metricsOf(n));
    const values = (m: string) => live.map((x) => x[m]).filter((v): v is number => v !== undefined);
    return {
      code,
      status: worstOf(nodes.map((n) => n.status)),
      counts: countStatuses(nodes.map((n) => n.status)),
      latencyMs: median(values('net.latency_ms')),
      lossPct: median(values('net.loss_pct')),
      ...(stale ? { stale } : {}),
      ...(Object.keys(levels).length ? { levels } : {}),
    };
  }

  platformSummary(platform: Platform): PlatformSummary {
    const nodes = [...this.nodes.values()].filter((n) => n.platform === platform);
    const metrics = nodes.filter((n) => n.status !== 'unknown').map((n) => this.metricsOf(n));
    const all = (m: string) => metrics.map((x) => x[m]).filter((v): v is number => v !== undefined);
    const sum = (m: string) => all(m).reduce((a, b) => a + b, 0);
    const mean = (m: string) => (all(m).length ? sum(m) / all(m).length : undefined);
    const figures: Record<string, number | undefined> =
      platform === 'cloud'
        ? {
            hosts: nodes.filter((n) => [...n.series.values()].some((s) => s.metric.startsWith('host.'))).length,
            cpu_pct: mean('host.cpu_pct'),
            mem_pct: mean('host.mem_pct'),
            disk_pct: all('host.disk_pct').length ? Math.max(...all('host.disk_pct')) : undefined,
            systems_running: all('cloud.systems_running').length ? sum('cloud.systems_running') : undefined,
          }
        : platform === 'share'
          ? {
              up: all('share.up').length ? Math.min(...all('share.up')) : undefined,
              latency_ms: mean('share.latency_ms'),
              success_pct: mean('share.success_pct'),
              api_calls_per_s: all('share.api_calls_total:rate').length ? sum('share.api_calls_total:rate') : undefined,
              records_per_s: all('share.records_total:rate').length ? sum('share.records_total:rate') : undefined,
              catalog_resources: all('share.catalog_resources').length ? sum('share.catalog_resources') : undefined,
            }
          : {
              up: all('open.up').length ? Math.min(...all('open.up')) : undefined,
              latency_ms: mean('open.latency_ms'),
              datasets: all('open.datasets').length ? sum('open.datasets') : undefined,
              downloads_per_s: all('open.downloads_total:rate').length ? sum('open.downloads_total:rate') : undefined,
              api_calls_per_s: all('open.api_calls_total:rate').length ? sum('open.api_calls_total:rate') : undefined,
            };
    return {
      platform,
      status: worstOf(nodes.map((n) => n.status)),
      counts: countStatuses(nodes.map((n) => n.status)),
      figures: Object.fromEntries(Object.entries(figures).filter((e): e is [string, number] => e[1] !== undefined)),
    };
  }

  overview(): OverviewData {
    const extranet = [...this.nodes.values()].filter((n) => !n.platform);
    const live = extranet.filter((n) => n.status !== 'unknown').map((n) => this.metricsOf(n));
    const values = (m: string) => live.map((x) => x[m]).filter((v): v is number => v !== undefined);
    return {
      units: UNITS.map((u) => this.unitSummary(u.code)),
      counts: countStatuses(extranet.map((n) => n.status)),
      latencyMs: median(values('net.latency_ms')),
      lossPct: median(values('net.loss_pct')),
      platforms: PLATFORMS.map((p) => this.platformSummary(p)),
      changes: this.changes.slice(0, OVERVIEW_CHANGES).map((c) => this.namedChange(c)),
    };
  }

  /**
   * The unit's summary over all its nodes, and its nodes worst first, at most
   * MAX_DISTRICT_FRAME_NODES of them: a unit grown by a flood of names must not make a frame no
   * client can read (docs/RELIABILITY.md "Cardinality limits").
   */
  district(code: string): DistrictData {
    const all = this.extranetNodes(code);
    const shown = all
      .sort(compareNodeStates)
      .slice(0, MAX_DISTRICT_FRAME_NODES);
    return {
      unit: this.unitSummary(code),
      nodes: shown.map((n) => this.nodeState(n)),
      total: all.length,
      truncated: all.length > shown.length,
    };
  }

  /**
   * One node by id. A node that is not a platform's has one record, found in the id index (the alert
   * machine asks this of every open alert on every tick); a platform node has one record per unit
   * it serves, and the first of them is the answer, as before.
   */
  node(id: string): NodeState | null {
    const rec = this.byId.get(id);
    if (rec && !rec.platform) return this.nodeState(rec);
    for (const r of this.nodes.values()) if (r.id === id) return this.nodeState(r);
    return null;
  }

  allNodes(): NodeState[] {
    return [...this.nodes.values()].map((n) => this.nodeState(n));
  }

  /**
   * The nodes known here only through `collector`'s points (no other collector's point came for
   * the id): what revoking it leaves without a reporter. Points another instance ingested have no
   * collector here, so a node known only through them is not listed.
   */
  nodesOnlyOf(collector: string): string[] {
    const by = new Map<string, boolean>();
    for (const rec of this.nodes.values()) {
      const only = rec.reporters.size > 0 && [...rec.reporters].every((c) => c === collector);
      by.set(rec.id, (by.get(rec.id) ?? true) && only);
    }
    return [...by].filter(([, only]) => only).map(([id]) => id).sort();
  }

  /** Last server time any point of the node came (undefined: not known here). */
  heardAt(id: string): number | undefined {
    let at: number | undefined;
    for (const rec of this.nodes.values()) if (rec.id === id && (at === undefined || rec.heardAt > at)) at = rec.heardAt;
    return at;
  }

  recentChanges(limit = MAX_CHANGES): StatusChange[] {
    return this.changes.slice(0, limit).map((c) => this.namedChange(c));
  }

  /** A node's change with its registry name as it is now (not stored with the change: a rename shows). */
  private namedChange(c: StatusChange): StatusChange {
    const name = c.kind === 'node' ? this.names.get(c.id) : undefined;
    return name === undefined ? c : { ...c, name };
  }
}
