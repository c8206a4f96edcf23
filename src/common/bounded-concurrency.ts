/**
 * Runs `task` on each item, at most `limit` at a time, pulling items only as tasks finish: a
 * listing that yields items lazily is never read far ahead, so memory stays bounded however many
 * items there are. Waits for every started task; then throws the first error, if any.
 */
export async function forEachConcurrently<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : toAsync(items);
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped) {
      const next = await iterator.next();
      if (next.done) return;
      await task(next.value);
    }
  };
  const outcomes = await Promise.allSettled(
    Array.from({ length: Math.max(1, Math.floor(limit)) }, () =>
      worker().catch((error: unknown) => {
        stopped = true;
        throw error;
      }),
    ),
  );
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure) {
    await iterator.return?.();
    throw failure.reason;
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
