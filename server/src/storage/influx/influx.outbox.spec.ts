import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxOutbox } from './influx.outbox.js';

describe('InfluxOutbox', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zhuyun-outbox-'));
    path = join(dir, 'influx-outbox.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const chunk = (n: number, tag: string) => ({
    points: n,
    body: Array.from({ length: n }, (_, i) => `m.x,node=${tag} value=${i} ${1000 + i}`).join('\n'),
    touched: { 'm.x': [0] },
  });

  it('gives chunks back in order, several up to a point budget, and counts the backlog', () => {
    const o = new InfluxOutbox(path);
    o.append([chunk(3, 'a'), chunk(4, 'b')], 1);
    o.append([chunk(5, 'c')], 2);
    expect(o.backlogPoints).toBe(12);
    expect(o.chunkCount).toBe(3);
    expect(o.head(7).map((c) => c.body.slice(0, 8))).toEqual(['m.x,node', 'm.x,node']);
    expect(o.head(7).map((c) => c.points)).toEqual([3, 4]);
    expect(o.head(1).map((c) => c.points)).toEqual([3]); // at least one, even over the budget
    o.close();
  });

  it('keeps what InfluxDB has not confirmed across a crash: a chunk is gone only after ack', () => {
    const first = new InfluxOutbox(path);
    first.append([chunk(2, 'a'), chunk(2, 'b')], 1);
    const sent = first.head(2);
    // kill -9 after InfluxDB answered but before the ack: the chunk is still there.
    first.close();
    const again = new InfluxOutbox(path);
    expect(again.backlogPoints).toBe(4);
    expect(again.head(2)).toEqual(sent); // delivered a second time: harmless, InfluxDB overwrites
    again.ack(sent, [{ res: 'm1', bucket: 0, measurement: 'm.x' }, { res: 'h1', bucket: 0, measurement: 'm.x' }]);
    expect(again.backlogPoints).toBe(2);
    expect(again.dirtyCount).toBe(2);
    again.ack(sent, []); // twice: nothing more removed
    expect(again.backlogPoints).toBe(2);
    again.close();
    const third = new InfluxOutbox(path);
    expect([third.backlogPoints, third.chunkCount, third.dirtyCount]).toEqual([2, 1, 2]);
    third.close();
  });

  it('a bucket marked again while being recomputed stays marked', () => {
    const o = new InfluxOutbox(path);
    o.markDirty([{ res: 'm1', bucket: 60_000, measurement: 'm.x' }, { res: 'm1', bucket: 120_000, measurement: 'm.x' }]);
    const taken = o.dirtyBatch(10);
    expect(taken.map((r) => r.bucket)).toEqual([60_000, 120_000]);
    o.markDirty([{ res: 'm1', bucket: 60_000, measurement: 'm.x' }]); // a new point in it meanwhile
    o.clearDirty(taken);
    expect(o.dirtyBatch(10).map((r) => r.bucket)).toEqual([60_000]);
    expect(o.dirtyCount).toBe(1);
    o.close();
  });
});
