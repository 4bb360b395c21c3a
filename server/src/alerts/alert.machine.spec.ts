import { describe, expect, it } from '@jest/globals';
import { seriesKey, type Tags } from '@zhuyun/protocol';
import { defaultRules, RuleInputSchema, ruleProblems, scopeMatches, type AlertRule } from './alert-rules.js';
import { AlertMachine, type AlertInstance, type MachineEvent } from './alert.machine.js';
import { suppressionOf, type Silence } from './silences.js';

const S = 1000;
const TAGS: Tags = { district: '520103', unit: '520103', node: 'yy-core-1' };

function rule(over: Partial<AlertRule> = {}): AlertRule {
  return {
    id: 'r1', name: 'latency', metric: 'net.latency_ms', scope: {}, comparison: '>=', threshold: 50,
    resolveThreshold: null, forMs: 0, keepFiringMs: 0, severity: 'P2', escalateAfterMs: null,
    enabled: true, source: 'test', createdAt: 0, updatedAt: 0, ...over,
  };
}

/** One step at time `t` (seconds): a sample, a tick, an ack, or a change of the world. */
interface Step {
  t: number;
  v?: number;
  tick?: true;
  ack?: string;
  /** The node's nearest down ancestor from now on (null: none). */
  behind?: string | null;
  /** A silence on the node from now on, [start, end) in seconds (null: none). */
  silence?: [number, number] | null;
  maintenance?: boolean;
}

interface Case {
  name: string;
  rule: Partial<AlertRule>;
  steps: Step[];
  expect: string[];
}

function fmt(e: MachineEvent): string {
  const t = e.at / S;
  switch (e.type) {
    case 'transition': return `${t} ${e.from}->${e.to}${e.note ? ` (${e.note})` : ''}`;
    case 'notify': return `${t} notify:${e.event}`;
    case 'update': return `${t} suppressed:${e.alert.suppressed}`;
    default: return `${t} ${e.type}`;
  }
}

function run(c: Pick<Case, 'rule' | 'steps'>) {
  let behind: string | null = null;
  let silences: Silence[] = [];
  let maintenance = false;
  let n = 0;
  const m = new AlertMachine(
    {
      suppression: (a, t) => suppressionOf(a, t, silences, () => behind ?? undefined),
      inMaintenance: () => maintenance,
    },
    () => `a${++n}`,
  );
  m.setRules([rule(c.rule)], 0);
  const out: string[] = [];
  const key = seriesKey('net.latency_ms', TAGS);
  for (const s of c.steps) {
    const t = s.t * S;
    if (s.behind !== undefined) behind = s.behind;
    if (s.maintenance !== undefined) maintenance = s.maintenance;
    if (s.silence !== undefined) {
      silences = s.silence
        ? [{ id: 's1', matchers: { node: 'yy-core-1' }, startsAt: s.silence[0] * S, endsAt: s.silence[1] * S, createdBy: 'ops', comment: 'work', createdAt: 0 }]
        : [];
    }
    if (s.v !== undefined) m.observe({ metric: 'net.latency_ms', value: s.v, tags: TAGS, key }, t);
    if (s.tick) m.tick(t);
    if (s.ack) {
      const open = m.openAlerts()[0];
      m.ack(open.id, s.ack, null, t);
    }
    out.push(...m.drain().map(fmt));
  }
  return { out, m };
}

