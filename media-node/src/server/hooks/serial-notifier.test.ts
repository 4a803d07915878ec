import { describe, expect, it } from 'vitest';
import { SerialNotifier } from './serial-notifier.ts';

/** A task that records when it starts and finishes only when released. */
function gate(started: string[], name: string) {
  let release: () => void = () => undefined;
  const done = new Promise<void>((r) => (release = r));
  return {
    task: async () => {
      started.push(name);
      await done;
    },
    release: () => release(),
  };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('SerialNotifier', () => {
  it('runs tasks one after another, in push order', async () => {
    const started: string[] = [];
    const q = new SerialNotifier(8, () => undefined);
    const a = gate(started, 'a');
    const b = gate(started, 'b');
    q.push(a.task);
    q.push(b.task);
    q.push(async () => void started.push('c'));
    await tick();
    expect(started).toEqual(['a']);
    expect(q.pending).toBe(3);
    a.release();
    await tick();
    expect(started).toEqual(['a', 'b']);
    b.release();
    await q.idle();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(q.pending).toBe(0);
  });

  it('drops what comes past the limit while a task hangs, and says so', async () => {
    const started: string[] = [];
    let dropped = 0;
    const q = new SerialNotifier(3, () => dropped++);
    const hang = gate(started, 'hang');
    const pushed = [q.push(hang.task), ...[1, 2, 3, 4, 5].map((i) => q.push(async () => void started.push(`t${i}`)))];
    expect(pushed).toEqual([true, true, true, false, false, false]);
    expect(dropped).toBe(3);
    hang.release();
    await q.idle();
    expect(started).toEqual(['hang', 't1', 't2']);
    expect(q.push(async () => void started.push('later'))).toBe(true);
    await q.idle();
    expect(started.at(-1)).toBe('later');
  });

  it('goes on after a task that throws or rejects', async () => {
    const ran: string[] = [];
    const q = new SerialNotifier(8, () => undefined);
    q.push(() => {
      throw new Error('sync');
    });
    q.push(async () => {
      throw new Error('async');
    });
    q.push(async () => void ran.push('after'));
    await q.idle();
    expect(ran).toEqual(['after']);
    expect(q.pending).toBe(0);
  });
});
