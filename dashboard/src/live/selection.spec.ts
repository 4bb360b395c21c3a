import { describe, expect, it } from '@jest/globals';
import type { NodeStatus, UnitSummary } from '@zhuyun/protocol';
import { FALLBACK_UNIT, pickInitialUnit, selectionFromUrl } from './selection';

const u = (code: string, status: NodeStatus, nodes = 2): UnitSummary => ({
  code,
  status,
  counts: { up: status === 'up' ? nodes : 0, degraded: status === 'degraded' ? nodes : 0, down: status === 'down' ? nodes : 0, unknown: status === 'unknown' ? nodes : 0 },
  latencyMs: null,
  lossPct: null,
});

describe('selection', () => {
  it('opens on the worst unit with nodes, districts first on a tie', () => {
    expect(pickInitialUnit([u('520102', 'up'), u('gy-hitech', 'down'), u('520123', 'down'), u('520111', 'degraded')])).toBe('520123');
    expect(pickInitialUnit([u('520102', 'up'), u('520103', 'up')])).toBe('520102');
  });

  it('skips units without nodes and falls back to Yunyan', () => {
    expect(pickInitialUnit([u('520102', 'unknown', 0), u('520111', 'up')])).toBe('520111');
    expect(pickInitialUnit([])).toBe(FALLBACK_UNIT);
  });

  it('reads ?district= when it names a unit', () => {
    expect(selectionFromUrl('?district=gy-etdz')).toBe('gy-etdz');
    expect(selectionFromUrl('?district=999999')).toBeNull();
    expect(selectionFromUrl('')).toBeNull();
  });
});