const cases: Case[] = [
  {
    name: 'for-duration: pending until the breach has lasted forMs, then firing on the tick',
    rule: { forMs: 300 * S },
    steps: [{ t: 0, v: 60 }, { t: 100, v: 61 }, { t: 200, v: 70 }, { t: 299, tick: true }, { t: 300, tick: true }],
    expect: ['0 inactive->pending', '300 pending->firing', '300 notify:firing'],
  },
  {
    name: 'for-duration: a sample past forMs fires without waiting for the tick',
    rule: { forMs: 300 * S },
    steps: [{ t: 0, v: 60 }, { t: 310, v: 60 }],
    expect: ['0 inactive->pending', '310 pending->firing', '310 notify:firing'],
  },
  {
    name: 'flapping under the for-duration never fires: each dip closes the pending alert',
    rule: { forMs: 60 * S },
    steps: [{ t: 0, v: 60 }, { t: 30, v: 40 }, { t: 40, v: 60 }, { t: 70, v: 40 }, { t: 80, v: 60 }, { t: 110, v: 40 }, { t: 200, tick: true }],
    expect: ['0 inactive->pending', '30 pending->inactive', '40 inactive->pending', '70 pending->inactive', '80 inactive->pending', '110 pending->inactive'],
  },
  {
    name: 'no hysteresis: a value dancing around the threshold fires and resolves each time',
    rule: {},
    steps: [{ t: 0, v: 52 }, { t: 10, v: 48 }, { t: 20, v: 52 }, { t: 30, v: 48 }],
    expect: [
      '0 inactive->pending', '0 pending->firing', '0 notify:firing', '10 firing->resolved', '10 notify:resolved',
      '20 inactive->pending', '20 pending->firing', '20 notify:firing', '30 firing->resolved', '30 notify:resolved',
    ],
  },
  {
    name: 'hysteresis: firing holds inside the band and resolves only below the resolve threshold',
    rule: { resolveThreshold: 45 },
    steps: [{ t: 0, v: 52 }, { t: 10, v: 48 }, { t: 20, v: 52 }, { t: 30, v: 46 }, { t: 40, v: 45 }, { t: 50, v: 44.9 }],
    expect: ['0 inactive->pending', '0 pending->firing', '0 notify:firing', '50 firing->resolved', '50 notify:resolved'],
  },
  {
    name: 'hysteresis on a lower-is-worse metric (<= 95, resolve above 96)',
    rule: { metric: 'net.latency_ms', comparison: '<=', threshold: 95, resolveThreshold: 96 },
    steps: [{ t: 0, v: 94 }, { t: 10, v: 95.5 }, { t: 20, v: 96 }, { t: 30, v: 96.5 }],
    expect: ['0 inactive->pending', '0 pending->firing', '0 notify:firing', '30 firing->resolved', '30 notify:resolved'],
  },
  {
    name: 'keep-firing: a recovery must last keepFiringMs; a new breach restarts the wait',
    rule: { keepFiringMs: 60 * S },
    steps: [{ t: 0, v: 60 }, { t: 10, v: 40 }, { t: 20, v: 60 }, { t: 30, v: 40 }, { t: 79, tick: true }, { t: 80, tick: true }],
    expect: ['0 inactive->pending', '0 pending->firing', '0 notify:firing', '80 firing->resolved', '80 notify:resolved'],
  },
  {
    name: 'keep-firing: a recovered sample after the wait resolves at once',
    rule: { keepFiringMs: 60 * S },
    steps: [{ t: 0, v: 60 }, { t: 30, v: 40 }, { t: 70, v: 40 }],
    expect: ['0 inactive->pending', '0 pending->firing', '0 notify:firing', '70 firing->resolved', '70 notify:resolved'],
  },
  {
    name: 'silence: a silenced alert fires unnotified and resolves quietly',
    rule: {},
    steps: [{ t: 0, silence: [0, 3600] }, { t: 10, v: 60 }, { t: 20, tick: true }, { t: 30, v: 10 }],
    expect: ['10 inactive->pending', '10 pending->firing', '30 firing->resolved'],
  },
  {
    name: 'silence ending while still firing: notified at the next tick, then its resolution',
    rule: {},
    steps: [{ t: 0, silence: [0, 100] }, { t: 10, v: 60 }, { t: 99, tick: true }, { t: 100, tick: true }, { t: 110, v: 10 }],
    expect: ['10 inactive->pending', '10 pending->firing', '100 suppressed:null', '100 notify:firing', '110 firing->resolved', '110 notify:resolved'],
  },
  {
    name: 'silence starting on a firing alert: marked suppressed at the tick',
    rule: {},
    steps: [{ t: 0, v: 60 }, { t: 5, silence: [5, 100] }, { t: 10, tick: true }],
    expect: ['0 inactive->pending', '0 pending->firing', '0 notify:firing', '10 suppressed:silence:s1'],
  },
  {
    name: 'behind a down parent: suppressed while firing, still evaluated; its resolution is not suppressed',
    rule: { forMs: 30 * S },
    steps: [{ t: 0, behind: 'agg-520103', v: 60 }, { t: 30, v: 60 }, { t: 40, tick: true }, { t: 60, v: 10 }],
    expect: ['0 inactive->pending', '30 pending->firing', '60 firing->resolved', '60 notify:resolved'],
  },
  {
    name: 'behind a parent that comes back while the child still breaches: notified then',
    rule: {},
    steps: [{ t: 0, behind: 'agg-520103', v: 60 }, { t: 10, tick: true }, { t: 20, behind: null, tick: true }],
    expect: ['0 inactive->pending', '0 pending->firing', '20 suppressed:null', '20 notify:firing'],
  },
  {
    name: 'a pending alert is held back too (issue 15): behind a parent that goes down while it waits, released when it comes back; fires held back (not notified)',
    rule: { forMs: 60 * S },
    steps: [{ t: 0, v: 60 }, { t: 10, behind: 'agg-520103', tick: true }, { t: 20, behind: null, tick: true }, { t: 30, behind: 'agg-520103', v: 60 }, { t: 60, tick: true }],
    expect: ['0 inactive->pending', '10 suppressed:behind:agg-520103', '20 suppressed:null', '60 pending->firing'],
  },
  {
    name: 'escalation when not acknowledged within escalateAfterMs',
    rule: { escalateAfterMs: 600 * S },
    steps: [{ t: 0, v: 60 }, { t: 300, tick: true }, { t: 599, tick: true }, { t: 600, tick: true }, { t: 900, tick: true }],
    expect: ['0 inactive->pending', '0 pending->firing', '0 notify:firing', '600 escalation', '600 notify:escalation'],
  },
  {
    name: 'an acknowledged alert does not escalate',
    rule: { escalateAfterMs: 600 * S },
    steps: [{ t: 0, v: 60 }, { t: 300, ack: 'zhang.wei', tick: true }, { t: 900, tick: true }],
    expect: ['0 inactive->pending', '0 pending->firing', '0 notify:firing', '300 ack'],
  },
  {
    name: 'maintenance pauses the escalation clock and it runs on after the window',
    rule: { escalateAfterMs: 600 * S },
    steps: [
      { t: 0, v: 60 }, { t: 300, tick: true }, { t: 301, maintenance: true }, { t: 600, tick: true }, { t: 900, tick: true },
      { t: 1000, maintenance: false, tick: true }, { t: 1100, tick: true }, { t: 1199, tick: true }, { t: 1200, tick: true },
    ],
    // 300 s counted before the window, 0 inside it (ticks 600, 900, 1000 fall in it), 200 after it.
    expect: ['0 inactive->pending', '0 pending->firing', '0 notify:firing', '1200 escalation', '1200 notify:escalation'],
  },
  {
    name: 'a suppressed alert does not escalate',
    rule: { escalateAfterMs: 60 * S },
    steps: [{ t: 0, behind: 'agg-520103', v: 60 }, { t: 100, tick: true }, { t: 200, tick: true }],
    expect: ['0 inactive->pending', '0 pending->firing'],
  },
  {
    name: 'a pending alert without data for staleMs closes as inactive',
    rule: { forMs: 600 * S },
    steps: [{ t: 0, v: 60 }, { t: 300, tick: true }, { t: 301, tick: true }],
    expect: ['0 inactive->pending', '301 pending->inactive (no data)'],
  },
  {
    name: 'a firing alert without data stays firing (no data is no recovery)',
    rule: {},
    steps: [{ t: 0, v: 60 }, { t: 3600, tick: true }],
    expect: ['0 inactive->pending', '0 pending->firing', '0 notify:firing'],
  },
  {
    name: 'a sample older than the latest is ignored',
    rule: {},
    steps: [{ t: 100, v: 60 }, { t: 50, v: 10 }, { t: 110, v: 61 }],
    expect: ['100 inactive->pending', '100 pending->firing', '100 notify:firing'],
  },
  {
    name: '== 0 (node down) fires on 0 and resolves on 1',
    rule: { metric: 'net.latency_ms', comparison: '==', threshold: 0 },
    steps: [{ t: 0, v: 1 }, { t: 10, v: 0 }, { t: 20, v: 1 }],
    expect: ['10 inactive->pending', '10 pending->firing', '10 notify:firing', '20 firing->resolved', '20 notify:resolved'],
  },
];

