import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CLOCK, type Clock } from '../common/clock.js';
import { NotFoundError, ValidationError } from '../common/errors.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { parseInput } from '../common/validate.js';
import { CONFIG, type AppConfig } from '../config/config.js';
import { DATABASE, type Db } from '../db/database.js';
import { StatusService } from '../status/status.service.js';
import { NODE_ROLES, checkLinks, type TopologyLink } from '../status/topology.js';

const NODE_ID = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'a node id: letters, digits, _ . : - (at most 128)');

export const TopologyEntrySchema = z.strictObject({
  node: NODE_ID,
  parent: NODE_ID.nullable(),
  role: z.enum(NODE_ROLES).optional(),
  label: z.string().min(1).max(120).optional(),
});
export type TopologyEntry = z.infer<typeof TopologyEntrySchema>;

const TopologyFileSchema = z.union([z.array(TopologyEntrySchema), z.strictObject({ nodes: z.array(TopologyEntrySchema) })]);
const EntryBodySchema = TopologyEntrySchema.omit({ node: true });

type Source = 'config' | 'api';

/** Reads a topology file; throws an Error naming the file and the entry on a bad one. */
export function readTopologyFile(path: string): TopologyEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`topology file ${path}: ${(err as Error).message}`);
  }
  const parsed = TopologyFileSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`topology file ${path}: ${i.path.join('.') || '(top)'}: ${i.message}`);
  }
  const entries = Array.isArray(parsed.data) ? parsed.data : parsed.data.nodes;
  const problems = checkLinks(entries);
  if (problems.length) throw new Error(`topology file ${path}: ${problems.join('; ')}`);
  return entries;
}

/**
 * The configured topology: links from the ZHUYUN_TOPOLOGY file (replaced at each start) and from the
 * admin API, stored, and handed to the live status, which also learns parents from the points'
 * `parent` tag. Configured links win.
 */
@Injectable()
export class TopologyService implements OnModuleInit {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly status: StatusService,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.topologyFile) {
      const entries = readTopologyFile(this.config.topologyFile);
      await this.db.transaction().execute(async (tx) => {
        await tx.deleteFrom('topology_nodes').where('source', '=', 'config').execute();
        for (const e of entries) await this.upsert(tx, e, 'config');
      });
      this.log.info({ file: this.config.topologyFile, nodes: entries.length }, 'topology loaded');
    }
    await this.publish();
  }

  /**
   * The whole picture for the topology view: configured and learnt nodes with status, and each
   * node's `name` from the node registry (docs/NODES.md; the demo seeds it with the simulated
   * city's names): points carry ids only.
   */
  graph() {
    return {
      nodes: this.status.topology().map((n) => {
        const name = this.status.nodeName(n.node);
        return name !== undefined ? { ...n, name } : n;
      }),
    };
  }

  async configured(): Promise<TopologyEntry[]> {
    const rows = await this.db.selectFrom('topology_nodes').selectAll().orderBy('node').execute();
    return rows.map((r) => ({ node: r.node, parent: r.parent, ...(r.role ? { role: r.role as TopologyEntry['role'] } : {}), ...(r.label ? { label: r.label } : {}) }));
  }

  /** Sets one node's link (admin API). Refuses a link that would make a cycle. */
  async put(node: unknown, body: unknown): Promise<TopologyEntry> {
    const id = parseInput(NODE_ID, node, 'node id');
    const entry: TopologyEntry = { node: id, ...parseInput(EntryBodySchema, body, `topology node ${id}`) };
    const others = (await this.configured()).filter((e) => e.node !== id);
    const problems = checkLinks([...others, entry]);
    if (problems.length) throw new ValidationError(`topology node ${id}: ${problems.join('; ')}`, problems);
    await this.upsert(this.db, entry, 'api');
    await this.publish();
    return entry;
  }

  /** Replaces every API-set link at once (an import). */
  async replace(body: unknown): Promise<{ nodes: number }> {
    const parsed = parseInput(TopologyFileSchema, body, 'topology');
    const entries = Array.isArray(parsed) ? parsed : parsed.nodes;
    const fromConfig = (await this.db.selectFrom('topology_nodes').select('node').where('source', '=', 'config').execute()).map((r) => r.node);
    const clash = entries.find((e) => fromConfig.includes(e.node));
    if (clash) throw new ValidationError(`topology node ${clash.node} comes from the ZHUYUN_TOPOLOGY file; change it there`);
    const kept = (await this.configured()).filter((e) => fromConfig.includes(e.node));
    const problems = checkLinks([...kept, ...entries]);
    if (problems.length) throw new ValidationError(`topology: ${problems.join('; ')}`, problems);
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('topology_nodes').where('source', '=', 'api').execute();
      for (const e of entries) await this.upsert(tx, e, 'api');
    });
    await this.publish();
    return { nodes: entries.length };
  }

  async remove(node: string): Promise<void> {
    const r = await this.db.deleteFrom('topology_nodes').where('node', '=', node).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new NotFoundError(`topology node ${node} is not configured`);
    await this.publish();
  }

  private async upsert(db: Db, e: TopologyEntry, source: Source) {
    const row = { node: e.node, parent: e.parent, role: e.role ?? null, label: e.label ?? null, source, updated_at: this.clock.now() };
    await db
      .insertInto('topology_nodes')
      .values(row)
      .onConflict((oc) => oc.column('node').doUpdateSet({ parent: row.parent, role: row.role, label: row.label, source, updated_at: row.updated_at }))
      .execute();
  }

  private async publish(): Promise<void> {
    const links: TopologyLink[] = (await this.configured()).map((e) => ({ node: e.node, parent: e.parent }));
    this.status.setTopology(links);
  }
}
