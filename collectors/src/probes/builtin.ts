import { ProbeRegistry } from '../probe.js';
import { simulateProbeDefinition } from './simulate/simulate.probe.js';

/**
 * The probe types shipped with the agent. A new probe folder adds one line here (ping, http,
 * snmp... come with the next issue).
 */
export function createBuiltinRegistry(): ProbeRegistry {
  return new ProbeRegistry().register(simulateProbeDefinition);
}
