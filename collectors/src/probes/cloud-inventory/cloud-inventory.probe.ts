import { readFile } from 'node:fs/promises';
import { RETIRED_CODES, UNITS, isUnitCode, type RawPoint } from '@zhuyun/protocol';
import { z } from 'zod';
import { errorMessage, type Logger } from '../../logger.js';
import { defineProbe, type Probe, type ProbeContext } from '../../probe.js';
import { describeFailure, httpRequest, type HttpOutcome, type HttpRequestOptions } from '../http/http.client.js';
import { headersOption } from '../http/http.probe.js';
import { DEFAULT_KEYS, countRunning, readInventory, type CloudSystem, type InventoryKeys, type InventorySnapshot } from './inventory.reader.js';
import { NODE_ID, durationOption } from '../options.js';

export type { CloudSystem, InventoryKeys, InventorySnapshot } from './inventory.reader.js';

export type InventorySource = { kind: 'url'; url: string } | { kind: 'file'; path: string };

export interface CloudInventoryOptions {
  source: InventorySource;
  headers?: Record<string, string>;
  /** Dotted path to the list inside the document; default: the document is the list. */
  listPath?: string;
  keys?: Partial<InventoryKeys>;
  /** States that count as running (case-insensitive). Default ['running']. */
  runningStates?: readonly string[];
  /** Units reported (0 when none runs there). Default: the 10 districts and 4 zones. */
  units?: readonly string[];
  responseTimeoutMs?: number;
  tlsSkipVerify?: boolean;
  caFile?: string;
  /** `node` tag. Default `cloud-subplatform`. */
  node: string;
  /**
   * Also send `cloud.system_running` per listed system (tags `system`, `agency`): the server matches
   * them to the migration inventory as evidence. Default true.
   */
  perSystem?: boolean;
}

/** The latest inventory read, for the migration inventory (Article 11). */
export interface InventoryReading extends InventorySnapshot {
  /** Collection time of the reading, epoch ms. */
  at: number;
}

/** A system as seen over the agent's life: when it first and last appeared in the inventory. */
export interface SeenSystem extends CloudSystem {
  firstSeen: number;
  lastSeen: number;
}

/** The probe's I/O seam. */
export interface CloudInventoryIo {
  request(url: string, options: HttpRequestOptions): Promise<HttpOutcome>;
  readFile(path: string): Promise<Buffer>;
}

const MAX_BODY = 32 << 20;
const MAX_TAG = 128;

/**
 * Reads which information systems run on the cloud sub-platform (云上贵州贵阳分平台) from a JSON
 * endpoint or file, and reports `cloud.systems_running` per unit. The systems themselves are kept
 * for the migration inventory: `lastInventory()` (the latest reading) and `systemsSeen()` (every
 * system seen since the agent started). Entries with an unknown district or that cannot be read
 * are logged and kept aside, never sent as points. See README.md.
 *
 * Never throws from `collect`: an inventory that cannot be read is logged and gives no points
 * (the series go stale and show `unknown`, not zero).
 */
export class CloudInventoryProbe implements Probe {
  readonly type = 'cloud_inventory';
  private readonly io: CloudInventoryIo;
  private readonly keys: InventoryKeys;
  private ca: Buffer | undefined;
  private last: InventoryReading | undefined;
  private readonly seen = new Map<string, SeenSystem>();
  private lastProblem: string | undefined;
  private lastAside: string | undefined;

  constructor(
    private readonly options: CloudInventoryOptions,
    private readonly logger: Logger,
    io: Partial<CloudInventoryIo> = {},
  ) {
    this.io = { request: httpRequest, readFile: (path) => readFile(path), ...io };
    this.keys = { ...DEFAULT_KEYS, ...options.keys };
  }

  /** The latest successful reading; undefined before the first. */
  lastInventory(): InventoryReading | undefined {
    return this.last;
  }

  /** Every system seen in a reading since the agent started (with a known unit), by first appearance. */
  systemsSeen(): SeenSystem[] {
    return [...this.seen.values()];
  }

