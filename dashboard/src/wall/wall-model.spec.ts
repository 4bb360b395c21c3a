import { describe, expect, it } from '@jest/globals';
import type { AlertWithRule } from '@zhuyun/protocol';
import { WALL_START, nextTurn, onP1, p1Units, stripAlerts, wallScale, type WallTurn } from './wall-model';

const turn = (t: Partial<WallTurn>): WallTurn => ({ ...WALL_START, ...t });
const ORDER = ['520121', '520103', '520102', 'gy-hitech'];

function alert(id: string, unit: string, severity: string, state: 'pending' | 'firing', at: number): AlertWithRule {
  const district = unit.startsWith('gy-') ? '520113' : unit;
  return {
    id, ruleId: 'default-net-up-down', ruleName: 'node down', series: `net.up{node=${unit}-core-1}`, metric: 'net.up', tags: { district, unit, node: `${unit}-core-1` },
    district, unit, node: `${unit}-core-1`, severity, state, value: 0,
    activeAt: at - 60_000, firedAt: state === 'firing' ? at : null, resolvedAt: null, updatedAt: at, ack: null, escalatedAt: null, suppressed: null,
  };
}

describe('wall: the next unit on the panel', () => {
  it.each<[string, WallTurn, string[], Partial<WallTurn>]>([
    ['starts with the first of the order (the worst)', WALL_START, ORDER, { current: '520121', reason: 'cycle', cycle: ['520103', '520102', 'gy-hitech'] }],
    ['goes on with the cycle it began, whatever the order now', turn({ current: '520121', cycle: ['520103', '520102'] }), ['520102', '520103'], { current: '520103', cycle: ['520102'] }],
    ['starts a new cycle from the order when one is spent', turn({ current: 'gy-hitech', cycle: [] }), ORDER, { current: '520121', cycle: ['520103', '520102', 'gy-hitech'] }],
    ['does not show the same unit twice running across cycles', turn({ current: '520121', cycle: [] }), ORDER, { current: '520103', cycle: ['520102', 'gy-hitech'] }],
    ['leaves out of the cycle units no longer on the wall', turn({ current: '520121', cycle: ['520111', '520102'] }), ORDER, { current: '520102', cycle: [] }],
    ['takes a queued P1 unit before the cycle, and not again in it', turn({ current: '520121', reason: 'p1', cycle: ['520103', '520102'], queue: ['520102'], hot: ['520121', '520102'] }), ORDER, { current: '520102', reason: 'p1', queue: [], cycle: ['520103'] }],
    ['skips a queued unit whose P1 has ended', turn({ current: '520121', reason: 'p1', cycle: ['520103'], queue: ['520102'], hot: ['520121'] }), ORDER, { current: '520103', reason: 'cycle', queue: [] }],
    ['shows nothing without units', turn({ current: '520121', cycle: ['520103'] }), [], { current: null, cycle: [], queue: [] }],
  ])('%s', (_name, from, order, want) => {
    expect(nextTurn(from, order)).toMatchObject(want);
  });

  it('turns through every unit once a cycle', () => {
    let s = WALL_START;
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) {
      s = nextTurn(s, ORDER);
      seen.push(s.current!);
    }
    expect(seen).toEqual([...ORDER, ...ORDER]);
  });
});

describe('wall: a P1 brings its unit forward at once', () => {
  it.each<[string, WallTurn, string[], boolean, Partial<WallTurn>]>([
    ['a new P1 interrupts the cycle', turn({ current: '520103', cycle: ['520102', 'gy-hitech'] }), ['gy-hitech'], true, { current: 'gy-hitech', reason: 'p1', cycle: ['520102'], hot: ['gy-hitech'] }],
    ['the unit on the panel getting a P1 keeps it for a whole turn', turn({ current: '520103', cycle: ['520102'] }), ['520103'], true, { current: '520103', reason: 'p1', cycle: ['520102'] }],
    ['a P1 already known does not interrupt again', turn({ current: '520103', cycle: ['520102'], hot: ['gy-hitech'] }), ['gy-hitech'], false, { current: '520103', reason: 'cycle' }],
    ['while a P1 unit is shown, the next one waits in the queue', turn({ current: '520121', reason: 'p1', hot: ['520121'] }), ['520121', '520102'], false, { current: '520121', queue: ['520102'], hot: ['520121', '520102'] }],
    ['a P1 unit shown whose P1 ended does not hold the panel', turn({ current: '520121', reason: 'p1', hot: ['520121'] }), ['520102'], true, { current: '520102', reason: 'p1' }],
    ['several at once: the first fired comes forward, the others queue', turn({ current: '520103' }), ['520102', 'gy-hitech'], true, { current: '520102', queue: ['gy-hitech'] }],
    ['a unit off the wall is not brought forward', turn({ current: '520103' }), ['520111'], false, { current: '520103', hot: ['520111'] }],
    ['a P1 that ended leaves the hot list, so a new one interrupts again', turn({ current: '520103', hot: ['520102'] }), [], false, { hot: [] }],
  ])('%s', (_name, from, p1, interrupt, want) => {
    const r = onP1(from, p1, ORDER);
    expect(r.interrupt).toBe(interrupt);
    expect(r.turn).toMatchObject(want);
  });

  it('gives back the same state when the P1s did not change (no redraw on every frame)', () => {
    const s = turn({ current: '520103', hot: ['520102'] });
    expect(onP1(s, ['520102'], ORDER).turn).toBe(s);
  });

  it('after the P1 turn the cycle goes on where it was', () => {
    let s = nextTurn(WALL_START, ORDER); // 520121
    s = onP1(s, ['520102'], ORDER).turn; // 520102 comes forward
    expect(s.current).toBe('520102');
    s = nextTurn(s, ORDER);
    expect(s.current).toBe('520103');
    s = nextTurn(s, ORDER);
    expect(s.current).toBe('gy-hitech'); // 520102 had its turn already this cycle
  });
});

describe('wall: the alerts', () => {
  const open = [
    alert('a1', '520121', 'P1', 'firing', 5_000),
    alert('a2', '520103', 'P1', 'firing', 3_000),
    alert('a3', '520121', 'P1', 'firing', 1_000),
    alert('a4', '520102', 'P1', 'pending', 0),
    alert('a5', 'gy-hitech', 'P2', 'firing', 4_000),
    alert('a6', '520111', 'P3', 'firing', 6_000),
    { ...alert('a7', '520112', 'P1', 'firing', 500), suppressed: 'behind:gy-core' },
    { ...alert('a8', '520113', 'P2', 'firing', 7_000), suppressed: 'silence:s1' },
  ];
  it('units with a firing P1 not held back, the one fired first leading, each once', () => {
    expect(p1Units(open)).toEqual(['520121', '520103']);
    expect(p1Units([])).toEqual([]);
  });
  it('the strip: open P1 and P2 not held back, firing first, P1 before P2, newest first; no P3; the held back counted', () => {
    const { shown, held } = stripAlerts(open);
    expect(shown.map((a) => a.id)).toEqual(['a1', 'a2', 'a3', 'a5', 'a4']);
    expect(held).toBe(2);
  });
});

describe('wall: type sized from the screen', () => {
  it.each([
    [1920, 1080, 1],
    [3840, 2160, 2],
    [2560, 1440, 1.333],
    [3840, 1080, 1], // a wide wall grows with its height
    [1920, 2160, 1], // a tall one with its width
    [1366, 768, 0.711],
    [640, 360, 0.6],
    [15360, 8640, 4],
    [0, 1080, 1],
  ])('%d×%d: %d', (w, h, want) => {
    expect(wallScale(w, h)).toBe(want);
  });
});
