import { describe, expect, it } from '@jest/globals';
import { planNodeImport, writeNodesCsv, type NodeFields } from './nodes.csv.js';

const node = (id: string, over: Partial<NodeFields> = {}): NodeFields => ({
  id, name: `节点${id}`, level: 'township', parent: null, unit: '520102', adminCode: '520102001', department: null, address: null, operator: null, contract: null, state: 'active', ...over,
});

describe('planNodeImport', () => {
  it('updates by id, keeps the columns the file leaves out, and refuses emptying a required one', () => {
    const existing = new Map([['a', node('a', { address: '新华路1号' })]]);
    const plan = planNodeImport('节点编号,节点名称,地址\na,新名字,\nb,,x', existing);
    expect(plan.rows).toEqual([{ row: 2, kind: 'update', before: existing.get('a'), after: { ...existing.get('a'), name: '新名字', address: null } }]);
    expect(plan.errors).toEqual([
      { row: 3, column: '节点名称', message: 'required for a new node' },
      { row: 3, column: '层级', message: 'required for a new node' },
      { row: 3, column: '所属区县', message: 'required for a new node' },
    ]);
    const emptied = planNodeImport('节点编号,节点名称\na,', existing);
    expect(emptied.errors).toEqual([{ row: 2, column: '节点名称', message: 'must not be empty (leave the column out to keep the value)' }]);
  });

  it('names a repeated id with its first row, and checks division codes by level', () => {
    const plan = planNodeImport('id,name,level,unit,code\nv1,甲村,village,520102,520102001001\nv1,乙村,village,520102,520102001002\nv2,丙村,village,520102,520102001', new Map());
    expect(plan.errors).toEqual([
      { row: 3, column: 'id', message: 'node v1 is already in row 2' },
      { row: 4, column: 'code', message: "a village's division code has 12 digits, not 9" },
    ]);
    expect(plan.failedRows).toBe(2);
  });

  it('round-trips through the export, a formula-looking name included', () => {
    const nodes = [node('a', { name: '=HYPERLINK("x")', contract: '-HT-1' }), node('b', { parent: 'a', level: 'village', adminCode: '520102001001', state: 'retired' })];
    const text = writeNodesCsv(nodes);
    expect(text).toContain("'=HYPERLINK(\"\"x\"\")");
    const plan = planNodeImport(text, new Map());
    expect(plan.errors).toEqual([]);
    expect(plan.rows.map((r) => r.after)).toEqual(nodes);
  });
});
