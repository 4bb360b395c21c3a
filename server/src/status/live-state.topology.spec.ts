import { describe, expect, it } from '@jest/globals';
import type { Point } from '@zhuyun/protocol';
import { LiveState } from './live-state.js';

const t0 = 1_800_000_000_000;
const pt = (node: string, up: number, ts: number, tags: Record<string, string> = {}): Point => ({
  metric: 'net.up',
  value: up,
  ts,
  tags: { district: '520103', unit: '520103', node, ...tags },
});

/** core ← agg ← acc-1, acc-2 (from the points' `parent` tags). */
function tree(s: LiveState, ts: number, down: string[] = []) {
  s.apply(
    [
      pt('core', down.includes('core') ? 0 : 1, ts),
      pt('agg', down.includes('agg') ? 0 : 1, ts, { parent: 'core' }),
      pt('acc-1', down.includes('acc-1') ? 0 : 1, ts, { parent: 'agg' }),
      pt('acc-2', down.includes('acc-2') ? 0 : 1, ts, { parent: 'agg' }),
    ],
    ts,
  );
}

describe('LiveState topology', () => {
  it('marks the children of a down parent as behind it, and clears it when the parent is back', () => {
    const dirty: string[][] = [];
    const s = new LiveState((t) => dirty.push([...t]));
    tree(s, t0);
    expect(s.node('acc-1')).toMatchObject({ parent: 'agg', status: 'up' });
    expect(s.node('acc-1')?.behind).toBeUndefined();

    dirty.length = 0;
    tree(s, t0 + 1000, ['agg', 'acc-1', 'acc-2']);
    expect(s.node('acc-1')).toMatchObject({ status: 'down', behind: 'agg' });
    expect(s.node('acc-2')?.behind).toBe('agg');
    expect(s.node('agg')?.behind).toBeUndefined(); // its own parent is up: agg itself is the fault
    expect(dirty.flat()).toEqual(expect.arrayContaining(['node:acc-1', 'node:acc-2', 'district:520103']));

    tree(s, t0 + 2000, ['core', 'agg', 'acc-1', 'acc-2']);
    expect(s.node('agg')?.behind).toBe('core');
    expect(s.node('acc-1')?.behind).toBe('agg'); // the nearest down ancestor

    tree(s, t0 + 3000);
    expect(s.topology().filter((n) => n.behind)).toEqual([]);
  });

  it('lets the configured topology win over the tags, and a null parent make a root', () => {
    const s = new LiveState();
    tree(s, t0, ['agg']);
    expect(s.node('acc-1')?.behind).toBe('agg');
    s.setTopology([{ node: 'acc-1', parent: null }, { node: 'acc-2', parent: 'core' }]);
    expect(s.node('acc-1')?.behind).toBeUndefined();
    expect(s.node('acc-1')?.parent).toBeUndefined();
    expect(s.node('acc-2')).toMatchObject({ parent: 'core' });
    expect(s.node('acc-2')?.behind).toBeUndefined();
    const topo = s.topology();
    expect(topo.find((n) => n.node === 'acc-2')).toMatchObject({ parent: 'core', configured: true, unit: '520103' });
    expect(topo.find((n) => n.node === 'agg')).toMatchObject({ parent: 'core', configured: false, status: 'down' });
  });

  it('re-evaluates when the parent goes stale, not only on new points', () => {
    const s = new LiveState();
    tree(s, t0, ['agg']);
    tree(s, t0 + 1000, ['agg']); // two points: the node's interval is known (1 s)
    expect(s.node('acc-1')?.behind).toBe('agg');
    // agg goes silent (unknown) while its children keep reporting: unknown is not down.
    for (let i = 2; i <= 10; i++) s.apply([pt('acc-1', 0, t0 + i * 1000, { parent: 'agg' })], t0 + i * 1000);
    s.tick(t0 + 10_000);
    expect(s.node('agg')?.status).toBe('unknown');
    expect(s.node('acc-1')?.behind).toBeUndefined();
  });
});
