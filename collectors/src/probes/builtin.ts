import { ProbeRegistry, type LazyProbeDefinition, type ProbeDefinition } from '../probe.js';

/**
 * The probe types shipped with the agent, each imported only when a configuration uses it: the
 * modules of all eight (net-snmp, node:https, the parsers...) cost about 16 MB of RSS, a quarter
 * of the agent's budget (docs/COLLECTORS.md "Memory"). A new probe folder adds one line here.
 */
const BUILTIN: Array<[type: string, description: string, load: () => Promise<ProbeDefinition<unknown>>]> = [
  ['simulate', 'a simulated Guiyang extranet and platforms (demo data, no network)', async () => (await import('./simulate/simulate.probe.js')).simulateProbeDefinition as ProbeDefinition<unknown>],
  ['ping', 'round-trip time, loss and jitter through the system ping, TCP connect where ICMP is not allowed', async () => (await import('./ping/ping.probe.js')).pingProbeDefinition as ProbeDefinition<unknown>],
  ['http', 'an HTTP(S) URL: status, latency, body match and TLS certificate days left', async () => (await import('./http/http.probe.js')).httpProbeDefinition as ProbeDefinition<unknown>],
  ['host', 'CPU, memory, disk and network of the machine the agent runs on (Linux /proc, statfs)', async () => (await import('./host/host.probe.js')).hostProbeDefinition as ProbeDefinition<unknown>],
  ['platform', 'a JSON statistics endpoint of the sharing or open platform, mapped to share.* / open.* metrics', async () => (await import('./platform/platform.probe.js')).platformProbeDefinition as ProbeDefinition<unknown>],
  ['cloud_inventory', 'information systems running on the cloud sub-platform, from a JSON endpoint or file: cloud.systems_running per unit, cloud.system_running per system', async () => (await import('./cloud-inventory/cloud-inventory.probe.js')).cloudInventoryProbeDefinition as ProbeDefinition<unknown>],
  ['snmp', 'SNMP (v1/v2c/v3) interface traffic, utilisation, errors, status and uptime from IF-MIB', async () => (await import('./snmp/snmp.probe.js')).snmpProbeDefinition as ProbeDefinition<unknown>],
  ['prometheus', 'scrape a Prometheus text endpoint and forward chosen series (and node_exporter host metrics)', async () => (await import('./prometheus/prometheus.probe.js')).prometheusProbeDefinition as ProbeDefinition<unknown>],
];

/** Loaded definitions, shared by every registry createBuiltinRegistry returns (import() caches anyway). */
const loaded = new Map<string, ProbeDefinition<unknown>>();

function lazyBuiltin([type, description, importer]: (typeof BUILTIN)[number]): LazyProbeDefinition {
  return {
    type,
    description,
    peek: () => loaded.get(type),
    load: async () => {
      const definition = await importer();
      if (definition.type !== type || definition.description !== description) {
        throw new Error(`built-in probe ${type}: the entry in builtin.ts does not match its module's type or description`);
      }
      loaded.set(type, definition);
      return definition;
    },
  };
}

/** The built-in types' names, without loading any of them. */
export const BUILTIN_PROBE_TYPES: readonly string[] = BUILTIN.map(([type]) => type).sort();

/**
 * A registry of the built-in probe types, registered lazily: `get(type)` answers once the type was
 * loaded through any such registry (`await registry.load([...])`, or `loadConfigFile`, which loads
 * what the file names). Callers that validate configs synchronously load first:
 * `await loadBuiltinProbes()`; the package entry (index.ts) does it for library users.
 */
export function createBuiltinRegistry(): ProbeRegistry {
  const registry = new ProbeRegistry();
  for (const entry of BUILTIN) registry.registerLazy(lazyBuiltin(entry));
  return registry;
}

/** Imports the modules of these built-in types (default: all). */
export async function loadBuiltinProbes(types?: Iterable<string>): Promise<void> {
  await createBuiltinRegistry().load(types);
}
