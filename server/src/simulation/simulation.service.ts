import { Inject, Injectable, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import { Agent, HttpTransport, SimulateProbe, configFromObject, type FaultRequest, type FleetNode } from '@zhuyun/collectors';
import { UNITS, findUnit } from '@zhuyun/protocol';
import { CollectorTokensService } from '../auth/collector-tokens.service.js';
import { ClusterService } from '../cluster/cluster.service.js';
import { ValidationError } from '../common/errors.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { CONFIG, type AppConfig } from '../config/config.js';
import { CITY_CORE, fleetOf } from './city-fleet.js';

/** The simulated fleet reports every second, so the demo wall moves every second. */
const INTERVAL_MS = 1_000;
/** The platforms' collector stands in the city data centre, in Guanshanhu. */
const PLATFORM_DISTRICT = '520115';

interface SimulatedCollector {
  id: string;
  probe: SimulateProbe;
  agent: Agent;
}

/**
 * The collectors of a fleet. `small` (ZHUYUN_SIMULATE_FLEET=small, the tests'): per unit a core and
 * 3 access nodes. `city` (the default): the real city of city-fleet.ts — each unit's collector
 * reports its unit's core, departments, townships and villages (a zone's collector: the townships of
 * the zone table, whose points carry district = their district, unit = the zone); the platforms'
 * collector reports the platforms (with `cloud.systems_running` for every unit, as before) plus the
 * city core `gy-core` and the city departments (unit 520115, the city data centre). Each call makes
 * new probes with the same seeds: the history fill (history.service.ts) steps its own.
 */
export function fleetSpecs(fleet: AppConfig['simulateFleet']) {
  if (fleet === 'small') {
    return [
      ...UNITS.map((u) => ({ id: `sim-${u.code}`, district: u.code, units: [] as string[] | '*', nodes: undefined as readonly FleetNode[] | undefined, probe: new SimulateProbe({ units: [u.code], seed: seedOf(u.code) }) })),
      // The platforms report figures per unit (each unit's use of the share and open platforms):
      // their collector writes for every unit (docs/SECURITY.md "A collector writes only where it stands").
      { id: 'sim-platforms', district: PLATFORM_DISTRICT, units: '*' as const, nodes: undefined, probe: new SimulateProbe({ units: [], platforms: true, seed: seedOf('platforms') }) },
    ];
  }
  const city = fleetOf(fleet);
  return [
    // A zone's collector is registered with the zone as its district: its nodes' points carry the
    // geographic district and `unit` = the zone, which is the collector's own unit.
    ...UNITS.map((u) => ({ id: `sim-${u.code}`, district: u.code, units: [] as string[] | '*', nodes: city.byUnit.get(u.code)! as readonly FleetNode[] | undefined, probe: new SimulateProbe({ nodes: city.byUnit.get(u.code)!, seed: seedOf(u.code) }) })),
    // The city core and departments (unit 520115) and the platforms' per-unit figures: every unit.
    { id: 'sim-platforms', district: PLATFORM_DISTRICT, units: '*' as const, nodes: city.city, probe: new SimulateProbe({ nodes: city.city, platforms: true, seed: seedOf('platforms') }) },
  ];
}

/** A small stable number per unit, so each unit's simulation differs and repeats across starts. */
function seedOf(code: string): number {
  let h = 2166136261;
  for (const ch of code) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

/**
 * The simulated city fleet of `ZHUYUN_SIMULATE=1`: one collector agent per district and zone and one
 * for the platforms, each with a token of its own, reporting over HTTP to this very server — the
 * same path a real collector takes (authentication, validation, storage, live push). With several
 * instances (REDIS_URL) only the leader runs the fleet, and the next leader takes it over: one fleet
 * for the deployment, whichever instances have ZHUYUN_SIMULATE=1.
 */
@Injectable()
export class SimulationService implements BeforeApplicationShutdown {
  private collectors: SimulatedCollector[] = [];
  /** Which collector simulates each node id (filled as the fleet starts), for injectFault. */
  private collectorOfNode = new Map<string, SimulatedCollector>();
  private offLeader?: () => void;
  private stopping = false;
  /** Starts and stops run one after the other (a lead can come and go while the fleet registers). */
  private queue: Promise<void> = Promise.resolve();

  private serial(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  constructor(
    private readonly tokens: CollectorTokensService,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Optional() private readonly cluster?: ClusterService,
  ) {}

  /**
   * Runs the simulated fleet against `url`: at once on a single instance; with several instances
   * while this one leads (it starts when the lead comes, stops when it goes).
   */
  async start(url: string): Promise<void> {
    if (this.cluster?.clustered) {
      this.offLeader ??= this.cluster.onLeaderChange((leader) => {
        const change = this.serial(() => (leader ? this.startFleet(url) : this.stopFleet()));
        void change.catch((err) => this.log.error({ err }, 'simulation: taking over or handing over the fleet failed'));
      });
      if (!this.cluster.isLeader()) {
        this.log.info('simulated city fleet: another instance leads and runs it; this one takes over if it leads');
        return;
      }
    }
    await this.serial(() => this.startFleet(url));
  }

  /** Registers the simulated collectors (new tokens each start) and starts them against `url`. */
  private async startFleet(url: string): Promise<void> {
    if (this.collectors.length || this.stopping) return;
    const specs = fleetSpecs(this.config.simulateFleet);
    const log = this.log.child({ component: 'simulation' });
    for (const s of specs) {
      const token = await this.tokens.add(s.id, s.district, { replace: true, units: s.units });
      const config = configFromObject({ server: { url, token }, collector: { id: s.id, district: s.district } }, 'simulation');
      const agent = new Agent({
        config,
        probes: [{ probe: s.probe, intervalMs: INTERVAL_MS, jitterMs: INTERVAL_MS }],
        transport: new HttpTransport({ url, token }),
        logger: log,
      });
      agent.start();
      const collector = { id: s.id, probe: s.probe, agent };
      this.collectors.push(collector);
      for (const n of s.probe.nodes()) this.collectorOfNode.set(n.id, collector);
    }
    log.info({ collectors: this.collectors.length, nodes: this.collectorOfNode.size, fleet: this.config.simulateFleet, url }, 'simulated city fleet started');
  }

  /**
   * Forces a fault on the simulated fleet (demos, browser tests): the collector that simulates `node`,
   * else the one of `unit`; a platform fault goes to the platforms' collector. A link down of the
   * city core takes every unit core down with it (they run in other collectors).
   */
  injectFault(req: FaultRequest): void {
    const byNode = req.node !== undefined ? this.collectorOfNode.get(req.node) : undefined;
    const target =
      req.kind === 'platform_outage'
        ? this.collectors.find((c) => c.id === 'sim-platforms')
        : (byNode ?? (req.node === undefined && req.unit && findUnit(req.unit) ? this.collectors.find((c) => c.id === `sim-${req.unit}`) : undefined));
    if (!target) throw new ValidationError(`no simulated collector for ${JSON.stringify(req.node ?? req.unit ?? req.kind)}`);
    try {
      target.probe.injectFault(req);
      if (req.kind === 'link_down' && req.node === CITY_CORE) {
        const startsAt = req.startsAt;
        for (const u of UNITS) this.collectors.find((c) => c.id === `sim-${u.code}`)?.probe.injectFault({ kind: 'link_down', unit: u.code, durationMs: req.durationMs, startsAt });
      }
    } catch (err) {
      // The model's message names what is not simulated (a node of another fleet, a unit without nodes).
      throw new ValidationError(err instanceof Error ? err.message : String(err));
    }
  }

  running(): boolean {
    return this.collectors.length > 0;
  }

  private async stopFleet(): Promise<void> {
    const all = this.collectors;
    this.collectors = [];
    this.collectorOfNode = new Map();
    await Promise.all(all.map((c) => c.agent.stop()));
    if (all.length) this.log.info({ collectors: all.length }, 'simulated city fleet stopped');
  }

  /** Before the stores close, so the agents' last batches are still taken. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.offLeader?.();
    await this.serial(() => this.stopFleet());
  }
}
