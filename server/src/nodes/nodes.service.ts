import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { NODE_LEVELS, NODE_REGISTRY_STATES, type NodeImportReport, type NodePathHop, type NodePathResponse, type NodeRecord, type NodeState, type NodesResponse } from '@zhuyun/protocol';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../common/errors.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { parseInput } from '../common/validate.js';
import { NodeUnitsStore } from '../ingest/node-units.store.js';
import { importReport, refuseUnstorable, type ImportMode } from '../migration/migration.import.js';
import { AuditService } from '../security/audit.service.js';
import { StatusService } from '../status/status.service.js';
import { walkPath } from './node-path.js';
import { planNodeImport, writeNodesCsv, type NodeFields } from './nodes.csv.js';
import { NodesStore, type StoredNode } from './nodes.store.js';

const LIVE_STATUSES = ['up', 'degraded', 'down', 'unknown'] as const;

export const NodesQuerySchema = z.strictObject({
  unit: z.string().min(1).max(64).optional(),
  level: z.enum(NODE_LEVELS).optional(),
  /** A registry state, a live status, or `stale`. */
  status: z.enum([...NODE_REGISTRY_STATES, ...LIVE_STATUSES, 'stale']).optional(),
  registered: z.enum(['true', 'false']).optional(),
  q: z.string().max(200).optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type NodesQuery = z.input<typeof NodesQuerySchema>;

export const AcceptSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  level: z.enum(NODE_LEVELS).optional(),
});
export const ReasonSchema = z.strictObject({ reason: z.string().trim().min(1, 'say why').max(500) });
export const RetireSchema = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });

/**
 * The node registry (docs/NODES.md): names for the ids collectors send, merged with what the live
 * state knows (status, last seen, stale; nodes that report unregistered). Changes are audited.
 */
@Injectable()
export class NodesService implements OnApplicationBootstrap, OnModuleDestroy {
  private namesTimer?: NodeJS.Timeout;

