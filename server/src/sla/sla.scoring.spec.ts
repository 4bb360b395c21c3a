import { describe, expect, it } from '@jest/globals';
import {
  applyMinOutage,
  ackCredits,
  causeNodes,
  countedPeriod,
  dayFigures,
  deriveIncidents,
  denseMinutes,
  effectiveState,
  errorBudget,
  inHoursMinutes,
  inServiceHours,
  periodFigures,
  scoreMinute,
  severityOf,
  severityOfCause,
  type MinuteState,
  type NodeMinuteFacts,
} from './sla.scoring.js';
import { DAY_MS, MINUTE_MS, monthRange } from './sla.time.js';

const node = (id: string, over: Partial<NodeMinuteFacts> = {}): NodeMinuteFacts => ({
  node: id, core: false, upSamples: 1, downSamples: 0, samples: 4, successSum: 0, successCount: 0, ...over,
});
const up = (id: string, core = false) => node(id, { core });
const down = (id: string, core = false) => node(id, { core, upSamples: 0, downSamples: 1 });

/** 'U' UP, 'D' DOWN, 'M' MAINT, '.' NO_DATA → states. */
const seq = (s: string): MinuteState[] => [...s].map((c) => ({ U: 'UP', D: 'DOWN', M: 'MAINT', '.': 'NO_DATA' })[c] as MinuteState);
const str = (states: readonly MinuteState[]) => states.map((s) => ({ UP: 'U', DOWN: 'D', MAINT: 'M', NO_DATA: '.' })[s]).join('');

describe('scoreMinute', () => {
  const cases: Array<[string, Parameters<typeof scoreMinute>[0], NodeMinuteFacts[], string]> = [
    ['no point at all is NO_DATA', 'extranet', [], 'NO_DATA'],
    ['nodes known but silent is NO_DATA', 'extranet', [node('a', { samples: 0, upSamples: 0 })], 'NO_DATA'],
    ['every node up is UP', 'extranet', [up('c', true), up('a1'), up('a2'), up('a3')], 'UP'],
    ['the aggregation node down is DOWN (its access points still answering)', 'extranet', [down('c', true), up('a1'), up('a2'), up('a3')], 'DOWN'],
    ['one of two redundant aggregation nodes down is UP', 'extranet', [down('c1', true), up('c2', true), up('a1')], 'UP'],
    ['one access point of four down is UP (a P3, not an outage)', 'extranet', [up('c', true), down('a1'), up('a2'), up('a3')], 'UP'],
    ['half the nodes down is UP (more than half is needed)', 'extranet', [up('c', true), down('a1'), down('a2'), up('a3')], 'UP'],
    ['more than half the nodes down is DOWN', 'extranet', [up('c', true), down('a1'), down('a2'), down('a3')], 'DOWN'],
    ['a node with most probes failed in the minute failed', 'extranet', [node('c', { core: true, upSamples: 20, downSamples: 40 })], 'DOWN'],
    ['a node with as many answers as failures did not fail', 'extranet', [node('c', { core: true, upSamples: 30, downSamples: 30 })], 'UP'],
    ['a node with only counters (no probe) answered', 'extranet', [node('c', { core: true, upSamples: 0, downSamples: 0 })], 'UP'],
    ['cloud: hosts reporting metrics are UP', 'cloud', [node('h1', { upSamples: 0 }), node('h2', { upSamples: 0 })], 'UP'],
    ['cloud: most up-probes failed is DOWN', 'cloud', [down('gw1'), down('gw2'), node('h1', { upSamples: 0 })], 'DOWN'],
    ['share: health probe 1 is UP', 'share', [node('share-platform', { successSum: 99.2, successCount: 1 })], 'UP'],
    ['share: health probe 0 is DOWN', 'share', [down('share-platform')], 'DOWN'],
    ['share: success rate under 95 % is DOWN even when the probe answers', 'share', [node('share-platform', { successSum: 90, successCount: 1 })], 'DOWN'],
    ['share: success rate 95 % is UP', 'share', [node('share-platform', { successSum: 190, successCount: 2 })], 'UP'],
    ['open: only counters, no probe, is UP', 'open', [node('open-platform', { upSamples: 0 })], 'UP'],
    ['open: probe 0 is DOWN', 'open', [down('open-platform')], 'DOWN'],
    ['open: success rate is not looked at', 'open', [node('open-platform', { successSum: 10, successCount: 1 })], 'UP'],
  ];
  it.each(cases)('%s', (_name, kind, facts, expected) => {
    expect(scoreMinute(kind, facts).state).toBe(expected);
  });
  it('says why', () => {
    expect(scoreMinute('extranet', [down('520103-core-1', true), up('a')]).reason).toBe('aggregation node down: 520103-core-1');
    expect(scoreMinute('extranet', [up('c', true), down('a1'), down('a2'), down('a3')]).reason).toBe('3 of 4 nodes down');
  });
});

