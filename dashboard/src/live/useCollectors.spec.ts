import { describe, expect, it } from '@jest/globals';
import { effectScope, nextTick } from 'vue';
import { useCollectors } from './useCollectors';

const answer = { ts: 1, counts: { ok: 1, lost: 1, never_seen: 0, revoked: 0 }, collectors: [] };
const settle = () => new Promise((r) => setTimeout(r, 0)).then(() => nextTick());

describe('useCollectors', () => {
  it('reads the registry and keeps the last good answer when a read fails', async () => {
    let fail = false;
    const calls: string[] = [];
    const fake = (async (url: string) => {
      calls.push(url);
      if (fail) return new Response('nope', { status: 503 });
      return new Response(JSON.stringify(answer), { status: 200 });
    }) as unknown as typeof fetch;
    const scope = effectScope();
    const state = scope.run(() => useCollectors(fake))!;
    await settle();
    expect(calls).toEqual(['/api/v1/collectors']);
    expect(state.data.value).toEqual(answer);
    expect(state.error.value).toBeNull();
    scope.stop();
    fail = true;
    const scope2 = effectScope();
    const s2 = scope2.run(() => useCollectors(fake))!;
    await settle();
    expect(s2.error.value).toBe('HTTP 503');
    expect(s2.data.value).toBeNull();
    scope2.stop();
  });
});
