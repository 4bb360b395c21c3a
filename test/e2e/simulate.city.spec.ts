// The real city as `npm start` simulates it (ZHUYUN_SIMULATE_FLEET=city): 1,840 nodes over 15
// collectors through the real ingest path, the four-level topology from the points' parent tags, a
// zone's township under the zone, and a township fault taking its villages with it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SimulationService } from '../../server/src/simulation/simulation.service.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface TopoNode {
  node: string;
  parent?: string;
  role?: string;
  unit?: string;
  status: string;
  behind?: string;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 45_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('the simulated real city', () => {
  let server: TestServer;
  const topology = async (): Promise<TopoNode[]> => {
    const body = (await (await server.api('/api/v1/topology')).json()) as TopoNode[] | { nodes: TopoNode[] };
    return Array.isArray(body) ? body : body.nodes;
  };

  beforeAll(async () => {
    server = await startTestServer({ ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_FLEET: 'city' });
  }, 60_000);
  afterAll(async () => server?.close());

  it('reports the four levels with their parents, zones included, through the 15 collectors', async () => {
    // Villages report every 10 s: within ~12 s every node has been seen.
    const nodes = await until('every city node in the topology', async () => {
      const all = await topology();
      return all.filter((n) => n.node.startsWith('v')).length >= 1_629 ? all : undefined;
    });
    const byId = new Map(nodes.map((n) => [n.node, n]));
    expect(byId.get('v520102016001')).toMatchObject({ parent: 't520102016', unit: '520102' });
    expect(byId.get('t520102016')).toMatchObject({ parent: '520102-core-1', unit: '520102' });
    expect(byId.get('520102-core-1')).toMatchObject({ parent: 'gy-core', role: 'core' });
    expect(byId.get('gy-core')).toMatchObject({ role: 'core', unit: '520115' });
    expect(byId.get('gy-core')!.parent).toBeUndefined();
    // 沙文镇 is run by the high-tech zone's committee.
    expect(byId.get('t520113102')).toMatchObject({ parent: 'gy-hitech-core-1', unit: 'gy-hitech' });
    expect(nodes.filter((n) => /^t\d{9}$/.test(n.node))).toHaveLength(146);
    expect(nodes.filter((n) => /^v\d{12}$/.test(n.node))).toHaveLength(1_629);
    expect(nodes.filter((n) => /-core-1$/.test(n.node))).toHaveLength(14);
    const { collectors } = (await (await server.api('/api/v1/collectors')).json()) as { collectors: Array<{ id: string }> };
    expect(collectors.filter((c) => c.id.startsWith('sim-'))).toHaveLength(15);
  }, 60_000);

  it('a township down: its villages go down behind it, the rest of the district stays up', async () => {
    server.app.get(SimulationService).injectFault({ kind: 'link_down', node: 't520102016', durationMs: 120_000 });
    const villages = ['v520102016001', 'v520102016002', 'v520102016007'];
    const nodes = await until('the township and its villages down', async () => {
      const all = await topology();
      const byId = new Map(all.map((n) => [n.node, n]));
      return ['t520102016', ...villages].every((id) => byId.get(id)?.status === 'down') ? byId : undefined;
    }, 30_000);
    for (const v of villages) expect(nodes.get(v)!.behind).toBe('t520102016');
    expect(nodes.get('520102-core-1')!.status).not.toBe('down');
    expect(nodes.get('v520102017001')!.behind).toBeUndefined();
    expect(() => server.app.get(SimulationService).injectFault({ kind: 'link_down', node: 'v999', durationMs: 1_000 })).toThrow(/no simulated collector for "v999"/);
  }, 45_000);

  it('seeds the node registry once from the city fleet: names, levels, parents, units, division codes; no node reports unregistered', async () => {
    const node = async (id: string) => (await (await server.api(`/api/v1/nodes/${id}`)).json()) as Record<string, unknown>;
    expect(await node('t520102016')).toMatchObject({ name: '新华路街道', level: 'township', parent: '520102-core-1', unit: '520102', adminCode: '520102016', registered: true, state: 'active' });
    expect(await node('v520102016001')).toMatchObject({ level: 'village', parent: 't520102016', adminCode: '520102016001', registered: true });
    expect(await node('t520113102')).toMatchObject({ name: '沙文镇', unit: 'gy-hitech' });
    expect(await node('gy-core')).toMatchObject({ name: '贵阳市电子政务外网核心', level: 'city' });
    // A platform reports under every unit it serves: it belongs to none.
    expect(await node('cloud-subplatform')).toMatchObject({ name: '贵阳市政务云子平台', level: 'city', unit: null, registered: true });
    const page = (await (await server.api('/api/v1/nodes?level=village&limit=5')).json()) as { total: number; nodes: unknown[] };
    expect(page.total).toBe(1_629);
    expect(page.nodes).toHaveLength(5);
    const unregistered = (await (await server.api('/api/v1/nodes?registered=false')).json()) as { total: number; nodes: Array<{ id: string }> };
    expect(unregistered.nodes.map((n) => n.id)).toEqual([]);
  });
});
