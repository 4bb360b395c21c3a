import { ProbeRegistry } from '../probe.js';
import { cloudInventoryProbeDefinition } from './cloud-inventory/cloud-inventory.probe.js';
import { hostProbeDefinition } from './host/host.probe.js';
import { httpProbeDefinition } from './http/http.probe.js';
import { pingProbeDefinition } from './ping/ping.probe.js';
import { platformProbeDefinition } from './platform/platform.probe.js';
import { prometheusProbeDefinition } from './prometheus/prometheus.probe.js';
import { simulateProbeDefinition } from './simulate/simulate.probe.js';
import { snmpProbeDefinition } from './snmp/snmp.probe.js';

/**
 * The probe types shipped with the agent. A new probe folder adds one line here (ping, http,
 * snmp... come with the next issue).
 */
export function createBuiltinRegistry(): ProbeRegistry {
  return new ProbeRegistry()
    .register(simulateProbeDefinition)
    .register(pingProbeDefinition)
    .register(httpProbeDefinition)
    .register(hostProbeDefinition)
    .register(platformProbeDefinition)
    .register(cloudInventoryProbeDefinition)
    .register(snmpProbeDefinition)
    .register(prometheusProbeDefinition);
}
