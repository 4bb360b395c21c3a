import { describe, expect, it } from '@jest/globals';
import type { DistrictDelta, LiveDeltaFrame, LiveFrame } from '@zhuyun/protocol';
import { LiveConnection, type TopicListener, type TopicStatus } from './live-connection';
import { FakeSocket } from './testing/fake-socket';

function recorder(): TopicListener & { seen: unknown[]; statuses: TopicStatus[] } {
  const r = {
    seen: [] as unknown[],
    statuses: [] as TopicStatus[],
    data(d: unknown) {
      r.seen.push(d);
    },
    status(s: TopicStatus) {
      r.statuses.push(s);
    },
  };
  return r;
}

const frame = (topic: string, seq: number, data: unknown): LiveFrame => ({ topic, seq, ts: seq, data });

function setup() {
  let made = 0;
  const socket = new FakeSocket();
  const conn = new LiveConnection(() => {
    made += 1;
    return socket;
  }, () => 1234);
  return { socket, conn, made: () => made };
}

describe('LiveConnection', () => {
  it('creates the socket lazily, once, and subscribes held topics on connect', () => {
    const { socket, conn, made } = setup();
    expect(made()).toBe(0);
    conn.subscribe('overview', recorder());
    conn.subscribe('district:520103', recorder());
    expect(made()).toBe(1);
    expect(socket.emitted).toEqual([]); // not connected yet: nothing is buffered twice
    socket.connect();
    expect(socket.emitted).toEqual([['subscribe', ['overview', 'district:520103']]]);
  });

  it('counts listeners per topic: one subscribe, one unsubscribe when the last leaves', () => {
    const { socket, conn } = setup();
    socket.connect();
    const a = recorder();
    const b = recorder();
    const offA = conn.subscribe('overview', a);
    socket.serverSends('snapshot', frame('overview', 3, 'S'));
    const offB = conn.subscribe('overview', b);
    expect(b.seen).toEqual(['S']); // the second listener gets the data held at once
    expect(socket.emitted).toEqual([['subscribe', ['overview']]]);
    offA();
    offA();
    expect(socket.emitted).toHaveLength(1);
    offB();
    expect(socket.emitted).toEqual([
      ['subscribe', ['overview']],
      ['unsubscribe', ['overview']],
    ]);
    expect(conn.heldTopics()).toEqual([]);
  });

  it('applies the snapshot and frames in order, ignores duplicates, records the time', () => {
    const { socket, conn } = setup();
    socket.connect();
    const r = recorder();
    conn.subscribe('overview', r);
    socket.serverSends('snapshot', frame('overview', 5, 's5'));
    socket.serverSends('frame', frame('overview', 6, 'f6'));
    socket.serverSends('frame', frame('overview', 6, 'f6 again'));
    socket.serverSends('frame', frame('overview', 7, 'f7'));
    expect(r.seen).toEqual(['s5', 'f6', 'f7']);
    expect(conn.lastMessageAt).toBe(1234);
    expect(r.statuses.at(-1)).toEqual({ awaitingSnapshot: false, error: null });
  });

  it('re-subscribes a topic on a seq gap, once, and drops frames until the new snapshot', () => {
    const { socket, conn } = setup();
    socket.connect();
    const r = recorder();
    conn.subscribe('district:520103', r);
    socket.serverSends('snapshot', frame('district:520103', 1, 's1'));
    socket.serverSends('frame', frame('district:520103', 3, 'f3'));
    socket.serverSends('frame', frame('district:520103', 4, 'f4'));
    expect(socket.emitted).toEqual([
      ['subscribe', ['district:520103']],
      ['subscribe', ['district:520103']],
    ]);
    expect(r.statuses.at(-1)).toEqual({ awaitingSnapshot: true, error: null });
    socket.serverSends('snapshot', frame('district:520103', 4, 's4'));
    socket.serverSends('frame', frame('district:520103', 5, 'f5'));
    expect(r.seen).toEqual(['s1', 's4', 'f5']);
  });

  it('asks again for a snapshot when a frame comes first', () => {
    const { socket, conn } = setup();
    conn.subscribe('overview', recorder());
    socket.connect();
    // The subscription sent on connect is still waiting for its snapshot: no second request.
    socket.serverSends('frame', frame('overview', 9, 'early'));
    expect(socket.emitted).toEqual([['subscribe', ['overview']]]);
  });

  it('re-subscribes everything after a reconnect and reports the connection', () => {
    const { socket, conn } = setup();
    const states: unknown[] = [];
    conn.onConnection((s) => states.push(s));
    const r = recorder();
    conn.subscribe('overview', r);
    socket.connect();
    socket.serverSends('snapshot', frame('overview', 10, 'a'));
    socket.drop();
    socket.connect();
    expect(socket.emitted).toEqual([
      ['subscribe', ['overview']],
      ['subscribe', ['overview']],
    ]);
    expect(states).toEqual([
      { connected: false, everConnected: false },
      { connected: true, everConnected: true },
      { connected: false, everConnected: true },
      { connected: true, everConnected: true },
    ]);
    // The restarted server may count from 0 again: the snapshot still applies.
    socket.serverSends('snapshot', frame('overview', 0, 'b'));
    socket.serverSends('frame', frame('overview', 1, 'c'));
    expect(r.seen).toEqual(['a', 'b', 'c']);
  });

  it('reports a refused topic', () => {
    const { socket, conn } = setup();
    socket.connect();
    const r = recorder();
    conn.subscribe('sla', r);
    socket.serverSends('subscribe_error', { topic: 'sla', error: 'not served yet' });
    expect(r.statuses.at(-1)).toEqual({ awaitingSnapshot: false, error: 'not served yet' });
  });

  describe('delta frames (overview, district:<code>)', () => {
    const unit = { code: '520181', status: 'up' as const, counts: { up: 2, degraded: 0, down: 0, unknown: 0 }, latencyMs: 3, lossPct: 0 };
    const n = (id: string, status: 'up' | 'down', lastSeen: number) => ({ id, district: '520181', unit: '520181', status, reasons: [], lastSeen, metrics: { 'net.latency_ms': 3 } });
    const d0 = { unit, nodes: [n('a', 'up', 1), n('b', 'up', 1)], total: 2, truncated: false };
    const delta = (seq: number, d: DistrictDelta): LiveDeltaFrame => ({ topic: 'district:520181', seq, ts: seq, delta: d });

    it('applies each delta to the data held and gives listeners the whole data', () => {
      const { socket, conn } = setup();
      socket.connect();
      const r = recorder();
      conn.subscribe('district:520181', r);
      socket.serverSends('snapshot', frame('district:520181', 7, d0));
      socket.serverSends('frame', delta(8, { nodes: [{ id: 'b', set: { status: 'down', lastSeen: 2 } }] }));
      socket.serverSends('frame', delta(9, { removed: ['a'], total: 1 }));
      expect(r.seen).toEqual([
        d0,
        { unit, nodes: [n('b', 'down', 2), n('a', 'up', 1)], total: 2, truncated: false },
        { unit, nodes: [n('b', 'down', 2)], total: 1, truncated: false },
      ]);
    });

    it('does not apply a delta past a gap: re-subscribes, and applies again from the new snapshot', () => {
      const { socket, conn } = setup();
      socket.connect();
      const r = recorder();
      conn.subscribe('district:520181', r);
      socket.serverSends('snapshot', frame('district:520181', 7, d0));
      socket.serverSends('frame', delta(9, { total: 99 }));
      socket.serverSends('frame', delta(10, { total: 98 }));
      expect(r.seen).toEqual([d0]);
      expect(socket.emitted).toEqual([['subscribe', ['district:520181']], ['subscribe', ['district:520181']]]);
      const d10 = { ...d0, total: 98 };
      socket.serverSends('snapshot', frame('district:520181', 10, d10));
      socket.serverSends('frame', delta(11, { truncated: true }));
      expect(r.seen).toEqual([d0, d10, { ...d10, truncated: true }]);
    });

    it('a listener that joins later gets the data as of the last delta', () => {
      const { socket, conn } = setup();
      socket.connect();
      conn.subscribe('district:520181', recorder());
      socket.serverSends('snapshot', frame('district:520181', 1, d0));
      socket.serverSends('frame', delta(2, { total: 5 }));
      const late = recorder();
      conn.subscribe('district:520181', late);
      expect(late.seen).toEqual([{ ...d0, total: 5 }]);
    });
  });
});
