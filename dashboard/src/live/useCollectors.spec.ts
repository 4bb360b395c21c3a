import { describe, expect, it } from '@jest/globals';
import { effectScope, nextTick } from 'vue';
import { signIn } from '../auth/session';
import { useCollectors } from './useCollectors';

const answer = { ts: 1, counts: { ok: 1, lost: 1, never_seen: 0, revoked: 0 }, collectors: [] };
const ops = async () => ({ username: 'ops', role: 'ops' as const });
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
    const state = scope.run(() => useCollectors(fake, ops))!;
    await settle();
    expect(calls).toEqual(['/api/v1/collectors']);
    expect(state.data.value).toEqual(answer);
    expect(state.error.value).toBeNull();
    scope.stop();
    fail = true;
    const scope2 = effectScope();
    const s2 = scope2.run(() => useCollectors(fake, ops))!;
    await settle();
    expect(s2.error.value).toBe('HTTP 503');
    expect(s2.data.value).toBeNull();
    scope2.stop();
  });
});

// Issue 15 items 6 and 16: the first read answered 401 (it went out before the session was known,
// on the sign-in page) and the header showed "采集器 !" until the next read 10 s later.
describe('useCollectors: only with a session that may read the registry', () => {
  const user = (role: string) => async () => ({ username: 'u', role, ...(role === 'district' ? { district: '520181' } : {}) }) as never;
  const counting = () => {
    const calls: string[] = [];
    const fake = (async (url: string) => {
      calls.push(url);
      return new Response(JSON.stringify(answer), { status: 200 });
    }) as unknown as typeof fetch;
    return { calls, fake };
  };
  it('does not read before anyone is signed in, nor for a role that may not read it', async () => {
    for (const session of [async () => null, user('operator')]) {
      const { calls, fake } = counting();
      const scope = effectScope();
      const state = scope.run(() => useCollectors(fake, session))!;
      await settle();
      expect(calls).toEqual([]);
      expect(state.error.value).toBeNull();
      scope.stop();
    }
  });
  it('reads for admin, ops, leader and district users', async () => {
    for (const role of ['admin', 'ops', 'leader', 'district']) {
      const { calls, fake } = counting();
      const scope = effectScope();
      scope.run(() => useCollectors(fake, user(role)));
      await settle();
      expect(calls).toEqual(['/api/v1/collectors']);
      scope.stop();
    }
  });
  it('reads at once after a sign-in, not at the next 10 s tick', async () => {
    const { calls, fake } = counting();
    let who: (() => Promise<never>) | (() => Promise<null>) = async () => null;
    const scope = effectScope();
    scope.run(() => useCollectors(fake, () => who()));
    await settle();
    expect(calls).toEqual([]);
    who = user('district');
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async () => new Response(JSON.stringify({ user: { username: 'u', role: 'district', district: '520181' } }), { status: 200 })) as typeof fetch;
    try {
      expect(await signIn('u', 'pw')).toEqual({ ok: true });
    } finally {
      globalThis.fetch = realFetch;
    }
    await settle();
    await settle();
    expect(calls).toEqual(['/api/v1/collectors']);
    scope.stop();
  });
});
