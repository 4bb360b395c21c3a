import { RETIRED_CODES, isUnitCode } from '@zhuyun/protocol';

/** One information system on the cloud sub-platform, as the inventory lists it. */
export interface CloudSystem {
  system: string;
  /** Owning agency; empty when the inventory does not say. */
  agency: string;
  /** Unit code (district or zone id), a retired code already mapped to its successor. */
  district: string;
  /** State as the inventory writes it (trimmed). */
  state: string;
  /** Whether `state` is one of the running states. */
  running: boolean;
}

/** Where the inventory's keys are; defaults `system`, `agency`, `district`, `state`. */
export interface InventoryKeys {
  system: string;
  agency: string;
  district: string;
  state: string;
}

export interface InventoryEntryProblem {
  /** Position in the list. */
  index: number;
  reason: string;
}

export interface UnknownDistrict {
  /** The district value as written. */
  district: string;
  systems: string[];
}

/** One reading of the inventory, sorted out. */
export interface InventorySnapshot {
  /** Entries that read well and name a known unit, in list order, duplicates left out. */
  systems: CloudSystem[];
  /** Entries whose district is no known unit: kept aside, never counted or sent. */
  unknownDistricts: UnknownDistrict[];
  /** Entries that could not be read (not an object, a key missing, a duplicate). */
  malformed: InventoryEntryProblem[];
}

export const DEFAULT_KEYS: InventoryKeys = { system: 'system', agency: 'agency', district: 'district', state: 'state' };

/**
 * Sorts the entries of an inventory list. Pure. A system is identified by agency and name together
 * (two agencies may each run an "OA system"); a second entry for the same pair is a duplicate.
 */
export function readInventory(list: readonly unknown[], runningStates: readonly string[], keys: InventoryKeys = DEFAULT_KEYS): InventorySnapshot {
  const running = new Set(runningStates.map((s) => s.trim().toLowerCase()));
  const systems: CloudSystem[] = [];
  const unknown = new Map<string, string[]>();
  const malformed: InventoryEntryProblem[] = [];
  const seen = new Set<string>();
  list.forEach((entry, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      malformed.push({ index, reason: 'not an object' });
      return;
    }
    const e = entry as Record<string, unknown>;
    const system = text(e[keys.system]);
    const district = text(e[keys.district]);
    const state = text(e[keys.state]);
    const agency = text(e[keys.agency]) ?? '';
    const missing = [[keys.system, system], [keys.district, district], [keys.state, state]].filter(([, v]) => !v).map(([k]) => k);
    if (missing.length > 0) {
      malformed.push({ index, reason: `no ${missing.join(', ')}` });
      return;
    }
    const id = `${agency}\u0000${system}`;
    if (seen.has(id)) {
      malformed.push({ index, reason: `duplicate of an earlier entry for ${system}${agency ? ` (${agency})` : ''}` });
      return;
    }
    seen.add(id);
    const code = RETIRED_CODES[district!] ?? district!;
    if (!isUnitCode(code)) {
      unknown.set(district!, [...(unknown.get(district!) ?? []), system!]);
      return;
    }
    systems.push({ system: system!, agency, district: code, state: state!, running: running.has(state!.toLowerCase()) });
  });
  return {
    systems,
    unknownDistricts: [...unknown].map(([district, names]) => ({ district, systems: names })),
    malformed,
  };
}

/** A non-empty string (numbers too: YAML and JSON exports write codes as numbers), trimmed. */
function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t.length > 0 ? t : undefined;
}

/** Running systems per unit, with 0 for each unit in `units` that has none. */
export function countRunning(systems: readonly CloudSystem[], units: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>(units.map((u) => [u, 0]));
  for (const s of systems) if (s.running && counts.has(s.district)) counts.set(s.district, counts.get(s.district)! + 1);
  return counts;
}