describe('AlertMachine', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(run(c).out).toEqual(c.expect);
  });

  it('keeps one alert per rule and series; a new episode gets a new id', () => {
    const { m } = run({ rule: {}, steps: [] });
    const other: Tags = { ...TAGS, node: 'yy-core-2' };
    m.observe({ metric: 'net.latency_ms', value: 60, tags: TAGS, key: seriesKey('net.latency_ms', TAGS) }, 0);
    m.observe({ metric: 'net.latency_ms', value: 70, tags: TAGS, key: seriesKey('net.latency_ms', TAGS) }, 1000);
    m.observe({ metric: 'net.latency_ms', value: 60, tags: other, key: seriesKey('net.latency_ms', other) }, 1000);
    const ids = m.openAlerts().map((a) => a.id);
    expect(ids).toEqual(['a1', 'a2']);
    m.observe({ metric: 'net.latency_ms', value: 1, tags: TAGS, key: seriesKey('net.latency_ms', TAGS) }, 2000);
    m.observe({ metric: 'net.latency_ms', value: 60, tags: TAGS, key: seriesKey('net.latency_ms', TAGS) }, 3000);
    expect(m.openAlerts().map((a) => a.id).sort()).toEqual(['a2', 'a3']);
  });

  it('ignores metrics no rule watches and points outside the scope', () => {
    const { m } = run({ rule: { scope: { district: '520102' } }, steps: [] });
    m.observe({ metric: 'net.loss_pct', value: 99, tags: TAGS, key: 'x' }, 0);
    m.observe({ metric: 'net.latency_ms', value: 99, tags: TAGS, key: 'y' }, 0);
    expect(m.drain()).toEqual([]);
    expect(m.watches('net.loss_pct')).toBe(false);
  });

  it('a removed rule resolves its firing alerts and closes its pending ones', () => {
    const { m } = run({ rule: {}, steps: [{ t: 0, v: 60 }] });
    m.setRules([], 5000);
    expect(m.drain().map(fmt)).toEqual(['5 firing->resolved (rule removed, disabled or changed metric)', '5 notify:resolved']);
    expect(m.openAlerts()).toEqual([]);
  });

  it('a changed rule keeps its open alerts and their new severity', () => {
    const { m } = run({ rule: {}, steps: [{ t: 0, v: 60 }] });
    m.setRules([rule({ severity: 'P1', threshold: 80 })], 5000);
    expect(m.drain()).toEqual([]);
    expect(m.openAlerts()[0]).toMatchObject({ state: 'firing', severity: 'P1' });
  });

  it('restores open alerts after a restart and goes on from them', () => {
    const { m } = run({ rule: {}, steps: [{ t: 0, v: 60 }] });
    const saved: AlertInstance[] = JSON.parse(JSON.stringify(m.openAlerts()));
    const m2 = new AlertMachine({ suppression: () => null, inMaintenance: () => false }, () => 'new');
    m2.setRules([rule()], 0);
    m2.restore(saved);
    m2.observe({ metric: 'net.latency_ms', value: 10, tags: TAGS, key: seriesKey('net.latency_ms', TAGS) }, 10_000);
    expect(m2.drain().map(fmt)).toEqual(['10 firing->resolved', '10 notify:resolved']);
  });

  it('restores an alert stored with a pre-issue-13 series key (unescaped tag values) under its new key', () => {
    const tags: Tags = { ...TAGS, target: 'x,u2=y' };
    const m = new AlertMachine({ suppression: () => null, inMaintenance: () => false }, () => 'a1');
    m.setRules([rule()], 0);
    m.observe({ metric: 'net.latency_ms', value: 60, tags, key: seriesKey('net.latency_ms', tags) }, 0);
    const saved: AlertInstance[] = JSON.parse(JSON.stringify(m.openAlerts()));
    saved[0].series = 'net.latency_ms{district=520103,node=yy-core-1,target=x,u2=y,unit=520103}'; // as stored before
    const m2 = new AlertMachine({ suppression: () => null, inMaintenance: () => false }, () => 'new');
    m2.setRules([rule()], 0);
    m2.restore(saved);
    m2.observe({ metric: 'net.latency_ms', value: 10, tags, key: seriesKey('net.latency_ms', tags) }, 10_000);
    expect(m2.drain().map(fmt)).toEqual(['10 firing->resolved', '10 notify:resolved']);
  });

  it('takes 100k samples of healthy series quickly (no allocation when nothing breaches)', () => {
    const m = new AlertMachine({ suppression: () => null, inMaintenance: () => false }, () => 'x');
    m.setRules(defaultRules(0), 0);
    const pts = Array.from({ length: 1000 }, (_, i) => {
      const tags: Tags = { district: '520103', unit: '520103', node: `n${i}` };
      return { metric: 'net.latency_ms', value: 5, tags, key: seriesKey('net.latency_ms', tags) };
    });
    const t0 = performance.now();
    for (let r = 0; r < 100; r++) for (const p of pts) m.observe(p, r * 1000);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(m.openAlerts()).toEqual([]);
  });
});

