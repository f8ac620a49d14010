export interface BatchOptions {
  /** The most items one batch takes; the rest wait for the next. */
  maxSize?: number;
  /** How many batches may run at once. */
  inFlight?: number;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (reason: unknown) => void;
}

/**
 * Runs items in batches, each item's caller awaiting its own outcome: the idea of a group
 * commit. Items given in the same turn of the event loop go together; an item that finds
 * fewer than `inFlight` batches running starts one in that turn (alone, when all is quiet);
 * items that arrive while every batch is running wait, and go together in the next. Batches
 * so grow with the load, up to `maxSize`, and no item ever waits on a timer.
 *
 * `run` settles each item of its batch, in order: an item it refuses fails alone. Should
 * `run` itself fail, every item of that batch fails with it.
 */
export function batches<Item, Result>(
  run: (items: Item[]) => Promise<Array<PromiseSettledResult<Result>>>,
  { maxSize = 64, inFlight = 1 }: BatchOptions = {},
): (item: Item) => Promise<Result> {
  const waiting: Array<Waiting<Item, Result>> = [];
  let running = 0;
  let startScheduled = false;

  const startBatches = () => {
    startScheduled = false;
    while (running < inFlight && waiting.length > 0) {
      const batch = waiting.splice(0, maxSize);
      running += 1;
      run(batch.map((entry) => entry.item))
        .then(
          (outcomes) =>
            batch.forEach((entry, index) => {
              const outcome = outcomes[index];
              if (outcome?.status === 'fulfilled') entry.resolve(outcome.value);
              else entry.reject(outcome ? outcome.reason : new Error('the batch gave this item no outcome'));
            }),
          (reason: unknown) => {
            for (const entry of batch) entry.reject(reason);
          },
        )
        .finally(() => {
          running -= 1;
          startBatches();
        });
    }
  };

  return (item) =>
    new Promise((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      // At the end of this turn, so that the items given with this one join its batch.
      if (startScheduled) return;
      startScheduled = true;
      queueMicrotask(startBatches);
    });
}
