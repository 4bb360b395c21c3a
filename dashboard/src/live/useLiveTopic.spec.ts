import { describe, expect, it } from '@jest/globals';
import { effectScope, nextTick, ref } from 'vue';
import { FakeSocket } from './testing/fake-socket';
import { setLiveSocketFactory, useLiveConnection, useLiveTopic } from './useLiveTopic';

function setup() {
  const socket = new FakeSocket();
  setLiveSocketFactory(() => socket);
  return socket;
}

describe('useLiveTopic', () => {
  it('holds a topic for the life of its scope, shared between scopes', async () => {
    const socket = setup();
    const a = effectScope();
    const b = effectScope();
    const ta = a.run(() => useLiveTopic<{ n: number }>('overview'))!;
    const tb = b.run(() => useLiveTopic<{ n: number }>('overview'))!;
    socket.connected = true;
    socket.serverSends('connect');
    expect(socket.emitted).toEqual([['subscribe', ['overview']]]);
    expect(ta.stale.value).toBe(true); // connected, snapshot not there yet
    socket.serverSends('snapshot', { topic: 'overview', seq: 0, ts: 1, data: { n: 1 } });
    expect(ta.data.value).toEqual({ n: 1 });
    expect(tb.data.value).toEqual({ n: 1 });
    expect(ta.stale.value).toBe(false);
    expect(ta.connected.value).toBe(true);
    expect(ta.lastUpdate.value).toEqual(expect.any(Number));
    a.stop();
    expect(socket.emitted).toHaveLength(1);
    b.stop();
    expect(socket.emitted.at(-1)).toEqual(['unsubscribe', ['overview']]);
  });

  it('follows a topic that changes, and is stale while the connection is down', async () => {
    const socket = setup();
    socket.connected = true;
    const code = ref<string | null>('520103');
    const scope = effectScope();
    const t = scope.run(() => useLiveTopic<string>(() => (code.value ? `district:${code.value}` : null)))!;
    socket.serverSends('connect');
    socket.serverSends('snapshot', { topic: 'district:520103', seq: 3, ts: 1, data: 'yunyan' });
    expect(t.data.value).toBe('yunyan');
    code.value = '520111';
    await nextTick();
    expect(t.data.value).toBeNull(); // never the old district's data under the new name
    expect(socket.emitted.slice(-2)).toEqual([
      ['unsubscribe', ['district:520103']],
      ['subscribe', ['district:520111']],
    ]);
    socket.serverSends('snapshot', { topic: 'district:520111', seq: 0, ts: 2, data: 'huaxi' });
    expect(t.data.value).toBe('huaxi');
    socket.connected = false;
    socket.serverSends('disconnect');
    expect(t.stale.value).toBe(true);
    expect(useLiveConnection().value).toEqual({ connected: false, everConnected: true });
    expect(t.data.value).toBe('huaxi'); // the last data stays on screen, marked stale
    code.value = null;
    await nextTick();
    expect(t.data.value).toBeNull();
    scope.stop();
  });
});