describe('rules', () => {
  it('seeds warning and critical rules for every default threshold, down rules and collector lost', () => {
    const rules = defaultRules(0);
    expect(rules.filter((r) => r.metric === 'net.latency_ms').map((r) => [r.severity, r.comparison, r.threshold, r.resolveThreshold, r.forMs])).toEqual([
      ['P2', '>=', 50, 45, 300_000],
      ['P3', '>=', 20, 18, 300_000],
    ]);
    expect(rules.find((r) => r.id === 'default-share-success_pct-critical')).toMatchObject({ comparison: '<=', threshold: 95, resolveThreshold: 95.95 });
    expect(rules.find((r) => r.id === 'default-net-up-down')).toMatchObject({ comparison: '==', threshold: 0, severity: 'P1' });
    expect(rules.find((r) => r.id === 'default-collector-lost')).toMatchObject({ metric: 'collector.silent_s', comparison: '>', threshold: 60 });
    for (const r of rules) expect(ruleProblems(r)).toEqual([]);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });

  it.each([
    [{ comparison: '>=', threshold: 50, resolveThreshold: 55 }, /at most/],
    [{ comparison: '<', threshold: 50, resolveThreshold: 45 }, /at least/],
    [{ comparison: '==', threshold: 0, resolveThreshold: 0 }, /ordering/],
  ] as const)('refuses a resolve threshold on the wrong side: %j', (r, msg) => {
    expect(ruleProblems(r).join()).toMatch(msg);
  });

  it.each([
    [{}, true],
    [{ district: 'all', node: 'all' }, true],
    [{ district: '520103' }, true],
    [{ district: '520102' }, false],
    [{ zone: 'gy-hitech' }, false],
    [{ node: 'yy-core-1' }, true],
    [{ service: 'extranet:520103' }, true],
    [{ service: 'share' }, false],
  ] as const)('scope %j matches an extranet point of 520103: %s', (scope, expected) => {
    expect(scopeMatches(scope, TAGS)).toBe(expected);
  });

  it.each([
    [{ district: '520199' }, 'scope.district'],
    [{ zone: 'gy-nowhere' }, 'scope.zone'],
    [{ service: 'water' }, 'scope.service'],
    [{ region: 'x' }, 'region'],
  ])('refuses scope %j', (scope, path) => {
    const r = RuleInputSchema.safeParse({ name: 'x', metric: 'net.up', comparison: '==', threshold: 0, severity: 'P1', scope });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [...i.path, ...((i as { keys?: string[] }).keys ?? [])].join('.')).join()).toContain(path);
  });

  it('service scope cloud/share/open matches the platform tag', () => {
    expect(scopeMatches({ service: 'share' }, { ...TAGS, platform: 'share' })).toBe(true);
    expect(scopeMatches({ service: 'extranet:520103' }, { ...TAGS, platform: 'share' })).toBe(false);
  });
});
