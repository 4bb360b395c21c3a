import { describe, expect, it } from '@jest/globals';
import { effectScope, nextTick } from 'vue';
import { useTopology } from './useTopology';

const settle = (ms = 0) => new Promise((r) => setTimeout(r, ms)).then(() => nextTick());
const graph = (status: string) => ({ nodes: [{ node: 'a-core-1', unit: '520103', status, configured: false }] });

describe('useTopology', () => {
  it('re-reads on its interval, keeps the last good graph on a failed read, stops with its scope', async () => {
    const answers: Array<() => Response> = [
      () => new Response(JSON.stringify(graph('up')), { status: 200 }),
      () => new Response('down', { status: 502 }),
      () => new Response(JSON.stringify(graph('down')), { status: 200 }),
    ];
    let calls = 0;
    const fake = (async (url: string) => {
      expect(url).toBe('/api/v1/topology');
      return answers[Math.min(calls++, answers.length - 1)]();
    }) as unknown as typeof fetch;
    const scope = effectScope();
    const state = scope.run(() => useTopology(30, fake))!;
    await settle();
    expect(state.data.value?.nodes[0].status).toBe('up');
    expect(state.lastRead.value).not.toBeNull();
    await settle(40);
    expect(state.error.value).toBe('HTTP 502');
    expect(state.data.value?.nodes[0].status).toBe('up');
    await settle(40);
    expect(state.error.value).toBeNull();
    expect(state.data.value?.nodes[0].status).toBe('down');
    scope.stop();
    const after = calls;
    await settle(80);
    expect(calls).toBe(after);
  });
});
