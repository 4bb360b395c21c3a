import { describe, expect, it } from '@jest/globals';
import { liveOpenAlerts } from './alerts.live.js';

type A = { id: string; state: 'pending' | 'firing'; severity: string; suppressed: string | null; activeAt: number; firedAt: number | null };
const a = (id: string, severity: string, state: A['state'], at: number, suppressed: string | null = null): A => ({ id, severity, state, suppressed, activeAt: at, firedAt: state === 'firing' ? at : null });

describe('the alerts the live topic keeps', () => {
  const core = a('core', 'P1', 'firing', 1_000);
  const behind = Array.from({ length: 5 }, (_, i) => a(`v${i}`, 'P1', 'firing', 2_000 + i, 'behind:core'));
  const pendingP2 = Array.from({ length: 5 }, (_, i) => a(`l${i}`, 'P2', 'pending', 3_000 + i));
  const p3 = a('p3', 'P3', 'firing', 4_000);
  const p2 = a('p2', 'P2', 'firing', 500);

  it.each<[string, A[], number, string[]]>([
    ['all of them, newest first, when they fit', [core, p3, p2], 10, ['p3', 'core', 'p2']],
    // A core down: its villages' alerts (held back, and pending loss alerts) came after it and outnumber the limit.
    ['keeps the core\'s P1 against the newer alerts held back behind it and the pending', [core, ...behind, ...pendingP2], 3, ['l4', 'l3', 'core']],
    ['not held back, then firing, then by severity', [p3, p2, core, ...behind], 3, ['p3', 'core', 'p2']],
    ['pending after firing of any severity', [pendingP2[0], p3], 1, ['p3']],
    ['held back last', [behind[0], pendingP2[0]], 1, ['l0']],
    ['none for a limit of 0', [core], 0, []],
  ])('%s', (_name, open, max, want) => {
    expect(liveOpenAlerts(open, max).map((x) => x.id)).toEqual(want);
  });

  it('leaves its input as it was', () => {
    const open = [p2, core];
    liveOpenAlerts(open, 1);
    expect(open.map((x) => x.id)).toEqual(['p2', 'core']);
  });
});