describe('effectiveState', () => {
  it.each<[string, 'UP' | 'DOWN' | 'NO_DATA', boolean, MinuteState | undefined, MinuteState]>([
    ['data alone', 'DOWN', false, undefined, 'DOWN'],
    ['an approved window makes any minute MAINT', 'DOWN', true, undefined, 'MAINT'],
    ['an approved window also covers NO_DATA', 'NO_DATA', true, undefined, 'MAINT'],
    ['a reclassification wins over data', 'DOWN', false, 'UP', 'UP'],
    ['a reclassification wins over a window', 'UP', true, 'DOWN', 'DOWN'],
  ])('%s', (_n, observed, maintenance, reclassifiedTo, expected) => {
    expect(effectiveState(observed, { maintenance, reclassifiedTo })).toBe(expected);
  });
});

describe('N-minute rule', () => {
  it.each<[string, number, string, string]>([
    ['N = 1 keeps every DOWN minute', 1, 'UDUUDDDDDU', 'UDUUDDDDDU'],
    ['N = 5: runs of 1–4 count as UP', 5, 'UDUUDDDDUU', 'UUUUUUUUUU'],
    ['N = 5: a run of exactly 5 counts', 5, 'UDDDDDU', 'UDDDDDU'],
    ['N = 5: a run at the end of the range is judged on what is known', 5, 'UUDDD', 'UUUUU'],
    ['N = 5: NO_DATA breaks a run', 5, 'DDD.DDD', 'UUU.UUU'],
    ['N = 5: MAINT breaks a run', 5, 'DDDDMDDDD', 'UUUUMUUUU'],
  ])('%s', (_n, n, input, expected) => {
    expect(str(applyMinOutage(seq(input), n).states)).toBe(expected);
  });

  it('keeps the raw DOWN minutes beside the counted ones', () => {
    const f = periodFigures(seq('UUDDUUUDDDDDDU'), 0, { minOutageMinutes: 5, hours: { kind: '24x7' } });
    expect(f).toMatchObject({ minutes: 14, up: 8, down: 6, rawDown: 8, forgiven: 2 });
    expect(f.availabilityPct).toBeCloseTo((8 / 14) * 100, 10);
  });

  it('counts a run crossing the period start at its full length', () => {
    // 3 DOWN minutes before the counted range and 3 inside: one run of 6 ≥ 5.
    const f = periodFigures(seq('DDDDDDUU'), 0, { minOutageMinutes: 5, hours: { kind: '24x7' } }, { from: 3 * MINUTE_MS, to: 8 * MINUTE_MS });
    expect(f).toMatchObject({ minutes: 5, down: 3, up: 2, forgiven: 0 });
  });
});

