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
      try {
        const results = await run(batch.map((w) => w.item));
        for (const [index, w] of batch.entries()) w.settle(results[index] as Out);
      } catch (error) {
        if (retryAlone && batch.length > 1) {
          await Promise.all(batch.map((w) => run([w.item]).then(([out]) => w.settle(out as Out), w.fail)));
        } else {
          for (const w of batch) w.fail(error);
        }
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