  async collect(ctx: ProbeContext): Promise<RawPoint[]> {
    const list = await this.load(ctx.signal);
    if (ctx.signal.aborted || list === undefined) return [];
    const snapshot = readInventory(list, this.options.runningStates ?? ['running'], this.keys);
    this.remember(snapshot, ctx.now);
    this.reportAside(snapshot);

    const tags = { node: this.options.node, platform: 'cloud' };
    const counts = countRunning(snapshot.systems, this.options.units ?? UNITS.map((u) => u.code));
    const points: RawPoint[] = [...counts].map(([district, count]) => ({ metric: 'cloud.systems_running', ts: ctx.now, value: count, tags: { district, ...tags } }));
    if (this.options.perSystem ?? true) {
      for (const s of snapshot.systems) {
        // Tag values are at most 128 characters (protocol): a longer name is counted, not sent on its own.
        if (!counts.has(s.district) || s.system.length > MAX_TAG || s.agency.length > MAX_TAG) continue;
        points.push({ metric: 'cloud.system_running', ts: ctx.now, value: s.running ? 1 : 0, tags: { district: s.district, ...tags, system: s.system, ...(s.agency ? { agency: s.agency } : {}) } });
      }
    }
    return points;
  }

  /** The inventory's list, or undefined (logged) when it cannot be had. */
  private async load(signal: AbortSignal): Promise<unknown[] | undefined> {
    const o = this.options;
    let text: string;
    if (o.source.kind === 'file') {
      try {
        text = (await this.io.readFile(o.source.path)).toString('utf8');
      } catch (err) {
        return this.fail(`cannot read ${o.source.path}: ${errorMessage(err)}`);
      }
    } else {
      if (o.caFile && !this.ca) {
        try {
          this.ca = await this.io.readFile(o.caFile);
        } catch (err) {
          return this.fail(`cannot read ca_file ${o.caFile}: ${errorMessage(err)}`);
        }
      }
      const outcome = await this.io.request(o.source.url, {
        headers: { accept: 'application/json', ...o.headers },
        timeoutMs: o.responseTimeoutMs ?? 30_000,
        signal,
        maxRedirects: 3,
        maxBodyBytes: MAX_BODY,
        tls: { ca: this.ca, skipVerify: o.tlsSkipVerify ?? false },
      });
      if (signal.aborted) return undefined;
      if (!outcome.ok) return this.fail(`inventory endpoint: ${outcome.code === 'timeout' ? outcome.message : describeFailure(outcome)}`);
      if (outcome.status < 200 || outcome.status > 299) return this.fail(`inventory endpoint answered ${outcome.status}`);
      if (outcome.truncated) return this.fail(`inventory larger than ${MAX_BODY} bytes`);
      text = outcome.body.toString('utf8');
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (err) {
      return this.fail(`inventory is not JSON: ${errorMessage(err)}`);
    }
    const list = o.listPath ? valueAt(doc, o.listPath) : doc;
    if (!Array.isArray(list)) {
      return this.fail(o.listPath ? `no list at ${o.listPath} in the inventory` : 'the inventory is not a list (set list_path to where the list is)');
    }
    if (this.lastProblem !== undefined) {
      this.lastProblem = undefined;
      this.logger.info({ probe: 'cloud_inventory' }, 'inventory readable again');
    }
    return list;
  }

  private fail(problem: string): undefined {
    if (this.lastProblem !== problem) {
      this.lastProblem = problem;
      this.logger.warn({ probe: 'cloud_inventory' }, problem);
    }
    return undefined;
  }

  private remember(snapshot: InventorySnapshot, now: number): void {
    this.last = { ...snapshot, at: now };
    for (const s of snapshot.systems) {
      const key = `${s.agency}\u0000${s.system}`;
      const before = this.seen.get(key);
      this.seen.set(key, { ...s, firstSeen: before?.firstSeen ?? now, lastSeen: now });
    }
  }

  /** Logs entries kept aside (unknown districts, unreadable entries) when what is aside changes. */
  private reportAside(snapshot: InventorySnapshot): void {
    const parts: string[] = [];
    for (const u of snapshot.unknownDistricts) parts.push(`district ${JSON.stringify(u.district)} is no known unit (${u.systems.join(', ')})`);
    for (const m of snapshot.malformed) parts.push(`entry ${m.index}: ${m.reason}`);
    const summary = parts.join('; ');
    if (summary === (this.lastAside ?? '')) return;
    this.lastAside = summary;
    if (parts.length === 0) this.logger.info({ probe: 'cloud_inventory' }, 'every inventory entry reads well again');
    else {
      this.logger.warn(
        { probe: 'cloud_inventory', unknownDistricts: snapshot.unknownDistricts.length, malformed: snapshot.malformed.length },
        `inventory entries not counted: ${summary}`,
      );
    }
  }
}

/** The value at a dotted path (`data.systems`; a number indexes a list), or undefined. */
function valueAt(doc: unknown, path: string): unknown {
  let node = doc;
  for (const seg of path.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(seg)) node = node[Number(seg)];
    else if (typeof node === 'object' && node !== null && !Array.isArray(node) && Object.hasOwn(node, seg)) node = (node as Record<string, unknown>)[seg];
    else return undefined;
  }
  return node;
}

