import { describe, expect, it } from '@jest/globals';
import { effectScope, nextTick } from 'vue';
import { useTopology } from './useTopology';

const settle = (ms = 0) => new Promise((r) => setTimeout(r, ms)).then(() => nextTick());
/** Waits until `ok` holds (a loaded machine runs intervals late), failing after `ms`. */
async function until(ok: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await settle(5);
  }
}
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
    await until(() => state.data.value !== null);
    expect(state.data.value?.nodes[0].status).toBe('up');
    expect(state.lastRead.value).not.toBeNull();
    await until(() => calls >= 2 && state.error.value !== null);
    expect(state.error.value).toBe('HTTP 502');
    expect(state.data.value?.nodes[0].status).toBe('up');
    await until(() => state.data.value?.nodes[0].status === 'down');
    expect(state.error.value).toBeNull();
    scope.stop();
    const after = calls;
    await settle(80);
    expect(calls).toBe(after);
  });
});
