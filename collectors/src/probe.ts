import type { RawPoint } from '@zhuyun/protocol';
import type { z } from 'zod';
import type { Logger } from './logger.js';

/** Who is collecting: every probe call and every probe factory gets it. */
export interface CollectorIdentity {
  id: string;
  /** Unit code (district or zone) from the agent's config; the default `district` tag. */
  district: string;
}

/** What one collection gets from the scheduler. */
export interface ProbeContext {
  /** The scheduled time of this collection, epoch ms. Use it as the points' `ts`. */
  now: number;
  /**
   * Aborted when the probe's timeout passes or the agent stops. A probe passes it to fetch,
   * sockets and child processes; after it fires, whatever the probe returns is discarded.
   */
  signal: AbortSignal;
  collector: CollectorIdentity;
}

/**
 * A probe measures something and returns points. Contract:
 * - `collect` returns the points of one collection; an empty array is a valid answer.
 * - A target that cannot be reached is data (`net.up` 0), not an error. A rejected promise or a
 *   throw means the probe itself failed; the scheduler counts and logs it and carries on with the
 *   next interval, so a probe never needs to protect the scheduler.
 * - The scheduler never runs two collections of the same probe at once: a collection that outlives
 *   its interval makes the next tick be skipped, not stacked.
 * - Points carry tags `node` and normally `district`; when `district` is missing the agent fills in
 *   the collector's district.
 */
export interface Probe {
  readonly type: string;
  collect(ctx: ProbeContext): Promise<RawPoint[]>;
  /** Releases sockets or sessions; called once when the agent stops. Must not throw. */
  close?(): Promise<void>;
}

/** What a probe factory may use. Anything touching the outside world comes in here (or lazily in collect). */
export interface ProbeDeps {
  collector: CollectorIdentity;
  logger: Logger;
}

/**
 * A probe type: its config schema and a factory, registered once per type. Following Telegraf's
 * `Init` rule, validating a config (the schema) and creating a probe (`create`) must not touch the
 * network or the disk: `zhuyun-collector --check` and the server's config check run them offline,
 * and a target that is down at start must not stop the agent from starting.
 */
export interface ProbeDefinition<C = unknown> {
  /** Lower-case name used as `type:` in the YAML (`ping`, `http`, `simulate`). */
  readonly type: string;
  /** One line for `--help` and error messages. */
  readonly description: string;
  /**
   * Validates the probe's own keys (everything but the common `type`, `name`, `interval`,
   * `timeout`, `jitter`) and applies defaults. Should be a strict object: an unknown key is
   * almost always a typo of an option, and silently ignoring it is what hurts operators.
   */
  readonly configSchema: z.ZodType<C>;
  /** Builds a probe from a validated config. No I/O (see above). */
  create(config: C, deps: ProbeDeps): Probe;
}

/** Keeps type inference for `create`'s config when declaring a probe type. */
export function defineProbe<C>(definition: ProbeDefinition<C>): ProbeDefinition<C> {
  return definition;
}

/**
 * A probe type whose module is imported only when a configuration uses it (the built-in ones:
 * probes/builtin.ts). `peek` answers without loading; `load` imports the module.
 */
export interface LazyProbeDefinition {
  readonly type: string;
  readonly description: string;
  peek(): ProbeDefinition<unknown> | undefined;
  load(): Promise<ProbeDefinition<unknown>>;
}

/**
 * The probe types an agent knows. Not a global: the CLI builds one with the built-in probes
 * (`createBuiltinRegistry` in probes/builtin.ts) and tests build their own.
 *
 * A type is registered either with its definition (`register`) or lazily (`registerLazy`): then
 * `get` answers only once `load` has imported it. Validating a config and creating probes stay
 * synchronous; `loadConfigFile` loads the types a file names before it validates.
 */
export class ProbeRegistry {
  private readonly definitions = new Map<string, ProbeDefinition<unknown>>();
  private readonly lazy = new Map<string, LazyProbeDefinition>();

  /** Adds a probe type; registering the same type twice is a programming error and throws. */
  register<C>(definition: ProbeDefinition<C>): this {
    this.claim(definition.type);
    this.definitions.set(definition.type, definition as ProbeDefinition<unknown>);
    return this;
  }

  /** Adds a probe type whose module is imported by `load`. */
  registerLazy(definition: LazyProbeDefinition): this {
    this.claim(definition.type);
    this.lazy.set(definition.type, definition);
    return this;
  }

  /** The definition if the type is known and loaded; undefined otherwise (see `has`). */
  get(type: string): ProbeDefinition<unknown> | undefined {
    return this.definitions.get(type) ?? this.lazy.get(type)?.peek();
  }

  /** Whether the type is registered, loaded or not. */
  has(type: string): boolean {
    return this.definitions.has(type) || this.lazy.has(type);
  }

  /** Imports the modules of these types (default: all lazy ones). Unknown types are ignored. */
  async load(types?: Iterable<string>): Promise<void> {
    const wanted = types ? [...new Set(types)] : [...this.lazy.keys()];
    // One after the other: jest's ESM loader fails concurrent imports that share a dependency
    // ("request for ... is not in cache"), and the agent loads a handful of modules once.
    for (const type of wanted) await this.lazy.get(type)?.load();
  }

  /** Registered types, sorted, for messages ("known types: ping, simulate"). */
  types(): string[] {
    return [...this.definitions.keys(), ...this.lazy.keys()].sort();
  }

  private claim(type: string): void {
    if (!/^[a-z][a-z0-9_]*$/.test(type)) {
      throw new Error(`probe type ${JSON.stringify(type)} must be lower-case letters, digits and _`);
    }
    if (this.has(type)) throw new Error(`probe type ${type} is already registered`);
  }
}
