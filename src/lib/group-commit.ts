/**
 * Writes in batches, like a database's group commit: one batch at most is in flight. The first
 * item goes at once; the items that arrive while its statement runs wait and go together in the
 * next, so an idle process adds no delay and a busy one pays one statement and one commit per
 * batch instead of one per item.
 *
 *   const record = createGroupCommit({ max: 100, run: (items) => writeAll(items) });
 *   const result = await record(item);
 *
 * `run` answers one result per item, in the items' order. When it throws, every item of that
 * batch fails with the error; the next batch goes on. With `retryAlone`, a batch of several
 * that throws is run again item by item (`run` with one item), so an item that cannot be written
 * fails only itself (for writes whose items fail one by one, a row breaking a constraint, say). `onIdle` is called, synchronously after the last check, when nothing is left
 * to write: an item that arrives after it starts a new round.
 */
export interface GroupCommitOptions<In, Out> {
  run: (items: In[]) => Promise<readonly Out[]>;
  /** the most items in one batch */
  max: number;
  /** after a batch of several fails, run each of its items again by itself */
  retryAlone?: boolean;
  onIdle?: () => void;
}

export function createGroupCommit<In, Out>({
  run,
  max,
  retryAlone = false,
  onIdle,
}: GroupCommitOptions<In, Out>): (item: In) => Promise<Out> {
  type Waiting = { item: In; settle: (out: Out) => void; fail: (error: unknown) => void };
  const waiting: Waiting[] = [];
  let draining = false;

  const drain = async () => {
    while (waiting.length > 0) {
      const batch = waiting.splice(0, max);
      const settled = await batchOrAlone(
        batch.map((w) => w.item),
        run,
        async (item) => (await run([item]))[0] as Out,
        { aloneAfter: () => retryAlone && batch.length > 1 },
      );
      for (const [index, w] of batch.entries()) {
        const outcome = settled[index] as PromiseSettledResult<Out>;
        if (outcome.status === 'fulfilled') w.settle(outcome.value);
        else w.fail(outcome.reason);
      }
      // One turn of the event loop before the next batch, so the items whose requests arrived
      // meanwhile are read and join it: PGlite runs the statement on this thread, and without
      // the turn each batch would take only the few queued before it finished.
      await new Promise((resolve) => setImmediate(resolve));
    }
    draining = false;
    onIdle?.();
  };

  return (item: In) =>
    new Promise<Out>((settle, fail) => {
      waiting.push({ item, settle, fail });
      if (draining) return;
      draining = true;
      void drain();
    });
}

/**
 * Runs `items` as one batch (`batch`, one result per item in order); when it throws an error
 * `aloneAfter` accepts, runs each item again by itself (`alone`), so an item that cannot be
 * written fails only itself. Otherwise every item fails with the batch's error. `inOrder` runs
 * the items alone one after another (their effects keep the items' order) and stops at the first
 * that fails (the rest fail with its error, unrun); without it they go together. createGroupCommit's `retryAlone` and the call-flow create batches use it.
 */
export async function batchOrAlone<In, Out>(
  items: readonly In[],
  batch: (items: In[]) => Promise<readonly Out[]>,
  alone: (item: In) => Promise<Out>,
  { aloneAfter, inOrder = false }: { aloneAfter: (error: unknown) => boolean; inOrder?: boolean },
): Promise<PromiseSettledResult<Out>[]> {
  try {
    const results = await batch([...items]);
    return items.map((_, index) => ({ status: 'fulfilled', value: results[index] as Out }));
  } catch (error) {
    if (!aloneAfter(error)) return items.map(() => ({ status: 'rejected', reason: error }));
    if (!inOrder) return Promise.allSettled(items.map(alone));
    const settled: PromiseSettledResult<Out>[] = [];
    for (const item of items) {
      const failed = settled.find((outcome) => outcome.status === 'rejected');
      settled.push(
        failed ??
          (await alone(item).then(
            (value) => ({ status: 'fulfilled', value }) as const,
            (reason: unknown) => ({ status: 'rejected', reason }) as const,
          )),
      );
    }
    return settled;
  }
}