// --- configuration -------------------------------------------------------------------------

const unitOption = z
  .union([z.string(), z.number().int()], { error: 'must be a unit code such as "520103" or "gy-hitech"' })
  .transform((v) => String(v))
  .refine((code) => isUnitCode(code) || RETIRED_CODES[code] !== undefined, { error: (i) => `${JSON.stringify(i.input)} is not a known district or zone` })
  .transform((code) => RETIRED_CODES[code] ?? code);

const keyName = z.string({ error: 'must be a key name' }).min(1, 'must not be empty');

/** The YAML keys of `type: cloud_inventory` (cloud-inventory.sample.yaml documents each). */
export const CloudInventoryConfigSchema = z
  .strictObject({
    url: z
      .string({ error: 'must be a URL' })
      .refine((text) => {
        try {
          return ['http:', 'https:'].includes(new URL(text).protocol);
        } catch {
          return false;
        }
      }, { error: (i) => `${JSON.stringify(i.input)} is not an http:// or https:// URL` })
      .optional(),
    file: z.string({ error: 'must be a path' }).min(1, 'must not be empty').optional(),
    headers: headersOption.optional(),
    list_path: z.string({ error: 'must be a dotted path' }).regex(/^[^.\s]+(\.[^.\s]+)*$/, 'must be a dotted path such as data.systems').optional(),
    keys: z.strictObject({ system: keyName.optional(), agency: keyName.optional(), district: keyName.optional(), state: keyName.optional() }).optional(),
    running_states: z.array(z.string().min(1, 'must not be empty'), { error: 'must be a list of states, e.g. [running]' }).min(1, 'must list at least one state').default(['running']),
    units: z
      .array(unitOption, { error: 'must be a list of unit codes' })
      .min(1, 'must list at least one unit')
      .refine((l) => new Set(l).size === l.length, 'lists a unit twice')
      .optional(),
    response_timeout: durationOption(100, 300_000, 30_000, '30s'),
    tls_skip_verify: z.boolean({ error: 'must be true or false' }).default(false),
    ca_file: z.string({ error: 'must be a path' }).min(1, 'must not be empty').optional(),
    node: z.string({ error: 'must be a string' }).regex(NODE_ID, 'must be an id of letters, digits and _ . : - (at most 128)').default('cloud-subplatform'),
    per_system: z.boolean({ error: 'must be true or false' }).default(true),
  })
  .superRefine((c, ctx) => {
    if ((c.url === undefined) === (c.file === undefined)) {
      ctx.addIssue({ code: 'custom', path: c.url ? ['file'] : [], message: 'give exactly one of url and file' });
    }
    if (c.file !== undefined) {
      for (const key of ['headers', 'ca_file'] as const) {
        if (c[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'only applies to url' });
      }
    }
    if (c.tls_skip_verify && c.ca_file) ctx.addIssue({ code: 'custom', path: ['ca_file'], message: 'is pointless with tls_skip_verify: true (choose one)' });
  });
export type CloudInventoryConfig = z.output<typeof CloudInventoryConfigSchema>;

export const cloudInventoryProbeDefinition = defineProbe<CloudInventoryConfig>({
  // Probe types are lower-case letters, digits and _ (ProbeRegistry), hence not cloud-inventory.
  type: 'cloud_inventory',
  description: 'information systems running on the cloud sub-platform, from a JSON endpoint or file: cloud.systems_running per unit, cloud.system_running per system',
  configSchema: CloudInventoryConfigSchema,
  create(config, deps) {
    return new CloudInventoryProbe(
      {
        source: config.url !== undefined ? { kind: 'url', url: config.url } : { kind: 'file', path: config.file! },
        headers: config.headers,
        listPath: config.list_path,
        keys: config.keys,
        runningStates: config.running_states,
        units: config.units,
        responseTimeoutMs: config.response_timeout,
        tlsSkipVerify: config.tls_skip_verify,
        caFile: config.ca_file,
        node: config.node,
        perSystem: config.per_system,
      },
      deps.logger,
    );
  },
});
