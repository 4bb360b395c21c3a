import { UNITS, isUnitCode, type RawPoint } from '@zhuyun/protocol';
import { z } from 'zod';
import { defineProbe, type Probe, type ProbeContext } from '../../probe.js';
import { CityModel, type Fault, type FaultRequest, type FleetNode, type SimulatedNode } from './city.model.js';
import { deriveSeed } from './mulberry32.prng.js';

export type { Fault, FaultKind, FaultRequest, FleetNode, SimulatedNode, SimulatedPlatform } from './city.model.js';

export interface SimulateOptions {
  /** Unit codes (districts and zones) to simulate. Default: all 10 districts and 4 zones. */
  units?: readonly string[];
  /** Access nodes per unit, beside its core node. Default 3. */
  accessNodes?: number;
  /**
   * An explicit fleet instead of `units` × (core + `accessNodes`): the real city's tree (unit core,
   * townships, villages, departments; the server builds it from the division codes). Its units are
   * those its nodes name. A township down takes its villages with it.
   */
  nodes?: readonly FleetNode[];
  /** Also simulate the cloud sub-platform, the sharing platform and the open platform. Default false. */
  platforms?: boolean;
  /** Expected random faults per hour per unit (and per platform). Default 2; 0 turns them off. */
  faultRate?: number;
  /** Same seed, same sequence of collection times: same points. Default 1. */
  seed?: number;
}

/**
 * A simulated city as a probe: the demo fleet and the tests' data source. Every call to
 * `collect` advances the simulation to `ctx.now`, so it follows whatever clock the scheduler has
 * (a ManualClock in tests, the wall clock in a demo). See README.md in this folder.
 *
 * Fault control for tests and demos (also reachable on a running agent that was given this
 * instance): `injectFault`, `clearFaults`, `activeFaults`.
 */
export class SimulateProbe implements Probe {
  readonly type = 'simulate';
  private readonly model: CityModel;

  constructor(options: SimulateOptions = {}) {
    this.model = new CityModel({
      units: options.units ?? UNITS.map((u) => u.code),
      accessNodes: options.accessNodes ?? 3,
      nodes: options.nodes,
      platforms: options.platforms ?? false,
      faultRate: options.faultRate ?? 2,
      seed: options.seed ?? 1,
    });
  }

  async collect(ctx: ProbeContext): Promise<RawPoint[]> {
    return this.model.tick(ctx.now);
  }

  /**
   * Forces a fault from the next collection on (or from `startsAt`) for `durationMs`; it then
   * recovers by itself. Throws when the request names no simulated unit, node or platform.
   * - `{ kind: 'link_down', node: '520103-acc-2' }` or `{ kind: 'link_down', unit: '520103' }` (its core
   *   node, which takes the unit's access nodes down with it): net.up 0, loss 100, no latency.
   *   Any node takes the nodes behind it down too (`{ node: 't520102016' }`: a township and its villages).
   * - `{ kind: 'latency_storm', unit: '520121' }`: latency ×5–15, jitter up, 0.5–5 % loss; with
   *   `node`, only that node and the nodes behind it.
   * - `{ kind: 'platform_outage', platform: 'share' | 'open' }`: `<platform>.up` 0, success falls,
   *   counters stall. Needs `platforms: true`.
   */
  injectFault(request: FaultRequest): Fault {
    return this.model.injectFault(request);
  }

  /** Ends every fault at once; the next collection is healthy. */
  clearFaults(): void {
    this.model.clearFaults();
  }

  /** Faults still running at the last collection, and injected ones waiting for their first. */
  activeFaults(): Fault[] {
    return this.model.activeFaults();
  }

  /** The simulated extranet nodes (`520103-core-1`, `520103-acc-1`... or the explicit fleet's), for an inventory. */
  nodes(): SimulatedNode[] {
    return this.model.listNodes();
  }
}

const unitCodeOption = z
  .union([z.string(), z.number().int()])
  .transform((v) => String(v))
  .refine((code) => isUnitCode(code), { error: (i) => `${JSON.stringify(i.input)} is not a district code or zone id` });

/** The YAML keys of `type: simulate` (simulate.sample.yaml documents each). */
export const SimulateConfigSchema = z.strictObject({
  seed: z.number({ error: 'must be a whole number' }).int('must be a whole number').optional(),
  units: z
    .array(unitCodeOption, { error: 'must be a list of unit codes, e.g. ["520103", gy-hitech]' })
    .refine((list) => new Set(list).size === list.length, 'lists a unit twice')
    .optional(),
  access_nodes: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(0, 'must be 0 or more').max(50, 'must be at most 50').default(3),
  platforms: z.boolean({ error: 'must be true or false' }).default(false),
  fault_rate: z.number({ error: 'must be a number (faults per hour per unit)' }).min(0, 'must be 0 or more').max(360, 'must be at most 360').default(2),
});
export type SimulateConfig = z.output<typeof SimulateConfigSchema>;

export const simulateProbeDefinition = defineProbe<SimulateConfig>({
  type: 'simulate',
  description: 'a simulated Guiyang extranet and platforms (demo data, no network)',
  configSchema: SimulateConfigSchema,
  create(config, deps) {
    return new SimulateProbe({
      units: config.units,
      accessNodes: config.access_nodes,
      platforms: config.platforms,
      faultRate: config.fault_rate,
      // Without a seed each collector still gets its own, stable one: two agents in a demo do not
      // move in lockstep, and a restart replays the same city.
      seed: config.seed ?? deriveSeed(0, deps.collector.id),
    });
  },
});
