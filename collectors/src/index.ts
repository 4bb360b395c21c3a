/**
 * @zhuyun/collectors: the collector agent as a library. The CLI (cli.ts) is one user; the server's
 * simulated fleet (ZHUYUN_SIMULATE) is another: see the example on AgentOptions in agent.ts.
 *
 * Importing the package loads every built-in probe module, so that the synchronous parseConfig,
 * configFromObject and `new Agent` know all built-in types. The CLI does not import this file: it
 * loads only the probe types its configuration names (probes/builtin.ts, docs/COLLECTORS.md "Memory").
 */
import { loadBuiltinProbes } from './probes/builtin.js';

await loadBuiltinProbes();

export { Agent, DROP_REASONS, SELF_METRICS, type AgentOptions, type AgentStats, type DropReason } from './agent.js';
export {
  ConfigError,
  configFromObject,
  formatIssue,
  loadConfigFile,
  parseByteSize,
  parseConfig,
  type AgentConfig,
  type ConfigIssue,
  type ParseConfigOptions,
  type ProbeConfig,
} from './config.js';
export { formatDuration, parseDuration } from './duration.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export { createDefaultLogger, silentLogger, type Logger } from './logger.js';
export { backoffDelay, type BackoffPolicy } from './backoff.js';
export {
  ProbeRegistry,
  defineProbe,
  type CollectorIdentity,
  type Probe,
  type ProbeContext,
  type ProbeDefinition,
  type ProbeDeps,
} from './probe.js';
export { BUILTIN_PROBE_TYPES, createBuiltinRegistry, loadBuiltinProbes } from './probes/builtin.js';
export type { LazyProbeDefinition } from './probe.js';
export { Scheduler, type ProbeStats, type ScheduledProbe, type SchedulerOptions } from './scheduler.js';
export type { BatchQueue, BatchSummary, QueuedBatch, QueueSize } from './queue/batch-queue.js';
export { MemoryBatchQueue, type MemoryBatchQueueOptions } from './queue/memory.batch-queue.js';
export { DiskBatchQueue, SpoolError, type DiskBatchQueueOptions } from './queue/disk.batch-queue.js';
export type { SendOutcome, Transport } from './transport/transport.js';
export { HttpTransport, INGEST_PATH, type HttpTransportOptions } from './transport/http.transport.js';
export {
  SimulateConfigSchema,
  SimulateProbe,
  simulateProbeDefinition,
  type Fault,
  type FaultKind,
  type FaultRequest,
  type SimulateConfig,
  type SimulateOptions,
  type FleetNode,
  type SimulatedNode,
  type SimulatedPlatform,
} from './probes/simulate/simulate.probe.js';
export { loadAt, beijingTime } from './probes/simulate/daily-load.curve.js';
export { ManualClock, settle } from './testing/manual.clock.js';