describe('periodFigures', () => {
  it('availability is UP / (UP + DOWN); MAINT and NO_DATA stay out of the denominator', () => {
    const f = periodFigures(seq('UUUUUUUDMM..'), 0, { minOutageMinutes: 1, hours: { kind: '24x7' } });
    expect(f).toMatchObject({ minutes: 12, up: 7, down: 1, maint: 2, noData: 2 });
    expect(f.availabilityPct).toBe(87.5);
  });
  it('is null when nothing was measured', () => {
    expect(periodFigures(seq('MM..'), 0, { minOutageMinutes: 1, hours: { kind: '24x7' } }).availabilityPct).toBeNull();
  });
  it('marks short of evidence above 0.5 % NO_DATA, not at it', () => {
    const at = seq('U'.repeat(199) + '.');
    expect(periodFigures(at, 0, { minOutageMinutes: 1, hours: { kind: '24x7' } })).toMatchObject({ noDataPct: 0.5, shortOfEvidence: false });
    const over = seq('U'.repeat(198) + '..');
    expect(periodFigures(over, 0, { minOutageMinutes: 1, hours: { kind: '24x7' } }).shortOfEvidence).toBe(true);
  });
  it('leaves minutes outside service hours out of every count', () => {
    // Monday 2026-11-02 07:58 Asia/Shanghai = 2026-11-01T23:58Z; hours 08:00–18:00 weekdays.
    const from = Date.UTC(2026, 10, 1, 23, 58);
    const f = periodFigures(seq('DDDUU'), from, { minOutageMinutes: 1, hours: { kind: 'weekly', days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' } });
    expect(f).toMatchObject({ minutes: 3, down: 1, up: 2, rawDown: 1 });
  });
  it('denseMinutes fills missing minutes with NO_DATA and ignores rows outside', () => {
    const rows = [{ minute: 2 * MINUTE_MS, state: 'DOWN' as const }, { minute: 0, state: 'UP' as const }, { minute: 9 * MINUTE_MS, state: 'UP' as const }];
    expect(str(denseMinutes(rows, 0, 4 * MINUTE_MS))).toBe('U.D.');
  });
});

describe('service hours (Asia/Shanghai)', () => {
  const weekdays = { kind: 'weekly' as const, days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' };
  it.each<[string, number, boolean]>([
    ['Friday 08:00 local (00:00Z) is in', Date.UTC(2026, 10, 27, 0, 0), true],
    ['Friday 07:59 local is out', Date.UTC(2026, 10, 26, 23, 59), false],
    ['Friday 17:59 local is in', Date.UTC(2026, 10, 27, 9, 59), true],
    ['Friday 18:00 local is out', Date.UTC(2026, 10, 27, 10, 0), false],
    ['Saturday 10:00 local is out', Date.UTC(2026, 10, 28, 2, 0), false],
    ['Monday 09:00 local is Sunday 01:00 UTC and is in', Date.UTC(2026, 10, 30, 1, 0), true],
  ])('%s', (_n, t, expected) => {
    expect(inServiceHours(t, weekdays)).toBe(expected);
  });
  it('counts the in-hours minutes of a month', () => {
    const { start, end } = monthRange('2026-11');
    // November 2026 has 21 weekdays × 600 minutes.
    expect(inHoursMinutes(start, end, weekdays)).toBe(21 * 600);
    expect(inHoursMinutes(start, end, { kind: '24x7' })).toBe(30 * 1440);
  });
});

describe('error budget', () => {
  it.each<[string, number, number, number, number, number, number]>([
    // name, target, month minutes, maint, down → total, left
    ['99.9 % of a 30-day month is 43.2 minutes', 99.9, 43_200, 0, 0, 43.2, 43.2],
    ['99.9 % of a 31-day month is 44.64 minutes', 99.9, 44_640, 0, 10, 44.64, 34.64],
    ['maintenance shrinks the budget', 99.9, 43_200, 1_200, 0, 42, 42],
    ['overspent goes negative', 99.95, 43_200, 0, 30, 21.6, -8.4],
  ])('%s', (_n, target, month, maint, down, total, left) => {
    const b = errorBudget(target, month, maint, down);
    expect(b.totalMinutes).toBeCloseTo(total, 9);
    expect(b.leftMinutes).toBeCloseTo(left, 9);
    expect(b.leftPct).toBeCloseTo((left / total) * 100, 9);
  });
});

describe('incidents', () => {
  it.each<[string, string, Array<[number, number, number, boolean]>]>([
    // start index, end index (exclusive), DOWN minutes, open
    ['none without DOWN', 'UUUU..MMUUUUU', []],
    ['one run, closed after 5 non-DOWN minutes', 'UDDDUUUUU', [[1, 4, 3, false]]],
    ['still open with fewer than 5 minutes after it', 'UDDDUUUU', [[1, 4, 3, true]]],
    ['open while DOWN at the end', 'UUDD', [[2, 4, 2, true]]],
    ['runs closer than 5 minutes are one incident', 'DDUUUUDDUUUUU', [[0, 8, 4, false]]],
    ['runs 5 minutes apart are two', 'DDUUUUUDDUUUUU', [[0, 2, 2, false], [7, 9, 2, false]]],
    ['NO_DATA between runs does not end an incident early', 'DD...DDUUUUU', [[0, 7, 4, false]]],
  ])('%s', (_n, input, expected) => {
    const got = deriveIncidents(seq(input), 0).map((i) => [i.start / MINUTE_MS, i.end / MINUTE_MS, i.downMinutes, i.open]);
    expect(got).toEqual(expected);
  });
  it.each<[number, string]>([[1, 'P3'], [2, 'P2'], [4, 'P2'], [5, 'P1'], [300, 'P1']])('%i minutes is %s', (m, s) => {
    expect(severityOf(m)).toBe(s);
  });
});

describe('late data re-scores a minute', () => {
  // What a minute said before a spool replayed its points, and after they were added to its facts.
  it.each<[string, Parameters<typeof scoreMinute>[0], NodeMinuteFacts[], NodeMinuteFacts[], string, string]>([
    ['nothing arrived, then the core reports down', 'extranet', [], [down('c', true)], 'NO_DATA', 'DOWN'],
    ['the access points said up, the core\'s spooled probes say down', 'extranet', [up('a1'), up('a2')], [down('c', true)], 'UP', 'DOWN'],
    ['one vantage point said down, a second one\'s late probe answered', 'extranet', [down('c', true)], [node('c', { core: true, upSamples: 1, downSamples: 0 })], 'DOWN', 'UP'],
    ['the sharing platform\'s late health probe failed', 'share', [node('share-platform', { upSamples: 0, successSum: 99, successCount: 1 })], [down('share-platform')], 'UP', 'DOWN'],
  ])('%s', (_n, kind, before, late, was, becomes) => {
    expect(scoreMinute(kind, before).state).toBe(was);
    // The engine adds late facts to the stored ones per node (sums), then scores again.
    const merged = new Map<string, NodeMinuteFacts>();
    for (const f of [...before, ...late]) {
      const m = merged.get(f.node);
      merged.set(f.node, m ? { ...m, core: m.core || f.core, upSamples: m.upSamples + f.upSamples, downSamples: m.downSamples + f.downSamples, samples: m.samples + f.samples, successSum: m.successSum + f.successSum, successCount: m.successCount + f.successCount } : f);
    }
    expect(scoreMinute(kind, [...merged.values()]).state).toBe(becomes);
  });
});

describe('month boundaries (Asia/Shanghai)', () => {
  it('a DOWN run across midnight of 1 November local counts in November at its full length', () => {
    const { start, end } = monthRange('2026-11');
    // 3 DOWN minutes on 31 October 23:57–23:59 local, 3 on 1 November 00:00–00:02, then UP.
    const from = start - 3 * MINUTE_MS;
    const states = seq('DDDDDDUUUU');
    const terms = { minOutageMinutes: 5, hours: { kind: '24x7' as const } };
    const nov = periodFigures(states, from, terms, { from: start, to: end });
    const oct = periodFigures(states, from, terms, { from: monthRange('2026-10').start, to: start });
    expect(nov).toMatchObject({ minutes: 7, down: 3, up: 4 });
    expect(oct).toMatchObject({ minutes: 3, down: 3, up: 0 });
    // The same run cut at the month edge (what a naive per-month count would see) is forgiven.
    expect(periodFigures(states.slice(3), start, terms)).toMatchObject({ down: 0, forgiven: 3 });
  });
  it('16:00 UTC on the last day is already next month', () => {
    expect(monthRange('2026-11').start).toBe(Date.UTC(2026, 9, 31, 16));
  });
});

describe('the counted period of a month under a contract (issue 15, item 8)', () => {
  const nov = monthRange('2026-11');
  const dec = monthRange('2026-12');
  const effective = dec.start + 2 * DAY_MS + 14 * 3_600_000 + 45 * MINUTE_MS; // 2026-12-03 14:45 Beijing
  it('a month wholly before the effective date: empty, at the month end, never past it', () => {
    const p = countedPeriod(nov, effective, effective + 10 * MINUTE_MS);
    expect(p).toEqual({ from: nov.end, to: nov.end, effective: 'none' });
  });
  it('the month the contract took effect: from the effective minute to what is final', () => {
    expect(countedPeriod(dec, effective, effective + 10 * MINUTE_MS)).toEqual({ from: effective, to: effective + 10 * MINUTE_MS, effective: 'partial' });
    // Not yet final past the effective minute (a contract made a minute ago): in effect from then, nothing counted so far.
    expect(countedPeriod(dec, effective, effective - 10 * MINUTE_MS)).toEqual({ from: effective, to: effective, effective: 'partial' });
  });
  it('a month after it: the whole month (up to what is final)', () => {
    expect(countedPeriod(nov, nov.start - DAY_MS, nov.end + DAY_MS)).toEqual({ from: nov.start, to: nov.end, effective: 'full' });
  });
  it('a month after now: empty at its start', () => {
    expect(countedPeriod(dec, nov.start, nov.end)).toEqual({ from: dec.start, to: dec.start, effective: 'full' });
  });
});

describe('per-day figures and the month figure come from one count (issue 15, items 8 and 9)', () => {
  const dec = monthRange('2026-12');
  const effective = dec.start + 2 * DAY_MS + 10 * 3_600_000; // 3 December 10:00 Beijing
  const scored = effective + 2 * DAY_MS + 5 * 3_600_000; // 5 December 15:00
  // Data from 2 December (before the contract) with gaps: NO_DATA hours on the 2nd, 3rd and 4th.
  const loadFrom = dec.start;
  const states: MinuteState[] = [];
  for (let t = loadFrom; t < scored; t += MINUTE_MS) {
    const h = Math.floor((t - dec.start) / 3_600_000);
    states.push(h % 24 === 3 ? 'NO_DATA' : h % 24 === 12 && (t / MINUTE_MS) % 60 < 3 ? 'DOWN' : 'UP');
  }
  const terms = { minOutageMinutes: 1, hours: { kind: '24x7' as const } };
  const period = countedPeriod(dec, effective, scored);
  const days = dayFigures(states, loadFrom, terms, dec, period, effective);
  const month = periodFigures(states, loadFrom, terms, period);
  it('days before the effective date are 合同未生效, with no figures', () => {
    expect(days).toHaveLength(31);
    expect(days.slice(0, 2).map((d) => [d.date, d.state, d.figures])).toEqual([['2026-12-01', 'notEffective', null], ['2026-12-02', 'notEffective', null]]);
    expect(days[2].state).toBe('counted');
    expect(days[2].figures!.minutes).toBe(14 * 60); // 10:00–24:00 only
    expect(days.slice(5).every((d) => d.state === 'future' && d.figures === null)).toBe(true);
  });
  it('the days add up to the month: NO_DATA, UP, DOWN, minutes', () => {
    const sum = (k: 'minutes' | 'up' | 'down' | 'maint' | 'noData') => days.reduce((a, d) => a + (d.figures?.[k] ?? 0), 0);
    expect(month.noData).toBeGreaterThan(0);
    for (const k of ['minutes', 'up', 'down', 'maint', 'noData'] as const) expect([k, sum(k)]).toEqual([k, month[k]]);
    // The 3rd's 03:00 hour is before the contract: not counted on either side.
    expect(days[2].figures!.noData).toBe(0);
    expect(days[3].figures!.noData).toBe(60);
  });
  it('without a contract (effective always), a day is counted from its midnight', () => {
    const all = dayFigures(states, loadFrom, terms, dec, countedPeriod(dec, Number.NEGATIVE_INFINITY, scored), Number.NEGATIVE_INFINITY);
    expect(all[0]).toMatchObject({ state: 'counted', figures: { minutes: 1440, noData: 60 } });
  });
});

describe('whose acknowledgement an incident gets (issue 15, item 10)', () => {
  it('reads the nodes named in a cause', () => {
    expect(causeNodes('aggregation node down: 520121-core-1')).toEqual(['520121-core-1']);
    expect(causeNodes('aggregation node down: a-core-1, a-core-2')).toEqual(['a-core-1', 'a-core-2']);
    expect(causeNodes('5 of 9 nodes down')).toEqual([]);
  });
  it.each<[string, string | null, string, boolean]>([
    ['an alert of the down core', '520121-core-1', 'aggregation node down: 520121-core-1', true],
    ['an alert of another node of the unit', '520121-acc-9', 'aggregation node down: 520121-core-1', false],
    ['an alert of the unit (no node)', null, 'aggregation node down: 520121-core-1', true],
    ['a node alert when most nodes are down (no node named)', '520121-acc-9', '5 of 9 nodes down', true],
  ])('%s', (_n, node, cause, credited) => {
    expect(ackCredits(node, cause)).toBe(credited);
  });
});

describe('incident priority is what is out, as the alerts say it (issue 15, item 11)', () => {
  it.each<[string, string]>([
    ['aggregation node down: 520123-core-1', 'P1'],
    ['5 of 9 nodes down', 'P1'],
    ['health probe failed (3 of 3 samples)', 'P1'],
    ['success rate 90.0 % < 95 %', 'P2'],
  ])('%s → %s, whatever its length', (cause, p) => {
    expect(severityOfCause(cause)).toBe(p);
  });
});
