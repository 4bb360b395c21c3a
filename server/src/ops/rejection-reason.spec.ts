import { describe, expect, it } from '@jest/globals';
import { validatePoint } from '@zhuyun/protocol';
import { rejectionReason } from './rejection-reason.js';

const now = Date.UTC(2026, 10, 27, 8, 0);
const ok = { metric: 'net.latency_ms', ts: now - 1000, value: 1, tags: { district: '520103', node: 'n1' } };

describe('rejectionReason', () => {
  // The real messages of validatePoint, so that a reworded message shows up here as `other`.
  it.each([
    ['shape', 'not an object'],
    ['metric', { ...ok, metric: 'Bad Metric' }],
    ['ts', { ...ok, ts: 1.5 }],
    ['ts_future', { ...ok, ts: now + 3_600_000 }],
    ['ts_too_old', { ...ok, ts: now - 30 * 86_400_000 }],
    ['value', { ...ok, value: true }],
    ['value', { ...ok, value: null }],
    ['tags', { ...ok, tags: null }],
    ['tags', { ...ok, tags: { district: '520103' } }],
    ['tags', { ...ok, tags: { district: '520103', node: 'n1', 'Bad-Key': 'x' } }],
    ['district', { ...ok, tags: { district: '999999', node: 'n1' } }],
  ])('%s for %j', (reason, point) => {
    const r = validatePoint(point, now);
    expect(r.ok).toBe(false);
    expect(rejectionReason((r as { error: string }).error)).toBe(reason);
  });

  it.each([
    ['parse', "unable to parse 'cpu value=': missing field value"],
    ['field_type', 'input field "status" on measurement "app" is type string: only numbers and booleans are stored'],
    ['unit_scope', 'unit 520102 is not among the units of collector yunyan-edge-01 (520103): an admin registers a collector for more units with --units'],
    ['node_unit', 'node nm-core-1 belongs to unit 520102, not 520103: a point does not move a node; an admin does (PUT /api/v1/nodes/nm-core-1/unit)'],
    ['other', 'something new'],
  ])('%s for %s', (reason, message) => {
    expect(rejectionReason(message)).toBe(reason);
  });
});