  constructor(
    private readonly store: NodesStore,
    private readonly nodeUnits: NodeUnitsStore,
    private readonly status: StatusService,
    private readonly audit: AuditService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * The live frames carry the registry's names (name first, id second in every view): read now, after
   * each change here, and every 30 s (a change made on another instance).
   */
  async onApplicationBootstrap() {
    await this.refreshNames();
    this.namesTimer = setInterval(() => void this.refreshNames(), 30_000);
    this.namesTimer.unref();
  }

  onModuleDestroy() {
    clearInterval(this.namesTimer);
  }

  async refreshNames(): Promise<void> {
    try {
      const names = new Map<string, string>();
      for (const n of await this.store.all()) if (n.name) names.set(n.id, n.name);
      this.status.setNodeNames(names);
    } catch (err) {
      this.log.warn({ err }, 'reading the node registry\'s names for the live frames failed; the last ones stay');
    }
  }

  /** Every node: registered ones, and live ones with no row (unregistered). */
  private async everything(): Promise<NodeRecord[]> {
    const live = new Map<string, NodeState>();
    for (const n of this.status.nodes()) if (!live.has(n.id) || !n.platform) live.set(n.id, n);
    const out: NodeRecord[] = [];
    for (const s of await this.store.all()) {
      out.push(record(s, live.get(s.id)));
      live.delete(s.id);
    }
    for (const n of live.values()) out.push(unregistered(n));
    return out;
  }

  async list(query: unknown): Promise<NodesResponse> {
    const q = parseInput(NodesQuerySchema, query, 'nodes query');
    const needle = q.q?.trim().toLowerCase();
    const matches = (await this.everything()).filter(
      (n) =>
        (!q.unit || n.unit === q.unit) &&
        (!q.level || n.level === q.level) &&
        (!q.registered || n.registered === (q.registered === 'true')) &&
        (!q.status || n.state === q.status || n.live?.status === q.status || (q.status === 'stale' && n.live?.stale === true)) &&
        (!needle || [n.id, n.name, n.adminCode, n.department, n.address, n.operator, n.contract].some((v) => v?.toLowerCase().includes(needle))),
    );
    matches.sort((a, b) => cmp(a.unit ?? '', b.unit ?? '') || byName.compare(a.name, b.name) || cmp(a.id, b.id));
    return { total: matches.length, offset: q.offset, limit: q.limit, nodes: matches.slice(q.offset, q.offset + q.limit) };
  }

  /** A node, registered or reporting; 404 when neither. */
  async get(id: string): Promise<NodeRecord> {
    const stored = await this.store.get(id);
    const live = this.status.node(id) ?? undefined;
    if (stored) return record(stored, live);
    if (live) return unregistered(live);
    throw new NotFoundError(`node ${id} is neither registered nor reporting`);
  }

  /**
   * A node's path to the city core, the node first, each hop with its live status (docs/NODES.md
   * "Path"). A parent is the live state's (configured topology, else the points' `parent` tag), else
   * the registry's; a hop is known when the registry or the live state knows it. 404 as `get`.
   */
  async path(id: string): Promise<NodePathResponse> {
    const stored = new Map((await this.store.all()).map((n) => [n.id, n]));
    const live = new Map(this.status.topology().map((n) => [n.node, n]));
    const hopOf = (hid: string): NodePathHop | undefined => {
      const s = stored.get(hid);
      const l = live.get(hid);
      if (!s && !l) return undefined;
      const state = l ? this.status.node(hid) : null;
      return {
        id: hid,
        name: s?.name || hid,
        level: s?.level ?? null,
        unit: s?.unit ?? l?.unit ?? null,
        status: l?.status ?? null,
        behind: l?.behind ?? null,
        lastSeen: state?.lastSeen ?? null,
      };
    };
    const parentOf = (hid: string) => {
      const l = live.get(hid);
      // A configured root (parent null) is a root whatever the registry says.
      if (l && 'parent' in l) return l.parent ?? null;
      return stored.get(hid)?.parent ?? null;
    };
    const p = walkPath(id, hopOf, parentOf);
    if (!p) throw new NotFoundError(`node ${id} is neither registered nor reporting`);
    return p;
  }

  /** Same rules and report as the migration import (docs/MIGRATION.md "CSV import"). */
  async importCsv(text: string, mode: ImportMode, actor: string): Promise<NodeImportReport> {
    const existing = new Map((await this.store.all()).map((n) => [n.id, fieldsOf(n)]));
    const plan = planNodeImport(text, existing);
    refuseUnstorable(plan, mode, importReport(plan, mode, false));
    const changes = plan.rows.filter((r) => r.kind !== 'unchanged');
    this.nodeUnits.forget(await this.store.write(changes));
    this.status.forgetNodes(changes.filter((c) => c.after.state !== 'active' && c.before?.state !== c.after.state).map((c) => c.after.id));
    for (const c of changes) {
      await this.audit.record({ actor, action: c.kind === 'create' ? 'node.create' : 'node.update', target: c.after.id, before: c.before ? changed(c.before, c.after, 'before') : null, after: c.before ? changed(c.before, c.after, 'after') : c.after });
    }
    await this.refreshNames();
    return importReport(plan, mode, true) satisfies NodeImportReport;
  }

  async exportCsv(): Promise<string> {
    return writeNodesCsv((await this.store.all()).map(fieldsOf));
  }

  /** Ops accept a node that reports unregistered (or one they refused): registered, its points taken. */
  async accept(id: string, body: unknown, actor: string): Promise<NodeRecord> {
    const b = parseInput(AcceptSchema, body, 'accept');
    const before = await this.store.get(id);
    if (before?.state === 'active') throw new ConflictError(`node ${id} is registered already`);
    if (before?.state === 'retired') throw new ConflictError(`node ${id} was retired by an admin: an admin brings it back (import it with 状态 active)`);
    if (!before && !this.status.node(id)) throw new NotFoundError(`node ${id} is not reporting: nothing to accept (an admin registers it by CSV import)`);
    await this.store.setState(id, 'active', null, b);
    await this.audit.record({ actor, action: 'node.accept', target: id, before: { state: before?.state ?? 'unregistered' }, after: { state: 'active', ...b } });
    return this.get(id);
  }

  /** Ops refuse a node that reports unregistered: its points are refused at ingest, with the reason. */
  async refuse(id: string, body: unknown, actor: string): Promise<NodeRecord> {
    const { reason } = parseInput(ReasonSchema, body, 'refuse');
    const before = await this.store.get(id);
    if (before && before.state !== 'refused') throw new ConflictError(`node ${id} is registered (${before.state}): an admin retires it instead`);
    if (!before && !this.status.node(id)) throw new NotFoundError(`node ${id} is not reporting: nothing to refuse`);
    await this.store.setState(id, 'refused', reason);
    this.status.forgetNodes([id]);
    await this.audit.record({ actor, action: 'node.refuse', target: id, before: { state: before?.state ?? 'unregistered' }, after: { state: 'refused', reason } });
    return this.get(id);
  }

  /** An admin retires a registered node: its points are refused at ingest, with the reason. */
  async retire(id: string, body: unknown, actor: string): Promise<NodeRecord> {
    const { reason } = parseInput(RetireSchema, body, 'retire');
    const before = await this.store.get(id);
    if (!before) throw new NotFoundError(`node ${id} is not registered`);
    if (before.state === 'retired') return this.get(id);
    await this.store.setState(id, 'retired', reason ?? null);
    this.status.forgetNodes([id]);
    await this.audit.record({ actor, action: 'node.retire', target: id, before: { state: before.state }, after: { state: 'retired', reason: reason ?? null } });
    return this.get(id);
  }

  /**
   * A collector was revoked: the registered nodes only it reported (on this instance's live state)
   * are retired, each audited. Returns their ids.
   */
  async retireOnlyOf(collector: string, actor: string): Promise<string[]> {
    const retired: string[] = [];
    for (const id of this.status.nodesOnlyOf(collector)) {
      const n = await this.store.get(id);
      if (!n || n.state !== 'active') continue;
      const reason = `collector ${collector} was revoked and no other collector reports it`;
      await this.store.setState(id, 'retired', reason);
      await this.audit.record({ actor, action: 'node.retire', target: id, before: { state: 'active' }, after: { state: 'retired', reason } });
      retired.push(id);
    }
    this.status.forgetNodes(retired);
    return retired;
  }

  isEmpty(): Promise<boolean> {
    return this.store.isEmpty();
  }

  /** Writes nodes without a per-node audit (the demo's first-start seed records one entry). */
  async seed(nodes: readonly NodeFields[], actor: string): Promise<number> {
    this.nodeUnits.forget(await this.store.write(nodes.map((after) => ({ after, before: null }))));
    await this.audit.record({ actor, action: 'node.seed', after: { nodes: nodes.length } });
    await this.refreshNames();
    return nodes.length;
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Chinese names in pinyin order, as a Chinese reader looks for them. */
const byName = new Intl.Collator('zh-Hans-CN');

function fieldsOf(s: StoredNode): NodeFields {
  return { id: s.id, name: s.name, level: s.level, parent: s.parent, unit: s.unit, adminCode: s.adminCode, department: s.department, address: s.address, operator: s.operator, contract: s.contract, state: s.state };
}

/** The fields that differ, from one side. */
function changed(a: NodeFields, b: NodeFields, side: 'before' | 'after'): Partial<NodeFields> {
  const keys = (Object.keys(a) as Array<keyof NodeFields>).filter((k) => a[k] !== b[k]);
  return Object.fromEntries(keys.map((k) => [k, (side === 'before' ? a : b)[k]]));
}

function liveOf(n: NodeState | undefined): NodeRecord['live'] {
  return n ? { status: n.status, lastSeen: n.lastSeen, stale: n.stale === true } : null;
}

function record(s: StoredNode, live: NodeState | undefined): NodeRecord {
  return {
    ...fieldsOf(s),
    // A platform node reports under every unit it serves: it belongs to none of them.
    unit: s.unit ?? (live && !live.platform ? live.unit : null),
    registered: true,
    stateReason: s.stateReason,
    stateAt: s.stateAt,
    live: liveOf(live),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

function unregistered(n: NodeState): NodeRecord {
  return {
    id: n.id, name: n.id, level: null, parent: n.parent ?? null, unit: n.platform ? null : n.unit, adminCode: null, department: null, address: null, operator: null, contract: null,
    registered: false, state: 'unregistered', stateReason: null, stateAt: null, live: liveOf(n), createdAt: null, updatedAt: null,
  };
}
