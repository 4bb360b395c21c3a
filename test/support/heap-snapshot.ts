import type { CDPSession } from 'playwright-core';

/**
 * A V8 heap snapshot (`HeapProfiler.takeHeapSnapshot`) summarised by constructor: how many objects of
 * each name and their self size. The raw snapshot (tens of MiB of JSON) is parsed in memory and
 * dropped; only the summary is kept, so no big file lands in the repository or the artifacts.
 * Self sizes, not retained ones (retained needs the dominator tree); a leak shows as a constructor
 * whose count and self size keep rising between two snapshots.
 */
export interface HeapGroup {
  /** `type:name`, e.g. `object:Array`, `array:(object elements)`, `string:(string)`. */
  key: string;
  count: number;
  selfSize: number;
}

export interface HeapSummary {
  totalSize: number;
  nodes: number;
  groups: Map<string, HeapGroup>;
}

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export async function takeHeapSummary(cdp: CDPSession): Promise<HeapSummary> {
  const chunks: string[] = [];
  const onChunk = (e: { chunk: string }) => chunks.push(e.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await cdp.send('HeapProfiler.enable');
    // takeHeapSnapshot collects garbage first; the chunks arrive before the call returns.
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false } as never);
  } finally {
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  const raw = JSON.parse(chunks.join('')) as RawSnapshot;
  chunks.length = 0;
  return summarise(raw);
}

function summarise(raw: RawSnapshot): HeapSummary {
  const fields = raw.snapshot.meta.node_fields;
  const types = raw.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, HeapGroup>();
  let totalSize = 0;
  const { nodes, strings } = raw;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    // Strings, numbers and code are grouped by their type only (their "name" is the value itself).
    const name = type === 'object' || type === 'closure' || type === 'native' || type === 'array' || type === 'hidden' || type === 'object shape' ? strings[nodes[i + nameAt]] : '';
    const key = `${type}:${name.length > 80 ? name.slice(0, 80) : name}`;
    const size = nodes[i + sizeAt];
    totalSize += size;
    const g = groups.get(key);
    if (g) {
      g.count++;
      g.selfSize += size;
    } else groups.set(key, { key, count: 1, selfSize: size });
  }
  return { totalSize, nodes: nodes.length / width, groups };
}

export interface HeapDiffRow {
  key: string;
  countBefore: number;
  countAfter: number;
  sizeBeforeKiB: number;
  sizeAfterKiB: number;
  growthKiB: number;
}

/** The `top` groups whose self size grew most from `before` to `after`. */
export function diffHeap(before: HeapSummary, after: HeapSummary, top = 25): { totalBeforeMiB: number; totalAfterMiB: number; nodesBefore: number; nodesAfter: number; grew: HeapDiffRow[] } {
  const keys = new Set([...before.groups.keys(), ...after.groups.keys()]);
  const rows: HeapDiffRow[] = [];
  const kib = (b: number) => Math.round(b / 102.4) / 10;
  for (const key of keys) {
    const b = before.groups.get(key);
    const a = after.groups.get(key);
    rows.push({ key, countBefore: b?.count ?? 0, countAfter: a?.count ?? 0, sizeBeforeKiB: kib(b?.selfSize ?? 0), sizeAfterKiB: kib(a?.selfSize ?? 0), growthKiB: kib((a?.selfSize ?? 0) - (b?.selfSize ?? 0)) });
  }
  rows.sort((x, y) => y.growthKiB - x.growthKiB);
  const mib = (b: number) => Math.round((b / 1024 / 1024) * 100) / 100;
  return { totalBeforeMiB: mib(before.totalSize), totalAfterMiB: mib(after.totalSize), nodesBefore: before.nodes, nodesAfter: after.nodes, grew: rows.slice(0, top) };
}
