import { describe, expect, it } from 'vitest';
import { batchOrAlone, createGroupCommit } from '../../src/lib/group-commit.js';

/** A run that records each batch and answers when `release` is called. */
function gatedRun() {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const run = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((resolve) => gates.push(resolve));
    return items.map((n) => n * 10);
  };
  const release = async () => {
    // let the batch under way reach its gate
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gates.shift()?.();
  };
  return { batches, run, release };
}

/**
 * A run that records each batch, holds a batch starting with 'first' until `open` is called, and
 * throws for a batch holding 'bad'.
 */
function failingRun() {
  const batches: string[][] = [];
  let gate: (() => void) | undefined;
  const run = async (items: string[]) => {
    batches.push(items);
    if (items[0] === 'first') await new Promise<void>((resolve) => (gate = resolve));
    if (items.includes('bad')) throw new Error('statement failed');
    return items.map((item) => item.toUpperCase());
  };
  return { batches, run, open: () => gate?.() };
}

describe('createGroupCommit', () => {
  it('sends the first item at once and the items that arrive meanwhile together, each with its own result', async () => {
    const { batches, run, release } = gatedRun();
    const submit = createGroupCommit({ run, max: 100 });
    const first = submit(1);
    const rest = [submit(2), submit(3), submit(4)];
    await release();
    await release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('takes at most max items in one batch', async () => {
    const { batches, run, release } = gatedRun();
    const submit = createGroupCommit({ run, max: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => submit(n));
    for (let i = 0; i < 3; i++) await release();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('fails every item of a batch that throws, and goes on with the next', async () => {
    const { batches, run, open } = failingRun();
    const submit = createGroupCommit({ max: 10, run });
    const first = submit('first');
    const together = [submit('bad'), submit('x')];
    open();
    expect(await first).toBe('FIRST');
    const outcomes = await Promise.allSettled(together);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('statement failed');
    expect(await submit('ok')).toBe('OK');
    expect(batches).toEqual([['first'], ['bad', 'x'], ['ok']]);
  });

  it('with retryAlone, runs a failed batch again item by item, so only the bad item fails', async () => {
    const { batches, run, open } = failingRun();
    const submit = createGroupCommit({ max: 10, run, retryAlone: true });
    const first = submit('first');
    const together = [submit('x'), submit('bad'), submit('y')];
    open();
    expect(await first).toBe('FIRST');
    const outcomes = await Promise.allSettled(together);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason.message))).toEqual([
      'X',
      'statement failed',
      'Y',
    ]);
    expect(batches).toEqual([['first'], ['x', 'bad', 'y'], ['x'], ['bad'], ['y']]);
    // a batch of one that fails is not run twice
    await expect(submit('bad')).rejects.toThrow('statement failed');
    expect(batches).toHaveLength(6);
  });

  it('says when it is idle, after the last batch', async () => {
    const { run, release } = gatedRun();
    let idle = 0;
    const submit = createGroupCommit({ run, max: 10, onIdle: () => idle++ });
    const a = submit(1);
    const b = submit(2);
    await release();
    expect(idle).toBe(0);
    await release();
    await Promise.all([a, b]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(1);
    // a new item starts a new round
    const c = submit(3);
    await release();
    expect(await c).toBe(30);
  });
});

describe('batchOrAlone', () => {
  const upper = async (items: string[]) => {
    if (items.includes('bad')) throw new Error(items.length > 1 ? 'batch failed' : `${items[0]} failed`);
    return items.map((item) => item.toUpperCase());
  };
  const one = async (item: string) => (await upper([item]))[0] as string;
  /** `one`, recording the items it was given */
  const recorded = () => {
    const items: string[] = [];
    return {
      items,
      alone: (item: string) => {
        items.push(item);
        return one(item);
      },
    };
  };

  it('answers the batch when it succeeds, without running any item alone', async () => {
    const { items: alone, alone: runAlone } = recorded();
    const settled = await batchOrAlone(['a', 'b'], upper, runAlone, { aloneAfter: () => true });
    expect(settled).toEqual([
      { status: 'fulfilled', value: 'A' },
      { status: 'fulfilled', value: 'B' },
    ]);
    expect(alone).toEqual([]);
  });

  it('runs each item alone after an error it accepts, so only the bad item fails', async () => {
    const settled = await batchOrAlone(['a', 'bad', 'c'], upper, one, { aloneAfter: () => true });
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      'A',
      'bad failed',
      'C',
    ]);
  });

  it('fails every item with the batch error when the error is not one to retry alone', async () => {
    const { items: alone, alone: runAlone } = recorded();
    const settled = await batchOrAlone(['a', 'bad'], upper, runAlone, { aloneAfter: () => false });
    expect(settled.map((s) => s.status === 'rejected' && (s.reason as Error).message)).toEqual([
      'batch failed',
      'batch failed',
    ]);
    expect(alone).toEqual([]);
  });

  it('in order, runs the items one after another and stops at the first that fails', async () => {
    const { items: alone, alone: runAlone } = recorded();
    const settled = await batchOrAlone(['a', 'bad', 'c'], upper, runAlone, {
      aloneAfter: () => true,
      inOrder: true,
    });
    expect(alone).toEqual(['a', 'bad']);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      'A',
      'bad failed',
      'bad failed',
    ]);
  });
});
