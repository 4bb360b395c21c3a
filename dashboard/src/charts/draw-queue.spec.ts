import { describe, expect, it } from '@jest/globals';
import { createDrawQueue } from './draw-queue';

/** A queue whose ticks are run by hand: `tick()` runs the one task the queue scheduled. */
function manual() {
  const tasks: Array<() => void> = [];
  const queue = createDrawQueue((run) => tasks.push(run));
  const drawn: string[] = [];
  const tick = () => {
    const before = drawn.length;
    const task = tasks.shift();
    task?.();
    return drawn.slice(before);
  };
  return { queue, tasks, drawn, tick };
}

type Step = ['enqueue', string, string] | ['cancel', string] | ['tick', string[]];

describe('createDrawQueue', () => {
  const a = {};
  const b = {};
  const c = {};
  const keys: Record<string, object> = { a, b, c };

  const cases: Array<{ name: string; steps: Step[] }> = [
    { name: 'never draws in the task that asked', steps: [['enqueue', 'a', 'a1'], ['tick', ['a1']], ['tick', []]] },
    {
      name: 'one draw per task, in the order charts first asked',
      steps: [['enqueue', 'b', 'b1'], ['enqueue', 'a', 'a1'], ['enqueue', 'c', 'c1'], ['tick', ['b1']], ['tick', ['a1']], ['tick', ['c1']], ['tick', []]],
    },
    {
      name: 'a newer draw of a waiting chart replaces it and keeps its place',
      steps: [['enqueue', 'a', 'a1'], ['enqueue', 'b', 'b1'], ['enqueue', 'a', 'a2'], ['enqueue', 'a', 'a3'], ['tick', ['a3']], ['tick', ['b1']], ['tick', []]],
    },
    {
      name: 'a chart drawn and asked again goes to the back',
      steps: [['enqueue', 'a', 'a1'], ['enqueue', 'b', 'b1'], ['tick', ['a1']], ['enqueue', 'a', 'a2'], ['tick', ['b1']], ['tick', ['a2']]],
    },
    {
      name: 'a cancelled chart is not drawn',
      steps: [['enqueue', 'a', 'a1'], ['enqueue', 'b', 'b1'], ['cancel', 'a'], ['tick', ['b1']], ['tick', []]],
    },
  ];

  it.each(cases)('$name', ({ steps }) => {
    const { queue, drawn, tick } = manual();
    for (const step of steps) {
      if (step[0] === 'enqueue') {
        const label = step[2];
        queue.enqueue(keys[step[1]], () => drawn.push(label));
      } else if (step[0] === 'cancel') queue.cancel(keys[step[1]]);
      else expect(tick()).toEqual(step[1]);
    }
    expect(queue.size).toBe(0);
  });

  it('schedules one task at a time, whatever the number of charts waiting', () => {
    const { queue, tasks } = manual();
    queue.enqueue(a, () => {});
    queue.enqueue(b, () => {});
    queue.enqueue(a, () => {});
    expect(tasks).toHaveLength(1);
    expect(queue.size).toBe(2);
  });

  it('goes on with the next chart when a draw throws', () => {
    const { queue, drawn, tick } = manual();
    queue.enqueue(a, () => {
      throw new Error('disposed');
    });
    queue.enqueue(b, () => drawn.push('b1'));
    expect(() => tick()).toThrow('disposed');
    expect(tick()).toEqual(['b1']);
  });
});
